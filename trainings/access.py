"""What the members area asks of training records (see members/access.py)."""

from django.db.models import Q

from members.enums import CredentialKind

from .enums import EnrolmentStatus
from .models import Enrolment


class TrainingRecords:
    def trained_with_centre(self, person):
        """Completed a run the Centre ran, or attended at least one of its days."""
        return (
            Enrolment.objects.filter(trainee=person, run__run_by_centre=True)
            .filter(Q(status=EnrolmentStatus.COMPLETED) | Q(attendance__present=True))
            .exists()
        )

    def finished_initial_training(self, person):
        """Completed a run (the Centre's or a licensed provider's) of a course leading to
        practitioner status: the 5-Day Training or the 20-Day Programme."""
        return Enrolment.objects.filter(
            trainee=person,
            status=EnrolmentStatus.COMPLETED,
            run__course__leads_to_credential=CredentialKind.PRACTITIONER,
        ).exists()


training_records = TrainingRecords()
