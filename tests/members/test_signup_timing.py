"""Sign-up answers alike whether or not the address is registered, in what it says, in
the mail it sends and in the time it takes, so it cannot be used to find out who has an
account."""

import statistics
import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher
from django.core import mail

from members.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-Long-pass-phrase-1"


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how often a password is hashed."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


class SlowHasher(PBKDF2PasswordHasher):
    """PBKDF2 as in production, with fewer rounds to keep the test short; still by far the
    slowest step of a sign-up."""

    algorithm = "pbkdf2_sha256_slow_test"
    iterations = 150_000


def sign_up(client, email):
    started = time.perf_counter()
    response = client.post(
        "/accounts/signup/",
        {"email": email, "full_name": "Someone", "password1": PASSWORD, "password2": PASSWORD},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    return response, elapsed


def test_both_paths_answer_alike_and_do_the_same_work(client, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_HASHERS = ["tests.members.test_signup_timing.CountingHasher"]
    UserFactory(email="known@example.org")
    mail.outbox.clear()

    # E-mails go through the outbox: a worker sends them once the request's transaction commits.
    CountingHasher.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        known, _ = sign_up(client, "known@example.org")
    known_hashes, known_mails = CountingHasher.calls, len(mail.outbox)

    CountingHasher.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        new, _ = sign_up(client, "new@example.org")
    new_hashes, new_mails = CountingHasher.calls, len(mail.outbox) - known_mails

    assert known["Location"] == new["Location"] == "/accounts/confirm-email/"
    assert known_hashes == new_hashes == 1
    assert known_mails == new_mails == 1
    assert User.objects.filter(email="new@example.org").exists()
    assert User.objects.filter(email="known@example.org").count() == 1


def test_a_known_address_takes_about_as_long_as_a_new_one(client, settings):
    settings.PASSWORD_HASHERS = ["tests.members.test_signup_timing.SlowHasher"]
    UserFactory(email="known@example.org")
    known, new = [], []
    for attempt in range(5):
        new.append(sign_up(client, f"new{attempt}@example.org")[1])
        known.append(sign_up(client, "known@example.org")[1])
    ratio = statistics.median(new) / statistics.median(known)
    # Without the same work in both paths a new address took many times longer.
    assert 1 / 3 < ratio < 3, f"new {statistics.median(new):.3f}s, known {statistics.median(known):.3f}s"
