"""The initial application: six criteria, computed where the portal holds the data, the
Programme Director's decision, audit entries and what the applicant sees."""

import pytest
from django.core import mail
from django.urls import reverse

from dit_portal.models import AuditEntry
from members import roles
from members.enums import CredentialKind
from providers import selectors, services
from providers.enums import ApplicationStatus, FeeKind, InvoiceStatus, ProviderStatus
from providers.models import Invoice, LicenceApplication, Provider, ProviderTrainer
from tests.factories import UserFactory, staff_with_totp
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus, RunStatus, TrainerRole
from trainings.models import Course, RunTrainer, TrainerDay

from .factories import holder_of, pdf_file

pytestmark = pytest.mark.django_db


def application_data(**overrides):
    data = {
        "name": "Instituto DIT Lisboa",
        "home_country": "PT",
        "licensed_countries": ["PT", "BR"],
        "training_countries": "NHS-like public services in Portugal and Brazil.",
        "qualified_trainer_email": "trainer@lisbon.example",
        "second_trainer_email": "",
        "second_trainer_plan": "A second trainer starts the 5-day training next spring.",
        "dit_practice": "Our clinic offers DIT to 200 patients a year, with weekly supervision.",
        "involvement": "Partnership with the University of Lisbon.",
        "delivery_plan_summary": "Two 5-day trainings a year in Lisbon and São Paulo.",
        "address": "Rua Exemplo 1, Lisboa",
    }
    data.update(overrides)
    return services.ApplicationInput(**data)


def centre_trained(person, *, shadow_days=5, course_slug="5-day-dit-training", by_centre=True, cancelled=False):
    """Completed a Centre run of the course, and shadowed `shadow_days` of another."""
    course = Course.objects.get(slug=course_slug)
    EnrolmentFactory(
        run=make_run(course=course, starts_in=-400, day_count=5), trainee=person, status=EnrolmentStatus.COMPLETED
    )
    run = make_run(
        course=course,
        starts_in=-100,
        day_count=max(shadow_days, 5),
        run_by_centre=by_centre,
        status=RunStatus.CANCELLED if cancelled else RunStatus.CLOSED,
    )
    run_trainer = RunTrainer.objects.create(run=run, trainer=person, role=TrainerRole.SHADOWING)
    for day in list(run.days.all())[:shadow_days]:
        TrainerDay.objects.create(run_trainer=run_trainer, day=day, role=TrainerRole.SHADOWING)


@pytest.fixture
def applicant(db):
    return UserFactory(email="director@lisbon.example")


@pytest.fixture
def director(db):
    return staff_with_totp(roles.PROGRAMME_DIRECTOR)


def criterion(application, number):
    return next(item for item in selectors.application_checklist(application) if item.key == f"criterion_{number}")


