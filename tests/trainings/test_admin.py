"""The coordinators' admin: decisions through actions and the application's page, CSV
export, the attendance register, and that each goes through the services."""

import csv
import io
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from dit_portal.audit import entries_for
from members import roles
from tests.factories import UserFactory, staff_with_totp
from trainings import services
from trainings.enums import EnrolmentStatus, RunStatus, TrainerRole
from trainings.models import Attendance, Course, TrainerDay

from .factories import EnrolmentFactory, RunTrainerFactory, in_days, make_run, yes_to_all

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:trainings_enrolment_changelist"


@pytest.fixture
def staff(client):
    user = staff_with_totp(roles.COORDINATOR, full_name="Cora Coordinator")
    client.force_login(user)
    return user


def run_action(client, action, enrolments, **extra):
    data = {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [e.pk for e in enrolments], **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def statuses(*enrolments):
    for enrolment in enrolments:
        enrolment.refresh_from_db()
    return [enrolment.status for enrolment in enrolments]


def test_changelist_filters_by_run_and_state(client, staff):
    run = make_run(label="Spring cohort")
    mine = EnrolmentFactory(run=run)
    EnrolmentFactory(run=run, status=EnrolmentStatus.REJECTED)
    EnrolmentFactory()
    response = client.get(reverse(CHANGELIST), {"run__id__exact": run.pk, "status__exact": "applied"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    content = response.content.decode()
    for action in ("Accept selected applications", "Reject selected applications", "Export selected as CSV"):
        assert action in content


@pytest.mark.parametrize("id_limit", [1000, 0])  # the ids first, or (a broad term) the subqueries
def test_changelist_search_by_surname_or_prefix(client, staff, monkeypatch, id_limit):
    from django.contrib.admin import site

    from trainings.models import Enrolment

    monkeypatch.setattr(site._registry[Enrolment], "SEARCH_ID_LIMIT", id_limit)
    alice = EnrolmentFactory(trainee=UserFactory(email="alice.jones@example.org", full_name="Alice Jones"))
    # named, not left to Faker: a random name may hold "Jones" or "Alice", which is searched for
    spring = EnrolmentFactory(run=make_run(label="Spring cohort"), trainee=UserFactory(full_name="Carol Brown"))
    EnrolmentFactory(trainee=UserFactory(email="malice@example.org", full_name="Bob Smith"))

    def found(term):
        response = client.get(reverse(CHANGELIST), {"q": term})
        return set(response.context["cl"].result_list)

    assert found("ALICE.J") == {alice}  # e-mail prefix, any case
    assert found("alice") == {alice}  # not "malice@": an address by its start only
    assert found("jones") == {alice}  # a surname, anywhere in the name
    assert found("Spring") == {spring}  # run label
    assert found("nobody") == set()


def test_bulk_accept_stops_at_capacity_and_says_why(client, staff):
    run = make_run(capacity=2)
    first, second, third = (EnrolmentFactory(run=run) for _ in range(3))
    response = run_action(client, "accept_selected", [third, second, first])
    assert statuses(first, second, third) == [
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.APPLIED,
    ]
    shown = messages_of(response)
    assert shown[0] == "2 applications accepted."
    assert "is full (2 of 2 places taken)" in shown[1]
    assert entries_for(first).get().actor == staff


def test_bulk_waitlist(client, staff):
    run = make_run(capacity=1)
    EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    waiting = EnrolmentFactory(run=run)
    response = run_action(client, "waitlist_selected", [waiting])
    assert statuses(waiting) == [EnrolmentStatus.WAITLISTED]
    assert messages_of(response) == ["1 application put on the waiting list."]


def test_reject_asks_for_a_reason_first(client, staff, django_capture_on_commit_callbacks):
    a, b = EnrolmentFactory(), EnrolmentFactory(status=EnrolmentStatus.ACCEPTED)
    response = run_action(client, "reject_selected", [a, b])
    content = response.content.decode()
    assert "Reason (the applicant will see it)" in content
    assert "1 of them cannot be rejected in their current state" in content
    assert statuses(a, b) == [EnrolmentStatus.APPLIED, EnrolmentStatus.ACCEPTED]

    # Confirming without a reason shows the form again.
    data = {"action": "reject_selected", "apply": "1", ACTION_CHECKBOX_NAME: [a.pk, b.pk], "reason": ""}
    response = client.post(reverse(CHANGELIST), data)
    assert "This field is required." in response.content.decode()

    data["reason"] = "The course is for NHS Talking Therapies staff."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(CHANGELIST), data, follow=True)
    assert statuses(a, b) == [EnrolmentStatus.REJECTED, EnrolmentStatus.ACCEPTED]
    assert a.rejection_reason == "The course is for NHS Talking Therapies staff."
    assert messages_of(response)[0] == "1 application rejected."
    assert "cannot be rejected: it is accepted" in messages_of(response)[1]
    assert [m.to for m in mail.outbox] == [[a.trainee.email]]


def test_decide_from_the_application_page(client, staff):
    enrolment = EnrolmentFactory()
    change_url = reverse("admin:trainings_enrolment_change", args=[enrolment.pk])
    page = client.get(change_url).content.decode()
    assert 'value="accept"' in page and 'value="reject"' in page
    decide = reverse("admin:trainings_enrolment_decide", args=[enrolment.pk])
    assert client.get(decide).status_code == 405

    response = client.post(decide, {"decision": "reject", "reason": ""}, follow=True)
    assert "Give a reason" in messages_of(response)[0]
    response = client.post(decide, {"decision": "accept"}, follow=True)
    assert response.redirect_chain[-1][0] == change_url
    assert statuses(enrolment) == [EnrolmentStatus.ACCEPTED]
    assert f"The application by {enrolment.trainee} was accepted." in messages_of(response)


def test_the_decision_page_puts_each_answer_against_its_requirement_before_the_decisions(client, staff):
    course = Course.objects.get(slug="20-day-dit-programme")
    run = make_run(course=course)
    enrolment = services.apply_for_run(run, trainee=UserFactory(), answers=yes_to_all(course))
    # The registration body was since dropped from the accepted list: no longer met.
    requirement = course.requirements.get(title="Professional registration")
    requirement.choices = "HCPC"
    requirement.save()

    page = client.get(reverse("admin:trainings_enrolment_change", args=[enrolment.pk])).content.decode()
    assert "<h1>Change application</h1>" in page
    answers_at, decision_at = page.index("answers against the entry requirements"), page.index("<h2>Decision</h2>")
    assert answers_at < decision_at < page.index('value="accept"')
    table = page[answers_at:decision_at]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    assert [re.search(r'<th scope="row">([^<]+)', row).group(1) for row in rows] == [
        "Psychodynamic competences not yet met",
        "Qualification",
        "Professional registration",
        "NHS Talking Therapies employer",
    ]
    assert 'class="met">Met' in rows[0] and ">No<" in rows[0]  # D19: not yet meeting the competences
    assert 'class="met">Met' in rows[1] and "certificate.pdf" in rows[1]
    # The 20-day programme accepts other registration bodies case by case (D17).
    assert "BACP REG-12345" in rows[2] and (
        'class="not-met">For you to judge, case by case</span>: registered with BACP, not HCPC; '
        "the coordinators consider other bodies case by case." in rows[2]
    )
    assert 'class="met">Met' in rows[3] and "Camden and Islington Talking Therapies" in rows[3]


def test_the_decision_page_offers_only_the_open_decisions(client, staff):
    waitlisted = EnrolmentFactory(status=EnrolmentStatus.WAITLISTED, waitlist_position=1)
    page = client.get(reverse("admin:trainings_enrolment_change", args=[waitlisted.pk])).content.decode()
    assert 'value="offer"' in page and 'value="accept"' in page and 'value="waitlist"' not in page
    accepted = EnrolmentFactory(status=EnrolmentStatus.ACCEPTED)
    page = client.get(reverse("admin:trainings_enrolment_change", args=[accepted.pk])).content.decode()
    assert 'name="decision"' not in page and "No decision is open on this application." in page


def test_status_is_not_editable_by_hand(client, staff):
    enrolment = EnrolmentFactory()
    url = reverse("admin:trainings_enrolment_change", args=[enrolment.pk])
    client.post(url, {"status": "accepted", "staff_notes": "Phoned", "waitlist_position": "", **_empty_inline()})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.APPLIED
    assert enrolment.staff_notes == "Phoned"


def _empty_inline():
    prefix = "answers"
    return {
        f"{prefix}-TOTAL_FORMS": 0,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def test_applications_cannot_be_added_or_deleted_by_coordinators(client, staff):
    enrolment = EnrolmentFactory()
    assert client.get(reverse("admin:trainings_enrolment_add")).status_code == 403
    assert client.get(reverse("admin:trainings_enrolment_delete", args=[enrolment.pk])).status_code == 403


def parse_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.streaming  # rows are sent as they are read, never built in memory
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_of_a_runs_list(client, staff):
    course = Course.objects.get(slug="20-day-dit-programme")
    run = make_run(course=course, label='=HYPERLINK("x")')

    applicant = UserFactory(full_name="-2+3")
    services.apply_for_run(run, trainee=applicant, answers=yes_to_all(course))
    EnrolmentFactory()  # another run's applicant stays out

    rows = parse_csv(client.get(reverse("admin:trainings_courserun_applications_csv", args=[run.pk])))
    assert rows[0][:4] == ["Run", "Name", "E-mail", "Status"]
    assert rows[0][12:] == [
        "Psychodynamic competences not yet met",
        "Qualification",
        "Professional registration",
        "NHS Talking Therapies employer",
    ]
    assert len(rows) == 2
    assert rows[1][0] == '20-Day DIT Programme: =HYPERLINK("x")'
    assert rows[1][1] == "'-2+3"  # a formula-looking cell is defused
    assert rows[1][2] == applicant.email
    assert rows[1][12:] == ["No", "Yes", "BACP REG-12345", "Camden and Islington Talking Therapies"]


def test_csv_cells_cannot_start_a_formula(client, staff):
    enrolment = EnrolmentFactory(applicant_note='=HYPERLINK("http://evil.example")')
    enrolment.trainee.full_name = "@SUM(1+1)"
    enrolment.trainee.save()
    EnrolmentFactory(run=enrolment.run, applicant_note="+1", status=EnrolmentStatus.REJECTED, rejection_reason="-2")
    rows = parse_csv(client.get(reverse("admin:trainings_courserun_applications_csv", args=[enrolment.run_id])))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells and "'@SUM(1+1)" in cells
    assert "'+1" in cells and "'-2" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def test_csv_export_action(client, staff):
    chosen = [EnrolmentFactory(), EnrolmentFactory()]
    EnrolmentFactory()
    response = client.post(
        reverse(CHANGELIST), {"action": "export_csv", "index": 0, ACTION_CHECKBOX_NAME: [e.pk for e in chosen]}
    )
    rows = parse_csv(response)
    assert sorted(row[2] for row in rows[1:]) == sorted(e.trainee.email for e in chosen)


def test_the_csv_is_sent_in_blocks_not_a_write_per_row():
    """Streamed a row at a time, 100,000 rows took 21 s under gunicorn (make bench)."""
    from trainings.admin import _in_blocks

    lines = [f"row {n},{'x' * 90}\r\n" for n in range(2_000)]  # about 200 KB
    blocks = list(_in_blocks(iter(lines)))
    assert "".join(blocks) == "".join(lines)
    assert 2 <= len(blocks) <= 5 and all(len(block) >= 64 * 1024 for block in blocks[:-1])
    assert list(_in_blocks(iter([]))) == []


# Attendance register ----------------------------------------------------------------------


@pytest.fixture
def register_run():
    """Two days past, one to come; two trainees with places, one applicant; two trainers."""
    run = make_run(dates=[in_days(-8), in_days(-1), in_days(6)], capacity=5)
    trainees = [EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED) for _ in range(2)]
    EnrolmentFactory(run=run)
    lead = RunTrainerFactory(run=run, role=TrainerRole.LEAD)
    shadow = RunTrainerFactory(run=run, role=TrainerRole.SHADOWING)
    return run, list(run.days.all()), trainees, (lead, shadow)


def test_attendance_register_is_a_grid(client, staff, register_run):
    run, days, trainees, (lead, shadow) = register_run
    url = reverse("admin:trainings_courserun_attendance", args=[run.pk])
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert len(form.attendance_rows()) == 2  # the applicant without a place is not on it
    assert form.fields[f"present_{trainees[0].pk}_{days[2].pk}"].disabled  # a future day
    # A day not recorded yet offers the trainer's role on the run; only up to today.
    assert form.fields[f"trainer_{shadow.pk}_{days[0].pk}"].initial == TrainerRole.SHADOWING
    assert form.fields[f"trainer_{lead.pk}_{days[1].pk}"].initial == TrainerRole.LEAD
    assert form.fields[f"trainer_{lead.pk}_{days[2].pk}"].initial == ""
    assert form.fields[f"trainer_{lead.pk}_{days[2].pk}"].disabled

    data = {f"present_{trainees[0].pk}_{days[0].pk}": "on", f"present_{trainees[0].pk}_{days[1].pk}": "on"}
    data |= {f"present_{trainees[1].pk}_{days[0].pk}": "on"}
    data |= {f"trainer_{lead.pk}_{day.pk}": TrainerRole.LEAD for day in days}
    data |= {
        f"trainer_{shadow.pk}_{days[0].pk}": TrainerRole.SHADOWING,
        f"trainer_{shadow.pk}_{days[1].pk}": TrainerRole.SUPPORT,
    }
    response = client.post(url, data, follow=True)

    # 3 present marks, 2 lead days and 2 shadow days up to today; the future day is not saved.
    assert messages_of(response) == ["Register saved (7 changes)."]
    assert Attendance.objects.filter(present=True).count() == 3
    assert Attendance.objects.filter(present=False).count() == 0
    assert TrainerDay.objects.filter(run_trainer=shadow).count() == 2
    assert TrainerDay.objects.filter(run_trainer=lead).count() == 2
    assert entries_for(run).filter(action="trainings.run.attendance_recorded", actor=staff).exists()


def test_a_recorded_trainer_day_is_shown_as_recorded_not_as_the_default(client, staff, register_run):
    run, days, _trainees, (lead, _shadow) = register_run
    url = reverse("admin:trainings_courserun_attendance", args=[run.pk])
    services.record_trainer_days(run, roles={(lead.pk, days[0].pk): TrainerRole.SUPPORT}, by=staff)
    form = client.get(url).context["form"]
    assert form.fields[f"trainer_{lead.pk}_{days[0].pk}"].initial == TrainerRole.SUPPORT
    assert form.fields[f"trainer_{lead.pk}_{days[1].pk}"].initial == TrainerRole.LEAD


def test_one_click_on_the_register_is_one_change(client, staff, register_run):
    """One trainee ticked on one day: one change, and nothing recorded for the trainers,
    least of all on the day still to come."""
    run, days, trainees, _trainers = register_run
    url = reverse("admin:trainings_courserun_attendance", args=[run.pk])
    client.get(url)
    response = client.post(url, {f"present_{trainees[0].pk}_{days[0].pk}": "on"}, follow=True)
    assert messages_of(response) == ["Register saved (1 change)."]
    assert list(Attendance.objects.values_list("enrolment", "day", "present")) == [(trainees[0].pk, days[0].pk, True)]
    assert not TrainerDay.objects.exists()

    # Unticking it is again one change; saving the same register again is none.
    response = client.post(url, {}, follow=True)
    assert messages_of(response) == ["Register saved (1 change)."]
    response = client.post(url, {}, follow=True)
    assert messages_of(response) == ["Register saved (0 changes)."]


def test_a_future_day_cannot_be_marked_even_by_a_forged_post(client, staff, register_run):
    run, days, trainees, (lead, _shadow) = register_run
    url = reverse("admin:trainings_courserun_attendance", args=[run.pk])
    client.post(url, {f"present_{trainees[0].pk}_{days[2].pk}": "on", f"trainer_{lead.pk}_{days[2].pk}": "lead"})
    assert not Attendance.objects.exists() and not TrainerDay.objects.exists()
    with pytest.raises(services.TrainingError, match="has not happened yet: trainer days cannot be recorded"):
        services.record_trainer_days(run, roles={(lead.pk, days[2].pk): TrainerRole.LEAD}, by=staff)


def test_completion_from_the_register_waits_for_the_last_day(client, staff, register_run):
    run, _days, _trainees, _trainers = register_run
    url = reverse("admin:trainings_courserun_attendance", args=[run.pk])
    response = client.post(url, {"_complete": "1"}, follow=True)
    assert "has not finished yet" in messages_of(response)[0]
    # Nothing of the register was saved either.
    assert not Attendance.objects.exists()


def test_completion_from_the_register(client, staff):
    run = make_run(dates=[in_days(-3), in_days(-2)])
    came, missed = (EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED) for _ in range(2))
    days = list(run.days.all())
    data = {f"present_{came.pk}_{day.pk}": "on" for day in days} | {
        f"present_{missed.pk}_{days[0].pk}": "on",
        "_complete": "1",
    }
    response = client.post(reverse("admin:trainings_courserun_attendance", args=[run.pk]), data, follow=True)
    assert "Completion recorded: 1 completed, 1 did not complete." in messages_of(response)
    assert statuses(came, missed) == [EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED]


# Runs and courses ---------------------------------------------------------------------------


def test_run_changelist_and_pages(client, staff):
    run = make_run(capacity=3)
    EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    response = client.get(reverse("admin:trainings_courserun_changelist"))
    content = response.content.decode()
    assert "1 / 3" in content
    assert reverse("admin:trainings_courserun_attendance", args=[run.pk]) in content
    assert client.get(reverse("admin:trainings_courserun_change", args=[run.pk])).status_code == 200
    assert client.get(reverse("admin:trainings_courserun_add")).status_code == 200


def test_offer_free_places_action(client, staff):
    run = make_run(capacity=1, status=RunStatus.FULL)
    EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    waiting = EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED, waitlist_position=1)
    run.capacity = 2
    run.save()
    response = client.post(
        reverse("admin:trainings_courserun_changelist"),
        {"action": "offer_free_places", "index": 0, ACTION_CHECKBOX_NAME: [run.pk]},
        follow=True,
    )
    assert "1 place offered." in messages_of(response)
    assert statuses(waiting) == [EnrolmentStatus.OFFERED]


