"""Provider X against provider Y: every provider URL, for GET and POST, and every file
download answers 404, as if Y's records did not exist; X's own answer normally."""

import pytest
from django.urls import get_resolver, reverse

from dit_portal.models import AuditEntry
from providers.models import CompleterList, Delivery, NetworkEventAttendance, SupervisionRecord

from .isolation import FILE_ROUTES, provider_url_kwargs, provider_with_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_providers(db):
    x, x_user, x_objects = provider_with_everything("Provider X")
    y, y_user, y_objects = provider_with_everything("Provider Y")
    return {"x": (x, x_user, x_objects), "y": (y, y_user, y_objects)}


def provider_route_names():
    resolver = get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "providers":
            names |= {p.name for p in pattern.url_patterns if "provider_id" in str(p.pattern)}
    return names


def test_every_provider_url_is_in_the_isolation_table(two_providers):
    y, _user, objects = two_providers["y"]
    assert set(provider_url_kwargs(y, objects)) == provider_route_names()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_providers_pages_files_and_forms_answer_404(client, two_providers, method):
    _x, x_user, _x_objects = two_providers["x"]
    y, _y_user, y_objects = two_providers["y"]
    client.force_login(x_user)
    counts_before = [
        model.objects.count()
        for model in (Delivery, SupervisionRecord, CompleterList, NetworkEventAttendance, AuditEntry)
    ]
    wrong = []
    for name, kwargs in provider_url_kwargs(y, y_objects).items():
        response = getattr(client, method)(reverse(f"providers:{name}", kwargs=kwargs), {})
        if response.status_code != 404:
            wrong.append(f"{name}: {response.status_code}")
    assert not wrong, wrong
    counts_after = [
        model.objects.count()
        for model in (Delivery, SupervisionRecord, CompleterList, NetworkEventAttendance, AuditEntry)
    ]
    assert counts_after == counts_before


def test_ones_own_pages_and_files_answer(client, two_providers):
    x, x_user, x_objects = two_providers["x"]
    client.force_login(x_user)
    for name, kwargs in provider_url_kwargs(x, x_objects).items():
        response = client.get(reverse(f"providers:{name}", kwargs=kwargs))
        assert response.status_code == 200, name
        if name in FILE_ROUTES:
            assert response["Content-Disposition"].startswith("attachment"), name
            assert response["X-Content-Type-Options"] == "nosniff"


def test_a_record_of_y_under_xs_address_answers_404(client, two_providers):
    """X's provider id with Y's record id: the record is looked up within X only."""
    x, x_user, x_objects = two_providers["x"]
    _y, _y_user, y_objects = two_providers["y"]
    client.force_login(x_user)
    mixed = provider_url_kwargs(x, y_objects)
    for name, kwargs in mixed.items():
        if "pk" in kwargs:
            assert client.get(reverse(f"providers:{name}", kwargs=kwargs)).status_code == 404, name


def test_a_member_of_both_sees_both(client, two_providers):
    from providers.models import ProviderMembership

    _x, x_user, _ = two_providers["x"]
    y, _y_user, y_objects = two_providers["y"]
    ProviderMembership.objects.create(provider=y, user=x_user)
    client.force_login(x_user)
    assert (
        client.get(
            reverse("providers:invoice_pdf", kwargs=provider_url_kwargs(y, y_objects)["invoice_pdf"])
        ).status_code
        == 200
    )
    assert client.get(reverse("providers:mine")).status_code == 200


def test_forms_offer_only_ones_own_trainings_and_trainers(client, two_providers):
    x, x_user, _ = two_providers["x"]
    _y, _y_user, y_objects = two_providers["y"]
    client.force_login(x_user)
    response = client.post(
        reverse("providers:upload_completers", args=[x.pk]),
        {"delivery": y_objects["delivery"].pk},
    )
    assert "delivery" in response.context["form"].errors
    y_trainer = y_objects["delivery"].trainers.get()
    response = client.post(
        reverse("providers:record_network_event", args=[x.pk]),
        {"trainer": y_trainer.pk, "event": "x", "date": "2020-01-01"},
    )
    assert "trainer" in response.context["form"].errors
