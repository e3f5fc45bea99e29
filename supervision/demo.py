"""Demo supervision ledger for `manage.py seed_demo` (local runs only): the demo
practitioner's training cases with hours, sessions and recordings under the demo
supervisor, and that supervisor listed in the public directory."""

import datetime
from decimal import Decimal

from django.utils import timezone

from members.models import User

from .enums import CasePurpose, CpdKind, Modality, RecordingPhase, RecordingRating, SessionStatus, SupervisionKind
from .models import Case, CpdRecord, Recording, SupervisionSession, SupervisorListing, TherapyHours


def load_demo(stdout):
    practitioner = User.objects.filter(email="trainee@demo.dit-portal.example").first()
    supervisor = User.objects.filter(email="supervisor@demo.dit-portal.example").first()
    if practitioner is None or supervisor is None or Case.objects.filter(practitioner=practitioner).exists():
        return
    today = timezone.localdate()

    def ago(days):
        return today - datetime.timedelta(days=days)

    cases = [
        Case.objects.create(
            practitioner=practitioner,
            code=code,
            purpose=CasePurpose.PRACTITIONER_TRAINING,
            supervisor=supervisor,
            started_on=ago(started),
            seen_in_person=in_person,
        )
        for code, started, in_person in (("DEMO-01", 120, True), ("DEMO-02", 100, False))
    ]
    for case in cases:
        TherapyHours.objects.bulk_create(
            TherapyHours(case=case, date=ago(days), hours=Decimal("1")) for days in range(95, 5, -7)
        )
    now = timezone.now()
    for days, hours, status in (
        (90, "1.5", SessionStatus.CONFIRMED),
        (60, "2", SessionStatus.CONFIRMED),
        (30, "1", SessionStatus.DISPUTED),
        (7, "1.5", SessionStatus.PENDING),
        (3, "1", SessionStatus.PENDING),
    ):
        decided = status != SessionStatus.PENDING
        session = SupervisionSession.objects.create(
            practitioner=practitioner,
            supervisor=supervisor,
            date=ago(days),
            hours=Decimal(hours),
            kind=SupervisionKind.FORMAL,
            status=status,
            decided_at=now if decided else None,
            decided_by=supervisor if decided else None,
            dispute_reason="We met for one hour that week, not two." if status == SessionStatus.DISPUTED else "",
        )
        session.cases.set(cases)
    Recording.objects.create(
        case=cases[0],
        phase=RecordingPhase.INITIAL,
        session_date=ago(110),
        rating=RecordingRating.PASS,
        rated_at=now,
        rated_by=supervisor,
        feedback="A clear interpersonal affective focus.",
    )
    Recording.objects.create(case=cases[1], phase=RecordingPhase.INITIAL, session_date=ago(90))
    CpdRecord.objects.create(
        person=practitioner, title="DIT network meeting", kind=CpdKind.NETWORK_MEETING, date=ago(40), hours=2
    )
    SupervisorListing.objects.get_or_create(
        supervisor=supervisor,
        defaults={
            "is_listed": True,
            "display_name": supervisor.get_full_name(),
            "country": "GB",
            "region": "London",
            "modality": Modality.BOTH,
            "note": "Individual and small-group DIT supervision; evenings possible.",
        },
    )
    stdout.write("Demo supervision: 2 cases, 5 sessions (2 awaiting the supervisor), 1 directory entry.")
