"""The admin site: reached only by coordinators, programme directors, superusers and people
a superuser marked as staff, after logging in through allauth (rate-limited) and passing
the TOTP step in this very session (having a device is not enough)."""

from functools import wraps
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .access import can_use_admin
from .admin_audit import audited
from .admin_hooks import needs_attention


class PortalAdminSite(admin.AdminSite):
    site_header = "DIT portal administration"
    site_title = "DIT portal admin"
    index_title = "Coordination"
    # The lists need the width (status, run, places and their links at 1280 px); the
    # breadcrumbs and the index lead everywhere the sidebar did.
    enable_nav_sidebar = False

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every admin edit is audited (see admin_audit.py), whichever app registers it."""
        super().register(model_or_iterable, audited(admin_class or admin.ModelAdmin), **options)

    def admin_view(self, view, cacheable=False):
        """Every view of a model's admin (its own pages and custom ones) answers 404 to an
        object id that cannot be one of the model's keys ("abc" for a number), before it
        reaches a query that would fail."""
        model = getattr(getattr(view, "__self__", None), "model", None)
        if model is not None:
            view = _refuse_malformed_ids(view, model)
        return super().admin_view(view, cacheable)

    def index(self, request, extra_context=None):
        """The index leads with what needs a coordinator (see admin_hooks.needs_attention)."""
        return super().index(request, {"needs_attention": needs_attention(request), **(extra_context or {})})

    def has_permission(self, request):
        user = request.user
        return can_use_admin(user) and is_mfa_enabled(user, ["totp"]) and passed_second_factor(request)

    def login(self, request, extra_context=None):
        """Send every admin login through allauth, whose rate limits and two-factor
        step then protect the admin too."""
        user = request.user
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
            next_url = reverse("admin:index")
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
        if not can_use_admin(user):
            raise PermissionDenied("Your account has no access to the administration.")
        if not is_mfa_enabled(user, ["totp"]):
            messages.warning(
                request,
                "Staff must turn on two-factor authentication before using the administration.",
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': next_url})}")
        if not passed_second_factor(request):
            # Logged in before the device was set up (or some other way): enter a code now.
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}")
        return redirect(next_url)


# The second factors allauth records in the session when one is passed (at login or on
# re-authentication): a TOTP code, or one of the recovery codes kept for a lost phone.
SECOND_FACTORS = {"totp", "recovery_codes"}


def passed_second_factor(request):
    """Whether the person passed a second factor in this session; allauth keeps a record of
    each authentication step in the session."""
    return any(
        record.get("method") == "mfa" and record.get("type") in SECOND_FACTORS
        for record in get_authentication_records(request, request.user)
    )


def _refuse_malformed_ids(view, model):
    @wraps(view)
    def checked(request, *args, **kwargs):
        for name in ("object_id", "id"):
            if name in kwargs:
                try:
                    model._meta.pk.to_python(unquote(kwargs[name]))
                except ValidationError:
                    raise Http404(f"No {model._meta.verbose_name} has the id {kwargs[name]!r}.") from None
        return view(request, *args, **kwargs)

    return checked
