"""The admin at real volume: a provider's countries are picked from a list with a search
box and never include the United Kingdom; "By country" filters list only countries in use."""

import re

import pytest
from django.urls import reverse

from members import roles
from members.models import PersonProfile
from tests.factories import UserFactory, staff_with_totp

from .factories import ProviderFactory

pytestmark = pytest.mark.django_db


def test_a_providers_countries_are_searchable_and_leave_out_the_united_kingdom(client):
    provider = ProviderFactory()
    client.force_login(staff_with_totp(roles.COORDINATOR))
    url = reverse("admin:providers_provider_change", args=[provider.pk])
    page = client.get(url).text
    licensed = re.search(r'<select name="licensed_countries".*?</select>', page, re.S).group(0)
    assert "selectfilter" in licensed  # Django's two-box picker with its search box
    assert 'value="GB"' not in licensed and 'value="PT" selected' in licensed
    home = re.search(r'<select name="home_country".*?</select>', page, re.S).group(0)
    assert 'value="GB"' not in home and 'value="FR"' in home

    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in ("name", "address", "contact_email")}
    data |= {"home_country": "PT", "licensed_countries": ["PT", "GB"]}
    response = client.post(url, data)
    assert response.status_code == 200  # shown again with the error
    assert "Select a valid choice" in response.text
    provider.refresh_from_db()
    assert {country.code for country in provider.licensed_countries} == {"PT", "ES"}


def test_the_by_country_filter_lists_only_countries_in_use(client):
    for code in ("PT", "IE", "PT"):
        PersonProfile.objects.create(person=UserFactory(), country=code)
    PersonProfile.objects.create(person=UserFactory())
    client.force_login(staff_with_totp(roles.COORDINATOR))
    response = client.get(reverse("admin:members_personprofile_changelist"))
    [country_filter] = [spec for spec in response.context["cl"].filter_specs if spec.title == "country"]
    assert [choice["display"] for choice in country_filter.choices(response.context["cl"])] == [
        "All",
        "Ireland",
        "Portugal",
    ]
    portuguese = client.get(reverse("admin:members_personprofile_changelist"), {"country": "PT"})
    assert len(portuguese.context["cl"].result_list) == 2
