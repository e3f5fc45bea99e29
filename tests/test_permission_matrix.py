"""The permission matrix: every URL pattern of the portal, for every role, with the answer
that role gets to a GET.

How to classify a URL (each issue classifies its own):
- A named, non-admin route goes into `ROUTES`: `"namespace:name": Route(url, expect)`.
  `url` is a path string or a callable `(world) -> path` (the world holds the named people
  and objects below); `expect` maps every role to an answer. Helpers build the common
  rows: `public()`, `signed_in()`, `staff_only()`, ...
- A model registered in the admin goes into `ADMIN_MODELS`: which admin rights each staff
  role has on it ("view", "add", "change", "delete") and how to find one object of it.
  The changelist, add, change, history and delete pages follow from those rights.
- Other admin routes (custom admin views) go into `ADMIN_ROUTES`, like `ROUTES`.
A pattern that is in none of them fails `test_every_url_pattern_is_classified`.

Answers: a status code, or LOGIN (a redirect to the login page) or REDIRECT (a redirect
elsewhere). Other people's records answer 404, so existence does not leak.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.admin import site as admin_site
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dit_portal.audit import log_action
from dit_portal.models import FrequentlyAskedQuestion, Page
from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from tests.factories import UserFactory, staff_with_totp

ANON = "anonymous"
TRAINEE_A = "trainee_a"
TRAINEE_B = "trainee_b"
SUPERVISOR = "supervisor"
PROVIDER_X = "provider_x"
PROVIDER_Y = "provider_y"
COORDINATOR = "coordinator"
DIRECTOR = "director"
SUPERUSER = "superuser"
ROLES = [ANON, TRAINEE_A, TRAINEE_B, SUPERVISOR, PROVIDER_X, PROVIDER_Y, COORDINATOR, DIRECTOR, SUPERUSER]
MEMBERS = [role for role in ROLES if role != ANON]
STAFF = [COORDINATOR, DIRECTOR, SUPERUSER]

LOGIN = "login"
REDIRECT = "redirect"


def answers(default, **by_role):
    return {role: by_role.get(role, default) for role in ROLES}


def public(status=200):
    return answers(status)


def signed_in(status=200, anonymous=LOGIN, **by_role):
    """Any signed-in person; visitors are sent to log in."""
    return answers(status, anonymous=anonymous, **by_role)


def signed_out(status=200, signed_in_answer=REDIRECT):
    """Pages for visitors (log in, sign up); signed-in people are sent on."""
    return answers(signed_in_answer, anonymous=status)


def staff_only(status=200, others=404):
    return {role: (status if role in STAFF else LOGIN if role == ANON else others) for role in ROLES}


def owner_only(owner, status=200, others=404, staff=200):
    """A record of one person: its owner and the staff see it, everyone else gets 404."""
    return {
        role: status if role == owner else staff if role in STAFF else LOGIN if role == ANON else others
        for role in ROLES
    }


@dataclass
class Route:
    url: str | Callable
    expect: dict


class World:
    """The named people and objects every URL is tried with."""

    def __init__(self):
        self.users = {
            TRAINEE_A: UserFactory(email="trainee.a@example.org"),
            TRAINEE_B: UserFactory(email="trainee.b@example.org"),
            SUPERVISOR: UserFactory(email="supervisor@example.org", role=roles.SUPERVISOR),
            PROVIDER_X: UserFactory(email="provider.x@example.org", role=roles.PROVIDER_USER),
            PROVIDER_Y: UserFactory(email="provider.y@example.org", role=roles.PROVIDER_USER),
            COORDINATOR: staff_with_totp(roles.COORDINATOR, email="coordinator@example.org"),
            DIRECTOR: staff_with_totp(roles.PROGRAMME_DIRECTOR, email="director@example.org"),
            SUPERUSER: staff_with_totp(None, email="superuser@example.org", is_superuser=True),
        }
        self.trainee_a = self.users[TRAINEE_A]
        self.credential = set_credential_status(
            self.users[SUPERVISOR], CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED
        )
        self.audit_entry = log_action(self.trainee_a, "tests.matrix.example")
        self._instances = {}

    def instance(self, key, build):
        """One object per admin model, built on first use."""
        if key not in self._instances:
            self._instances[key] = build(self)
        return self._instances[key]


def _training_application(world):
    """An open run with trainee A's application and its evidence file, built once."""

    def build(world):
        from django.core.files.base import ContentFile

        from tests.trainings.factories import PDF_BYTES, EnrolmentFactory, make_run
        from trainings.models import EnrolmentAnswer

        enrolment = EnrolmentFactory(run=make_run(label="Matrix cohort"), trainee=world.trainee_a)
        answer = EnrolmentAnswer(enrolment=enrolment, question="Qualification", yes_no=True)
        answer.evidence_name = "certificate.pdf"
        answer.evidence.save("certificate.pdf", ContentFile(PDF_BYTES), save=True)
        enrolment.evidence_answer = answer
        return enrolment

    return world.instance("trainings.application", build)


