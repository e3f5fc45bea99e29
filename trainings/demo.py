"""Demo live trainings for `manage.py seed_demo` (local runs only)."""

import datetime

from django.utils import timezone

from members.models import User

from .enums import DeliveryMode, RunStatus, TrainerRole
from .models import Course, CourseRun, RunDay, RunTrainer

DEMO_RUNS = [
    # course slug, label, mode, venue, capacity, first day in (days), day offsets
    ("5-day-dit-training", "Demo cohort, online", DeliveryMode.ONLINE, "", 16, 45, [0, 1, 2, 7, 8]),
    (
        "20-day-dit-programme",
        "Demo cohort, London",
        DeliveryMode.IN_PERSON,
        "Demo Centre, 1 Example Street, London",
        20,
        60,
        range(0, 40, 2),
    ),
    ("dit-for-complex-care", "Demo advanced course", DeliveryMode.ONLINE, "", 12, 30, [0, 1]),
    ("cpd-day", "Demo CPD Day", DeliveryMode.ONLINE, "", 40, 20, [0]),
]


def load_demo(stdout):
    if CourseRun.objects.filter(label__startswith="Demo ").exists():
        return
    today = timezone.localdate()
    trainer = User.objects.filter(email="supervisor@demo.dit-portal.example").first()
    created = 0
    for slug, label, mode, venue, capacity, starts_in, offsets in DEMO_RUNS:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            continue
        first_day = today + datetime.timedelta(days=starts_in)
        run = CourseRun.objects.create(
            course=course,
            label=label,
            status=RunStatus.OPEN,
            mode=mode,
            venue=venue,
            capacity=capacity,
            application_deadline=first_day - datetime.timedelta(days=10),
        )
        RunDay.objects.bulk_create(
            RunDay(run=run, date=first_day + datetime.timedelta(days=offset)) for offset in offsets
        )
        if trainer:
            RunTrainer.objects.create(run=run, trainer=trainer, role=TrainerRole.LEAD)
        created += 1
    stdout.write(f"Demo live trainings: {created} open runs.")
