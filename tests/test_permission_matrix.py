"""The permission matrix: every URL pattern of the portal, for every role, with the answer
that role gets to a GET and to a POST.

How to classify a URL (each issue classifies its own, in a block headed by its app):
- A named, non-admin route goes into `ROUTES`:

      "namespace:name": Route(url, expect, post=answers(...), data=lambda w: {...})

  `url` is a path string or a callable `(world) -> path` (the world holds the named people
  and objects below); `expect` maps every role to its answer to a GET, `post` to a POST
  (required: a page that only shows something answers 405, see `get_only()`); `data` is the
  POST body (a dict, or a callable `(world) -> dict`; empty when left out). Helpers build
  the common rows: `public()`, `signed_in()`, `staff_only()`, `owner_only()`, `answers()`.
- A model registered in the admin goes into `ADMIN_MODELS`: which admin rights each staff
  role has on it ("view", "add", "change", "delete") and how to find one object of it.
  The changelist, add, change, history and delete pages, and the answers to a POST of the
  add, change and delete forms, follow from those rights (see `admin_model_posts`).
- Other admin routes (custom admin views) go into `ADMIN_ROUTES`, like `ROUTES`.
- An admin list action goes into `ACTION_RIGHTS` with the right it needs; every role POSTs
  it on one object and must see it run, not offered, or refused (`test_admin_actions_matrix`).
A pattern that is in none of them fails `test_every_url_pattern_is_classified`; a route
without a POST answer fails `test_every_route_has_a_post_answer`; an unlisted action fails
`test_every_admin_action_is_classified`.

Answers: a status code, or LOGIN (a redirect to the login page) or REDIRECT (a redirect
elsewhere). Other people's records answer 404, so existence does not leak.

Every POST runs inside a savepoint that is rolled back after it, with the client's cookies
and the cache (rate limits) restored, so one POST never changes what the next one sees.
Admin POSTs are real submissions: the change form is sent back as a superuser's page fills
it, the delete page is confirmed, the add form is sent empty. So a role with the right gets
REDIRECT (saved, or deleted) or 200 (the add form back with its errors); a role without it
gets 403, and a visitor is sent to log in.

STAFF_PARTIAL is staff (is_staff, TOTP) without a coordinating role, given by a superuser
only the rights in `PARTIAL_STAFF_RIGHTS`: view on some models and change on one, so a
change right is tried both ways.
"""

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.admin import site as admin_site
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dit_portal.audit import log_action
from dit_portal.models import FrequentlyAskedQuestion, Page
from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from tests.clients import PortalClient
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
STAFF_PARTIAL = "staff_partial"
ROLES = [
    ANON,
    TRAINEE_A,
    TRAINEE_B,
    SUPERVISOR,
    PROVIDER_X,
    PROVIDER_Y,
    COORDINATOR,
    DIRECTOR,
    SUPERUSER,
    STAFF_PARTIAL,
]
MEMBERS = [role for role in ROLES if role != ANON]
STAFF = [COORDINATOR, DIRECTOR, SUPERUSER, STAFF_PARTIAL]
# The rights a superuser gave STAFF_PARTIAL: {app_label.model: [actions]}.
PARTIAL_STAFF_RIGHTS = {
    "portal.page": ["view"],
    "portal.frequentlyaskedquestion": ["view", "change"],
    "trainings.course": ["view"],
    "trainings.courserun": ["view"],
    "providers.supervisionrecord": ["view"],
}

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


def owner_only(owner, status=200, others=404, staff=200, **by_role):
    """A record of one person: its owner and the staff see it, everyone else gets 404."""
    return {
        role: by_role.get(
            role, status if role == owner else staff if role in STAFF else LOGIN if role == ANON else others
        )
        for role in ROLES
    }


def get_only(expect):
    """A page that only shows something: a POST answers 405 to whoever may GET it."""
    return {role: 405 if answer in (200, REDIRECT) else answer for role, answer in expect.items()}


@dataclass
class Route:
    url: str | Callable
    expect: dict  # role -> answer to a GET
    post: dict | None = None  # role -> answer to a POST; every route must have one
    data: dict | Callable | None = None  # the POST body, or (world) -> body


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
            STAFF_PARTIAL: staff_with_totp(None, email="partial.staff@example.org", is_staff=True),
        }
        for key, actions in PARTIAL_STAFF_RIGHTS.items():
            app_label, model = key.split(".")
            self.users[STAFF_PARTIAL].user_permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=[f"{action}_{model}" for action in actions]
                )
            )
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


def _accepted_place(world):
    """Trainee A's accepted place on another run (its calendar file), built once."""

    def build(world):
        from tests.trainings.factories import EnrolmentFactory, make_run
        from trainings.enums import EnrolmentStatus

        return EnrolmentFactory(
            run=make_run(label="Matrix place"), trainee=world.trainee_a, status=EnrolmentStatus.ACCEPTED
        )

    return world.instance("trainings.accepted_place", build)


def _contact_message(world):
    from members.models import ContactMessage

    return world.instance(
        "members.contactmessage",
        lambda w: ContactMessage.objects.create(
            name="Visitor", email="visitor@example.org", topic="other", message="Hi"
        ),
    )


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


def _outgoing_email(world):
    from dit_portal.models import OutgoingEmail, OutgoingEmailStatus

    return OutgoingEmail.objects.create(
        to=[world.trainee_a.email],
        subject="Matrix e-mail",
        text="Text",
        html="<p>Text</p>",
        status=OutgoingEmailStatus.FAILED,
        last_error="550 mailbox unavailable",
    )


def _reminder_pause(world):
    from reminders.models import ReminderPause

    return ReminderPause.objects.create(person=world.users[TRAINEE_B], reason="Matrix pause")


def _course(slug):
    from trainings.models import Course

    return lambda world: Course.objects.get(slug=slug)


# Supervision ---------------------------------------------------------------------------


def _supervision(world):
    """Trainee A's ledger, supervised by the Supervisor-role user: an ended case with a
    recording to rate and a session awaiting confirmation; and a listed accredited
    supervisor in the directory. Built once."""

    def build(world):
        from types import SimpleNamespace

        from tests.supervision.factories import (
            CaseFactory,
            CpdFactory,
            ListingFactory,
            RecordingFactory,
            SessionFactory,
            days_ago,
        )

        supervisor = world.users[SUPERVISOR]
        case = CaseFactory(practitioner=world.trainee_a, supervisor=supervisor, code="M-01", ended_on=days_ago(1))
        session = SessionFactory(practitioner=world.trainee_a, supervisor=supervisor)
        session.cases.add(case)
        return SimpleNamespace(
            case=case,
            session=session,
            recording=RecordingFactory(case=case),
            cpd=CpdFactory(person=world.trainee_a),
            listing=ListingFactory(display_name="Matrix Listed"),
        )

    return world.instance("supervision", build)


def _supervisor_only(get=200, others=404):
    """A page of the supervisor named on trainee A's records; anyone else gets 404."""
    return signed_in(others, **{SUPERVISOR: get})


# Accreditation -------------------------------------------------------------------------


