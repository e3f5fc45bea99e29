from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = "Trainings"

    def ready(self):
        from dit_portal.files import count_towards_quota
        from members.access import register_training_source

        from .access import training_records
        from .models import EnrolmentAnswer

        # The members area asks training records who trained with the Centre, without
        # members importing this app.
        register_training_source(training_records)

        # Evidence counts towards each applicant's storage quota.
        count_towards_quota(EnrolmentAnswer, owner="enrolment__trainee", size_field="evidence_size")
