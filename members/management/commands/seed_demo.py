"""Fictional demo people, one per role, for local runs. Their logins are printed when they
are created; running the command again changes nothing, and `--show-logins` prints them
again (with new passwords: only their hashes are stored)."""

import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string, module_has_submodule

from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.models import User
from members.services import set_credential_status

DEMO_PEOPLE = [
    # e-mail, full name, role (group), superuser, credentials held
    ("trainee@demo.dit-portal.example", "Tamsin Trainee", None, False, []),
    ("practitioner@demo.dit-portal.example", "Priya Practitioner", None, False, [CredentialKind.PRACTITIONER]),
    (
        "supervisor@demo.dit-portal.example",
        "Samuel Supervisor",
        roles.SUPERVISOR,
        False,
        [CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR],
    ),
    ("coordinator@demo.dit-portal.example", "Cora Coordinator", roles.COORDINATOR, False, []),
    ("director@demo.dit-portal.example", "Dev Director", roles.PROGRAMME_DIRECTOR, False, []),
    ("provider@demo.dit-portal.example", "Paulo Provider", roles.PROVIDER_USER, False, []),
    ("admin@demo.dit-portal.example", "Ada Admin", None, True, []),
    # Trainees on the demo trainings: one waiting for a place, one who attended a past course.
    ("waiting@demo.dit-portal.example", "Wren Waiting", None, False, []),
    ("attendee@demo.dit-portal.example", "Ari Attendee", None, False, []),
]


class Command(BaseCommand):
    help = "Create fictional demo users, one per role, and print their logins once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--show-logins",
            action="store_true",
            help="Print the demo logins again: each demo person gets a new password, printed "
            "with the TOTP secret staff need (only demo addresses are touched).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if options["show_logins"]:
            self.show_logins()
            return
        created = []
        for email, name, role, superuser, credentials in DEMO_PEOPLE:
            if User.objects.filter(email=email).exists():
                continue
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                email=email, password=password, full_name=name, is_superuser=superuser, is_staff=superuser
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            if role:
                user.groups.add(Group.objects.get(name=role))
            for kind in credentials:
                set_credential_status(user, kind, CredentialStatus.ACCREDITED, note="Demo data")
            secret = ""
            if superuser or role in roles.ADMIN_ROLES:
                secret = generate_totp_secret()
                TOTP.activate(user, secret)
            created.append((name, role or ("superuser" if superuser else "trainee/member"), email, password, secret))
        self.load_app_demos()
        if not created:
            self.stdout.write(
                "Demo users already exist; `manage.py seed_demo --show-logins` prints their logins again."
            )
            return
        self.stdout.write(
            self.style.SUCCESS("Demo logins (print them again with `manage.py seed_demo --show-logins`):")
        )
        self.print_logins(created)

    def print_logins(self, created):
        for _name, role, email, password, secret in created:
            line = f"  {role:<20} {email:<40} password: {password}"
            if secret:
                line += f"  TOTP secret: {secret}"
            self.stdout.write(line)
        if any(row[4] for row in created):
            self.stdout.write("Staff need a two-factor code: add the TOTP secret to an authenticator app.")

    def show_logins(self):
        from allauth.mfa.models import Authenticator
        from allauth.mfa.utils import decrypt

        rows = []
        for email, name, role, superuser, _credentials in DEMO_PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                continue
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
            totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
            secret = decrypt(totp.data["secret"]) if totp else ""
            rows.append((name, role or ("superuser" if superuser else "trainee/member"), email, password, secret))
        if not rows:
            self.stdout.write("No demo people yet: run `manage.py seed_demo` first.")
            return
        self.stdout.write(self.style.SUCCESS("Demo logins (new passwords; the TOTP secrets are unchanged):"))
        self.print_logins(rows)

    def load_app_demos(self):
        """Each app may add its own demo rows in `<app>/demo.py` with `load_demo(stdout)`,
        so this lower app need not import the higher ones."""
        from members.demo import load_demo as load_members_demo

        load_members_demo(self.stdout)
        for config in apps.get_app_configs():
            if config.name != "members" and module_has_submodule(config.module, "demo"):
                import_string(f"{config.name}.demo.load_demo")(self.stdout)
