"""The named numbers the requirement checks read. `DEFAULTS` seeds them (migration 0002);
afterwards they are data coordinators edit in the admin. `current()` reads them all in one
query; a key missing from the table falls back to its seeded default."""

from decimal import Decimal

# key: (label, value, unit, help text)
DEFAULTS = {
    "five_day_supervision_hours": ("5-day route: confirmed supervision hours", "16", "hours", ""),
    "five_day_concurrent_cases": ("5-day route: concurrent supervised cases", "2", "cases", ""),
    "five_day_passed_recordings": ("5-day route: recordings rated pass", "4", "recordings", "D4"),
    "twenty_day_closely_supervised_cases": (
        "20-day route: cases confirmed as closely supervised to the end",
        "3",
        "cases",
        "D6",
    ),
    "twenty_day_supervision_hours": ("20-day route: confirmed supervision hours", "0", "hours", "D6: none by default"),
    "twenty_day_passed_recordings": ("20-day route: recordings rated pass", "0", "recordings", "D6: none by default"),
    "supervisor_cases_since_accreditation": (
        "Supervisor route: DIT cases logged since practitioner accreditation",
        "2",
        "cases",
        "D11",
    ),
    "supervisor_experience_years": ("Supervisor route: years of general supervision experience", "1", "years", "D11"),
    "supervisor_training_cases": ("Supervisor route: further supervised cases", "2", "cases", ""),
    "supervisor_cases_seen_in_person": ("Supervisor route: training cases seen in person", "1", "cases", ""),
    "supervisor_supervisees": ("Supervisor route: supervisees closely supervised", "2", "people", ""),
    "supervisor_supervisees_in_training": (
        "Supervisor route: supervisees training to be DIT practitioners",
        "1",
        "people",
        "",
    ),
    "trainer_twenty_day_shadow_days": ("Trainer route: shadowing days on 20-day runs", "10", "days", "D9"),
    "trainer_twenty_day_delivery_days": ("Trainer route: support or lead days on 20-day runs", "10", "days", "D9"),
    "maintenance_patients_per_year": ("Maintenance: DIT patients seen each year", "1", "patients", "D7, D14"),
    "maintenance_therapy_hours_per_supervision_hour": (
        "Maintenance: DIT therapy hours per hour of formal supervision in the first year",
        "12",
        "hours",
        "D8: ratio 1:12",
    ),
    "maintenance_first_year_days": ("Maintenance: length of the first year as a practitioner", "365", "days", "D7"),
    "role_play_retake_months": ("Role-play: months to retake after a referral", "3", "months", "D16"),
    "case_study_resubmit_months": ("Case study: months to resubmit after a referral", "3", "months", "D16"),
    "case_study_max_resubmissions": ("Case study: resubmissions allowed", "2", "resubmissions", "D16"),
    "provider_payment_terms_days": ("Providers: days to pay an invoice", "30", "days", ""),
    "provider_licence_days": ("Providers: length of a licence period", "365", "days", ""),
    "provider_max_participants_one_trainer": (
        "Providers: most participants one trainer may train (more need 2 trainers)",
        "20",
        "participants",
        "Criterion 3",
    ),
    "provider_second_trainer_years": (
        "Providers: years after accreditation to have a second DIT trainer",
        "2",
        "years",
        "Criterion 3",
    ),
    "provider_supervision_hours": (
        "Providers: first-year supervision hours when the fee schedule names none",
        "6",
        "hours",
        "Step 3; the supervision fee entry's minimum quantity comes first",
    ),
}


def seed(threshold_model):
    """Create the thresholds that do not exist yet; existing values are left alone."""
    for key, (label, value, unit, help_text) in DEFAULTS.items():
        threshold_model.objects.get_or_create(
            key=key, defaults={"label": label, "value": Decimal(value), "unit": unit, "help_text": help_text}
        )


class Thresholds:
    """The thresholds as read once: `thresholds["five_day_supervision_hours"]` -> Decimal."""

    def __init__(self, values):
        self._values = values

    def __getitem__(self, key):
        if key in self._values:
            return self._values[key]
        return Decimal(DEFAULTS[key][1])

    def whole(self, key):
        return int(self[key])


def current():
    from .models import Threshold

    return Thresholds(dict(Threshold.objects.values_list("key", "value")))