def _accreditation(world):
    """Trainee A's case study, letter of support, role-play result, maintenance result and
    profile with evidence; the Supervisor-role user, an accredited practitioner who completed
    DIT for Complex Care, is in the "ready to accredit" queue. Built once."""

    def build(world):
        from types import SimpleNamespace

        from django.core.files.base import ContentFile
        from django.utils import timezone

        from accreditation.models import MaintenanceResult, Threshold
        from members.models import PersonProfile
        from tests.accreditation.helpers import PDF, case_study, completed, letter, role_play

        profile = PersonProfile(person=world.trainee_a, supervision_years=2)
        profile.supervision_evidence.save("evidence.pdf", ContentFile(PDF), save=False)
        profile.save()
        completed(world.users[SUPERVISOR], "dit-for-complex-care", days=2)
        return SimpleNamespace(
            case_study=case_study(world.trainee_a, "submitted"),
            letter=letter(world.trainee_a),
            role_play=role_play(world.trainee_a),
            maintenance=MaintenanceResult.objects.create(
                person=world.trainee_a, year=2025, passed=False, items=[], checked_at=timezone.now()
            ),
            profile=profile,
            candidate=world.users[SUPERVISOR],
            threshold=Threshold.objects.get(key="five_day_supervision_hours"),
        )

    return world.instance("accreditation", build)


# Providers ------------------------------------------------------------------------------
_PROVIDER_FILES = {"application_evidence", "invoice_pdf", "supervision_file", "completer_file"}
_PROVIDER_FORMS = {"report_delivery", "upload_supervision", "upload_completers", "record_network_event"}
_PROVIDER_PAGES = [
    "dashboard",
    "application",
    "application_evidence",
    "invoices",
    "invoice_pdf",
    "deliveries",
    "report_delivery",
    "uploads",
    "upload_supervision",
    "supervision_file",
    "upload_completers",
    "completer_list",
    "completer_file",
    "record_network_event",
]


def _providers(world):
    """Provider X (whose user is PROVIDER_X) and provider Y, with one record of each kind."""

    def build(world):
        from tests.providers.isolation import provider_url_kwargs, provider_with_everything

        built = {}
        for role, name in ((PROVIDER_X, "Provider X"), (PROVIDER_Y, "Provider Y")):
            provider, _user, objects = provider_with_everything(name, user=world.users[role])
            built[role] = {"provider": provider, "kwargs": provider_url_kwargs(provider, objects), **objects}
        return built

    return world.instance("providers", build)


def _confirmed_invoice():
    """The invoice form as the confirmation page sends it back: one expense, due today."""
    from django.utils import timezone

    return {
        "line-TOTAL_FORMS": "1",
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "10",
        "line-0-quantity": "1",
        "line-0-description": "Tutor travel (at cost)",
        "line-0-amount": "100.00",
        "invoice-due_on": timezone.localdate().isoformat(),
        "confirmed": "Yes, issue this invoice",
    }


def _provider_x_url(name):
    return lambda world: reverse(f"providers:{name}", kwargs=_providers(world)[PROVIDER_X]["kwargs"][name])


# Members area, regional networks and reading list: the supervisor holds an accredited
# practitioner credential (a member); trainees A and B and provider users trained nowhere and
# hold nothing (not members: they get the page explaining the members area, 403). Trainee A
# has joined the North-West network by a declaration a coordinator confirmed.
def _member_resource(world):
    def build(world):
        from tests.members.factories import ResourceFactory

        return ResourceFactory(document=True)

    return world.instance("members.memberresource", build)


def _network_membership(world):
    def build(world):
        from members.models import Network
        from tests.members.factories import MembershipFactory

        return MembershipFactory(
            network=Network.objects.get(slug="north-west"), person=world.trainee_a, route="declaration"
        )

    return world.instance("members.networkmembership", build)


def _network_meeting(world):
    def build(world):
        from members.models import Network
        from tests.members.factories import MeetingFactory

        return MeetingFactory(network=Network.objects.get(slug="north-west"))

    return world.instance("members.networkmeeting", build)


def _empty(model_name):
    from tests.members.factories import NetworkFactory, ResourceGroupFactory

    return {"network": NetworkFactory, "resourcegroup": ResourceGroupFactory}[model_name]()


def _reference(world):
    from reading_list.models import Reference

    return Reference.objects.get(key="lemma2011brief")


NON_MEMBERS_403 = {TRAINEE_A: 403, TRAINEE_B: 403, PROVIDER_X: 403, PROVIDER_Y: 403}


