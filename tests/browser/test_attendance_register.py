"""The attendance register's "Tick all" buttons tick a whole day, or all of a trainee's
days, among the days that have taken place; the register then saves what is ticked. A
trainer's role on each day starts from their role on the run."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import staff_with_totp
from tests.trainings.factories import EnrolmentFactory, RunTrainerFactory, make_run
from trainings.enums import EnrolmentStatus, TrainerRole
from trainings.models import Attendance, TrainerDay

from .test_saved_dates import sign_in


def test_tick_all_for_a_day_and_for_a_person(page, context, live_server, shot):
    today = timezone.localdate()
    run = make_run(
        dates=[
            today - datetime.timedelta(days=2),
            today - datetime.timedelta(days=1),
            today + datetime.timedelta(days=5),
        ]
    )
    first_day, second_day, future_day = run.days.order_by("date")
    ann, ben = (
        EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED, trainee__full_name=name)
        for name in ("Ann Able", "Ben Baker")
    )
    trainer = RunTrainerFactory(run=run, role=TrainerRole.SUPPORT)
    sign_in(context, staff_with_totp(), live_server)
    page.goto(f"/admin/trainings/courserun/{run.pk}/attendance/")

    page.get_by_role("button", name=f"Tick all on {first_day.date:%a} {first_day.date.day}").click()
    page.get_by_role("button", name="Tick all days for Ben Baker").click()
    shot(page, "ticked")
    page.get_by_role("button", name="Save register").click()
    expect(page.get_by_text("Register saved")).to_be_visible()

    present = set(Attendance.objects.filter(present=True).values_list("enrolment", "day"))
    assert present == {(ann.pk, first_day.pk), (ben.pk, first_day.pk), (ben.pk, second_day.pk)}
    assert not Attendance.objects.filter(day=future_day).exists()
    assert set(TrainerDay.objects.filter(run_trainer=trainer).values_list("day", "role")) == {
        (first_day.pk, TrainerRole.SUPPORT),
        (second_day.pk, TrainerRole.SUPPORT),
    }
