"""The role groups. Shared by the data migration that creates them (0002_roles) and by the
tests, which put them back after a transactional test flushed the tables. Each function
takes an app registry (a migration passes its historical one); the rights of each role
are granted after every migrate (members.roles.grant_role_permissions)."""

from django.apps import apps as installed_apps

ROLES = ["Coordinator", "Programme Director", "Supervisor", "Provider user"]


def seed_roles(apps=installed_apps):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def unseed_roles(apps=installed_apps):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
