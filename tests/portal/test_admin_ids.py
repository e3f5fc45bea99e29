"""A malformed object id in any admin address answers 404, never a server error."""

import pytest
from django.contrib.admin import site
from django.urls import URLPattern

from tests.factories import staff_with_totp

pytestmark = pytest.mark.django_db


def object_pages():
    """Every admin address of every registered model that takes an object id (but the bare
    `<id>/`, which only redirects to the change page)."""
    for model, model_admin in site._registry.items():
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            if isinstance(pattern, URLPattern) and "<path:object_id>" in route and route != "<path:object_id>/":
                yield f"/admin/{model._meta.app_label}/{model._meta.model_name}/" + str(pattern.pattern).replace(
                    "<path:object_id>", "abc"
                )


def test_every_model_page_with_an_id_is_tried():
    pages = list(object_pages())
    assert "/admin/trainings/courserun/abc/attendance/" in pages
    assert len(pages) >= 3 * len(site._registry)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_non_numeric_id_answers_404(client, method):
    client.raise_request_exception = False
    client.force_login(staff_with_totp(None, is_superuser=True))
    answers = {url: getattr(client, method)(url).status_code for url in object_pages()}
    assert {url: status for url, status in answers.items() if status != 404} == {}
    assert getattr(client, method)("/admin/members/user/abc/password/").status_code == 404
