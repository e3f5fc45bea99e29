"""The public pages and FAQs point to the live parts of the portal, and every internal link
on them leads somewhere."""

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/about/becoming-a-trainer/", "/about/overseas-training-providers/", "/faqs/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_link_to_the_networks_and_the_reading_list(client, url):
    text = client.get(url).content.decode()
    assert 'href="/members/networks/"' in text
    assert 'href="/reading/"' in text


def test_the_faqs_point_to_send_me_my_access_again(client):
    assert 'href="/members/access/"' in client.get("/faqs/").content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_every_internal_link_in_the_page_body_answers(client, url):
    text = client.get(url).content.decode()
    body = text.split('id="main"', 1)[1]
    for target in set(re.findall(r'href="(/[^"#?]*)', body)):
        assert client.get(target).status_code in (200, 302), target
