"""Staff sessions end after a short idle time."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .roles import can_use_admin

# A busy coordinator's session is written at most once a minute to push its end back.
REFRESH_AFTER = 60


def limit_staff_session(request, user):
    """Let the session of someone who can reach the admin end STAFF_SESSION_IDLE_TIMEOUT
    seconds from now. The end is stored with the session, so the session store itself
    refuses it afterwards; members keep the normal session length."""
    if not (user.is_authenticated and can_use_admin(user)):
        return
    timeout = settings.STAFF_SESSION_IDLE_TIMEOUT
    remaining = request.session.get_expiry_age()
    if not timeout - REFRESH_AFTER <= remaining <= timeout:
        request.session.set_expiry(timezone.now() + timedelta(seconds=timeout))


def limit_staff_session_on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        limit_staff_session(request, user)


class StaffIdleTimeoutMiddleware:
    """Each request of staff starts their idle count again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        limit_staff_session(request, request.user)  # after the view: a login here counts
        return response
