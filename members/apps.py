from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .roles import grant_role_permissions

        # Every app's post_migrate, not only ours: a later app's permissions exist only
        # after its own post_migrate has created them. Granting is idempotent.
        post_migrate.connect(grant_role_permissions, dispatch_uid="members.grant_role_permissions")

        from django.contrib.auth.signals import user_logged_in

        from .middleware import limit_staff_session_on_login

        # A staff session is short from the moment of login (see members.middleware).
        user_logged_in.connect(limit_staff_session_on_login, dispatch_uid="members.limit_staff_session")
