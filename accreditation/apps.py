from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    verbose_name = "Accreditation"

    def ready(self):
        # Supervisor training's entry rule is the supervisor route's prerequisites (D20),
        # which this app keeps; trainings asks through its registry.
        from trainings.eligibility import register_portal_check
        from trainings.enums import AnswerType

        from . import pathways

        register_portal_check(AnswerType.SUPERVISOR_ROUTE, pathways.supervisor_training_refusal)
        # The same prerequisites one by one, so the course page lists each and a refusal
        # names the one not met.
        for answer_type, key, describe in (
            (AnswerType.SUPERVISOR_CASES, "dit_cases", pathways.describe_supervisor_cases),
            (AnswerType.SUPERVISION_EXPERIENCE, "supervision_experience", pathways.describe_supervision_experience),
            (AnswerType.SUPPORT_LETTERS, "letters", pathways.describe_support_letters),
        ):
            register_portal_check(answer_type, pathways.supervisor_prerequisite_refusal(key), describe)