# Named routes outside the admin.
ROUTES = {
    # Public pages (they render for a POST too: nothing is changed).
    "home": Route("/", public(), post=public()),
    "page": Route("/about/what-is-dit/", public(), post=public()),
    "faqs": Route("/faqs/", public(), post=public()),
    "health": Route("/health/", public(), post=public(405)),
    "health_ready": Route("/health/ready/", public(), post=public(405)),
    # Accounts (django-allauth). An empty POST to a form page gets the form back with its
    # errors (200); signed-in people are sent on from the visitors' forms.
    "account_login": Route("/accounts/login/", signed_out(), post=signed_out()),
    "account_signup": Route("/accounts/signup/", signed_out(), post=signed_out()),
    "account_logout": Route("/accounts/logout/", answers(200, anonymous=REDIRECT), post=answers(REDIRECT)),
    "account_inactive": Route("/accounts/inactive/", public(), post=public(405)),
    "account_reauthenticate": Route("/accounts/reauthenticate/", signed_in(), post=signed_in()),
    # Adding or changing an address first asks for the password again.
    "account_email": Route("/accounts/email/", signed_in(), post=signed_in(REDIRECT)),
    "account_email_verification_sent": Route("/accounts/confirm-email/", public(), post=public(405)),
    "account_confirm_email": Route("/accounts/confirm-email/not-a-real-key/", public(), post=public(404)),
    "account_change_password": Route("/accounts/password/change/", signed_in(), post=signed_in()),
    "account_set_password": Route("/accounts/password/set/", signed_in(REDIRECT), post=signed_in(REDIRECT)),
    "account_reset_password": Route("/accounts/password/reset/", public(), post=public()),
    "account_reset_password_done": Route("/accounts/password/reset/done/", public(), post=public(405)),
    "account_reset_password_from_key": Route("/accounts/password/reset/key/1-not-a-key/", public(), post=public()),
    "account_reset_password_from_key_done": Route("/accounts/password/reset/key/done/", public(), post=public(405)),
    "account_request_login_code": Route("/accounts/login/code/", signed_out(), post=signed_out()),
    "account_confirm_login_code": Route(
        "/accounts/login/code/confirm/", signed_out(REDIRECT), post=signed_out(REDIRECT)
    ),
    # Two-factor authentication (allauth.mfa): staff already have TOTP on.
    "mfa_index": Route("/accounts/2fa/", signed_in(), post=signed_in(405)),
    # Pages that change the second factor first ask a signed-in person to re-authenticate.
    "mfa_authenticate": Route("/accounts/2fa/authenticate/", signed_out(LOGIN), post=signed_out(LOGIN)),
    "mfa_reauthenticate": Route(
        "/accounts/2fa/reauthenticate/",
        signed_in(REDIRECT, **dict.fromkeys(STAFF, 200)),
        post=signed_in(REDIRECT, **dict.fromkeys(STAFF, 200)),
    ),
    "mfa_activate_totp": Route("/accounts/2fa/totp/activate/", signed_in(REDIRECT), post=signed_in(REDIRECT)),
    "mfa_deactivate_totp": Route(
        "/accounts/2fa/totp/deactivate/",
        signed_in(404, **dict.fromkeys(STAFF, REDIRECT)),
        post=signed_in(404, **dict.fromkeys(STAFF, REDIRECT)),
    ),
    "mfa_view_recovery_codes": Route("/accounts/2fa/recovery-codes/", signed_in(404), post=signed_in(405)),
    "mfa_generate_recovery_codes": Route(
        "/accounts/2fa/recovery-codes/generate/", signed_in(REDIRECT), post=signed_in(REDIRECT)
    ),
    "mfa_download_recovery_codes": Route("/accounts/2fa/recovery-codes/download/", signed_in(404), post=signed_in(404)),
    # Members area
    "members:home": Route("/members/", signed_in(), post=signed_in()),
    "members:profile": Route("/members/profile/", signed_in(), post=signed_in()),
    # A person's own data: explained on GET, downloaded as a zip on POST.
    "members:my_data": Route("/members/my-data/", signed_in(), post=signed_in()),
    # Members area (members app): non-members who sign in get the explanatory page (403);
    # an empty request for access again gets the form back with its error.
    "members:access_again": Route("/members/access/", signed_out(), post=signed_out()),
    "members:resource_list": Route(
        "/members/resources/", signed_in(**NON_MEMBERS_403), post=get_only(signed_in(**NON_MEMBERS_403))
    ),
    "members:resource_download": Route(
        lambda w: f"/members/resources/{_member_resource(w).pk}/download/",
        signed_in(**NON_MEMBERS_403),
        post=get_only(signed_in(**NON_MEMBERS_403)),
    ),
    # Regional networks: public pages; joining and leaving for the signed-in. Trainee A is a
    # member already (sent back to the network's page); only a member may leave. An empty
    # POST to join makes the supervisor (a credential holder) a member; everyone else gets
    # the form back asking how they meet the conditions.
    "members:network_list": Route("/members/networks/", public(), post=get_only(public())),
    "members:network_detail": Route("/members/networks/north-west/", public(), post=get_only(public())),
    "members:network_join": Route(
        lambda w: f"/members/networks/{_network_membership(w).network.slug}/join/",
        signed_in(**{TRAINEE_A: REDIRECT}),
        post=signed_in(**{TRAINEE_A: REDIRECT, SUPERVISOR: REDIRECT}),
    ),
    "members:network_leave": Route(
        lambda w: f"/members/networks/{_network_membership(w).network.slug}/leave/",
        owner_only(TRAINEE_A, staff=404),
        post=owner_only(TRAINEE_A, status=REDIRECT, staff=404),
    ),
    # Reading list (reading_list app): public, with its exports.
    "reading_list:list": Route("/reading/", public(), post=get_only(public())),
    "reading_list:export_bibtex": Route("/reading/export.bib", public(), post=get_only(public())),
    "reading_list:export_ris": Route("/reading/export.ris", public(), post=get_only(public())),
    # Trainings: public catalogue and live trainings; a trainee's own applications and
    # evidence (trainee A owns the application; staff decide in the admin, where its page
    # is, so the trainee's page answers them 404 like anyone else's).
    "trainings:run_list": Route("/trainings/", public(), post=public()),
    "trainings:course_list": Route("/trainings/courses/", public(), post=public()),
    "trainings:course_detail": Route("/trainings/courses/5-day-dit-training/", public(), post=public()),
    "trainings:run_detail": Route(
        lambda w: f"/trainings/runs/{_training_application(w).run_id}/", public(), post=public()
    ),
    # Trainee A has applied for this run already and is sent to the application; anyone
    # else posting an empty application gets the form back with its errors.
    "trainings:apply": Route(
        lambda w: f"/trainings/runs/{_training_application(w).run_id}/apply/",
        signed_in(**{TRAINEE_A: REDIRECT}),
        post=signed_in(**{TRAINEE_A: REDIRECT}),
    ),
    "trainings:my_trainings": Route("/trainings/mine/", signed_in(), post=signed_in()),
    "trainings:enrolment_detail": Route(
        lambda w: f"/trainings/mine/{_training_application(w).pk}/",
        owner_only(TRAINEE_A, staff=404),
        post=owner_only(TRAINEE_A, staff=404),
    ),
    # Trainee A withdraws (and is sent back to the application); nobody else can.
    "trainings:withdraw": Route(
        lambda w: f"/trainings/mine/{_training_application(w).pk}/withdraw/",
        owner_only(TRAINEE_A, staff=404),
        post=owner_only(TRAINEE_A, status=REDIRECT, staff=404),
    ),
    # POST only: a GET is refused before the application is even looked up. No place is
    # offered to trainee A yet, so the owner is sent back to the application.
    "trainings:accept_offer": Route(
        lambda w: f"/trainings/mine/{_training_application(w).pk}/accept-place/",
        signed_in(405),
        post=owner_only(TRAINEE_A, status=REDIRECT, staff=404),
    ),
    "trainings:decline_offer": Route(
        lambda w: f"/trainings/mine/{_training_application(w).pk}/decline-place/",
        owner_only(TRAINEE_A, status=REDIRECT, staff=404),
        post=owner_only(TRAINEE_A, status=REDIRECT, staff=404),
    ),
    # Evidence: the applicant, and staff who pass the admin's check (role and two-factor)
    # and may view applications.
    "trainings:evidence": Route(
        lambda w: f"/trainings/evidence/{_training_application(w).evidence_answer.pk}/",
        owner_only(TRAINEE_A, **{STAFF_PARTIAL: 404}),
        post=owner_only(TRAINEE_A, **{STAFF_PARTIAL: 404}),
    ),
    # Experience (issue 7): the contact page for everyone; a trainee's calendar file of an
    # accepted place, for its owner only (staff included: it is the trainee's own file).
    # Anyone may send a message (it is stored, then rolled back with the POST's savepoint).
    "contact": Route(
        "/contact/",
        public(),
        post=public(REDIRECT),
        data={"name": "Matrix", "email": "matrix@example.org", "topic": "other", "message": "Hello"},
    ),
    "contact_sent": Route("/contact/sent/", public(), post=get_only(public())),
    "trainings:enrolment_calendar": Route(
        lambda w: f"/trainings/mine/{_accepted_place(w).pk}/calendar.ics",
        owner_only(TRAINEE_A, staff=404),
        post=signed_in(405),
    ),
    # Supervision: trainee A's own ledger (404 to anyone else, staff correct it in the
    # admin); the supervisor named on trainee A's records decides on them (404 to anyone
    # else); the directory and its contact form are public.
    "supervision:ledger": Route("/supervision/", signed_in(), post=signed_in(405)),
    "supervision:case_add": Route("/supervision/cases/add/", signed_in(), post=signed_in()),
    "supervision:case_detail": Route(
        lambda w: f"/supervision/cases/{_supervision(w).case.pk}/",
        owner_only(TRAINEE_A, staff=404),
        post=signed_in(405),
    ),
    "supervision:case_hours": Route(
        lambda w: f"/supervision/cases/{_supervision(w).case.pk}/hours/",
        owner_only(TRAINEE_A, staff=404),
        post=owner_only(TRAINEE_A, staff=404),
    ),
    "supervision:case_recording": Route(
        lambda w: f"/supervision/cases/{_supervision(w).case.pk}/recordings/",
        owner_only(TRAINEE_A, staff=404),
        post=owner_only(TRAINEE_A, staff=404),
    ),
    "supervision:case_end": Route(
        lambda w: f"/supervision/cases/{_supervision(w).case.pk}/ended/",
        owner_only(TRAINEE_A, staff=404),
        post=owner_only(TRAINEE_A, status=REDIRECT, staff=404),
        data=lambda w: {"ended_on": _supervision(w).case.ended_on.isoformat()},
    ),
    "supervision:session_add": Route("/supervision/sessions/add/", signed_in(), post=signed_in()),
    "supervision:session_withdraw": Route(
        lambda w: f"/supervision/sessions/{_supervision(w).session.pk}/withdraw/",
        owner_only(TRAINEE_A, staff=404),
        post=owner_only(TRAINEE_A, status=REDIRECT, staff=404),
    ),
    "supervision:cpd_add": Route("/supervision/cpd/add/", signed_in(), post=signed_in()),
    "supervision:supervisor": Route("/supervision/supervising/", signed_in(), post=signed_in(405)),
    "supervision:supervisee": Route(
        lambda w: f"/supervision/supervising/people/{w.trainee_a.pk}/", _supervisor_only(), post=signed_in(405)
    ),
    "supervision:session_confirm": Route(
        lambda w: f"/supervision/supervising/sessions/{_supervision(w).session.pk}/confirm/",
        signed_in(405),
        post=_supervisor_only(REDIRECT),
    ),
    "supervision:session_dispute": Route(
        lambda w: f"/supervision/supervising/sessions/{_supervision(w).session.pk}/dispute/",
        _supervisor_only(),
        post=_supervisor_only(REDIRECT),
        data={"reason": "We did not meet that day."},
    ),
    "supervision:recording_rate": Route(
        lambda w: f"/supervision/supervising/recordings/{_supervision(w).recording.pk}/rate/",
        _supervisor_only(),
        post=_supervisor_only(REDIRECT),
        data={"rating": "pass"},
    ),
    "supervision:case_confirm_close": Route(
        lambda w: f"/supervision/supervising/cases/{_supervision(w).case.pk}/confirm/",
        signed_in(405),
        post=_supervisor_only(REDIRECT),
    ),
    "supervision:directory": Route("/supervision/directory/", public(), post=public(405)),
    # Only people who may be named as supervisors have a directory entry; an empty form
    # comes back with its errors.
    "supervision:listing": Route("/supervision/directory/mine/", _supervisor_only(), post=_supervisor_only()),
    "supervision:contact": Route(
        lambda w: f"/supervision/directory/{_supervision(w).listing.pk}/contact/",
        public(),
        post=public(REDIRECT),
        data={"name": "Vera Visitor", "email": "vera@example.com", "message": "Do you have space?"},
    ),
    # Accreditation: a person's own pathway and uploads (an empty upload comes back with its
    # errors, 400); trainee A's files answer 404 to anyone but them and the coordinators.
    "accreditation:my_pathway": Route("/pathway/", signed_in(), post=signed_in(405)),
    "accreditation:trainer_days": Route("/pathway/trainer-days/", signed_in(), post=signed_in(405)),
    "accreditation:case_study_upload": Route("/pathway/case-study/", signed_in(405), post=signed_in(400)),
    "accreditation:letter_upload": Route("/pathway/letters/", signed_in(405), post=signed_in(400)),
    "accreditation:case_study_file": Route(
        lambda w: f"/pathway/case-study/{_accreditation(w).case_study.pk}/file/",
        owner_only(TRAINEE_A, **{STAFF_PARTIAL: 404}),
        post=signed_in(405),
    ),
    "accreditation:letter_file": Route(
        lambda w: f"/pathway/letters/{_accreditation(w).letter.pk}/file/",
        owner_only(TRAINEE_A, **{STAFF_PARTIAL: 404}),
        post=signed_in(405),
    ),
    "members:profile_evidence": Route(
        lambda w: f"/members/profile/{_accreditation(w).profile.pk}/evidence/",
        owner_only(TRAINEE_A, **{STAFF_PARTIAL: 404}),
        post=signed_in(405),
    ),
    # Certificates: holders list and download their own (staff who pass the admin's check
    # and may view certificates download any); anyone checks a code on the public page.
    "certificates:mine": Route("/certificates/", signed_in(), post=get_only(signed_in())),
    "certificates:download": Route(
        lambda w: f"/certificates/{_certificate(w).pk}/download/",
        owner_only(TRAINEE_A, **{STAFF_PARTIAL: 404}),
        post=get_only(owner_only(TRAINEE_A, **{STAFF_PARTIAL: 404})),
    ),
    # A signed credential is checked by a POST of the form (an empty one comes back with its error).
    "certificates:verify_form": Route("/certificates/verify/", public(), post=public()),
    # Each holder downloads their own valid certificate, or accredited credential, as a signed
    # Open Badge; nobody else may (staff included): 404.
    "certificates:open_badge": Route(
        lambda w: f"/certificates/{_certificate(w).pk}/open-badge/",
        owner_only(TRAINEE_A, staff=404),
        post=get_only(owner_only(TRAINEE_A, staff=404)),
    ),
    "register:credential_badge": Route(
        lambda w: f"/register/my-credentials/{w.credential.pk}/open-badge/",
        owner_only(SUPERVISOR, staff=404),
        post=get_only(owner_only(SUPERVISOR, staff=404)),
    ),
    # The public register and the documents a verifier of signed credentials reads.
    "register:search": Route("/register/", public(), post=public(405)),
    "register:achievement": Route("/register/achievements/practitioner/", public(), post=public(405)),
    "credentials:issuer": Route("/credentials/issuer/", public(), post=public(405)),
    "credentials:jwks": Route("/credentials/jwks.json", public(), post=public(405)),
    "credentials:status_list": Route("/credentials/status/", public(), post=public(405)),
    "certificates:verify": Route(lambda w: _certificate(w).get_verification_path(), public(), post=get_only(public())),
    # Reminders: each person chooses their optional reminders (an empty form turns them off).
    "reminders:preferences": Route("/reminders/", signed_in(), post=signed_in(REDIRECT)),
    # Providers: provider X's user sees X's pages, forms and files; provider Y's user,
    # other people and staff get 404 (staff review in the admin, and may download a
    # provider's files from there). Read-only pages and files answer a POST with 405.
    "providers:mine": Route(
        lambda w: _providers(w) and "/providers/",
        signed_in(**{PROVIDER_X: REDIRECT, PROVIDER_Y: REDIRECT}),
        post=get_only(signed_in(**{PROVIDER_X: REDIRECT, PROVIDER_Y: REDIRECT})),
    ),
    "providers:apply": Route("/providers/apply/", signed_in(), post=signed_in()),
    "providers:accept_invitation": Route("/providers/invitations/not-a-token/", public(404), post=public(404)),
    **{
        f"providers:{name}": Route(
            _provider_x_url(name),
            owner_only(PROVIDER_X, staff=200 if name in _PROVIDER_FILES else 404, **{STAFF_PARTIAL: 404}),
            post=owner_only(
                PROVIDER_X,
                status=200 if name in _PROVIDER_FORMS else 405,
                staff=405 if name in _PROVIDER_FILES else 404,
                **{STAFF_PARTIAL: 404},
            ),
        )
        for name in _PROVIDER_PAGES
    },
}

