"""Demo accreditation rows for `manage.py seed_demo` (local runs only): the demo trainee
completed a 5-day run and passed the role-play, so My pathway shows the supervision and
case-study steps still open; the demo supervisor's credentials are dated back so the
supervision they confirmed counts (D5)."""

import datetime

from django.utils import timezone

from members.enums import CredentialKind
from members.models import CredentialEvent, HeldCredential, User
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import Course, CourseRun, Enrolment, RunDay

from .enums import RolePlayOutcome
from .models import RolePlayResult

DEMO_SINCE = datetime.date(2018, 9, 1)


def load_demo(stdout):
    trainee = User.objects.filter(email="trainee@demo.dit-portal.example").first()
    supervisor = User.objects.filter(email="supervisor@demo.dit-portal.example").first()
    course = Course.objects.filter(slug="5-day-dit-training").first()
    if trainee is None or course is None or RolePlayResult.objects.filter(person=trainee).exists():
        return
    today = timezone.localdate()
    if supervisor is not None:
        demo_credentials = HeldCredential.objects.filter(
            holder=supervisor, kind__in=[CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR]
        )
        demo_credentials.update(accredited_on=DEMO_SINCE)
        CredentialEvent.objects.filter(credential__in=demo_credentials, note="Demo data").update(
            effective_on=DEMO_SINCE
        )
    first_day = today - datetime.timedelta(days=150)
    run = CourseRun.objects.create(
        course=course,
        label="Demo past cohort",
        status=RunStatus.CLOSED,
        mode="online",
        capacity=16,
        application_deadline=first_day - datetime.timedelta(days=10),
    )
    RunDay.objects.bulk_create(RunDay(run=run, date=first_day + datetime.timedelta(days=offset)) for offset in range(5))
    Enrolment.objects.create(run=run, trainee=trainee, status=EnrolmentStatus.COMPLETED)
    RolePlayResult.objects.create(
        person=trainee,
        attempt=1,
        outcome=RolePlayOutcome.PASS,
        assessed_on=first_day + datetime.timedelta(days=4),
        feedback="A clear interpersonal focus. Demo data.",
    )
    stdout.write("Demo accreditation: the demo trainee completed a 5-day run and passed the role-play.")
