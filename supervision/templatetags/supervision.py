from django import template

from .. import selectors
from ..enums import RecordingRating, SessionStatus

register = template.Library()

BADGES = {
    SessionStatus.PENDING: "text-bg-warning",
    SessionStatus.CONFIRMED: "text-bg-success",
    SessionStatus.DISPUTED: "text-bg-danger",
    SessionStatus.WITHDRAWN: "text-bg-light",
    RecordingRating.AWAITING: "text-bg-warning",
    RecordingRating.NOT_YET: "text-bg-secondary",
    RecordingRating.PASS: "text-bg-success",
}


@register.filter
def ledger_badge(status):
    return BADGES.get(status, "text-bg-secondary")


@register.filter
def hours(value):
    """Hours without trailing zeros: 1.50 -> 1.5, None -> 0."""
    if value is None:
        return "0"
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


@register.simple_tag(takes_context=True)
def page_query(context, name, number):
    """The current query string with one paginator's page set, the others kept."""
    query = context["request"].GET.copy()
    query[name] = number
    return query.urlencode()


@register.simple_tag
def sessions_awaiting(user):
    """How many supervision sessions wait for `user` to confirm or dispute (0 for anyone
    signed out or named by no one)."""
    if not user.is_authenticated:
        return 0
    return selectors.sessions_awaiting(user).count()
