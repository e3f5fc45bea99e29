"""Every public, member, trainee, supervisor and provider form, fuzzed with Hypothesis.

Each target is a page of the permission matrix's world (tests/test_permission_matrix.py),
used by the person who uses it. The page is fetched once to find its forms; then each
example sends the form back with every field drawn from Hypothesis: values of the field's
own type (`hypothesis.extra.django.from_field`: dates, decimals, choices, e-mail
addresses, records to choose from) or junk (NUL bytes, huge strings, right-to-left
overrides, impossible dates, numbers out of range, markup), each field maybe left out.

Whatever is sent:
- the portal never answers with a server error;
- when it does not accept the form (no redirect), no row of any table changes and no
  file is stored: nothing half-saved;
- when it accepts it, every row it wrote passes its model's own validation (full_clean).

`HYPOTHESIS_PROFILE=thorough make test ARGS=tests/fuzz` runs many more examples (see conftest.py).
"""

import datetime
import decimal
import inspect
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django import forms
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model
from django.urls import resolve
from django.views.generic.edit import FormMixin
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, ResolutionFailed
from hypothesis.extra.django import from_field

from tests.test_permission_matrix import ANON, PROVIDER_X, ROUTES, SUPERVISOR, TRAINEE_A, TRAINEE_B, World

pytestmark = pytest.mark.django_db

GET, POST = "get", "post"
# (route, who sends it, how). Trainee A owns the matrix world's records; trainee B has not
# applied for its run yet.
TARGETS = [
    # Public
    ("contact", ANON, POST),
    ("account_signup", ANON, POST),
    ("account_login", ANON, POST),
    ("account_reset_password", ANON, POST),
    ("account_request_login_code", ANON, POST),
    ("members:access_again", ANON, POST),
    ("trainings:run_list", ANON, GET),
    ("supervision:directory", ANON, GET),
    ("supervision:contact", ANON, POST),
    ("reading_list:list", ANON, GET),
    ("certificates:verify_form", ANON, GET),
    ("certificates:verify_form", ANON, POST),
    ("register:search", ANON, GET),
    # Members and trainees
    ("members:profile", TRAINEE_A, POST),
    ("account_change_password", TRAINEE_A, POST),
    ("account_email", TRAINEE_A, POST),
    ("members:resource_list", SUPERVISOR, GET),
    ("trainings:apply", TRAINEE_B, POST),
    ("reminders:preferences", TRAINEE_A, POST),
    ("accreditation:letter_upload", TRAINEE_A, POST),
    ("providers:apply", TRAINEE_B, POST),
    # Practitioners' ledger
    ("supervision:case_add", TRAINEE_A, POST),
    ("supervision:case_hours", TRAINEE_A, POST),
    ("supervision:case_recording", TRAINEE_A, POST),
    ("supervision:case_end", TRAINEE_A, POST),
    ("supervision:session_add", TRAINEE_A, POST),
    ("supervision:cpd_add", TRAINEE_A, POST),
    # Supervisors
    ("supervision:session_dispute", SUPERVISOR, POST),
    ("supervision:recording_rate", SUPERVISOR, POST),
    ("supervision:listing", SUPERVISOR, POST),
    # Providers
    ("providers:report_delivery", PROVIDER_X, POST),
    ("providers:upload_supervision", PROVIDER_X, POST),
    ("providers:upload_completers", PROVIDER_X, POST),
    ("providers:record_network_event", PROVIDER_X, POST),
]
# Pages that answer only a POST show their form elsewhere: the form class stands in.
POST_ONLY_FORMS = {"accreditation:letter_upload": "accreditation.forms.SupportLetterForm"}
PROJECT_APPS = {"portal", "members", "trainings", "supervision", "accreditation", "providers", "certificates"}
PROJECT_APPS |= {"reminders", "reading_list", "account", "mfa"}

JUNK = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "abc\x00def",
            "0",
            "-1",
            "-0.5",
            "1e309",
            "NaN",
            "Infinity",
            "9" * 40,
            "2026-02-30",
            "0000-00-00",
            "99999-12-31",
            "31/12/2026",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\u202eexe.pdf",
        ]
    ),
    st.integers(1_000, 20_000).map(lambda size: "a" * size),  # longer than any field
    st.integers(100, 2_000).map(lambda size: "\U0001f642" * size),  # four bytes each in UTF-8
)


def _as_sent(value):
    """A value from `from_field` as a browser would send it (None: the field is left out)."""
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_as_sent(item) for item in value]
    if isinstance(value, decimal.Decimal | int | float):
        return str(value)
    return value


def _typed(field):
    if isinstance(field, forms.FileField):
        return st.nothing()  # files are the hostile corpus's (tests/security)
    if isinstance(field, forms.ModelChoiceField) and not field.queryset.exists():
        return st.nothing()  # nothing to choose from: only junk
    try:
        return from_field(field).map(_as_sent)
    except (ResolutionFailed, InvalidArgument):
        return st.nothing()


