"""Who may reach the administration: the one question the plumbing (admin site, menu) asks
about people. Roles are Django groups; the staff roles named here reach the admin, and
`members.roles` declares what each role may do there."""

COORDINATOR = "Coordinator"
PROGRAMME_DIRECTOR = "Programme Director"
ADMIN_ROLES = {COORDINATOR, PROGRAMME_DIRECTOR}
# The menu links provider users to their organisation (members.roles declares the same role).
PROVIDER_USER = "Provider user"


def has_role(user, role):
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return role in cached


def can_use_admin(user):
    """Coordinators, programme directors, superusers, and people a superuser marked as staff
    (who then see only the models a superuser gave them rights on)."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.is_staff or any(has_role(user, role) for role in ADMIN_ROLES))
    )
