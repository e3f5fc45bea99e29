"""What a trainee is told and what coordinators receive: case-by-case entry criteria (D17),
the withdrawal confirmation, the cancellation reason, calendar files, fee and joining
details, and the coordinators' daily digest of new applications."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from dit_portal.models import AuditEntry
from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from tests.factories import UserFactory
from trainings import services, tasks
from trainings.enums import AnswerType, EnrolmentStatus, RunStatus
from trainings.models import ApplicationDigest, Course, CourseFee, Enrolment, RunDay
from trainings.services import TrainingError

from .factories import CourseFactory, EnrolmentFactory, RequirementFactory, make_run, pdf_upload, yes_to_all

pytestmark = pytest.mark.django_db


# Entry criteria coordinators may accept case by case (DOMAIN.md D17) ---------------------


@pytest.fixture
def twenty_day_run():
    return make_run(course=Course.objects.get(slug="20-day-dit-programme"), label="Spring cohort")


def test_the_seeded_twenty_day_registration_is_judged_case_by_case():
    registration = Course.objects.get(slug="20-day-dit-programme").requirements.get(title="Professional registration")
    assert registration.case_by_case
    assert registration.choice_list == ["BACP", "UKCP", "HCPC"]
    five_day = Course.objects.get(slug="5-day-dit-training").requirements.get(title="Professional registration")
    assert not five_day.case_by_case


def test_another_registration_body_goes_to_the_coordinators_with_the_reason(
    twenty_day_run, trainee, coordinator, django_capture_on_commit_callbacks
):
    course = twenty_day_run.course
    answers = yes_to_all(course, **{"Professional registration": {"registration_body": "BPS"}})

    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.apply_for_run(twenty_day_run, trainee=trainee, answers=answers)

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.APPLIED
    assert enrolment.case_by_case_reasons == (
        "Professional registration: registered with BPS, not BACP, UKCP or HCPC; "
        "the coordinators consider other bodies case by case."
    )
    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipient) == {(trainee.email,), (coordinator.email,)}
    to_coordinators = by_recipient[(coordinator.email,)]
    assert to_coordinators.subject.startswith("To judge case by case:")
    assert "registered with BPS, not BACP, UKCP or HCPC" in to_coordinators.body
    assert f"/admin/trainings/enrolment/{enrolment.pk}/change/" in to_coordinators.body
    assert AuditEntry.objects.get(action="trainings.enrolment.applied").data["case_by_case"] == [
        enrolment.case_by_case_reasons
    ]

    # The coordinator may accept it: the case-by-case criterion does not refuse the place.
    services.accept_enrolment(enrolment, by=coordinator)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED


def test_a_criterion_not_marked_case_by_case_still_refuses(trainee):
    course = CourseFactory()
    RequirementFactory(course=course, title="Registration", answer_type=AnswerType.REGISTRATION, choices="HCPC\nBACP")
    run = make_run(course=course)
    answers = yes_to_all(course, Registration={"registration_body": "BPS"})

    with pytest.raises(TrainingError, match="Registration: current registration with HCPC or BACP is needed."):
        services.apply_for_run(run, trainee=trainee, answers=answers)
    assert not Enrolment.objects.exists()


def test_a_case_by_case_criterion_with_no_body_named_refuses(twenty_day_run, trainee):
    answers = yes_to_all(twenty_day_run.course, **{"Professional registration": {"registration_body": ""}})
    with pytest.raises(TrainingError, match="current registration with BACP, UKCP or HCPC is needed"):
        services.apply_for_run(twenty_day_run, trainee=trainee, answers=answers)


def test_case_by_case_and_a_hard_refusal_together_refuse(twenty_day_run, trainee):
    answers = yes_to_all(
        twenty_day_run.course,
        Qualification={"yes_no": False},
        **{"Professional registration": {"registration_body": "BPS"}},
    )
    with pytest.raises(TrainingError) as refused:
        services.apply_for_run(twenty_day_run, trainee=trainee, answers=answers)
    assert [failure.requirement.title for failure in refused.value.failures] == ["Qualification"]
    assert not Enrolment.objects.exists()


# Withdrawing, cancelling ------------------------------------------------------------------


def test_withdrawing_sends_a_confirmation(trainee, django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(trainee=trainee, run=make_run(label="Summer"))
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_enrolment(enrolment, by=trainee)
    (message,) = mail.outbox
    assert message.to == [trainee.email]
    assert message.subject == f"Withdrawn: {enrolment.run.course.title}, Summer"
    assert "This confirms that you withdrew your application" in message.body
    assert "next person on the waiting list" not in message.body  # held no place
    assert "/contact/" in message.body


def test_a_refused_withdrawal_sends_nothing(trainee, django_capture_on_commit_callbacks):
    run = make_run(dates=[timezone.localdate() - datetime.timedelta(days=1)])
    enrolment = EnrolmentFactory(trainee=trainee, run=run, status=EnrolmentStatus.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TrainingError):
        services.withdraw_enrolment(enrolment, by=trainee)
    assert mail.outbox == []


def test_the_cancellation_reason_is_kept_on_the_run_and_shown(client, coordinator, trainee):
    run = make_run(label="Autumn")
    enrolment = EnrolmentFactory(run=run, trainee=trainee)
    services.change_run_status(run, RunStatus.CANCELLED, by=coordinator, reason="  The trainer is unwell.  ")
    run.refresh_from_db()
    assert run.cancellation_reason == "The trainer is unwell."

    page = client.get(run.get_absolute_url()).content.decode()
    assert "This training has been cancelled." in page
    assert "The coordinators' reason: The trainer is unwell." in page
    client.force_login(trainee)
    mine = client.get(enrolment.get_absolute_url()).content.decode()
    assert "This training was cancelled. The coordinators' reason: “The trainer is unwell.”" in mine


# A place: calendar, joining details, fee and how to pay ------------------------------------


@pytest.fixture
def place(trainee):
    course = CourseFactory(title="5-Day test", payment_instructions="Pay by **bank transfer** to the Centre.")
    CourseFee.objects.create(course=course, description="Training", unit_price=Decimal("1500.00"))
    CourseFee.objects.create(course=course, description="Case study", unit_price=Decimal("150.00"))
    run = make_run(course=course, label="Online spring", joining_details="Join at https://meet.example/dit")
    days = list(run.days.all())
    days[0].starts_at, days[0].ends_at = datetime.time(9, 30), datetime.time(16, 30)
    days[0].save()
    return EnrolmentFactory(run=run, trainee=trainee)


def test_accepted_email_has_fee_payment_joining_and_calendar(place, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_enrolment(place, by=coordinator)
    (message,) = mail.outbox
    assert "Fee: £1,650" in message.body
    assert "How to pay: Pay by **bank transfer** to the Centre." in message.body
    assert "Join at https://meet.example/dit" in message.body
    assert f"/trainings/mine/{place.pk}/calendar.ics" in message.body
    html = message.alternatives[0][0]
    assert "<strong>bank transfer</strong>" in html


def test_the_application_page_shows_the_place_details_once_accepted(client, place, coordinator):
    client.force_login(place.trainee)
    before = client.get(place.get_absolute_url()).content.decode()
    assert "https://meet.example/dit" not in before
    assert "Fee and how to pay" not in before

    services.accept_enrolment(place, by=coordinator)
    after = client.get(place.get_absolute_url()).content.decode()
    assert "https://meet.example/dit" in after
    assert "£1,650" in after
    assert "<strong>bank transfer</strong>" in after
    assert reverse("trainings:enrolment_calendar", args=[place.pk]) in after


def test_the_calendar_file_lists_each_day_of_an_accepted_training(client, place, coordinator):
    url = reverse("trainings:enrolment_calendar", args=[place.pk])
    client.force_login(place.trainee)
    assert client.get(url).status_code == 404  # no place yet

    services.accept_enrolment(place, by=coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="dit-training-{place.run_id}.ics"'
    events = Calendar.from_ical(response.content).walk("VEVENT")
    days = list(RunDay.objects.filter(run=place.run).order_by("date"))
    assert [str(event["summary"]) for event in events] == ["5-Day test (day 1 of 2)", "5-Day test (day 2 of 2)"]
    first, second = events
    starts = first.decoded("dtstart")
    assert (starts.date(), starts.time(), str(starts.tzinfo)) == (days[0].date, datetime.time(9, 30), "Europe/London")
    assert first.decoded("dtend").time() == datetime.time(16, 30)
    assert second.decoded("dtstart") == days[1].date  # no times: an all-day event
    assert str(first["location"]) == "Online"
    assert "Join at https://meet.example/dit" in str(first["description"])
    assert len({str(event["uid"]) for event in events}) == 2


def test_someone_elses_calendar_file_is_not_found(client, place, coordinator):
    services.accept_enrolment(place, by=coordinator)
    client.force_login(UserFactory())
    assert client.get(reverse("trainings:enrolment_calendar", args=[place.pk])).status_code == 404


# The coordinators' daily digest -------------------------------------------------------------


def test_the_digest_lists_new_applications_awaiting_a_decision_once_a_day(
    coordinator, django_capture_on_commit_callbacks
):
    other_coordinator = UserFactory(role=roles.COORDINATOR)
    UserFactory(role=roles.PROGRAMME_DIRECTOR)  # not a coordinator: not sent the digest
    waiting = EnrolmentFactory(trainee__full_name="Wendy Waiting")
    EnrolmentFactory(status=EnrolmentStatus.ACCEPTED, trainee__full_name="Adam Accepted")
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_application_digest(day=today) == 1
    (message,) = mail.outbox
    assert sorted(message.to) == sorted([coordinator.email, other_coordinator.email])
    assert message.subject == "1 new application awaiting a decision"
    assert "Wendy Waiting" in message.body and "Adam Accepted" not in message.body
    assert f"/admin/trainings/enrolment/{waiting.pk}/change/" in message.body

    # Running again the same day (a second beat run, a retry) sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_application_digest(day=today) == 0
    assert len(mail.outbox) == 1
    assert ApplicationDigest.objects.get(day=today).applications == 1


def test_the_next_digest_lists_only_applications_since_the_last(coordinator, django_capture_on_commit_callbacks):
    EnrolmentFactory(trainee__full_name="Early Applicant")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    services.send_application_digest(day=yesterday)
    EnrolmentFactory(trainee__full_name="Later Applicant")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_application_digest(day=timezone.localdate()) == 1
    assert "Later Applicant" in mail.outbox[0].body and "Early Applicant" not in mail.outbox[0].body


def test_no_digest_is_sent_when_there_are_no_new_applications(coordinator, django_capture_on_commit_callbacks):
    EnrolmentFactory(status=EnrolmentStatus.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_application_digest() == 0
    assert mail.outbox == []


def test_the_digest_is_in_the_beat_schedule_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["trainings-application-digest"]
    assert entry["task"] == "trainings.tasks.send_application_digest"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {30}


# The run page before applying ----------------------------------------------------------------


def test_the_run_page_tells_a_person_without_the_credential_what_to_do(client, trainee):
    run = make_run(course=Course.objects.get(slug="dit-for-complex-care"))
    client.force_login(trainee)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Not met" in page
    assert "You cannot apply for this training yet." in page
    assert reverse("contact") in page
    assert "Apply for this training" not in page

    set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "the portal records it for you" in page
    assert "Apply for this training" in page


def test_the_apply_form_is_not_offered_to_someone_the_portal_refuses(client, trainee):
    run = make_run(course=Course.objects.get(slug="dit-for-complex-care"))
    client.force_login(trainee)
    page = client.get(reverse("trainings:apply", args=[run.pk])).content.decode()
    assert "You cannot apply for this training yet." in page
    assert "Send application" not in page


def test_a_full_run_offers_to_join_its_waiting_list(client, trainee):
    run = make_run(capacity=1, status=RunStatus.FULL)
    EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    client.force_login(trainee)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Join the waiting list" in page
    assert "All 1 taken" in page


# The application form ---------------------------------------------------------------------


def twenty_day_form(course, **overrides):
    requirements = {requirement.title: requirement.pk for requirement in course.requirements.all()}
    data = {
        f"answer_{requirements['Qualification']}": "yes",
        f"evidence_{requirements['Qualification']}": pdf_upload(),
        f"answer_{requirements['Professional registration']}": "UKCP",
        f"number_{requirements['Professional registration']}": "UKCP-1",
        f"answer_{requirements['NHS Talking Therapies employer']}": "Camden NHS Talking Therapies",
        # D19: the 20-day programme is for people who do not yet meet the psychodynamic competences
        f"answer_{requirements['Psychodynamic competences not yet met']}": "no",
    }
    for title, value in overrides.items():
        key, _, title = title.partition(":")
        data[f"{key}_{requirements[title]}"] = value
    return data


def test_the_form_offers_another_registration_body_for_coordinators(client, twenty_day_run, trainee):
    client.force_login(trainee)
    url = reverse("trainings:apply", args=[twenty_day_run.pk])
    page = client.get(url).content.decode()
    assert "Another body (the coordinators decide case by case)" in page

    data = twenty_day_form(twenty_day_run.course, **{"answer:Professional registration": "__other__"})
    response = client.post(url, data)
    assert "Name the body you are registered with." in response.content.decode()
    assert not Enrolment.objects.exists()

    data = twenty_day_form(
        twenty_day_run.course,
        **{"answer:Professional registration": "__other__", "other:Professional registration": "BPS"},
    )
    response = client.post(url, data, follow=True)
    enrolment = Enrolment.objects.get()
    assert enrolment.answers.get(question="Professional registration").display_value == "BPS UKCP-1"
    assert "registered with BPS" in enrolment.case_by_case_reasons
    assert "They will consider case by case" in response.content.decode()


def test_after_a_refusal_the_form_does_not_offer_send_application(client, twenty_day_run, trainee):
    client.force_login(trainee)
    url = reverse("trainings:apply", args=[twenty_day_run.pk])
    response = client.post(url, twenty_day_form(twenty_day_run.course, **{"answer:Qualification": "no"}))
    page = response.content.decode()
    assert "Your application cannot be sent" in page
    assert "Qualification: this course requires it." in page
    assert "Send application" not in page
    assert reverse("contact") in page
    assert not Enrolment.objects.exists()


# Coordinators' side ----------------------------------------------------------------------


def test_coordinators_set_the_case_by_case_flag_and_see_the_reasons(client, twenty_day_run, trainee):
    from tests.factories import staff_with_totp

    client.force_login(staff_with_totp(roles.COORDINATOR))
    course = twenty_day_run.course
    page = client.get(reverse("admin:trainings_course_change", args=[course.pk])).content.decode()
    assert "Coordinators may accept case by case" in page
    assert 'name="payment_instructions"' in page
    run_page = client.get(reverse("admin:trainings_courserun_change", args=[twenty_day_run.pk])).content.decode()
    assert 'name="joining_details"' in run_page

    answers = yes_to_all(course, **{"Professional registration": {"registration_body": "BPS"}})
    enrolment = services.apply_for_run(twenty_day_run, trainee=trainee, answers=answers)
    decision = client.get(reverse("admin:trainings_enrolment_change", args=[enrolment.pk])).content.decode()
    assert "For you to judge, case by case" in decision
    assert "registered with BPS, not BACP, UKCP or HCPC" in decision


@pytest.mark.django_db(transaction=True)
def test_beat_puts_the_digest_in_its_database_schedule():
    """django-celery-beat's scheduler copies the settings' schedule into the database, where
    staff can see and change it in the admin."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from dit_portal.celery import app

    DatabaseScheduler(app=app)
    task = PeriodicTask.objects.get(task="trainings.tasks.send_application_digest")
    assert (task.crontab.hour, task.crontab.minute) == ("7", "30")
    assert task.enabled
