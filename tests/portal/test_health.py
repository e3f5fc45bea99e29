"""The liveness page: answers without the database, for load balancers and `make bench`."""

import pytest


@pytest.mark.django_db
def test_health_answers_ok_without_a_query_and_is_not_cached(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok\n" and response["Content-Type"] == "text/plain"
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/health/").status_code == 405


@pytest.mark.needs_postgres
@pytest.mark.django_db
def test_postgresql_jit_is_off_for_the_portals_connections():
    """JIT compiled the supervisees query for 350 ms to run it in 1 ms (see settings)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_ready_answers_ready_when_every_part_answers(client, db):
    response = client.get("/health/ready/")
    assert response.status_code == 200 and response.content == b"ready\n"
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/health/ready/").status_code == 405


@pytest.mark.needs_redis
@pytest.mark.django_db
def test_ready_names_the_cache_and_the_broker_when_redis_is_down(client, settings):
    from dit_portal.celery import app as celery_app
    from tests.brokers import celery_broker
    from tests.own_redis import free_port

    closed = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "dit_portal.cache.FallbackRedisCache", "LOCATION": closed}}
    with celery_broker(closed):
        assert celery_app.conf.task_always_eager is False
        response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.content == b"not ready: cache, broker down\n"


def test_ready_names_the_private_storage_when_it_cannot_be_written(client, db, settings, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("the private folder cannot be made under a file")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": str(not_a_folder / "private")}},
    }
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.content == b"not ready: private storage down\n"


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_ready_names_the_database_when_postgresql_is_unreachable_and_health_stays_ok(client):
    from django.db import connection

    from tests.own_redis import free_port

    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = free_port()
    try:
        response = client.get("/health/ready/")
        liveness = client.get("/health/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    assert response.content == b"not ready: database down\n"
    assert liveness.status_code == 200