def test_submitting_creates_an_applicant_provider_with_the_applicant_as_its_user(
    applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.submit_application(
            application_data(), applicant=applicant, evidence=[(6, pdf_file("plan.pdf"))]
        )
    provider = application.provider
    assert provider.status == ProviderStatus.APPLICANT
    assert [c.code for c in provider.licensed_countries] == ["BR", "PT"]
    assert provider.memberships.get().user == applicant
    assert applicant.groups.filter(name=roles.PROVIDER_USER).exists()
    assert application.evidence.get().original_name == "plan.pdf"
    assert AuditEntry.objects.filter(action="providers.application.submitted").count() == 1
    assert mail.outbox[-1].to == [applicant.email]


@pytest.mark.parametrize(
    "overrides",
    [{"home_country": "GB"}, {"licensed_countries": ["PT", "GB"]}, {"licensed_countries": []}],
)
def test_a_uk_provider_or_uk_training_is_refused(applicant, overrides):
    with pytest.raises(services.ProviderError):
        services.submit_application(application_data(**overrides), applicant=applicant, evidence=[])
    assert not Provider.objects.exists()


def test_a_wrong_evidence_file_refuses_the_whole_application(applicant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 this is a program")
    with pytest.raises(services.ProviderError, match="does not match"):
        services.submit_application(application_data(), applicant=applicant, evidence=[(6, fake)])
    assert not Provider.objects.exists()


def test_criterion_1_is_computed_from_the_countries(applicant):
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    item = criterion(application, 1)
    assert item.met is True
    assert "Based in Portugal; to train in Brazil, Portugal." in item.evidence


def test_criterion_2_met_by_a_centre_trained_accredited_trainer_who_shadowed_a_whole_5_day(applicant):
    trainer = holder_of(CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR, email="trainer@lisbon.example")
    centre_trained(trainer, shadow_days=5)
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    item = criterion(application, 2)
    assert item.met is True, item.missing
    assert "shadowed all 5 days of" in item.evidence


def test_criterion_2_counts_ten_days_of_the_20_day(applicant):
    trainer = holder_of(CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR, email="trainer@lisbon.example")
    centre_trained(trainer, shadow_days=10, course_slug="20-day-dit-programme")
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    assert criterion(application, 2).met is True


@pytest.mark.parametrize(("threshold", "met"), [(9, True), (10, False)])
def test_criterion_2_and_trainer_step_2_are_one_rule_and_read_the_edited_threshold(applicant, threshold, met):
    """Trainer step 2 (D9) and providers' criterion 2 agree on the same people."""
    from accreditation.pathways import checklist
    from tests.accreditation.helpers import accredit, set_threshold

    trainer = UserFactory(email="trainer@lisbon.example")
    accredit(trainer, CredentialKind.PRACTITIONER)
    accredit(trainer, CredentialKind.SUPERVISOR)
    centre_trained(trainer, shadow_days=9, course_slug="20-day-dit-programme")
    set_threshold("trainer_twenty_day_shadow_days", threshold)
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    step_2 = next(item for item in checklist(trainer, CredentialKind.TRAINER).items if item.key == "shadowing")
    assert (criterion(application, 2).met, step_2.met) == (met, met)


@pytest.mark.parametrize(
    ("credentials", "training", "missing"),
    [
        ((CredentialKind.PRACTITIONER,), {"shadow_days": 5}, "is not an accredited DIT Supervisor"),
        (
            (CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR),
            {"shadow_days": 4},
            "has not shadowed a whole 5-day",
        ),
        (
            (CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR),
            {"shadow_days": 9, "course_slug": "20-day-dit-programme"},
            "(9 of 10 days of 20-day runs)",
        ),
        ((CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR), {"by_centre": False}, "has not shadowed"),
        ((CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR), {"cancelled": True}, "has not shadowed"),
    ],
)
def test_criterion_2_not_met_says_what_is_missing(applicant, credentials, training, missing):
    trainer = holder_of(*credentials, email="trainer@lisbon.example")
    centre_trained(trainer, **training)
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    item = criterion(application, 2)
    assert item.met is False
    assert missing in item.missing


def test_criterion_2_without_a_centre_completion_or_an_account(applicant):
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    assert criterion(application, 2).missing == "The named trainer has no account on the portal."
    trainer = holder_of(CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR, email="trainer@lisbon.example")
    assert "has not completed a 5-day or 20-day training run by the Centre" in criterion(application, 2).missing
    assert trainer


def test_criteria_3_to_6_are_left_to_the_reviewer_with_the_statements(applicant):
    application = services.submit_application(
        application_data(), applicant=applicant, evidence=[(6, pdf_file("plan.pdf"))]
    )
    assert criterion(application, 3).met is None
    assert criterion(application, 6).met is None
    assert "Evidence: plan.pdf." in criterion(application, 6).evidence
    application.second_trainer_email = "second@lisbon.example"
    assert criterion(application, 3).met is True


def test_the_director_approves_accredits_for_a_year_adds_trainers_and_invoices_the_initial_fee(
    applicant, director, django_capture_on_commit_callbacks
):
    trainer = holder_of(CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR, email="trainer@lisbon.example")
    centre_trained(trainer)
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    assert not [item for item in selectors.application_checklist(application) if item.met is False]
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_application(application, approve=True, reason="All six criteria met.", by=director)
    provider = Provider.objects.get()
    assert provider.status == ProviderStatus.ACCREDITED
    assert (provider.licence_ends_on - provider.licence_starts_on).days == 364
    assert ProviderTrainer.objects.get(provider=provider).person == trainer
    invoice = Invoice.objects.get(provider=provider)
    assert invoice.total == 1000
    assert invoice.lines.get().fee.kind == FeeKind.INITIAL_ACCREDITATION
    assert invoice.status == InvoiceStatus.ISSUED
    entry = AuditEntry.objects.get(action="providers.application.approved")
    assert entry.actor == director and entry.data["reason"] == "All six criteria met."
    decision_mail = next(message for message in mail.outbox if "licence application" in message.subject)
    assert "approved" in decision_mail.subject and "All six criteria met." in decision_mail.body


def test_a_refusal_needs_a_reason_which_the_applicant_sees(applicant, director, client):
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    with pytest.raises(services.ProviderError, match="reason"):
        services.decide_application(application, approve=False, reason=" ", by=director)
    services.decide_application(application, approve=False, reason="No Centre-trained trainer yet.", by=director)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert application.provider.status == ProviderStatus.REFUSED
    assert not Invoice.objects.exists()
    client.force_login(applicant)
    page = client.get(reverse("providers:application", args=[application.provider_id])).content.decode()
    assert "Refused" in page and "No Centre-trained trainer yet." in page


def test_only_the_programme_director_decides_and_only_once(applicant, director):
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    coordinator = staff_with_totp(roles.COORDINATOR)
    with pytest.raises(services.ProviderError, match="Only the Programme Director"):
        services.decide_application(application, approve=True, reason="", by=coordinator)
    services.decide_application(application, approve=True, reason="", override_reason="Trainer known", by=director)
    with pytest.raises(services.ProviderError, match="cannot become"):
        services.decide_application(application, approve=False, reason="Changed my mind", by=director)
    assert LicenceApplication.objects.get().status == ApplicationStatus.APPROVED


def test_approving_with_a_criterion_not_met_needs_an_override_reason_stored_and_logged(applicant, director):
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    assert criterion(application, 2).met is False
    for override in ("", "   "):
        with pytest.raises(services.ProviderError, match="Not met: .*give the reason for overriding"):
            services.decide_application(application, approve=True, reason="Fine", override_reason=override, by=director)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and not Invoice.objects.exists()
    services.decide_application(
        application, approve=True, reason="Welcome", override_reason="Trainer trained before the portal", by=director
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.override_reason == "Trainer trained before the portal"
    entry = AuditEntry.objects.get(action="providers.application.approved")
    assert entry.data["override_reason"] == "Trainer trained before the portal"
    assert entry.data["criteria_not_met"] == [criterion(application, 2).label]


def test_refusing_needs_no_override_reason(applicant, director):
    application = services.submit_application(application_data(), applicant=applicant, evidence=[])
    services.decide_application(application, approve=False, reason="No trainer", override_reason="x", by=director)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED and application.override_reason == ""


def test_the_public_page_links_to_the_application_form_which_submits(client, applicant):
    page = client.get("/about/overseas-training-providers/").content.decode()
    assert 'href="/providers/apply/"' in page
    client.force_login(applicant)
    response = client.post(
        reverse("providers:apply"),
        {
            "name": "Instituto DIT Lisboa",
            "home_country": "PT",
            "address": "Rua Exemplo 1",
            "licensed_countries": ["PT"],
            "training_countries": "Portugal",
            "qualified_trainer_email": "trainer@lisbon.example",
            "second_trainer_plan": "Next year.",
            "dit_practice": "Yes.",
            "involvement": "University.",
            "delivery_plan_summary": "Two a year.",
            "evidence_6": pdf_file("plan.pdf"),
        },
    )
    provider = Provider.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("providers:application", args=[provider.pk])


def test_the_form_refuses_a_uk_organisation_and_a_missing_plan(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("providers:apply"), {"name": "UK Org", "home_country": "GB"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "The licence is for organisations based outside the UK." in form.errors["home_country"]
    assert "evidence_6" in form.errors
    assert not Provider.objects.exists()


def test_the_form_chooses_no_country_and_lists_what_to_fix_at_the_top(client, applicant):
    """No home country is preselected (it was Afghanistan, the first of the list); an empty
    form comes back with an error summary first, each error linking to its field."""
    client.force_login(applicant)
    html = client.get(reverse("providers:apply")).text
    home = html[html.index('name="home_country"') :]
    home = home[: home.index("</select>")]
    assert '<option value="" selected>Choose a country</option>' in home
    assert home.count("selected") == 1
    assert "data-country-picker" in html and "js/country_picker.js" in html

    response = client.post(reverse("providers:apply"), {"name": ""})
    html = response.text
    assert response.status_code == 200
    summary = html[html.index("data-error-summary") : html.index("</div>", html.index("data-error-summary"))]
    assert html.index("data-error-summary") < html.index('name="name"')
    assert "There is a problem" in summary
    assert (
        '<a href="#id_home_country">Country the organisation is based in: Choose the country your organisation is based in.</a>'
        in summary
    )
    assert (
        '<a href="#id_licensed_countries">Countries you will train in: Choose at least one country you will train in.</a>'
        in summary
    )
    for field in response.context["form"].errors:
        assert f'href="#id_{field}"' in summary, field