def test_course_admin(client, staff):
    response = client.get(reverse("admin:trainings_course_changelist"))
    assert "4,650.00" in response.content.decode()
    course = Course.objects.get(slug="5-day-dit-training")
    assert client.get(reverse("admin:trainings_course_change", args=[course.pk])).status_code == 200


@pytest.mark.parametrize("who", ["trainee", "coordinator without two-factor"])
def test_admin_views_are_closed_to_others(client, who):
    user = UserFactory() if who == "trainee" else UserFactory(role=roles.COORDINATOR)
    client.force_login(user)
    run = make_run()
    enrolment = EnrolmentFactory(run=run)
    for url in (
        reverse("admin:trainings_courserun_attendance", args=[run.pk]),
        reverse("admin:trainings_courserun_applications_csv", args=[run.pk]),
        reverse("admin:trainings_enrolment_decide", args=[enrolment.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
    response = client.post(reverse("admin:trainings_enrolment_decide", args=[enrolment.pk]), {"decision": "accept"})
    assert response.status_code in (302, 403)
    assert statuses(enrolment) == [EnrolmentStatus.APPLIED]


def test_applications_are_called_applications_in_the_admin(client, staff):
    from django.contrib.auth.models import Permission

    index = client.get(reverse("admin:index")).content.decode()
    text = re.sub(r"<[^>]+>", " ", index)  # what a coordinator reads, not URLs or classes
    assert "Applications" in text and "nrolment" not in text
    assert Permission.objects.get(codename="change_enrolment").name == "Can change application"