# Admin routes that are not a registered model's standard pages. Non-staff roles are sent to
# the admin login, which then refuses them (see tests/members/test_admin_access.py).
ADMIN_DENIED = {role: LOGIN for role in ROLES if role not in STAFF}


def staff_answers(status, **by_role):
    """An admin page: non-staff are sent to log in, staff get `status` (or their own)."""
    return {**ADMIN_DENIED, **dict.fromkeys(STAFF, status), **by_role}


ADMIN_ROUTES = {
    "admin:index": Route("/admin/", staff_answers(200), post=staff_answers(200)),
    "admin:login": Route(
        "/admin/login/",
        {ANON: LOGIN, **dict.fromkeys(MEMBERS, 403), **dict.fromkeys(STAFF, REDIRECT)},
        post={ANON: LOGIN, **dict.fromkeys(MEMBERS, 403), **dict.fromkeys(STAFF, REDIRECT)},
    ),
    # Django's admin sends a non-staff visitor of its logout page to the admin index.
    "admin:logout": Route(
        "/admin/logout/",
        {**dict.fromkeys(ROLES, REDIRECT), **dict.fromkeys(STAFF, 405)},
        post={**dict.fromkeys(ROLES, REDIRECT), **dict.fromkeys(STAFF, 200)},
    ),
    "admin:autocomplete": Route("/admin/autocomplete/", staff_answers(403), post=staff_answers(405)),
    "admin:jsi18n": Route("/admin/jsi18n/", staff_answers(200), post=staff_answers(405)),
    "admin:view_on_site": Route(
        lambda w: f"/admin/r/{_content_type_id(Page)}/{Page.objects.get(slug='what-is-dit').pk}/",
        staff_answers(REDIRECT),
        post=staff_answers(REDIRECT),
    ),
    "admin:app_list": Route("/admin/portal/", staff_answers(200), post=staff_answers(200)),
    # Only a superuser sets someone else's password.
    "admin:auth_user_password_change": Route(
        lambda w: f"/admin/members/user/{w.trainee_a.pk}/password/",
        staff_answers(403, **{SUPERUSER: 200}),
        post=staff_answers(403, **{SUPERUSER: 200}),
    ),
    "admin:password_change": Route("/admin/password_change/", staff_answers(200), post=staff_answers(200)),
    "admin:password_change_done": Route("/admin/password_change/done/", staff_answers(200), post=staff_answers(405)),
    # Trainings: a run's attendance register and CSV of applications; the decision
    # buttons on an application's page post to "decide" (POST only).
    "admin:trainings_courserun_attendance": Route(
        lambda w: f"/admin/trainings/courserun/{_training_application(w).run_id}/attendance/",
        staff_answers(200, **{STAFF_PARTIAL: 403}),
        # An empty register (nobody ticked) is saved like any other.
        post=staff_answers(REDIRECT, **{STAFF_PARTIAL: 403}),
    ),
    "admin:trainings_courserun_applications_csv": Route(
        lambda w: f"/admin/trainings/courserun/{_training_application(w).run_id}/applications.csv",
        staff_answers(200),
        post=staff_answers(200),
    ),
    "admin:trainings_enrolment_decide": Route(
        lambda w: f"/admin/trainings/enrolment/{_training_application(w).pk}/decide/",
        staff_answers(405),
        post=staff_answers(REDIRECT, **{STAFF_PARTIAL: 403}),
    ),
    # Trainings: a run's places and days change on their own pages, through the services.
    # A POST without a valid number of places, or without the days' rows, shows the form
    # again with its errors; staff who may only view runs are refused both.
    "admin:trainings_courserun_capacity": Route(
        lambda w: f"/admin/trainings/courserun/{_training_application(w).run_id}/capacity/",
        staff_answers(200, **{STAFF_PARTIAL: 403}),
        post=staff_answers(200, **{STAFF_PARTIAL: 403}),
    ),
    "admin:trainings_courserun_days": Route(
        lambda w: f"/admin/trainings/courserun/{_training_application(w).run_id}/days/",
        staff_answers(200, **{STAFF_PARTIAL: 403}),
        post=staff_answers(200, **{STAFF_PARTIAL: 403}),
    ),
    # Accreditation: the credential register import and a credential's status change (an
    # empty POST comes back with its errors); case-study review and granting are POST only.
    "admin:members_heldcredential_import": Route(
        "/admin/members/heldcredential/import/",
        staff_answers(200, **{STAFF_PARTIAL: 403}),
        post=staff_answers(200, **{STAFF_PARTIAL: 403}),
    ),
    "admin:members_heldcredential_status": Route(
        lambda w: f"/admin/members/heldcredential/{w.credential.pk}/status/",
        staff_answers(200, **{STAFF_PARTIAL: 403}),
        post=staff_answers(200, **{STAFF_PARTIAL: 403}),
    ),
    "admin:accreditation_casestudysubmission_review": Route(
        lambda w: f"/admin/accreditation/casestudysubmission/{_accreditation(w).case_study.pk}/review/",
        staff_answers(405),
        post=staff_answers(REDIRECT, **{STAFF_PARTIAL: 403}),
    ),
    # Maintenance "this year so far": read-only, for those who see maintenance results.
    "admin:accreditation_maintenanceresult_so_far": Route(
        "/admin/accreditation/maintenanceresult/so-far/",
        staff_answers(200, **{STAFF_PARTIAL: 403}),
        post=staff_answers(405, **{STAFF_PARTIAL: 403}),
    ),
    # the confirmation page (GET, which credential in the query) and the grant (POST)
    "admin:accreditation_candidate_grant": Route(
        lambda w: f"/admin/accreditation/candidate/{_accreditation(w).candidate.pk}/grant/?kind=complex_care",
        staff_answers(200, **{STAFF_PARTIAL: 403}),
        post=staff_answers(REDIRECT, **{STAFF_PARTIAL: 403}),
        data={"kind": "complex_care"},
    ),
    # Certificates: the revocation form of one certificate.
    "admin:certificates_certificate_revoke": Route(
        lambda w: f"/admin/certificates/certificate/{_certificate(w).pk}/revoke/",
        staff_answers(200, **{STAFF_PARTIAL: 403}),
        post=staff_answers(200, **{STAFF_PARTIAL: 403}),
    ),
    # Providers: forms that call the services (invite, add a trainer, issue an invoice,
    # record a payment, credit an invoice) and the POST-only decision and reviews.
    **{
        f"admin:providers_provider_{name}": Route(
            lambda w, path=path: f"/admin/providers/provider/{_providers(w)[PROVIDER_X]['provider'].pk}/{path}/",
            staff_answers(200, **{STAFF_PARTIAL: 403}),
            post=staff_answers(200, **{STAFF_PARTIAL: 403}),
        )
        for name, path in (("invite", "invite"), ("add_trainer", "add-trainer"))
    },
    # Issuing an invoice: the lines and due date, a confirmation page, then the issue. The
    # POST confirms a valid invoice: those who may change the provider issue it (REDIRECT).
    "admin:providers_provider_invoice": Route(
        lambda w: f"/admin/providers/provider/{_providers(w)[PROVIDER_X]['provider'].pk}/invoice/",
        staff_answers(200, **{STAFF_PARTIAL: 403}),
        post=staff_answers(REDIRECT, **{STAFF_PARTIAL: 403}),
        data=lambda w: _confirmed_invoice(),
    ),
    **{
        f"admin:providers_invoice_{name}": Route(
            lambda w, name=name: f"/admin/providers/invoice/{_providers(w)[PROVIDER_X]['invoice'].pk}/{name}/",
            staff_answers(200, **{STAFF_PARTIAL: 403}),
            post=staff_answers(200, **{STAFF_PARTIAL: 403}),
        )
        for name in ("payment", "credit")
    },
    "admin:providers_licenceapplication_decide": Route(
        lambda w: f"/admin/providers/licenceapplication/{_providers(w)[PROVIDER_X]['evidence'].application_id}/decide/",
        staff_answers(405),
        post=staff_answers(REDIRECT, **{STAFF_PARTIAL: 403}),
    ),
    "admin:providers_supervisionrecord_review": Route(
        lambda w: f"/admin/providers/supervisionrecord/{_providers(w)[PROVIDER_X]['record'].pk}/review/",
        staff_answers(405),
        post=staff_answers(REDIRECT, **{STAFF_PARTIAL: 403}),
    ),
    "admin:providers_completerlist_review": Route(
        lambda w: f"/admin/providers/completerlist/{_providers(w)[PROVIDER_X]['completer_list'].pk}/review/",
        staff_answers(405),
        post=staff_answers(REDIRECT, **{STAFF_PARTIAL: 403}),
    ),
    # Members: a network meeting's attendance register.
    "admin:members_networkmeeting_attendance": Route(
        lambda w: f"/admin/members/networkmeeting/{_network_meeting(w).pk}/attendance/",
        staff_answers(200, **{STAFF_PARTIAL: 403}),
        post=staff_answers(REDIRECT, **{STAFF_PARTIAL: 403}),
    ),
    # The catch-all answers every other /admin/ address.
    "admin:<catch-all>": Route("/admin/no-such-page/", staff_answers(404), post=staff_answers(404)),
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
    # The answer to the empty add form from a role that may add: 200 (the form back with
    # its errors) unless the model has no required field, when the add saves (REDIRECT).
    add_post: object = 200
    change_allowed: bool = True  # False where the ModelAdmin never allows changing
    # The answer to the change form sent back as it is: REDIRECT (saved).
    change_post: object = REDIRECT
    # The answer to a confirmed delete: REDIRECT (deleted), or 200 where the object has
    # protected records and the page explains why it cannot go.
    delete_post: object = REDIRECT


def _content_type_id(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def _periodic_task(world):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    schedule = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    # A task without arguments, so a superuser's "Run selected tasks" runs it.
    return PeriodicTask.objects.create(
        name="matrix example", task="providers.tasks.mark_overdue_invoices", interval=schedule
    )


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


def _fee_schedule_entry(world):
    from providers.models import FeeScheduleEntry

    return FeeScheduleEntry.objects.get(kind="annual")


def _provider_record(world, kind):
    """An invitation or a network event attendance of provider X."""

    def build(world):
        from providers.models import NetworkEventAttendance, ProviderInvitation

        provider = _providers(world)[PROVIDER_X]["provider"]
        if kind == "invitation":
            return ProviderInvitation.objects.create(provider=provider, email="invited@example.org")
        trainer = _providers(world)[PROVIDER_X]["delivery"].trainers.get()
        return NetworkEventAttendance.objects.create(
            provider=provider, trainer=trainer, event="Network", date="2026-01-05"
        )

    return world.instance(f"providers.{kind}", build)


SUPERUSER_ONLY = {SUPERUSER: FULL}
ADMIN_MODELS = {
    "auth.group": AdminModel(SUPERUSER_ONLY, lambda w: Group.objects.get(name=roles.COORDINATOR)),
    # Trainee A's application protects the account from deletion.
    "members.user": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL}, lambda w: w.trainee_a, delete_post=200
    ),
    # Coordinators record credentials (through the service) and change their status on a
    # page of its own; the change form itself is read-only.
    "members.heldcredential": AdminModel(
        {COORDINATOR: {"view", "add", "change"}, DIRECTOR: {"view", "add", "change"}, SUPERUSER: FULL},
        lambda w: w.credential,
    ),
    "portal.auditentry": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL},
        lambda w: w.audit_entry,
        add_allowed=False,
        change_allowed=False,
        delete_allowed=False,
    ),
    # The e-mail outbox is read; failed e-mails are sent again through an action.
    "portal.outgoingemail": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL},
        lambda w: w.instance("portal.outgoingemail", _outgoing_email),
        add_allowed=False,
        change_allowed=False,
        delete_allowed=False,
    ),
    "portal.page": AdminModel(
        {COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: Page.objects.get(slug="what-is-dit")
    ),
    "portal.frequentlyaskedquestion": AdminModel(
        {COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: FrequentlyAskedQuestion.objects.first()
    ),
    "trainings.course": AdminModel({COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, _course("5-day-dit-training")),
    # The run has trainee A's application, which protects it from deletion.
    "trainings.courserun": AdminModel(
        {COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: _training_application(w).run, delete_post=200
    ),
    # Applications come from trainees and change state only through decisions, so nobody
    # adds them in the admin; only a superuser may delete one.
    "trainings.enrolment": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL}, _training_application, add_allowed=False
    ),
    # Messages from the contact page: read by coordinators, kept as sent (nobody adds one).
    "members.contactmessage": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL}, _contact_message, add_allowed=False
    ),
    # Supervision: practitioners log cases, sessions and recordings, so nobody adds them in
    # the admin; decisions are admin actions. Coordinators keep CPD and directory entries.
    "supervision.case": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL}, lambda w: _supervision(w).case, add_allowed=False
    ),
    "supervision.supervisionsession": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL}, lambda w: _supervision(w).session, add_allowed=False
    ),
    "supervision.recording": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL}, lambda w: _supervision(w).recording, add_allowed=False
    ),
    "supervision.cpdrecord": AdminModel(
        {COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: _supervision(w).cpd
    ),
    "supervision.supervisorlisting": AdminModel(
        {COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: _supervision(w).listing
    ),
    # Accreditation: profiles are the person's own (coordinators verify); thresholds are
    # seeded and only changed; results, letters and the queue are read; role-play results
    # are added through the service; case studies are reviewed on their own page.
    "members.personprofile": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL}, lambda w: _accreditation(w).profile
    ),
    "accreditation.threshold": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL},
        lambda w: _accreditation(w).threshold,
        add_allowed=False,
        delete_allowed=False,
    ),
    "accreditation.roleplayresult": AdminModel(
        {COORDINATOR: {"view", "add"}, DIRECTOR: {"view", "add"}, SUPERUSER: FULL},
        lambda w: _accreditation(w).role_play,
    ),
    "accreditation.casestudysubmission": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL}, lambda w: _accreditation(w).case_study, add_allowed=False
    ),
    "accreditation.supportletter": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL},
        lambda w: _accreditation(w).letter,
        add_allowed=False,
        change_allowed=False,
    ),
    "accreditation.maintenanceresult": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL},
        lambda w: _accreditation(w).maintenance,
        add_allowed=False,
        change_allowed=False,
    ),
    "accreditation.candidate": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL},
        lambda w: _accreditation(w).candidate,
        add_allowed=False,
        change_allowed=False,
        delete_allowed=False,
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
        change_allowed=False,
    ),
    # Reminders sent are a read-only record; a pause is added or lifted (deleted), never edited.
    "reminders.reminder": AdminModel(
        {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL},
        lambda w: w.instance("reminders.reminder", _reminder),
        add_allowed=False,
        change_allowed=False,
        delete_allowed=False,
    ),
    "reminders.reminderpause": AdminModel(
        {COORDINATOR: {"view", "add", "delete"}, DIRECTOR: {"view", "add", "delete"}, SUPERUSER: FULL},
        lambda w: w.instance("reminders.reminderpause", _reminder_pause),
        change_allowed=False,
    ),
    # Providers: coordinators edit providers' details and the fee schedule; everything else
    # is read here and changes through the services (actions and the views above).
    "providers.provider": AdminModel(
        {COORDINATOR: {"view", "add", "change"}, DIRECTOR: {"view", "add", "change"}, SUPERUSER: FULL},
        lambda w: _providers(w)[PROVIDER_X]["provider"],
        delete_post=200,
    ),
    "providers.feescheduleentry": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL},
        _fee_schedule_entry,
        delete_allowed=False,
    ),
    **{
        f"providers.{model}": AdminModel(
            {COORDINATOR: READ, DIRECTOR: READ, SUPERUSER: FULL},
            build,
            add_allowed=False,
            change_allowed=False,
            delete_allowed=False,
        )
        for model, build in (
            ("providerinvitation", lambda w: _provider_record(w, "invitation")),
            ("licenceapplication", lambda w: _providers(w)[PROVIDER_X]["evidence"].application),
            ("invoice", lambda w: _providers(w)[PROVIDER_X]["invoice"]),
            ("delivery", lambda w: _providers(w)[PROVIDER_X]["delivery"]),
            ("supervisionrecord", lambda w: _providers(w)[PROVIDER_X]["record"]),
            ("completerlist", lambda w: _providers(w)[PROVIDER_X]["completer_list"]),
            ("networkeventattendance", lambda w: _provider_record(w, "network_event")),
        )
    },
    # Members area and regional networks: memberships change only through actions.
    # A group and a network of their own, empty, so deleting them deletes nothing else.
    "members.resourcegroup": AdminModel(
        {COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: _empty("resourcegroup")
    ),
    "members.memberresource": AdminModel({COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, _member_resource),
    "members.network": AdminModel({COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: _empty("network")),
    "members.networkmeeting": AdminModel({COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, _network_meeting),
    "members.networkmembership": AdminModel(
        {COORDINATOR: EDIT, DIRECTOR: EDIT, SUPERUSER: FULL}, _network_membership, add_allowed=False
    ),
    # Reading list
    "reading_list.topic": AdminModel(
        {COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, lambda w: _reference(w).topics.first()
    ),
    "reading_list.reference": AdminModel({COORDINATOR: FULL, DIRECTOR: FULL, SUPERUSER: FULL}, _reference),
    "account.emailaddress": AdminModel(SUPERUSER_ONLY, lambda w: w.trainee_a.emailaddress_set.get()),
    # allauth's admin form requires a "last used" time the authenticator has not had yet,
    # so the form sent back as it is comes back with that error.
    "mfa.authenticator": AdminModel(
        SUPERUSER_ONLY, lambda w: Authenticator.objects.get(user=w.users[COORDINATOR], type="totp"), change_post=200
    ),
    "django_celery_beat.periodictask": AdminModel(SUPERUSER_ONLY, _periodic_task),
    "django_celery_beat.intervalschedule": AdminModel(SUPERUSER_ONLY, _beat_model("intervalschedule")),
    "django_celery_beat.crontabschedule": AdminModel(SUPERUSER_ONLY, _beat_model("crontabschedule")),
    "django_celery_beat.solarschedule": AdminModel(SUPERUSER_ONLY, _beat_model("solarschedule")),
    "django_celery_beat.clockedschedule": AdminModel(SUPERUSER_ONLY, _beat_model("clockedschedule")),
}

ADMIN_PAGES = {"changelist": "view", "add": "add", "change": "view", "history": "view", "delete": "delete"}
ADMIN_POSTS = {"add", "change", "delete"}


def rights_of(key, spec, role):
    if role == STAFF_PARTIAL:
        return set(PARTIAL_STAFF_RIGHTS.get(key, ()))
    return spec.rights.get(role, set())


def admin_model_routes():
    """The standard admin pages of every registered model, with the answer each role gets
    to a GET and to a POST (None: the page is not POSTed)."""
    routes = {}
    for model in admin_site._registry:
        key = f"{model._meta.app_label}.{model._meta.model_name}"
        spec = ADMIN_MODELS.get(key)
        if spec is None:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for page, right in ADMIN_PAGES.items():
            expect = dict(ADMIN_DENIED)
            post = dict(ADMIN_DENIED) if page in ADMIN_POSTS else None
            for role in STAFF:
                rights = rights_of(key, spec, role)
                allowed = right in rights or (right == "view" and "change" in rights)
                if page == "add" and not spec.add_allowed:
                    allowed = False
                if page == "delete" and not spec.delete_allowed:
                    allowed = False
                expect[role] = 200 if allowed else 403
                if post is not None:
                    post_right = "change" if page == "change" else right
                    may_post = allowed and post_right in rights and (page != "change" or spec.change_allowed)
                    post[role] = {"add": spec.add_post, "change": spec.change_post, "delete": spec.delete_post}[page]
                    if not may_post:
                        post[role] = 403
            routes[f"{prefix}_{page}"] = (key, spec, page, expect, post)
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


class _FormFields(HTMLParser):
    """What a browser would submit from the form with the given id: its inputs, selects
    and textareas with their current values (submit buttons left out)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.in_form, self.data = form_id, False, []
        self._select = self._textarea = None
        self._options = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in ("submit", "button", "file", "image"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            self.data += [(self._select, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea:
            name, text = self._textarea
            self.data.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def _form_data(html, form_id):
    parser = _FormFields(form_id)
    parser.feed(html)
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


def _post(client, url, data):
    """POST inside a savepoint that is rolled back, with cookies and the cache restored."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            response = client.post(url, data)
            raise _RolledBack(response)
    except _RolledBack as rolled_back:
        response = rolled_back.response
    finally:
        client.cookies = cookies
        cache.clear()
    return response


class _RolledBack(Exception):
    def __init__(self, response):
        self.response = response


def _client_for(role, world, client):
    if role != ANON:
        client.force_login(world.users[role])
    return client


def _admin_post_data(world, key, spec, page, url):
    """The body an admin page is POSTed with (see the module docstring)."""
    if page == "add":
        return {}
    if page == "delete":
        return {"post": "yes"}
    if not hasattr(world, "superuser_client"):
        world.superuser_client = PortalClient()
        world.superuser_client.force_login(world.users[SUPERUSER])
    model_name = key.split(".")[1]
    return _form_data(world.superuser_client.get(url).text, f"{model_name}_form")


def test_every_route_has_a_post_answer():
    missing = [name for name, route in {**ROUTES, **ADMIN_ROUTES}.items() if route.post is None]
    assert not missing, f"Routes without a POST answer: {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, client):
    world = World()
    client = _client_for(role, world, client)
    mismatches = []
    for name, route in {**ROUTES, **ADMIN_ROUTES}.items():
        url = route.url(world) if callable(route.url) else route.url
        got = _answer(client.get(url))
        if got != route.expect.get(role):
            mismatches.append(f"GET {name} {url}: expected {route.expect.get(role)}, got {got}")
        data = route.data(world) if callable(route.data) else (route.data or {})
        got = _answer(_post(client, url, data))
        expected = (route.post or {}).get(role)
        if got != expected:
            mismatches.append(f"POST {name} {url}: expected {expected}, got {got}")
    for name, (key, spec, page, expect, post) in admin_model_routes().items():
        if page in ("changelist", "add"):
            url = reverse(name)
        else:
            url = reverse(name, args=[world.instance(key, spec.instance).pk])
        got = _answer(client.get(url))
        if got != expect[role]:
            mismatches.append(f"GET {name} {url}: expected {expect[role]}, got {got}")
        if post is not None:
            got = _answer(_post(client, url, _admin_post_data(world, key, spec, page, url)))
            if got != post[role]:
                mismatches.append(f"POST {name} {url}: expected {post[role]}, got {got}")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)


# Admin list actions --------------------------------------------------------------------
# Every action of every admin changelist ("delete selected", "confirm selected", ...) is
# POSTed by every role on one object. A staff role that has the action's rights on the model
# runs it (the action answers, whatever it decides); one without them is not offered it, and
# Django answers "No action selected." without running anything.

RAN = "ran"
NOT_OFFERED = "not offered"
# The rights each action needs, as the portal promises them: Django's four, or one of its
# own that the role groups grant (CUSTOM_ACTION_RIGHTS). "delete_selected" needs "delete".
ACTION_RIGHTS = {
    "account.emailaddress": {"make_verified": "change"},
    "django_celery_beat.periodictask": {
        "enable_tasks": "change",
        "disable_tasks": "change",
        "toggle_tasks": "change",
        "run_tasks": "change",
    },
    "members.user": {"erase_people": "erase"},
    "members.personprofile": {"verify_experience": "change"},
    "members.networkmembership": {"confirm_selected": "change", "decline_selected": "change"},
    "trainings.courserun": {
        "open_runs": "change",
        "close_runs": "change",
        "cancel_runs": "change",
        "offer_free_places": "change",
        "record_completion": "change",
    },
    "trainings.enrolment": {
        "accept_selected": "change",
        "waitlist_selected": "change",
        "reject_selected": "change",
        "offer_place_selected": "change",
        "export_csv": "view",
    },
    "supervision.case": {"confirm_close_supervision": "change"},
    "supervision.supervisionsession": {"confirm_sessions": "change", "dispute_sessions": "change"},
    "supervision.recording": {"rate_pass": "change", "rate_not_yet": "change"},
    "accreditation.maintenanceresult": {"recheck": "recheck"},
    "accreditation.roleplayresult": {"void_results": "void"},
    "providers.provider": {
        "suspend": "change",
        "mark_lapsed": "change",
        "withdraw": "change",
        "reinstate": "change",
        "renew_licence": "change",
    },
    "providers.supervisionrecord": {"approve_selected": "review"},
    "providers.completerlist": {"approve_selected": "review"},
    "reminders.reminder": {"send_again": "release"},
    "portal.outgoingemail": {"send_again": "resend"},
    "certificates.issuebatch": {"resume_batches": "resume"},
}
CUSTOM_ACTION_RIGHTS = {
    "erase": {COORDINATOR, DIRECTOR, SUPERUSER},
    "release": {COORDINATOR, DIRECTOR, SUPERUSER},
    "resend": {COORDINATOR, DIRECTOR, SUPERUSER},
    "resume": {COORDINATOR, DIRECTOR, SUPERUSER},
    "review": {COORDINATOR, DIRECTOR, SUPERUSER},
    "recheck": {COORDINATOR, DIRECTOR, SUPERUSER},
    "void": {COORDINATOR, DIRECTOR, SUPERUSER},
}


def admin_actions():
    """(model key, spec, action name, the right it needs) for every changelist action."""
    for model, model_admin in admin_site._registry.items():
        key = f"{model._meta.app_label}.{model._meta.model_name}"
        for _func, name, _description in model_admin._get_base_actions():
            needed = "delete" if name == "delete_selected" else ACTION_RIGHTS.get(key, {}).get(name)
            yield key, ADMIN_MODELS[key], name, needed


def _may_run(key, spec, role, right):
    if right in CUSTOM_ACTION_RIGHTS:
        return role in CUSTOM_ACTION_RIGHTS[right]
    if right == "delete" and not spec.delete_allowed or right == "change" and not spec.change_allowed:
        return False
    return right in rights_of(key, spec, role)


def action_answer(key, spec, role, needed):
    if role not in STAFF:
        return ADMIN_DENIED[role]
    rights = rights_of(key, spec, role)
    if not rights & {"view", "change"}:
        return 403
    return RAN if _may_run(key, spec, role, needed) else NOT_OFFERED


def _action_outcome(response):
    """RAN, NOT_OFFERED, or the answer. An action not offered is not run: Django shows the
    changelist again (no action at all for the role), or sends it back to it with "No action
    selected."; an action that ran redirects, or shows its own page (a confirmation, a form)."""
    answer = _answer(response)
    if answer == REDIRECT:
        told = [str(message) for message in response.wsgi_request._messages]
        return NOT_OFFERED if any(message.startswith("No action selected") for message in told) else RAN
    if answer == 200 and response.streaming:
        return RAN  # an export
    if answer == 200:
        return NOT_OFFERED if re.search(r'<body class="[^"]*\bchange-list\b', response.text) else RAN
    return answer


def test_every_admin_action_is_classified():
    unclassified = [f"{key}: {name}" for key, _spec, name, needed in admin_actions() if needed is None]
    assert not unclassified, f"Admin actions missing from ACTION_RIGHTS: {unclassified}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_actions_matrix(role, client):
    world = World()
    client = _client_for(role, world, client)
    mismatches = []
    for key, spec, name, needed in admin_actions():
        app_label, model_name = key.split(".")
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
        target = world.instance(key, spec.instance)
        data = {"action": name, "_selected_action": [target.pk], "index": 0}
        got = _action_outcome(_post(client, url, data))
        expected = action_answer(key, spec, role, needed)
        if got != expected:
            mismatches.append(f"action {name} on {key}: expected {expected}, got {got}")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)
