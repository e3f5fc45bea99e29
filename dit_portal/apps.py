from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "dit_portal"
    label = "portal"
    verbose_name = "Portal"
    default = True


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "dit_portal.admin_site.PortalAdminSite"