def _certificate(world):
    """Trainee A's certificate of completion, built once."""

    def build(world):
        import datetime

        from certificates.services import issue_certificate

        return issue_certificate(
            holder=world.trainee_a,
            title="5-Day DIT Training",
            kind="course_completion",
            achieved_on=datetime.date(2026, 1, 9),
        )

    return world.instance("certificates.certificate", build)


def _issue_batch(world):
    from certificates.models import IssueBatch

    return IssueBatch.objects.create(title="Matrix batch")


def _reminder(world):
    import uuid

    from django.utils import timezone

    from reminders.models import Reminder

    return Reminder.objects.create(
        person=world.trainee_a,
        kind="training_starts_soon",
        period_key="run-1",
        subject="Matrix reminder",
        claim_token=uuid.uuid4(),
        claimed_at=timezone.now(),
    )


def _reminder_pause(world):
    from reminders.models import ReminderPause

    return ReminderPause.objects.create(person=world.users[TRAINEE_B], reason="Matrix pause")


def _course(slug):
    from trainings.models import Course

    return lambda world: Course.objects.get(slug=slug)


# Named routes outside the admin.
ROUTES = {
    # Public pages
    "home": Route("/", public()),
    "page": Route("/about/what-is-dit/", public()),
    "faqs": Route("/faqs/", public()),
    # Accounts (django-allauth)
    "account_login": Route("/accounts/login/", signed_out()),
    "account_signup": Route("/accounts/signup/", signed_out()),
    "account_logout": Route("/accounts/logout/", answers(200, anonymous=REDIRECT)),
    "account_inactive": Route("/accounts/inactive/", public()),
    "account_reauthenticate": Route("/accounts/reauthenticate/", signed_in()),
    "account_email": Route("/accounts/email/", signed_in()),
    "account_email_verification_sent": Route("/accounts/confirm-email/", public()),
    "account_confirm_email": Route("/accounts/confirm-email/not-a-real-key/", public()),
    "account_change_password": Route("/accounts/password/change/", signed_in()),
    "account_set_password": Route("/accounts/password/set/", signed_in(REDIRECT)),
    "account_reset_password": Route("/accounts/password/reset/", public()),
    "account_reset_password_done": Route("/accounts/password/reset/done/", public()),
    "account_reset_password_from_key": Route("/accounts/password/reset/key/1-not-a-key/", public()),
    "account_reset_password_from_key_done": Route("/accounts/password/reset/key/done/", public()),
    "account_request_login_code": Route("/accounts/login/code/", signed_out()),
    "account_confirm_login_code": Route("/accounts/login/code/confirm/", signed_out(REDIRECT)),
    # Two-factor authentication (allauth.mfa): staff already have TOTP on.
    "mfa_index": Route("/accounts/2fa/", signed_in()),
    # Pages that change the second factor first ask a signed-in person to re-authenticate.
    "mfa_authenticate": Route("/accounts/2fa/authenticate/", signed_out(LOGIN)),
    "mfa_reauthenticate": Route("/accounts/2fa/reauthenticate/", signed_in(REDIRECT, **dict.fromkeys(STAFF, 200))),
    "mfa_activate_totp": Route("/accounts/2fa/totp/activate/", signed_in(REDIRECT)),
    "mfa_deactivate_totp": Route("/accounts/2fa/totp/deactivate/", signed_in(404, **dict.fromkeys(STAFF, REDIRECT))),
    "mfa_view_recovery_codes": Route("/accounts/2fa/recovery-codes/", signed_in(404)),
    "mfa_generate_recovery_codes": Route("/accounts/2fa/recovery-codes/generate/", signed_in(REDIRECT)),
    "mfa_download_recovery_codes": Route("/accounts/2fa/recovery-codes/download/", signed_in(404)),
    # Members area
    "members:home": Route("/members/", signed_in()),
    "members:profile": Route("/members/profile/", signed_in()),
    # A person's own data: explained on GET, downloaded as a zip on POST.
    "members:my_data": Route("/members/my-data/", signed_in()),
    # Trainings: public catalogue and live trainings; a trainee's own applications and
    # evidence (trainee A owns the application; staff decide in the admin, where its page
    # is, so the trainee's page answers them 404 like anyone else's).
    "trainings:run_list": Route("/trainings/", public()),
    "trainings:course_list": Route("/trainings/courses/", public()),
    "trainings:course_detail": Route("/trainings/courses/5-day-dit-training/", public()),
    "trainings:run_detail": Route(lambda w: f"/trainings/runs/{_training_application(w).run_id}/", public()),
    # Trainee A has applied for this run already and is sent to the application.
    "trainings:apply": Route(
        lambda w: f"/trainings/runs/{_training_application(w).run_id}/apply/", signed_in(**{TRAINEE_A: REDIRECT})
    ),
    "trainings:my_trainings": Route("/trainings/mine/", signed_in()),
    "trainings:enrolment_detail": Route(
        lambda w: f"/trainings/mine/{_training_application(w).pk}/", owner_only(TRAINEE_A, staff=404)
    ),
    "trainings:withdraw": Route(
        lambda w: f"/trainings/mine/{_training_application(w).pk}/withdraw/", owner_only(TRAINEE_A, staff=404)
    ),
    # POST only: a GET is refused before the application is even looked up.
    "trainings:accept_offer": Route(
        lambda w: f"/trainings/mine/{_training_application(w).pk}/accept-place/", signed_in(405)
    ),
    # No place is offered to trainee A yet, so the owner is sent back to the application.
    "trainings:decline_offer": Route(
        lambda w: f"/trainings/mine/{_training_application(w).pk}/decline-place/",
        owner_only(TRAINEE_A, status=REDIRECT, staff=404),
    ),
    # Evidence: the applicant, and staff who pass the admin's check (role and two-factor).
    "trainings:evidence": Route(
        lambda w: f"/trainings/evidence/{_training_application(w).evidence_answer.pk}/", owner_only(TRAINEE_A)
    ),
    # Certificates: holders list and download their own (staff who pass the admin's check
    # download any); anyone checks a code on the public verification page.
    "certificates:mine": Route("/certificates/", signed_in()),
    "certificates:download": Route(lambda w: f"/certificates/{_certificate(w).pk}/download/", owner_only(TRAINEE_A)),
    "certificates:verify_form": Route("/certificates/verify/", public()),
    "certificates:verify": Route(lambda w: _certificate(w).get_verification_path(), public()),
    # Reminders: each person chooses their optional reminders.
    "reminders:preferences": Route("/reminders/", signed_in()),
}

