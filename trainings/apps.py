from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = "Trainings"

    def ready(self):
        from members.access import register_training_source

        from .access import training_records

        # The members area asks training records who trained with the Centre, without
        # members importing this app.
        register_training_source(training_records)
