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
