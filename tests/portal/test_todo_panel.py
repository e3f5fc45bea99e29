"""The to-do panel on the admin home: per role, each line counts what waits and links to the
list filtered to exactly those rows; counts are capped, so the page costs the same queries
however much waits."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accreditation.enums import CaseStudyStatus
from dit_portal import todo
from members import roles
from providers.enums import InvoiceStatus
from providers.models import Invoice
from reminders.enums import ReminderStatus
from reminders.models import Reminder
from tests.accreditation.helpers import case_study, completed, role_play
from tests.factories import UserFactory, staff_with_totp
from tests.providers.factories import ProviderFactory
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus

pytestmark = pytest.mark.django_db


def panel(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('<section class="todo-panel') : html.index("</section>")]
    lines = {}
    for href, count, label in re.findall(
        r'<a href="([^"]+)">(?:<strong class="todo-count">([^<]+)</strong> )?([^<]+)</a>', section
    ):
        lines[label.strip()] = (count, href.replace("&amp;", "&"))
    return lines


def listed(client, href):
    """The rows the linked admin list shows (its result count)."""
    response = client.get(href)
    assert response.status_code == 200, href
    return len(response.context["cl"].result_list)


def invoice(status, due_in_days):
    number = Invoice.objects.count() + 1
    today = timezone.localdate()
    return Invoice.objects.create(
        provider=ProviderFactory(),
        number=number,
        status=status,
        issued_on=today - datetime.timedelta(days=40),
        due_on=today + datetime.timedelta(days=due_in_days),
        bill_to="Provider",
        net_total=Decimal("1000.00"),
        vat_total=Decimal("0.00"),
        total=Decimal("1000.00"),
    )


def reminder(status, claimed_minutes_ago, token):
    return Reminder.objects.create(
        person=UserFactory(),
        kind="cpd_event",
        period_key=f"k-{Reminder.objects.count()}",
        subject="A reminder",
        status=status,
        claim_token=token,
        claimed_at=timezone.now() - datetime.timedelta(minutes=claimed_minutes_ago),
    )


@pytest.fixture
def waiting_work():
    run = make_run()
    for _ in range(2):
        EnrolmentFactory(run=run, status=EnrolmentStatus.APPLIED)
    EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    unassigned = case_study(UserFactory(), status=CaseStudyStatus.SUBMITTED)
    assigned = case_study(UserFactory(), status=CaseStudyStatus.SUBMITTED)
    assigned.assessor = staff_with_totp()
    assigned.save(update_fields=["assessor"])
    case_study(UserFactory(), status=CaseStudyStatus.PASSED)
    waiting_for_role_play = UserFactory()
    completed(waiting_for_role_play, "5-day-dit-training")
    has_result = UserFactory()
    completed(has_result, "5-day-dit-training")
    role_play(has_result)
    invoice(InvoiceStatus.OVERDUE, -5)
    invoice(InvoiceStatus.ISSUED, 10)
    last_run = uuid.uuid4()
    reminder(ReminderStatus.SENT, 5, last_run)
    reminder(ReminderStatus.FAILED, 5, last_run)
    reminder(ReminderStatus.CLAIMED, 120, uuid.uuid4())  # stuck
    reminder(ReminderStatus.SENT, 3000, uuid.uuid4())  # an older run
    return {"unassigned": unassigned, "assigned": assigned}


def test_a_coordinator_sees_what_waits_with_links_to_exactly_those_rows(client, waiting_work):
    lines = panel(client, staff_with_totp(roles.COORDINATOR))
    expected = {
        "applications awaiting a decision": "2",
        "case studies to assign an assessor": "1",
        "case studies to decide": "1",
        "role-plays to record for runs that ended": "1",
        "overdue invoices": "1",
        "reminders that failed (retried on the next run)": "1",
        "provider uploads to review: supervision records": "0",
    }
    assert {label: lines[label][0] for label in expected} == expected
    for label in (
        "applications awaiting a decision",
        "case studies to assign an assessor",
        "case studies to decide",
        "overdue invoices",
        "reminders that failed (retried on the next run)",
    ):
        count, href = lines[label]
        assert listed(client, href) == int(count), label
    assert "people ready to accredit now" in lines
    assert lines["reminders stuck being sent for over an hour"][0] == "1"


def test_each_role_sees_only_its_own_lines(client, waiting_work):
    assert "provider applications awaiting a decision" in panel(client, staff_with_totp(roles.PROGRAMME_DIRECTOR))
    # A staff member without a role's permissions sees an empty panel, said so.
    client.force_login(staff_with_totp(None, is_staff=True))
    response = client.get("/admin/")
    assert "Nothing is waiting for you." in response.content.decode()


def test_the_last_run_of_each_scheduled_job_says_when_and_what_it_sent(client, waiting_work):
    job = PeriodicTask.objects.get(task="reminders.tasks.send_due_reminders")
    PeriodicTask.objects.filter(pk=job.pk).update(last_run_at=timezone.now())
    client.force_login(staff_with_totp(roles.COORDINATOR))
    html = client.get("/admin/").content.decode()
    assert re.search(re.escape(job.name) + r".*?last run \d+ \w+ \d{4} \d\d:\d\d, 1 sent, 1 failed", html, re.S), html


def test_counts_are_capped(client, waiting_work, monkeypatch):
    monkeypatch.setattr(todo, "CAP", 1)
    lines = panel(client, staff_with_totp(roles.COORDINATOR))
    assert lines["applications awaiting a decision"][0] == "1+"
    assert lines["case studies to decide"][0] == "1"


@pytest.mark.parametrize("size", [1, 15])
def test_the_admin_home_costs_the_same_queries_however_much_waits(client, django_assert_num_queries, size):
    coordinator = staff_with_totp(roles.COORDINATOR)
    run = make_run()
    for _ in range(size):
        EnrolmentFactory(run=run, status=EnrolmentStatus.APPLIED)
        case_study(UserFactory(), status=CaseStudyStatus.SUBMITTED)
        invoice(InvoiceStatus.OVERDUE, -1)
    client.force_login(coordinator)
    client.get("/admin/")  # sessions, permissions and the like warm up once
    with django_assert_num_queries(QUERIES):
        assert client.get("/admin/").status_code == 200


# The lines' counts, and one each for what went wrong: failed e-mails, reminders left being
# sent, stopped certificate batches.
QUERIES = 23


def test_overdue_invoices_count_part_paid_ones_and_those_not_yet_marked(client):
    late = [
        invoice(InvoiceStatus.OVERDUE, -5),
        invoice(InvoiceStatus.PART_PAID, -3),
        invoice(InvoiceStatus.ISSUED, -1),  # past due; the scheduled job has not marked it yet
    ]
    invoice(InvoiceStatus.PART_PAID, 5)
    invoice(InvoiceStatus.ISSUED, 0)
    invoice(InvoiceStatus.PAID, -10)
    invoice(InvoiceStatus.VOID, -10)
    lines = panel(client, staff_with_totp(roles.COORDINATOR))
    count, href = lines["overdue invoices"]
    assert count == "3"
    response = client.get(href)
    assert sorted(row.pk for row in response.context["cl"].result_list) == sorted(row.pk for row in late)
    assert "Part paid, overdue" in response.content.decode()
