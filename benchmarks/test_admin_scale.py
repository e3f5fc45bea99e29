"""The coordinators' admin at 100 rows and at 100,000 rows (built with bulk inserts, on
PostgreSQL): each changelist and the attendance register must stay within 2x of its time
at 100 rows, and the CSV export of every application must stream in under 100 MB.

The ratios and the export's peak memory are printed at the end of `make bench` and fail
the run when out of bounds (see benchmarks/conftest.py)."""

import datetime
import random
import tracemalloc

import pytest
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dit_portal.management.commands.generate_scale_data import FIRST, LAST, SURNAME_WEIGHTS
from dit_portal.models import AuditEntry
from members import roles
from members.models import User
from tests.factories import staff_with_totp
from trainings.enums import DeliveryMode, EnrolmentStatus, RunStatus
from trainings.models import Attendance, Course, CourseRun, Enrolment, EnrolmentAnswer, RunDay

from .conftest import EXPORT_PEAKS, TIMINGS

SIZES = {"100": 100, "100k": 100_000}
DOMAIN = "bench.example"
UNUSABLE_PASSWORD = "!"  # what set_unusable_password stores, without hashing 100k times
BATCH = 5_000
REGISTER_TRAINEES, REGISTER_DAYS = 20, 5  # the register measured: the same at both sizes

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db]


def _bulk(model, rows):
    model.objects.bulk_create(rows, batch_size=BATCH)


def build(size):
    """`size` applications (and as many users, audit entries and attendance rows) across
    size / 50 runs, at most 2,000; plus one run whose register is measured."""
    now = timezone.now()
    today = timezone.localdate()
    course = Course.objects.get(slug="5-day-dit-training")
    requirements = list(course.requirements.all()[:2])
    run_count = min(size, 2_000)  # 100 runs of one application, or 2,000 runs of 50

    _bulk(
        User,
        [
            User(
                email=f"person{n}@{DOMAIN}", full_name=f"{FIRST[n % len(FIRST)]} {surname}", password=UNUSABLE_PASSWORD
            )
            for n, surname in enumerate(random.Random(size).choices(LAST, SURNAME_WEIGHTS, k=size))
        ],
    )
    users = list(User.objects.filter(email__endswith=DOMAIN).order_by("pk").values_list("pk", flat=True))
    _bulk(
        CourseRun,
        [
            CourseRun(
                course=course,
                label=f"Cohort {n:04d}",
                status=RunStatus.OPEN,
                mode=DeliveryMode.ONLINE,
                capacity=60,
                application_deadline=today + datetime.timedelta(days=n % 400 - 200),
            )
            for n in range(run_count)
        ],
    )
    runs = list(CourseRun.objects.filter(course=course, label__startswith="Cohort ").values_list("pk", flat=True))
    _bulk(
        RunDay,
        [RunDay(run_id=run, date=today + datetime.timedelta(days=offset - 10)) for run in runs for offset in range(5)],
    )
    statuses = [EnrolmentStatus.APPLIED] * 3 + [EnrolmentStatus.ACCEPTED, EnrolmentStatus.REJECTED]  # 20% accepted
    _bulk(
        Enrolment,
        [
            Enrolment(
                run_id=runs[n % run_count],
                trainee_id=users[n],
                status=statuses[n % len(statuses)],
                applied_at=now - datetime.timedelta(minutes=n),
            )
            for n in range(size)
        ],
    )
    enrolments = Enrolment.objects.filter(run_id__in=runs).values_list("pk", "run_id", "status")
    _bulk(
        EnrolmentAnswer,
        [
            EnrolmentAnswer(enrolment_id=pk, requirement=requirement, question=requirement.title, yes_no=True)
            for pk, _run, _status in enrolments
            for requirement in requirements
        ],
    )
    days = {}
    for pk, run in RunDay.objects.filter(run_id__in=runs).values_list("pk", "run_id"):
        days.setdefault(run, []).append(pk)
    attendance = []
    for pk, run, status in enrolments.iterator():
        if status == EnrolmentStatus.ACCEPTED:
            attendance += [Attendance(enrolment_id=pk, day_id=day, present=True) for day in days[run]]
        if len(attendance) >= size:
            break
    _bulk(Attendance, attendance[:size])
    enrolment_type = ContentType.objects.get_for_model(Enrolment)
    _bulk(
        AuditEntry,
        [
            AuditEntry(
                actor_id=users[n % len(users)],
                action=("trainings.enrolment.applied", "trainings.enrolment.accepted")[n % 2],
                content_type=enrolment_type,
                object_id=str(n),
                object_repr=f"Person {n:06d} on a run",
            )
            for n in range(size)
        ],
    )

    register = CourseRun.objects.create(
        course=course,
        label="Measured register",
        status=RunStatus.CLOSED,
        mode=DeliveryMode.ONLINE,
        capacity=REGISTER_TRAINEES,
        application_deadline=today - datetime.timedelta(days=30),
    )
    _bulk(RunDay, [RunDay(run=register, date=today - datetime.timedelta(days=d)) for d in range(REGISTER_DAYS)])
    _bulk(
        User,
        [
            User(email=f"register{n}@{DOMAIN}", full_name=f"Trainee {n}", password=UNUSABLE_PASSWORD)
            for n in range(REGISTER_TRAINEES)
        ],
    )
    trainees = User.objects.filter(email__startswith="register", email__endswith=DOMAIN)
    _bulk(Enrolment, [Enrolment(run=register, trainee=t, status=EnrolmentStatus.ACCEPTED) for t in trainees])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"register": register, "staff": staff_with_totp(roles.COORDINATOR, email=f"staff@{DOMAIN}")}


