"""The admin site: reached only by coordinators, programme directors, superusers and people
a superuser marked as staff, after logging in through allauth (rate-limited) and passing
the TOTP step in this very session (having a device is not enough)."""

from functools import wraps
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import todo
from .access import can_use_admin
from .admin_audit import audited


class PortalAdminSite(admin.AdminSite):
    site_header = "DIT portal administration"
    site_title = "DIT portal admin"
    index_title = "Coordination"
    # The lists need the width (status, run, places and their links at 1280 px); the
    # breadcrumbs and the index lead everywhere the sidebar did.
    enable_nav_sidebar = False
    index_template = "admin/portal_index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every admin edit is audited (see admin_audit.py), whichever app registers it, and
        every choice of a person shows their e-mail address."""
        super().register(model_or_iterable, people_told_apart(audited(admin_class or admin.ModelAdmin)), **options)

    def index(self, request, extra_context=None):
        """The admin home, with the to-do panel of what waits for this user (todo.py)."""
        return super().index(request, {"todo_lines": todo.lines_for(request), **(extra_context or {})})

    def autocomplete_view(self, request):
        return PersonAutocompleteView.as_view(admin_site=self)(request)

    def admin_view(self, view, cacheable=False):
        """Every view of a model's admin (its own pages and custom ones) answers 404 to an
        object id that cannot be one of the model's keys ("abc" for a number), before it
        reaches a query that would fail."""
        model = getattr(getattr(view, "__self__", None), "model", None)
        if model is not None:
            view = _refuse_malformed_ids(view, model)
        return super().admin_view(view, cacheable)

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


class PersonAutocompleteView(AutocompleteJsonView):
    """The admin's autocompletes: a person is offered with their e-mail address, so two
    people with the same name can be told apart."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, get_user_model()):
            result["text"] = obj.name_and_email()
        return result


class PeopleToldApartMixin:
    """Every select or autocomplete of a person in an admin form labels them with their
    e-mail address (a name alone is ambiguous: two people may share it)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _label_people(db_field, super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _label_people(db_field, super().formfield_for_manytomany(db_field, request, **kwargs))


def _label_people(db_field, formfield):
    if formfield is not None and db_field.related_model is get_user_model():
        formfield.label_from_instance = get_user_model().name_and_email
    return formfield


def people_told_apart(admin_class):
    """`admin_class` with PeopleToldApartMixin first in line (itself if it has it already)."""
    if issubclass(admin_class, PeopleToldApartMixin):
        return admin_class
    return type(admin_class.__name__, (PeopleToldApartMixin, admin_class), {"__module__": admin_class.__module__})


def person_column(field, description=None):
    """A list column (or read-only field) naming the person in `field` with their e-mail
    address, sorted by name."""

    @admin.display(description=description or field.replace("_", " "), ordering=f"{field}__full_name")
    def column(*args):
        # (obj) in list_display, (model_admin, obj) as a model admin's attribute
        person = getattr(args[-1], field)
        return person.name_and_email() if person else "—"

    column.__name__ = field
    return column


def countries_in_use(field):
    """A "By country" list filter offering only the countries some row has in `field`
    (a handful, not the 250 of the world), by name."""
    from django_countries import countries

    class CountriesInUseFilter(admin.SimpleListFilter):
        title = "country"
        parameter_name = field

        def lookups(self, request, model_admin):
            codes = (
                model_admin.model.objects.exclude(**{field: ""})
                .order_by(field)
                .values_list(field, flat=True)
                .distinct()
            )
            return sorted(((code, countries.name(code) or code) for code in codes), key=lambda choice: choice[1])

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    return CountriesInUseFilter
