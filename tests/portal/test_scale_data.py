"""`manage.py generate_scale_data` at a tiny scale: the counts asked for, rows the models
accept, the fixed accounts' pages working on the data, and the numbering services carrying on
after it without a collision."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max
from django.utils import timezone

from accreditation.models import CaseStudySubmission
from benchmarks.load.pages import PAGES
from certificates import services as certificate_services
from certificates.models import Certificate
from dit_portal.management.commands.generate_scale_data import ROLES, fixed_email
from dit_portal.models import AuditEntry
from members.models import HeldCredential, User
from members.roles import COORDINATOR
from providers import services as provider_services
from providers.enums import FeeKind
from providers.models import Invoice, Provider, ProviderMembership, ProviderTrainer, SupervisionRecord
from supervision.models import Case, SupervisionSession, TherapyHours
from tests.clients import PortalClient
from trainings.models import CourseRun, Enrolment

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db]


@pytest.fixture
def generated(settings):
    call_command("generate_scale_data", scale=0.002, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_it_builds_the_sizes_asked_for_in_shapes_the_models_accept(generated):
    assert User.objects.count() == 100
    assert CourseRun.objects.count() == 6 and Enrolment.objects.count() == 200
    # 400 ledger rows, and the fixed trainee's history: 2 therapy rows and 2 sessions at this scale.
    assert TherapyHours.objects.count() + SupervisionSession.objects.count() == 404
    assert Provider.objects.count() == 20 and Invoice.objects.count() == 100  # a full admin page
    # 100 from the case-study stage, and those of people the role-play stage puts on the
    # practitioner route
    assert CaseStudySubmission.objects.count() > 100
    assert Certificate.objects.count() == 40
    assert AuditEntry.objects.filter(data__bench=True).count() == 400
    for model in (User, HeldCredential, CourseRun, Enrolment, SupervisionSession, Invoice, Certificate):
        for row in model.objects.order_by("?")[:10]:
            row.full_clean(validate_unique=False, validate_constraints=False)
    # Uploaded records are real files in private storage.
    record = SupervisionRecord.objects.first()
    assert record.record.storage.exists(record.record.name)
    study = CaseStudySubmission.objects.first()
    assert study.file.storage.exists(study.file.name)


def test_the_fixed_accounts_pages_work_on_the_data(generated):
    people = {role: User.objects.get(email=fixed_email(role)) for role in ROLES}
    assert people["coordinator"].groups.filter(name=COORDINATOR).exists()
    values = {
        "run": CourseRun.objects.filter(status="open").values_list("pk", flat=True).first(),
        "code": Certificate.objects.values_list("verification_code", flat=True).first(),
        "provider": ProviderMembership.objects.get(user=people["provider"]).provider_id,
        "page": "becoming-a-trainer",
        "surname": "Brown",
        "trainee_email": people["trainee"].email,
    }
    clients = {"visitor": PortalClient()}
    for role, person in people.items():
        clients[role] = PortalClient()
        clients[role].force_login(person)
    for name, (_kind, role, path) in PAGES.items():
        response = clients[role].get(path.format(**values))
        assert response.status_code == 200, f"{name} as {role}: {response.status_code}"


def test_numbering_carries_on_after_it(generated):
    highest = Certificate.objects.aggregate(n=Max("number"))["n"]
    certificate = certificate_services.issue_certificate(
        holder=User.objects.get(email=fixed_email("trainee")),
        title="5-Day DIT Training",
        kind="course_completion",
        achieved_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert certificate.number == highest + 1
    highest = Invoice.objects.aggregate(n=Max("number"))["n"]
    invoice = provider_services.issue_invoice(
        Provider.objects.first(),
        [provider_services.fee_line(FeeKind.ANNUAL)],
        by=User.objects.get(email=fixed_email("coordinator")),
    )
    assert invoice.number == highest + 1


def test_it_refuses_a_database_with_people_in_it(generated):
    with pytest.raises(CommandError, match="already has people"):
        call_command("generate_scale_data", scale=0.002)


def test_the_fixed_accounts_are_the_heaviest_people_grown_with_the_scale(generated):
    """At scale 1: ten years of records, 100 supervisees, 20 trainers; at least 2 of each."""
    trainee, supervisor, provider_user = (User.objects.get(email=fixed_email(role)) for role in ROLES[:3])
    assert Case.objects.filter(practitioner=trainee, code__startswith="T-").count() == 2
    assert TherapyHours.objects.filter(case__practitioner=trainee, case__code__startswith="T-").count() == 2
    supervisees = {
        *Case.objects.filter(supervisor=supervisor).values_list("practitioner", flat=True),
        *SupervisionSession.objects.filter(supervisor=supervisor).values_list("practitioner", flat=True),
    }
    assert len(supervisees - {trainee.pk}) == 2
    provider = ProviderMembership.objects.get(user=provider_user).provider
    trainers = ProviderTrainer.objects.filter(provider=provider).values_list("person", flat=True)
    assert len(trainers) == 2
    assert HeldCredential.objects.filter(holder__in=trainers, kind="practitioner", status="accredited").count() == 2
    # Names are real-looking, not numbered: a surname is found inside full names.
    assert not User.objects.filter(full_name__regex=r"[0-9]").exists()


def test_ready_to_accredit_has_candidates_for_every_credential(generated):
    """The benchmark's Ready to accredit runs every route's checklist, not one."""
    from accreditation import selectors

    candidates = selectors.candidates()
    for kind in selectors.KINDS:
        assert candidates.filter(**{f"maybe_{kind}": True}).exists(), kind
