from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = "Trainings"

    def ready(self):
        from dit_portal.files import count_towards_quota

        from .models import EnrolmentAnswer

        # Evidence counts towards each applicant's storage quota.
        count_towards_quota(EnrolmentAnswer, owner="enrolment__trainee", size_field="evidence_size")
