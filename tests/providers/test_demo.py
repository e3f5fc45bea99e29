import pytest
from django.core.management import call_command
from django.urls import reverse

from members.models import User
from providers.enums import ApplicationStatus, ProviderStatus, ReviewStatus
from providers.models import LicenceApplication, Provider

pytestmark = pytest.mark.django_db


def test_demo_data_gives_the_provider_login_a_provider_with_records(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # a second run adds nothing
    provider = Provider.objects.get(name="Demo: Instituto DIT Lisboa")
    assert provider.status == ProviderStatus.ACCREDITED
    assert provider.deliveries.count() == 1 and provider.invoices.count() == 1
    assert provider.completer_lists.get().review_status == ReviewStatus.SUBMITTED
    assert (
        LicenceApplication.objects.get(provider__name="Demo: Nairobi DIT Collective").status
        == ApplicationStatus.SUBMITTED
    )
    client.force_login(User.objects.get(email="provider@demo.dit-portal.example"))
    assert client.get(reverse("providers:mine"))["Location"] == provider.get_absolute_url()
    page = client.get(provider.get_absolute_url()).content.decode()
    assert "2.5 of 6 hours" in page
