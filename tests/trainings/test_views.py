"""The public pages and the trainee's own pages, through the test client."""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from django.utils import timezone

from members import roles
from tests.factories import UserFactory, staff_with_totp
from trainings import services
from trainings.enums import DeliveryMode, EnrolmentStatus, EvidenceRule, RunStatus
from trainings.models import Course, Enrolment, EnrolmentAnswer

from .factories import (
    CourseFactory,
    EnrolmentFactory,
    RequirementFactory,
    RunTrainerFactory,
    in_days,
    make_run,
    pdf_upload,
    yes_to_all,
)

pytestmark = pytest.mark.django_db


def run_labels(response):
    return [run.label for run in response.context["page"].object_list]


# Live trainings list --------------------------------------------------------------------


def test_run_list_shows_open_and_full_runs_only(client):
    open_run = make_run(label="Open one", starts_in=40)
    full_run = make_run(label="Full one", status=RunStatus.FULL, starts_in=50)
    make_run(label="Draft", status=RunStatus.DRAFT)
    make_run(label="Closed", status=RunStatus.CLOSED)
    make_run(label="Cancelled", status=RunStatus.CANCELLED)
    make_run(label="Past deadline", application_deadline=in_days(-1))
    make_run(label="Unpublished course", course=CourseFactory(is_published=False))

    response = client.get(reverse("trainings:run_list"))

    assert response.status_code == 200
    assert run_labels(response) == [open_run.label, full_run.label]
    assert "Full" in response.content.decode()


def test_run_list_filters_by_course_month_and_delivery(client):
    course = CourseFactory(title="DIT Refresher test", slug="refresher-test")
    march = datetime.date(timezone.localdate().year + 1, 3, 10)
    online = make_run(course=course, label="Online March", dates=[march], application_deadline=march)
    make_run(
        course=course,
        label="In person April",
        dates=[march.replace(month=4)],
        mode=DeliveryMode.IN_PERSON,
        venue="Anna Freud Centre, London",
        application_deadline=march,
    )
    make_run(label="Other course March", dates=[march], application_deadline=march)
    url = reverse("trainings:run_list")

    assert run_labels(client.get(url, {"course": "refresher-test"})) == ["Online March", "In person April"]
    assert run_labels(client.get(url, {"month": f"{march:%Y-%m}"})) == ["Online March", "Other course March"]
    assert run_labels(client.get(url, {"course": "refresher-test", "mode": "in_person"})) == ["In person April"]
    response = client.get(url, {"course": "refresher-test", "mode": "in_person", "month": f"{march:%Y-%m}"})
    assert run_labels(response) == []
    assert "No training matches these filters" in response.content.decode()
    # An unknown value is ignored rather than an error.
    assert len(run_labels(client.get(url, {"month": "not-a-month", "mode": "by-pigeon"}))) == 3
    assert online.pk


def test_run_list_paginates(client):
    for offset in range(25):
        make_run(starts_in=40 + offset)
    first = client.get(reverse("trainings:run_list"))
    second = client.get(reverse("trainings:run_list"), {"page": 2})
    assert len(run_labels(first)) == 20 and len(run_labels(second)) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_run_list_empty_state(client):
    response = client.get(reverse("trainings:run_list"))
    assert "No training is open for applications at the moment" in response.content.decode()


# Catalogue and run page ------------------------------------------------------------------


def test_catalogue_lists_the_seeded_courses_with_fees(client):
    response = client.get(reverse("trainings:course_list"))
    content = response.content.decode()
    assert response.status_code == 200
    for course in Course.objects.all():
        assert course.title in content
    assert "£4,650 in all" in content


def test_course_page_shows_requirements_fees_and_runs(client):
    run = make_run(course=Course.objects.get(slug="5-day-dit-training"), label="Autumn, London")
    response = client.get(reverse("trainings:course_detail", args=["5-day-dit-training"]))
    content = response.content.decode()
    assert "British Psychoanalytic Council" in content
    assert "at least 150 hours" in content
    assert "16 hours × £150" in content and "£2,400" in content and "£4,650" in content
    assert run.label in content


