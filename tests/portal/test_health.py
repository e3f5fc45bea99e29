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