def clear():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE members_user, trainings_courserun, portal_auditentry CASCADE")


@pytest.fixture(scope="module", params=list(SIZES), ids=list(SIZES))
def world(request, django_db_setup, django_db_blocker):
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", "make bench needs PostgreSQL"
    with django_db_blocker.unblock():
        built = build(SIZES[request.param])
    yield {"size": request.param, **built}
    with django_db_blocker.unblock():
        clear()


PER_PAGE = 20  # 20% of 100 applications are accepted: every list shows a full page at both sizes


@pytest.fixture(autouse=True)
def _pages_of_twenty(monkeypatch):
    """The same number of rows on the page at both sizes, so only the table's size differs."""
    from django.contrib.admin import site

    for model in (Enrolment, CourseRun, AuditEntry, User):
        monkeypatch.setattr(site._registry[model], "list_per_page", PER_PAGE)


@pytest.fixture
def staff_client(client, world):
    client.force_login(world["staff"])
    return client


def measure(benchmark, name, world, call):
    response = benchmark.pedantic(call, rounds=9, warmup_rounds=2, iterations=1)
    TIMINGS[(name, world["size"])] = (benchmark.stats.stats.median, benchmark.stats.stats.rounds)
    return response


@pytest.mark.parametrize(
    ("name", "url", "query", "rows"),
    [
        ("applications", "admin:trainings_enrolment_changelist", {}, PER_PAGE),
        ("applications, accepted", "admin:trainings_enrolment_changelist", {"status__exact": "accepted"}, PER_PAGE),
        ("applications, by e-mail", "admin:trainings_enrolment_changelist", {"q": f"person42@{DOMAIN}"}, 1),
        ("applications, by surname", "admin:trainings_enrolment_changelist", {"q": "Brown"}, None),
        ("people", "admin:members_user_changelist", {}, PER_PAGE),
        ("people, by surname", "admin:members_user_changelist", {"q": "Brown"}, None),
        ("course runs", "admin:trainings_courserun_changelist", {}, PER_PAGE),
        ("audit log", "admin:portal_auditentry_changelist", {}, PER_PAGE),
        ("audit log, searched", "admin:portal_auditentry_changelist", {"q": "trainings.enrolment.acc"}, PER_PAGE),
    ],
)
def test_changelist(benchmark, staff_client, world, name, url, query, rows):
    response = measure(benchmark, name, world, lambda: staff_client.get(reverse(url), query))
    assert response.status_code == 200
    found = len(response.context["cl"].result_list)
    if rows is None:  # a surname: some people at 100 rows, a full page at 100k
        assert 1 <= found <= PER_PAGE
    else:
        assert found == rows


def test_attendance_register(benchmark, staff_client, world):
    url = reverse("admin:trainings_courserun_attendance", args=[world["register"].pk])
    response = measure(benchmark, "attendance register", world, lambda: staff_client.get(url))
    assert response.status_code == 200
    assert len(response.context["form"].attendance_rows()) == REGISTER_TRAINEES


def test_csv_export_of_every_application(benchmark, staff_client, world):
    """The admin action with "select all": streamed, its peak memory traced."""
    data = {"action": "export_csv", "select_across": "1", "index": 0, ACTION_CHECKBOX_NAME: ["0"]}

    def export():
        response = staff_client.post(reverse("admin:trainings_enrolment_changelist"), data)
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        return lines

    tracemalloc.start()
    lines = export()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    EXPORT_PEAKS[world["size"]] = peak
    assert lines >= SIZES[world["size"]] + 1
    seconds = benchmark.pedantic(export, rounds=1, iterations=1)
    assert seconds is not None