def test_run_page(client, trainee):
    run = make_run(label="Spring 2027, online", capacity=12)
    RunTrainerFactory(run=run, trainer=UserFactory(full_name="Lena Lead"), role="lead")
    RunTrainerFactory(run=run, trainer=UserFactory(full_name="Sam Shadow"), role="shadowing")
    EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)

    response = client.get(run.get_absolute_url())
    content = response.content.decode()
    assert "Lena Lead" in content and "Sam Shadow" not in content
    assert "11 of 12 free" in content
    assert "Sign in to apply" in content

    client.force_login(trainee)
    assert "Apply for this training" in client.get(run.get_absolute_url()).content.decode()


def test_run_page_tells_why_no_application_is_taken(client, trainee):
    run = make_run(status=RunStatus.CLOSED)
    client.force_login(trainee)
    content = client.get(run.get_absolute_url()).content.decode()
    assert "Applications for this training are closed." in content
    assert "Apply for this training" not in content


def test_a_draft_run_is_not_public(client, coordinator):
    run = make_run(status=RunStatus.DRAFT)
    assert client.get(run.get_absolute_url()).status_code == 404
    client.force_login(coordinator)
    assert client.get(run.get_absolute_url()).status_code == 200


# Applying ---------------------------------------------------------------------------------


@pytest.fixture
def evidence_course():
    course = CourseFactory(title="Evidence course")
    RequirementFactory(
        course=course,
        title="Psychodynamic training",
        question="Trained?",
        evidence=EvidenceRule.REQUIRED,
        evidence_hint="your certificate",
    )
    return course


def form_data(course, **extra):
    requirement = course.requirements.get()
    return {f"answer_{requirement.pk}": "yes", f"evidence_{requirement.pk}": pdf_upload(), **extra}


