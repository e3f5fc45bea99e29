"""Every reminder rule, in one list. A rule reads the app it is about (the apps below this
one) and is a small class: see base.py for what it provides."""

from .accreditation import (
    CaseStudyResubmissionDue,
    FirstYearSupervisionShort,
    MaintenanceFailedCoordinators,
    NoPatientThisYear,
    RolePlayRetakeDue,
    TrainerCpdEventMissing,
)
from .base import Due, Rule
from .providers import AnnualFeeDue, AnnualFeeOverdue, AnnualFeeOverdueCoordinators, SupervisionHoursShort
from .trainings import TrainingStartsSoon

RULES = [
    TrainingStartsSoon(),
    RolePlayRetakeDue(),
    CaseStudyResubmissionDue(),
    NoPatientThisYear(),
    FirstYearSupervisionShort(),
    TrainerCpdEventMissing(),
    MaintenanceFailedCoordinators(),
    AnnualFeeDue(),
    AnnualFeeOverdue(),
    AnnualFeeOverdueCoordinators(),
    SupervisionHoursShort(),
]


def rule_for(kind):
    return next((rule for rule in RULES if rule.kind == kind), None)


def optional_rules():
    return [rule for rule in RULES if rule.optional]


__all__ = ["RULES", "Due", "Rule", "optional_rules", "rule_for"]
