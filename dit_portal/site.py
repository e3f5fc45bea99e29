"""The portal's own address, for links in e-mails and files sent away from a page.

In production it is SITE_URL (a system check insists on it when DEBUG is off). While
serving locally (DEBUG on) links point at the address the request came to, so mail sent
from `make run PORT=8001` links to port 8001; outside a request SITE_URL or the local
default applies.
"""

from contextvars import ContextVar

from django.conf import settings

LOCAL_DEFAULT = "http://127.0.0.1:8000"
_served_at = ContextVar("served_at", default="")


def site_url(request=None):
    if settings.DEBUG:
        if request is not None:
            return request.build_absolute_uri("/").rstrip("/")
        if served := _served_at.get():
            return served
    return settings.SITE_URL or LOCAL_DEFAULT


class ServedAddressMiddleware:
    """With DEBUG on, remember the address being served for e-mails rendered in this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DEBUG:
            return self.get_response(request)
        token = _served_at.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            return self.get_response(request)
        finally:
            _served_at.reset(token)
