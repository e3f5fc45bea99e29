"""Who gets into the members area, and who may join a regional network.

Members are people who trained with the Centre, hold a credential, or are staff. Training
records live in `trainings`, which sits above `members` and may not be imported from here.
So `trainings` registers a *training record source* when it loads (its AppConfig.ready);
this module asks every registered source and knows nothing else about trainings. Without
one registered, only credentials and staff roles open the members area.
"""

from dataclasses import dataclass
from typing import Protocol

from .enums import MEMBER_CREDENTIAL_STATES, NETWORK_CREDENTIAL_STATES, CredentialKind, EligibilityRoute
from .models import HeldCredential
from .roles import can_use_admin


class TrainingRecordSource(Protocol):
    def trained_with_centre(self, person) -> bool:
        """Completed or attended a run the Centre ran."""

    def finished_initial_training(self, person) -> bool:
        """Completed a run of a course leading to practitioner status (5-day or 20-day)."""


_sources: list[TrainingRecordSource] = []


def register_training_source(source):
    """Called by the app that keeps training records, once, when it loads."""
    if source not in _sources:
        _sources.append(source)


def _trained_with_centre(person):
    return any(source.trained_with_centre(person) for source in _sources)


def _finished_initial_training(person):
    return any(source.finished_initial_training(person) for source in _sources)


def is_member(person):
    """Whether `person` may use the members area. Cached on the user for the request."""
    if not person.is_authenticated or not person.is_active:
        return False
    cached = getattr(person, "_is_member", None)
    if cached is None:
        cached = (
            can_use_admin(person)
            or HeldCredential.objects.filter(holder=person, status__in=MEMBER_CREDENTIAL_STATES).exists()
            or _trained_with_centre(person)
        )
        person._is_member = cached
    return cached


@dataclass(frozen=True)
class NetworkEligibility:
    route: str | None  # an EligibilityRoute, or None when the portal cannot tell

    @property
    def confirmed_by_records(self):
        return self.route is not None

    @property
    def label(self):
        return EligibilityRoute(self.route).label if self.route else ""


def network_eligibility(person):
    """How the portal knows `person` may join a regional network: a practitioner credential
    (in progress: seeing training cases; or accredited) or the completed initial training.
    Otherwise the person declares it and a coordinator confirms."""
    if HeldCredential.objects.filter(
        holder=person, kind=CredentialKind.PRACTITIONER, status__in=NETWORK_CREDENTIAL_STATES
    ).exists():
        return NetworkEligibility(EligibilityRoute.CREDENTIAL)
    if _finished_initial_training(person):
        return NetworkEligibility(EligibilityRoute.TRAINING)
    return NetworkEligibility(None)
