from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = "Trainings"

    def ready(self):
        from django.db.models.signals import post_migrate

        from members.roles import grant_role_permissions

        # members grants role permissions after its own migrations, before this app's
        # permissions exist on a fresh database; grant again once they do.
        post_migrate.connect(grant_role_permissions, sender=self)
