"""Honest requirement states on a provider's dashboard: each maintenance requirement is met,
due by a date, overdue, not due yet or not met, and only an overdue one is shown in red.
A newly licensed provider sees no red at all."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from members import roles
from providers import selectors, services
from providers.enums import FeeKind
from tests.factories import staff_with_totp

from .factories import provider_trainer, report

pytestmark = pytest.mark.django_db


def states(provider, **kwargs):
    return {item.key: item.state for item in selectors.maintenance_items(provider, **kwargs)}


def test_a_provider_licensed_today_has_nothing_late(provider):
    provider.accredited_on = timezone.localdate()
    provider.save(update_fields=["accredited_on"])
    trainer = provider_trainer(provider)
    found = states(provider)
    assert found == {
        "two_trainers": "due",  # within 2 years of accreditation
        "supervision_hours": "not_due",  # counted from the first training, none yet
        "annual_fee": "not_due",  # nothing invoiced yet
        "network_event": "due",  # by the end of the year
        f"practitioner_{trainer.pk}": "not_met",  # not an accredited practitioner: to do now, no date
    }
    items = {item.key: item for item in selectors.maintenance_items(provider)}
    assert items["two_trainers"].due_on == provider.accredited_on.replace(year=provider.accredited_on.year + 2)
    assert items["network_event"].due_on == datetime.date(timezone.localdate().year, 12, 31)
    assert not any(item.is_late for item in items.values())


def test_deadlines_passed_are_overdue(provider, member):
    provider.accredited_on = timezone.localdate() - datetime.timedelta(days=800)
    provider.save(update_fields=["accredited_on"])
    provider_trainer(provider)
    assert states(provider)["two_trainers"] == "overdue"
    delivery = report(provider, by=member, starts_in=-100)
    window_end = delivery.starts_on.replace(year=delivery.starts_on.year + 1)
    assert states(provider)["supervision_hours"] == "due"
    assert states(provider, today=window_end + datetime.timedelta(days=1))["supervision_hours"] == "overdue"
    last_day = datetime.date(timezone.localdate().year, 12, 31)
    assert states(provider, today=last_day)["network_event"] == "due"


def test_an_unpaid_fee_invoice_is_due_by_its_date_then_overdue(provider):
    coordinator = staff_with_totp(roles.COORDINATOR)
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    item = next(item for item in selectors.maintenance_items(provider) if item.key == "annual_fee")
    assert (item.state, item.due_on) == ("due", invoice.due_on)
    late = invoice.due_on + datetime.timedelta(days=1)
    assert states(provider, today=late)["annual_fee"] == "overdue"
    services.record_payment(invoice, amount=invoice.total, received_on=timezone.localdate(), by=coordinator)
    assert states(provider)["annual_fee"] == "met"


def badges(html):
    section = html[html.index('id="requirements"') :]
    section = section[: section.index("</ul>")]
    return re.findall(r'<span class="badge ([^"]*)">([^<]*)</span>', section)


def test_the_dashboard_shows_due_dates_and_red_only_when_late(client, provider, member):
    provider.accredited_on = timezone.localdate()
    provider.save(update_fields=["accredited_on"])
    provider_trainer(provider)
    client.force_login(member)
    html = client.get(reverse("providers:dashboard", kwargs={"provider_id": provider.pk})).text
    shown = badges(html)
    deadline = provider.accredited_on.replace(year=provider.accredited_on.year + 2)
    assert ("text-bg-light border border-secondary text-nowrap", f"Due by {deadline:%-d %b %Y}") in shown
    assert any(text == "Not due yet" for _, text in shown)
    assert not any("danger" in classes for classes, _ in shown), shown

    provider.accredited_on = timezone.localdate() - datetime.timedelta(days=800)
    provider.save(update_fields=["accredited_on"])
    html = client.get(reverse("providers:dashboard", kwargs={"provider_id": provider.pk})).text
    due = provider.accredited_on.replace(year=provider.accredited_on.year + 2)
    overdue = [(classes, text) for classes, text in badges(html) if "danger" in classes]
    assert overdue == [("text-bg-danger text-nowrap", f"Overdue: was due by {due:%-d %b %Y}")]
