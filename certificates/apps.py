from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self):
        from django.apps import apps

        from dit_portal.admin_hooks import add_admin_action, add_attention_check

        from .admin import issue_certificates_for_selected, stuck_batches_needing_attention

        add_attention_check(stuck_batches_needing_attention)

        # Every model that can describe what its rows certify gets the action in its admin.
        for model in apps.get_models():
            if callable(getattr(model, "certificate_achievements", None)):
                add_admin_action(model, issue_certificates_for_selected)