# Admin routes that are not a registered model's standard pages. Non-staff roles are sent to
# the admin login, which then refuses them (see tests/members/test_admin_access.py).
ADMIN_DENIED = {role: LOGIN for role in ROLES if role not in STAFF}
ADMIN_ROUTES = {
    "admin:index": Route("/admin/", {**ADMIN_DENIED, **dict.fromkeys(STAFF, 200)}),
    "admin:login": Route(
        "/admin/login/", {ANON: LOGIN, **dict.fromkeys(MEMBERS, 403), **dict.fromkeys(STAFF, REDIRECT)}
    ),
    # Django's admin sends a non-staff visitor of its logout page to the admin index.
    "admin:logout": Route("/admin/logout/", {**dict.fromkeys(ROLES, REDIRECT), **dict.fromkeys(STAFF, 405)}),
    "admin:autocomplete": Route("/admin/autocomplete/", {**ADMIN_DENIED, **dict.fromkeys(STAFF, 403)}),
    "admin:jsi18n": Route("/admin/jsi18n/", {**ADMIN_DENIED, **dict.fromkeys(STAFF, 200)}),
    "admin:view_on_site": Route(
        lambda w: f"/admin/r/{_content_type_id(Page)}/{Page.objects.get(slug='what-is-dit').pk}/",
        {**ADMIN_DENIED, **dict.fromkeys(STAFF, REDIRECT)},
    ),
    "admin:app_list": Route("/admin/portal/", {**ADMIN_DENIED, **dict.fromkeys(STAFF, 200)}),
    "admin:auth_user_password_change": Route(
        lambda w: f"/admin/members/user/{w.trainee_a.pk}/password/",
        {**ADMIN_DENIED, COORDINATOR: 403, DIRECTOR: 403, SUPERUSER: 200},
    ),
    "admin:password_change": Route("/admin/password_change/", {**ADMIN_DENIED, **dict.fromkeys(STAFF, 200)}),
    "admin:password_change_done": Route("/admin/password_change/done/", {**ADMIN_DENIED, **dict.fromkeys(STAFF, 200)}),
    # Trainings: a run's attendance register and CSV of applications; the decision
    # buttons on an application's page post to "decide" (POST only).
    "admin:trainings_courserun_attendance": Route(
        lambda w: f"/admin/trainings/courserun/{_training_application(w).run_id}/attendance/",
        {**ADMIN_DENIED, **dict.fromkeys(STAFF, 200)},
    ),
    "admin:trainings_courserun_applications_csv": Route(
        lambda w: f"/admin/trainings/courserun/{_training_application(w).run_id}/applications.csv",
        {**ADMIN_DENIED, **dict.fromkeys(STAFF, 200)},
    ),
    "admin:trainings_enrolment_decide": Route(
        lambda w: f"/admin/trainings/enrolment/{_training_application(w).pk}/decide/",
        {**ADMIN_DENIED, **dict.fromkeys(STAFF, 405)},
    ),
    # Certificates: the revocation form of one certificate.
    "admin:certificates_certificate_revoke": Route(
        lambda w: f"/admin/certificates/certificate/{_certificate(w).pk}/revoke/",
        {**ADMIN_DENIED, **dict.fromkeys(STAFF, 200)},
    ),
    # The catch-all answers every other /admin/ address.
    "admin:<catch-all>": Route("/admin/no-such-page/", {**ADMIN_DENIED, **dict.fromkeys(STAFF, 404)}),
}

