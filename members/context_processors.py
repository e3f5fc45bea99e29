"""What the menu offers a person: each role sees only its entries (templates/base.html)."""

from django.db.models import CharField, Value

from .enums import CredentialKind, CredentialStatus
from .models import HeldCredential
from .roles import SUPERVISOR

# Not a role name (roles are Django groups): marks a supervisor credential in the roles query.
_HOLDS_SUPERVISOR = "(holds the DIT Supervisor credential: not a role)"
# Public pages listed under "Trainings" in the menu; every other menu page is "About DIT".
TRAINING_PAGES = {"becoming-a-trainer", "overseas-training-providers"}


def may_supervise(user):
    """Whether `user` may be named as a supervisor (a DIT Supervisor credential, in any status
    but revoked, or the Supervisor role): the people the "Supervising" page is for. The same
    people as `supervision.selectors.supervisor_choices`, asked of one person.

    Every signed-in page reads the person's roles for the menu (`dit_portal.access.has_role`);
    when they are not read yet, one query reads both and leaves the roles cached for it."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_may_supervise", None)
    if cached is not None:
        return cached
    credential = HeldCredential.objects.filter(holder=user, kind=CredentialKind.SUPERVISOR).exclude(
        status=CredentialStatus.REVOKED
    )
    roles = getattr(user, "_role_names", None)
    if roles is not None:
        cached = SUPERVISOR in roles or credential.exists()
    else:
        names = set(
            user.groups.values_list("name", flat=True).union(
                credential.values_list(Value(_HOLDS_SUPERVISOR, output_field=CharField()), flat=True)
            )
        )
        user._role_names = names - {_HOLDS_SUPERVISOR}
        cached = SUPERVISOR in names or _HOLDS_SUPERVISOR in names
    user._may_supervise = cached
    return cached


def menu(request):
    """Read lazily: a page that does not render the menu pays nothing."""
    return {
        "user_may_supervise": lambda: may_supervise(request.user),
        "training_page_slugs": TRAINING_PAGES,
    }
