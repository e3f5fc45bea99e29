"""The test client the suite uses (the `client` fixture in tests/conftest.py)."""

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.test import Client


class PortalClient(Client):
    def force_login(self, user, backend=None, *, second_factor=True):
        """Log `user` in as a complete login would: someone with TOTP on has also passed
        the TOTP step in this session, as allauth records it (the admin asks for that).
        `second_factor=False` leaves the session as if the step had been skipped."""
        super().force_login(user, backend)
        if not second_factor:
            return
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is None:
            return
        session = self.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": time.time(), "email": user.email},
            {"method": "mfa", "at": time.time(), "id": totp.pk, "type": "totp"},
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