FULL = {"view", "add", "change", "delete"}
READ = {"view"}
EDIT = {"view", "change"}


@dataclass
class AdminModel:
    rights: dict  # staff role -> set of rights
    instance: Callable  # (world) -> one object of the model
    add_allowed: bool = True  # False where the ModelAdmin never allows adding
    delete_allowed: bool = True
    extra: dict = field(default_factory=dict)


def _content_type_id(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def _periodic_task(world):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    schedule = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    return PeriodicTask.objects.create(name="matrix example", task="dit_portal.tasks.deliver_email", interval=schedule)


def _beat_model(model_name):
    def build(world):
        from django.utils import timezone
        from django_celery_beat import models as beat

        return {
            "intervalschedule": lambda: beat.IntervalSchedule.objects.create(
                every=2, period=beat.IntervalSchedule.DAYS
            ),
            "crontabschedule": lambda: beat.CrontabSchedule.objects.create(minute="5"),
            "solarschedule": lambda: beat.SolarSchedule.objects.create(event="sunrise", latitude=51.5, longitude=-0.1),
            "clockedschedule": lambda: beat.ClockedSchedule.objects.create(clocked_time=timezone.now()),
        }[model_name]()

    return build


SUPERUSER_ONLY = {SUPERUSER: FULL}
ADMIN_MODELS = {
    "auth.group": AdminModel(SUPERUSER_ONLY, lambda w: Group.objects.get(name=roles.COORDINATOR)),
    "members.user": AdminModel({COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL}, lambda w: w.trainee_a),
    "members.heldcredential": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL}, lambda w: w.credential, add_allowed=False
    ),
    "portal.auditentry": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL},
        lambda w: w.audit_entry,
        add_allowed=False,
        delete_allowed=False,
    ),
    "portal.page": AdminModel(
        {COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: Page.objects.get(slug="what-is-dit")
    ),
    "portal.frequentlyaskedquestion": AdminModel(
        {COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: FrequentlyAskedQuestion.objects.first()
    ),
    "trainings.course": AdminModel({COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, _course("5-day-dit-training")),
    "trainings.courserun": AdminModel(
        {COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: _training_application(w).run
    ),
    # Applications come from trainees and change state only through decisions, so nobody
    # adds them in the admin; only a superuser may delete one.
    "trainings.enrolment": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL}, _training_application, add_allowed=False
    ),
    # Certificates are issued (add) and revoked (change), never deleted but by a superuser;
    # batches are only watched.
    "certificates.certificate": AdminModel(
        {COORDINATOR: {"view", "add", "change"}, DIRECTOR: {"view", "add", "change"}, SUPERUSER: FULL}, _certificate
    ),
    "certificates.issuebatch": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL},
        lambda w: w.instance("certificates.issuebatch", _issue_batch),
        add_allowed=False,
    ),
    # Reminders sent are a read-only record; a pause is added or lifted (deleted), never edited.
    "reminders.reminder": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL},
        lambda w: w.instance("reminders.reminder", _reminder),
        add_allowed=False,
        delete_allowed=False,
    ),
    "reminders.reminderpause": AdminModel(
        {COORDINATOR: {"view", "add", "delete"}, DIRECTOR: {"view", "add", "delete"}, SUPERUSER: FULL},
        lambda w: w.instance("reminders.reminderpause", _reminder_pause),
    ),
    "account.emailaddress": AdminModel(SUPERUSER_ONLY, lambda w: w.trainee_a.emailaddress_set.get()),
    "mfa.authenticator": AdminModel(
        SUPERUSER_ONLY, lambda w: Authenticator.objects.get(user=w.users[COORDINATOR], type="totp")
    ),
    "django_celery_beat.periodictask": AdminModel(SUPERUSER_ONLY, _periodic_task),
    "django_celery_beat.intervalschedule": AdminModel(SUPERUSER_ONLY, _beat_model("intervalschedule")),
    "django_celery_beat.crontabschedule": AdminModel(SUPERUSER_ONLY, _beat_model("crontabschedule")),
    "django_celery_beat.solarschedule": AdminModel(SUPERUSER_ONLY, _beat_model("solarschedule")),
    "django_celery_beat.clockedschedule": AdminModel(SUPERUSER_ONLY, _beat_model("clockedschedule")),
}

