"""Demo trainings for `manage.py seed_demo` (local runs only): open runs to apply for, the
20-day programme online, a full run with a waiting list, and a finished run whose
attendance is waiting to be recorded. Each run is created once, by its label."""

import datetime

from django.utils import timezone

from members.models import User

from .enums import DeliveryMode, EnrolmentStatus, RunStatus, TrainerRole
from .models import Course, CourseRun, Enrolment, RunDay, RunTrainer

DEMO = "@demo.dit-portal.example"
JOINING = "Join on the day at https://meet.example/dit-demo (passcode 2468). Cameras on, please."

DEMO_RUNS = [
    # course slug, label, mode, venue, capacity, first day in (days), day offsets, status
    ("5-day-dit-training", "Demo cohort, London", DeliveryMode.IN_PERSON, "Demo Centre, 1 Example Street, London",
     16, 45, [0, 1, 2, 7, 8], RunStatus.OPEN),
    ("20-day-dit-programme", "Demo cohort, online", DeliveryMode.ONLINE, "", 20, 60, range(0, 40, 2), RunStatus.OPEN),
    ("dit-for-complex-care", "Demo advanced course", DeliveryMode.ONLINE, "", 12, 30, [0, 1], RunStatus.OPEN),
    ("cpd-day", "Demo CPD Day", DeliveryMode.ONLINE, "", 40, 20, [0], RunStatus.OPEN),
    ("dit-refresher", "Demo refresher (full)", DeliveryMode.ONLINE, "", 2, 25, [0], RunStatus.FULL),
    ("5-day-dit-training", "Demo cohort, attendance to record", DeliveryMode.IN_PERSON, "Demo Centre, 1 Example Street, London",
     16, -12, [0, 1, 2, 3, 4], RunStatus.CLOSED),
]  # fmt: skip

# Who holds a place or waits on the demo runs, by label: (e-mail, status).
DEMO_ENROLMENTS = {
    "Demo refresher (full)": [
        (f"practitioner{DEMO}", EnrolmentStatus.ACCEPTED),
        (f"supervisor{DEMO}", EnrolmentStatus.ACCEPTED),
        (f"waiting{DEMO}", EnrolmentStatus.WAITLISTED),
    ],
    "Demo cohort, attendance to record": [
        (f"trainee{DEMO}", EnrolmentStatus.ACCEPTED),
        (f"attendee{DEMO}", EnrolmentStatus.ACCEPTED),
    ],
}


def _create_run(course, label, mode, venue, capacity, starts_in, offsets, status, trainer):
    today = timezone.localdate()
    first_day = today + datetime.timedelta(days=starts_in)
    run = CourseRun.objects.create(
        course=course,
        label=label,
        status=status,
        mode=mode,
        venue=venue,
        capacity=capacity,
        application_deadline=first_day - datetime.timedelta(days=10),
        joining_details=JOINING if mode == DeliveryMode.ONLINE else "",
    )
    RunDay.objects.bulk_create(RunDay(run=run, date=first_day + datetime.timedelta(days=offset)) for offset in offsets)
    if trainer:
        RunTrainer.objects.create(run=run, trainer=trainer, role=TrainerRole.LEAD)
    position = 0
    for email, enrolment_status in DEMO_ENROLMENTS.get(label, []):
        person = User.objects.filter(email=email).first()
        if person is None:
            continue
        if enrolment_status == EnrolmentStatus.WAITLISTED:
            position += 1
        Enrolment.objects.create(
            run=run,
            trainee=person,
            status=enrolment_status,
            waitlist_position=position if enrolment_status == EnrolmentStatus.WAITLISTED else None,
            applied_at=timezone.now() - datetime.timedelta(days=30),
            decided_at=timezone.now() - datetime.timedelta(days=20),
        )
    return run


def load_demo(stdout):
    trainer = User.objects.filter(email=f"supervisor{DEMO}").first()
    existing = set(CourseRun.objects.filter(label__startswith="Demo ").values_list("label", flat=True))
    created = 0
    for slug, label, *details in DEMO_RUNS:
        course = Course.objects.filter(slug=slug).first()
        if course is None or label in existing:
            continue
        _create_run(course, label, *details, trainer)
        created += 1
    listed = CourseRun.objects.filter(label__startswith="Demo ", status__in=(RunStatus.OPEN, RunStatus.FULL)).count()
    stdout.write(
        f"Demo trainings: {listed} live (one of them full, with a waiting list), "
        "one finished with its attendance to record."
        if created
        else "Demo trainings already exist."
    )
