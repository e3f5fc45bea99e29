from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "Reminders"

    def ready(self):
        from dit_portal.admin_hooks import add_attention_check

        from .admin import stale_claims_needing_attention

        add_attention_check(stale_claims_needing_attention)