def test_apply_needs_login(client):
    run = make_run()
    response = client.get(reverse("trainings:apply", args=[run.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_apply_in_the_browser(client, trainee, evidence_course, django_capture_on_commit_callbacks):
    run = make_run(course=evidence_course)
    client.force_login(trainee)
    url = reverse("trainings:apply", args=[run.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "Upload your certificate" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(evidence_course, note="Hello"), follow=True)

    enrolment = Enrolment.objects.get()
    assert response.redirect_chain[-1][0] == enrolment.get_absolute_url()
    content = response.content.decode()
    assert "your application for" in content.lower() and "has been received" in content
    assert "Your application has been received; the coordinators will let you know" in content
    assert enrolment.answers.get().evidence_name == "certificate.pdf"


def test_apply_refuses_a_wrong_file_and_saves_nothing(client, trainee, evidence_course, private_files):
    run = make_run(course=evidence_course)
    client.force_login(trainee)
    requirement = evidence_course.requirements.get()
    data = form_data(evidence_course)
    data[f"evidence_{requirement.pk}"] = pdf_upload("certificate.exe")
    response = client.post(reverse("trainings:apply", args=[run.pk]), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "“certificate.exe” is not an accepted file type." in content
    assert "Nothing was saved" in content
    assert not Enrolment.objects.exists() and private_files() == []


def test_apply_shows_the_failed_rule_next_to_its_question(client, trainee, evidence_course):
    run = make_run(course=evidence_course)
    client.force_login(trainee)
    requirement = evidence_course.requirements.get()
    response = client.post(
        reverse("trainings:apply", args=[run.pk]), form_data(evidence_course, **{f"answer_{requirement.pk}": "no"})
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {f"answer_{requirement.pk}": ["This course requires it."]}
    assert not Enrolment.objects.exists()


def test_apply_to_a_run_that_filled_meanwhile_joins_its_waiting_list(client, trainee, evidence_course):
    run = make_run(course=evidence_course)
    client.force_login(trainee)
    url = reverse("trainings:apply", args=[run.pk])
    assert "Send application" in client.get(url).content.decode()
    run.status = RunStatus.FULL
    run.save()
    response = client.post(url, form_data(evidence_course), follow=True)
    enrolment = Enrolment.objects.get()
    assert enrolment.status == EnrolmentStatus.WAITLISTED
    assert response.redirect_chain[-1][0] == enrolment.get_absolute_url()
    content = response.content.decode()
    assert "you have joined its waiting list" in content
    assert "you are on the waiting list, number 1." in content


def test_applying_after_the_deadline_sends_the_trainee_back_with_the_reason(client, trainee, evidence_course):
    run = make_run(course=evidence_course, status=RunStatus.FULL, application_deadline=datetime.date(2020, 1, 1))
    client.force_login(trainee)
    response = client.get(reverse("trainings:apply", args=[run.pk]), follow=True)
    assert response.redirect_chain[-1][0] == run.get_absolute_url()
    assert "The application deadline for this training (1 January 2020) has passed." in response.content.decode()
    assert not Enrolment.objects.exists()


def test_a_second_application_goes_to_the_first(client, trainee):
    enrolment = EnrolmentFactory(trainee=trainee)
    client.force_login(trainee)
    response = client.get(reverse("trainings:apply", args=[enrolment.run.pk]))
    assert response.status_code == 302 and response.url == enrolment.get_absolute_url()


def test_credential_requirements_are_shown_as_met_or_not(client, trainee):
    run = make_run(course=Course.objects.get(slug="dit-for-complex-care"))
    client.force_login(trainee)
    content = client.get(reverse("trainings:apply", args=[run.pk])).content.decode()
    assert "Not met" in content and "Accredited DIT practitioner" in content


def test_apply_on_the_seeded_5_day_course(client, trainee):
    course = Course.objects.get(slug="5-day-dit-training")
    run = make_run(course=course)
    client.force_login(trainee)
    data = {}
    for answer in yes_to_all(course):
        pk = answer.requirement.pk
        kind = answer.requirement.answer_type
        data[f"answer_{pk}"] = {"yes_no": "yes", "number": answer.number, "registration": "UKCP"}.get(kind)
        if kind == "registration":
            data[f"number_{pk}"] = "UKCP-1"
        if answer.evidence:
            data[f"evidence_{pk}"] = pdf_upload()
    response = client.post(reverse("trainings:apply", args=[run.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Enrolment.objects.get().answers.count() == 5


# The trainee's pages ----------------------------------------------------------------------


def test_dashboard_shows_applications_upcoming_trainings_and_documents(client, trainee, evidence_course):
    place = EnrolmentFactory(trainee=trainee, status=EnrolmentStatus.ACCEPTED, run=make_run(label="Taken place"))
    services.apply_for_run(
        make_run(course=evidence_course, label="Applied run"), trainee=trainee, answers=yes_to_all(evidence_course)
    )
    EnrolmentFactory(trainee=trainee, status=EnrolmentStatus.REJECTED, rejection_reason="Too few hours.")
    EnrolmentFactory(status=EnrolmentStatus.ACCEPTED, run=make_run(label="Somebody else's"))
    client.force_login(trainee)

    response = client.get(reverse("trainings:my_trainings"))
    content = response.content.decode()
    assert [e.run.label for e in response.context["upcoming"]] == ["Taken place"]
    assert len(response.context["enrolments"]) == 3
    assert "Somebody else" not in content
    assert "Too few hours." in content
    assert "certificate.pdf" in content
    assert place.run.label in content


def test_waiting_list_position_is_shown(client, trainee, coordinator):
    run = make_run(capacity=1)
    EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    ahead, mine = EnrolmentFactory(run=run), EnrolmentFactory(run=run, trainee=trainee)
    services.waitlist_enrolment(ahead, by=coordinator)
    services.waitlist_enrolment(mine, by=coordinator)
    client.force_login(trainee)
    assert "you are on the waiting list, number 2" in client.get(reverse("trainings:my_trainings")).content.decode()


def test_other_peoples_applications_answer_404(client, trainee):
    other = EnrolmentFactory(
        status=EnrolmentStatus.OFFERED, offer_expires_at=timezone.now() + datetime.timedelta(days=2)
    )
    client.force_login(trainee)
    for name in ("enrolment_detail", "withdraw", "decline_offer"):
        assert client.get(reverse(f"trainings:{name}", args=[other.pk])).status_code == 404
    for name in ("withdraw", "accept_offer", "decline_offer"):
        assert client.post(reverse(f"trainings:{name}", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == EnrolmentStatus.OFFERED


def test_withdraw_asks_then_withdraws(client, trainee):
    enrolment = EnrolmentFactory(trainee=trainee)
    client.force_login(trainee)
    url = reverse("trainings:withdraw", args=[enrolment.pk])
    assert "Withdraw your application?" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "has been withdrawn" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    # Withdrawing again says why not.
    response = client.post(url, follow=True)
    assert "cannot be withdrawn: it is withdrawn" in response.content.decode()


def test_accept_an_offered_place(client, trainee):
    enrolment = EnrolmentFactory(
        trainee=trainee, status=EnrolmentStatus.OFFERED, offer_expires_at=timezone.now() + datetime.timedelta(days=2)
    )
    client.force_login(trainee)
    page = client.get(enrolment.get_absolute_url()).content.decode()
    assert "Accept the place" in page and "Decline the place" in page
    assert client.get(reverse("trainings:accept_offer", args=[enrolment.pk])).status_code == 405
    response = client.post(reverse("trainings:accept_offer", args=[enrolment.pk]), follow=True)
    assert "You have a place on" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED


def test_decline_an_offered_place(client, trainee):
    enrolment = EnrolmentFactory(
        trainee=trainee, status=EnrolmentStatus.OFFERED, offer_expires_at=timezone.now() + datetime.timedelta(days=2)
    )
    client.force_login(trainee)
    url = reverse("trainings:decline_offer", args=[enrolment.pk])
    assert "Decline the place?" in client.get(url).content.decode()
    client.post(url)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.DECLINED


# Evidence downloads ------------------------------------------------------------------------


@pytest.fixture
def evidence(trainee, evidence_course):
    services.apply_for_run(make_run(course=evidence_course), trainee=trainee, answers=yes_to_all(evidence_course))
    return EnrolmentAnswer.objects.get()


def test_the_applicant_downloads_their_evidence(client, trainee, evidence):
    client.force_login(trainee)
    response = client.get(reverse("trainings:evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="certificate.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_coordinator_with_two_factor_downloads_evidence(client, evidence):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    assert client.get(reverse("trainings:evidence", args=[evidence.pk])).status_code == 200
    client.force_login(staff_with_totp(roles.PROGRAMME_DIRECTOR))
    assert client.get(reverse("trainings:evidence", args=[evidence.pk])).status_code == 200


@pytest.mark.parametrize(
    "who",
    ["another trainee", "coordinator without two-factor", "supervisor", "provider user"],
)
def test_evidence_is_private(client, evidence, who):
    user = {
        "another trainee": lambda: UserFactory(),
        "coordinator without two-factor": lambda: UserFactory(role=roles.COORDINATOR),
        "supervisor": lambda: UserFactory(role=roles.SUPERVISOR),
        "provider user": lambda: UserFactory(role=roles.PROVIDER_USER),
    }[who]()
    client.force_login(user)
    assert client.get(reverse("trainings:evidence", args=[evidence.pk])).status_code == 404


def test_evidence_needs_login(client, evidence):
    response = client.get(reverse("trainings:evidence", args=[evidence.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_superuser_downloads_evidence(client, evidence):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    TOTP.activate(superuser, generate_totp_secret())
    client.force_login(superuser)
    assert client.get(reverse("trainings:evidence", args=[evidence.pk])).status_code == 200


def test_members_home_links_to_the_dashboard(client, trainee):
    client.force_login(trainee)
    assert reverse("trainings:my_trainings") in client.get(reverse("members:home")).content.decode()
