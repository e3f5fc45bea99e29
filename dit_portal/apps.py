from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "dit_portal"
    label = "portal"
    verbose_name = "Portal"
    default = True

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from .admin_hooks import add_attention_check
        from .outbox import failed_emails_needing_attention

        add_attention_check(failed_emails_needing_attention)


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "dit_portal.admin_site.PortalAdminSite"