ADMIN_PAGES = {"changelist": "view", "add": "add", "change": "view", "history": "view", "delete": "delete"}


def admin_model_routes():
    """The standard admin pages of every registered model, with the answer each role gets."""
    routes = {}
    for model in admin_site._registry:
        key = f"{model._meta.app_label}.{model._meta.model_name}"
        spec = ADMIN_MODELS.get(key)
        if spec is None:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for page, right in ADMIN_PAGES.items():
            expect = dict(ADMIN_DENIED)
            for role in STAFF:
                rights = spec.rights.get(role, set())
                allowed = right in rights or (right == "view" and "change" in rights)
                if page == "add" and not spec.add_allowed:
                    allowed = False
                if page == "delete" and not spec.delete_allowed:
                    allowed = False
                expect[role] = 200 if allowed else 403
            routes[f"{prefix}_{page}"] = (key, spec, page, expect)
    return routes


def all_route_names():
    """Every URL pattern of the project, by its name (or a label for unnamed ones)."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    yield f"{namespace}{pattern.name}"
                elif namespace == "admin:" and str(pattern.pattern) == "(?P<url>.*)$":
                    yield "admin:<catch-all>"
                elif namespace == "admin:":
                    # The redirect from a model's old-style change URL; covered by its model.
                    yield f"admin:<model-redirect>:{pattern.pattern}"
                else:
                    yield f"<unnamed>:{pattern.pattern}"

    return set(walk(get_resolver().url_patterns))


def test_every_url_pattern_is_classified():
    model_routes = admin_model_routes()
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin_site._registry}
    unclassified_models = registered - set(ADMIN_MODELS)
    assert not unclassified_models, f"Admin models missing from ADMIN_MODELS: {sorted(unclassified_models)}"
    classified = set(ROUTES) | set(ADMIN_ROUTES) | set(model_routes)
    missing = {
        name for name in all_route_names() if name not in classified and not name.startswith("admin:<model-redirect>")
    }
    assert not missing, f"URL patterns missing from the permission matrix: {sorted(missing)}"
    stale = (set(ROUTES) | set(ADMIN_ROUTES)) - all_route_names()
    assert not stale, f"Matrix entries for URL patterns that no longer exist: {sorted(stale)}"


def _answer(response):
    if response.status_code in (301, 302):
        location = response["Location"]
        login_urls = (reverse("account_login"), reverse("admin:login"))
        return LOGIN if location.split("?")[0] in login_urls else REDIRECT
    return response.status_code


def _client_for(role, world, client):
    if role != ANON:
        client.force_login(world.users[role])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, client):
    world = World()
    client = _client_for(role, world, client)
    mismatches = []
    for name, route in {**ROUTES, **ADMIN_ROUTES}.items():
        url = route.url(world) if callable(route.url) else route.url
        got = _answer(client.get(url))
        if got != route.expect[role]:
            mismatches.append(f"{name} {url}: expected {route.expect[role]}, got {got}")
    for name, (key, spec, page, expect) in admin_model_routes().items():
        if page in ("changelist", "add"):
            url = reverse(name)
        else:
            url = reverse(name, args=[world.instance(key, spec.instance).pk])
        got = _answer(client.get(url))
        if got != expect[role]:
            mismatches.append(f"{name} {url}: expected {expect[role]}, got {got}")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)
