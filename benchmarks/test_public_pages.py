import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/about/what-is-dit/", "/faqs/", "/accounts/login/"])
def test_public_page(benchmark, client, url):
    response = benchmark(client.get, url)
    assert response.status_code == 200
