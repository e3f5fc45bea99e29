"""What the menu offers a person: each role sees only its entries (templates/base.html)."""

from dit_portal.access import has_role

from .enums import CredentialKind, CredentialStatus
from .models import HeldCredential
from .roles import SUPERVISOR

# Public pages listed under "Trainings" in the menu; every other menu page is "About DIT".
TRAINING_PAGES = {"becoming-a-trainer", "overseas-training-providers"}


def may_supervise(user):
    """Whether `user` may be named as a supervisor (a DIT Supervisor credential, in any status
    but revoked, or the Supervisor role): the people the "Supervising" page is for. The same
    people as `supervision.selectors.supervisor_choices`, asked of one person."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_may_supervise", None)
    if cached is None:
        cached = (
            has_role(user, SUPERVISOR)
            or HeldCredential.objects.filter(holder=user, kind=CredentialKind.SUPERVISOR)
            .exclude(status=CredentialStatus.REVOKED)
            .exists()
        )
        user._may_supervise = cached
    return cached


def menu(request):
    """Read lazily: a page that does not render the menu pays nothing."""
    return {
        "user_may_supervise": lambda: may_supervise(request.user),
        "training_page_slugs": TRAINING_PAGES,
    }
