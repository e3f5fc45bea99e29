"""System checks of the portal's own settings."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def site_url_is_set(app_configs=None, **kwargs):
    """E-mails link to SITE_URL: with DEBUG off it must be the portal's real address."""
    if settings.DEBUG or settings.SITE_URL:
        return []
    return [
        Error(
            "SITE_URL is not set.",
            hint="Set SITE_URL to the portal's public address (e.g. https://dit.example.org); links in e-mails use it.",
            id="portal.E001",
        )
    ]