def form_data(forms_on_page):
    """A strategy for what may be sent back from the page's forms: either every field of its
    own type (required ones always there), which the form often accepts, so the services'
    own checks and the rows they write are tried too; or any field junk or left out."""
    typed_required, typed_optional, mixed = {}, {}, {}
    for form in forms_on_page:
        for name, field in form.fields.items():
            key, typed = form.add_prefix(name), _typed(field)
            (typed_required if field.required else typed_optional)[key] = typed
            values = st.one_of(typed, JUNK)
            if isinstance(field, forms.MultipleChoiceField):
                values = st.one_of(values, st.lists(JUNK, max_size=3))
            mixed[key] = values
    return st.one_of(
        st.fixed_dictionaries(typed_required, optional=typed_optional),
        st.fixed_dictionaries({}, optional=mixed),
    ).map(lambda data: {key: value for key, value in data.items() if value is not None})


def _forms_on(response):
    found = []
    contexts = response.context if isinstance(response.context, list) else [response.context]
    for context in contexts:
        for value in context.flatten().values():
            if isinstance(value, forms.BaseForm) and not any(value is seen for seen in found):
                found.append(value)
    return found


def _tables():
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model._meta.managed and not model._meta.proxy
    )


def _row_counts(tables):
    with connection.cursor() as cursor:
        # Table names come from the app registry, not from input.
        counts = ", ".join(f"(SELECT count(*) FROM {connection.ops.quote_name(table)})" for table in tables)  # noqa: S608
        cursor.execute(f"SELECT {counts}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _stored_files(settings):
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def _newest_rows_are_whole(before, after):
    problems = []
    by_table = {model._meta.db_table: model for model in apps.get_models()}
    for table, count in after.items():
        added = count - before[table]
        if added <= 0:
            continue
        model = by_table[table]
        for row in model._default_manager.order_by("-pk")[:added]:
            try:
                row.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                problems.append(f"{model._meta.label} {row.pk}: {error.message_dict}")
    return problems


@pytest.fixture
def world():
    return World()


@pytest.mark.parametrize(("route", "role", "method"), TARGETS, ids=[target[0] for target in TARGETS])
def test_no_input_breaks_a_form_or_half_saves(route, role, method, world, client, settings):
    url = ROUTES[route].url(world) if callable(ROUTES[route].url) else ROUTES[route].url
    if role != ANON:
        client.force_login(world.users[role])
    if route in POST_ONLY_FORMS:
        module, name = POST_ONLY_FORMS[route].rsplit(".", 1)
        page_forms = [getattr(__import__(module, fromlist=[name]), name)()]
    else:
        page = client.get(url)
        assert page.status_code == 200, f"{route} as {role}: {page.status_code}"
        page_forms = _forms_on(page)
    assert page_forms, f"{route}: no form found on the page"
    tables = _tables()

    @given(data=form_data(page_forms))
    def send(data):
        cache.clear()  # rate limits count people, not examples
        counts, files = _row_counts(tables), _stored_files(settings)
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, f"{method.upper()} {url} {data!r}: {response.status_code}"
        after = _row_counts(tables)
        event("accepted" if response.status_code in (301, 302) else "refused")
        if method == POST and response.status_code not in (301, 302):
            changed = {table: (counts[table], after[table]) for table in tables if counts[table] != after[table]}
            assert not changed, f"refused, yet rows changed: {changed} for {data!r}"
            assert _stored_files(settings) == files, f"refused, yet a file was stored for {data!r}"
        problems = _newest_rows_are_whole(counts, after)
        assert not problems, f"accepted {data!r}, but wrote rows that fail validation: {problems}"

    send()


def _is_form_page(view):
    """Whether the view behind a route takes a form: a form view class, or a function that
    builds a Form (its decorators unwrapped)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return issubclass(view_class, FormMixin)
    return "Form(" in inspect.getsource(inspect.unwrap(view))


def test_every_form_page_is_fuzzed(world):
    """A page that takes a form must be a target here, or say why it is left out."""
    left_out = {
        "accreditation:case_study_upload": "a file and nothing else: the hostile corpus (tests/security)",
        "providers:accept_invitation": "needs a live invitation token; tests/providers/test_views.py",
        "members:network_join": "a confirmation button; its one optional field is checked in tests/members",
        "certificates:verify": "the same view as certificates:verify_form, with the code in the address",
        "supervision:case_detail": "shows the forms that post to case_hours, case_recording and case_end",
        "account_confirm_login_code": "needs a login code just requested in the same session",
        "account_reset_password_from_key": "needs a reset key just sent",
        "account_set_password": "only for an account without a password",
        "account_reauthenticate": "the password prompt: the login form, fuzzed above",
        "mfa_reauthenticate": "the password prompt: the login form, fuzzed above",
        "mfa_activate_totp": "behind a fresh password prompt (the login form, fuzzed above)",
        "mfa_deactivate_totp": "a confirmation of a person with an authenticator",
        "mfa_generate_recovery_codes": "a confirmation of a person with an authenticator",
    }
    fuzzed = {route for route, _role, _method in TARGETS}
    form_pages = set()
    for name, route in ROUTES.items():
        url = route.url(world) if callable(route.url) else route.url
        if _is_form_page(resolve(urlsplit(url).path).func):
            form_pages.add(name)
    missing = sorted(form_pages - fuzzed - set(left_out))
    assert not missing, f"Form pages not fuzzed: {missing}"
