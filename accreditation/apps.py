from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    verbose_name = "Accreditation"

    def ready(self):
        # Supervisor training's entry rule is the supervisor route's prerequisites (D20),
        # which this app keeps; trainings asks through its registry.
        from trainings.eligibility import register_portal_check
        from trainings.enums import AnswerType

        from .pathways import supervisor_training_refusal

        register_portal_check(AnswerType.SUPERVISOR_ROUTE, supervisor_training_refusal)
