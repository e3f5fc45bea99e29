from decimal import Decimal

from django import template

from .. import eligibility, selectors
from ..enums import EnrolmentStatus, RunStatus

register = template.Library()

STATUS_COLOURS = {
    EnrolmentStatus.APPLIED: "text-bg-info",
    EnrolmentStatus.WAITLISTED: "text-bg-warning",
    EnrolmentStatus.OFFERED: "text-bg-primary",
    EnrolmentStatus.ACCEPTED: "text-bg-success",
    EnrolmentStatus.COMPLETED: "text-bg-success",
    EnrolmentStatus.RUN_CANCELLED: "text-bg-danger",
    RunStatus.OPEN: "text-bg-success",
    RunStatus.FULL: "text-bg-warning",
    RunStatus.CANCELLED: "text-bg-danger",
}


@register.filter
def money(amount):
    """GBP with thousands separators, pence only when there are some: £1,500 or £12.50."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


@register.filter
def quantity(value):
    return f"{Decimal(value).normalize():f}"


@register.filter
def status_badge(status):
    return STATUS_COLOURS.get(status, "text-bg-secondary")


@register.filter
def can(enrolment, action):
    """`{% if enrolment|can:"withdraw" %}`: asks the transition table, so templates name
    actions, never states."""
    return enrolment.can(action)


@register.filter
def places_left(run):
    """Free places of a run annotated by selectors.with_run_facts."""
    return max(run.capacity - run.places_taken, 0)


@register.simple_tag
def fee_total(fees):
    return sum((fee.amount for fee in fees), Decimal("0.00"))


@register.filter
def date_range(run):
    """“3–7 March 2026”, “28 Feb – 2 Mar 2026” or one date, from annotated starts_on/ends_on."""
    start, end = getattr(run, "starts_on", None), getattr(run, "ends_on", None)
    if not start:
        return "Dates to be announced"
    if not end or end == start:
        return f"{start:%-d %B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%-d}–{end:%-d %B %Y}"
    if start.year == end.year:
        return f"{start:%-d %B} – {end:%-d %B %Y}"
    return f"{start:%-d %B %Y} – {end:%-d %B %Y}"


@register.filter
def fee(run):
    """A run's fee: its own price or its course's fee lines in all (None if neither)."""
    return selectors.fee_for(run)


@register.simple_tag
def amount_with_unit(value, unit):
    """“1 year”, “2 years”, “150 hours”: units are stored in the plural."""
    number = Decimal(value).normalize()
    if unit and number == 1 and unit.endswith("s"):
        unit = unit[:-1]
    return f"{number:f} {unit}".strip()


@register.simple_tag
def next_live_trainings(limit=3):
    """The next trainings open for applications, for the home page."""
    return list(selectors.next_live_runs(limit))


@register.simple_tag
def requirement_text(requirement):
    return eligibility.requirement_text(requirement)
