"""Redis down: the pages that read the cache (allauth's rate limits, the contact form's and
the certificate check's) keep answering, the rate limits count per process, and the error
is logged at most once a minute. Redis is a closed port, or a redis-server of the test's
own that the test stops."""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from dit_portal import degraded
from tests.factories import UserFactory
from tests.own_redis import free_port, own_redis

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the factory's
UNREACHABLE = "Redis (the cache) is unreachable"


def redis_cache_at(settings, url):
    settings.CACHES = {
        "default": {
            "BACKEND": "dit_portal.cache.FallbackRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def redis_down(settings):
    redis_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")
    degraded.forget_logged()
    yield
    degraded.forget_logged()


def contact_message(**overrides):
    return {"name": "Vera", "email": "vera@example.org", "topic": "training", "message": "A question.", **overrides}


def unreachable_logs(caplog):
    return [record for record in caplog.records if UNREACHABLE in record.getMessage()]


def test_sign_in_sign_up_and_password_reset_work_without_redis(client, redis_down, caplog):
    caplog.set_level(logging.ERROR, logger="dit_portal.degraded")
    person = UserFactory(email="ana@example.org")

    assert client.get(reverse("account_login")).status_code == 200
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    assert client.get(reverse("members:home")).status_code == 200
    client.logout()

    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "full_name": "Nadia New",
            "password1": "a-Long-pass-phrase-1",
            "password2": "a-Long-pass-phrase-1",
        },
    )
    assert response.status_code == 302, response.status_code
    response = client.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 302, response.status_code
    assert len(unreachable_logs(caplog)) == 1


def test_wrong_passwords_are_still_limited_without_redis(client, redis_down):
    UserFactory(email="ana@example.org")
    answers = [
        client.post(reverse("account_login"), {"login": "ana@example.org", "password": "wrong"}).status_code
        for _ in range(7)
    ]
    assert 500 not in answers
    page = client.post(reverse("account_login"), {"login": "ana@example.org", "password": "wrong"}).text
    assert "Too many failed login attempts" in page


def test_the_contact_form_works_and_is_limited_without_redis(client, redis_down):
    answers = [client.post(reverse("contact"), contact_message()).status_code for _ in range(6)]
    assert answers == [302] * 5 + [429]


def test_certificate_verification_works_and_is_limited_without_redis(client, redis_down, settings):
    settings.CERTIFICATE_VERIFICATION_RATE = "3/m"
    url = reverse("certificates:verify", kwargs={"code": "not-a-code"})
    assert [client.get(url).status_code for _ in range(4)] == [404, 404, 404, 429]


def test_redis_stopping_and_coming_back(client, settings, tmp_path, caplog, monkeypatch):
    """A redis-server of the test's own: the page works while it runs, after it stops, and
    the cache is Redis again once it is back."""
    from dit_portal import cache as fallback

    caplog.set_level(logging.ERROR, logger="dit_portal.degraded")
    degraded.forget_logged()
    monkeypatch.setattr(fallback, "RETRY_AFTER", 0.0)
    with own_redis(tmp_path) as redis:
        redis_cache_at(settings, redis.url)
        assert client.post(reverse("contact"), contact_message()).status_code == 302
        cache.set("marker", "in redis")
        redis.stop()
        for _ in range(3):
            assert client.post(reverse("contact"), contact_message()).status_code == 302
        assert len(unreachable_logs(caplog)) == 1
        assert cache.get("marker") is None
        redis.start()
        cache.set("marker", "back in redis")
        assert cache._cache.get_client().get(cache.make_and_validate_key("marker")) is not None
    degraded.forget_logged()
