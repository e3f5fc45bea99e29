"""Roles are Django groups, created by a data migration. Admin access and the model
permissions of each staff role are declared here and applied after every migrate."""

from django.db.models import Q

# Admin access is plumbing: dit_portal.access answers it (dit_portal imports no app).
from dit_portal.access import (  # noqa: F401 - re-exported for the apps
    ADMIN_ROLES,
    COORDINATOR,
    PROGRAMME_DIRECTOR,
    PROVIDER_USER,
    can_use_admin,
    has_role,
)

SUPERVISOR = "Supervisor"
ALL_ROLES = [COORDINATOR, PROGRAMME_DIRECTOR, SUPERVISOR, PROVIDER_USER]

# Model permissions given to each staff role: {app_label: {model: [actions]}}.
# A later app adds its models here; "*" means every model of the app.
ALL = ["view", "add", "change", "delete"]
COORDINATION_PERMISSIONS = {
    "portal": {
        "page": ALL,
        "frequentlyaskedquestion": ALL,
        "auditentry": ["view"],
        # The e-mail outbox is read; failed e-mails are sent again through an action.
        "outgoingemail": ["view", "resend"],
    },
    "members": {
        "user": ["view", "change", "erase"],
        "heldcredential": ["view", "add", "change"],
        "credentialevent": ["view"],
        "personprofile": ["view", "change"],
        "contactmessage": ["view"],
    },
    "trainings": {"*": ALL},
    # Supervision: coordinators manage the ledger; decisions go through admin actions.
    "supervision": {
        "case": ["view", "change"],
        "therapyhours": ["view"],
        "supervisionsession": ["view", "change"],
        "recording": ["view", "change"],
        "cpdrecord": ALL,
        "supervisorlisting": ALL,
    },
    # Accreditation: thresholds are data; reviews, grants and results go through services.
    "accreditation": {
        "threshold": ["view", "change"],
        "roleplayresult": ["view", "add", "void"],
        "casestudysubmission": ["view", "change"],
        "supportletter": ["view"],
        "maintenanceresult": ["view", "recheck"],
        "candidate": ["view", "grant"],
    },
    # Certificates are issued and revoked, never deleted; batches are only watched.
    # Batches are watched, and resumed when they stopped.
    "certificates": {"certificate": ["view", "add", "change"], "issuebatch": ["view", "resume"]},
    # Reminders sent are a record to read; pausing a person is adding (and lifting, deleting) a pause.
    "reminders": {"reminder": ["view", "release"], "reminderpause": ["view", "add", "delete"]},
    # Providers: records change through services (admin actions and views); coordinators
    # edit the fee schedule and provider details, and add a provider known from before.
    "providers": {
        "*": ["view"],
        "provider": ["view", "add", "change"],
        "feescheduleentry": ["view", "change"],
        # approving or returning an upload is a decision of its own, not seeing it
        "supervisionrecord": ["view", "review"],
        "completerlist": ["view", "review"],
    },
}
# Members area and regional networks: resources and networks are plain editing; memberships
# change through actions (confirm, decline), attendance through its admin view.
COORDINATION_PERMISSIONS["members"] = {
    **COORDINATION_PERMISSIONS["members"],
    "resourcegroup": ALL,
    "memberresource": ALL,
    "network": ALL,
    "networkcontact": ALL,
    "networkmeeting": ALL,
    "networkmembership": ["view", "change"],
    "meetingattendance": ["view"],
}
# The recommended reading list: coordinators edit it in the admin.
COORDINATION_PERMISSIONS["reading_list"] = {"*": ALL}
# The Programme Director coordinates too, and later approves trainers and providers.
ROLE_PERMISSIONS = {
    COORDINATOR: COORDINATION_PERMISSIONS,
    PROGRAMME_DIRECTOR: COORDINATION_PERMISSIONS,
}


def grant_role_permissions(sender=None, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    for role, apps in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        query = Q(pk__in=[])
        for app_label, models in apps.items():
            for model, actions in models.items():
                codenames = Q(codename__regex=rf"^({'|'.join(actions)})_")
                if model == "*":
                    query |= Q(content_type__app_label=app_label) & codenames
                else:
                    query |= Q(content_type__app_label=app_label, content_type__model=model) & Q(
                        codename__in=[f"{action}_{model}" for action in actions]
                    )
        group.permissions.add(*Permission.objects.using(using).filter(query))
