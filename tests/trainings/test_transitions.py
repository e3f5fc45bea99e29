"""One transition table for applications: the services refuse what it does not allow, and
pages ask it (through `enrolment.can`) instead of naming states."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse

from trainings import services
from trainings.enums import ENROLMENT_TRANSITIONS, EnrolmentAction, EnrolmentStatus, enrolment_actions
from trainings.models import Enrolment

from .factories import EnrolmentFactory, make_run

SERVICES = {
    EnrolmentAction.ACCEPT: lambda enrolment, by: services.accept_enrolment(enrolment, by=by),
    EnrolmentAction.WAITLIST: lambda enrolment, by: services.waitlist_enrolment(enrolment, by=by),
    EnrolmentAction.REJECT: lambda enrolment, by: services.reject_enrolment(enrolment, by=by, reason="No."),
    EnrolmentAction.OFFER: lambda enrolment, by: services.offer_place(enrolment, by=by),
    EnrolmentAction.ACCEPT_OFFER: lambda enrolment, by: services.accept_offer(enrolment, by=by),
    EnrolmentAction.DECLINE_OFFER: lambda enrolment, by: services.decline_offer(enrolment, by=by),
    EnrolmentAction.EXPIRE_OFFER: lambda enrolment, by: services.expire_offer(enrolment),
    EnrolmentAction.WITHDRAW: lambda enrolment, by: services.withdraw_enrolment(enrolment, by=by),
    EnrolmentAction.COMPLETE: lambda enrolment, by: services.complete_enrolment(enrolment, by=by),
}


def test_every_action_leads_from_and_to_known_states():
    for action, (sources, targets) in ENROLMENT_TRANSITIONS.items():
        assert sources and targets, action
        assert set(sources) | set(targets) <= set(EnrolmentStatus.values)
    assert set(ENROLMENT_TRANSITIONS) == set(EnrolmentAction)


def test_the_model_answers_from_the_table():
    enrolment = Enrolment(status=EnrolmentStatus.OFFERED)
    assert enrolment.can("accept_offer") and enrolment.can(EnrolmentAction.WITHDRAW)
    assert not enrolment.can("accept")
    assert enrolment.open_actions == enrolment_actions(EnrolmentStatus.OFFERED)
    assert Enrolment(status=EnrolmentStatus.REJECTED).open_actions == set()


REFUSED = [
    (action, status)
    for action in SERVICES
    for status in EnrolmentStatus.values
    if status not in ENROLMENT_TRANSITIONS[action][0]
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_a_service_refuses_what_the_table_does_not_allow(action, status, coordinator):
    enrolment = EnrolmentFactory(run=make_run(), status=status)
    with pytest.raises(services.TrainingError, match=r"This application cannot be .*: it is "):
        SERVICES[action](enrolment, coordinator)
    enrolment.refresh_from_db()
    assert enrolment.status == status


def test_every_state_has_its_explanation_for_the_trainee():
    for status in EnrolmentStatus.values:
        get_template(f"trainings/includes/status/{status}.html")


STATE_NAMES = "|".join(re.escape(value) for value in EnrolmentStatus.values)


def test_no_template_names_an_application_state():
    quoted_state = re.compile(rf"""["']({STATE_NAMES})["']""")
    templates = Path(settings.BASE_DIR, "templates")
    offenders = [
        f"{path.relative_to(templates)}: {match.group(0)}"
        for path in templates.rglob("*.html")
        for match in quoted_state.finditer(path.read_text())
    ]
    assert offenders == []


@pytest.mark.django_db
def test_the_trainees_page_offers_only_the_open_actions(client, trainee):
    offered = EnrolmentFactory(trainee=trainee, status=EnrolmentStatus.OFFERED)
    rejected = EnrolmentFactory(trainee=trainee, status=EnrolmentStatus.REJECTED, rejection_reason="Full.")
    client.force_login(trainee)

    page = client.get(reverse("trainings:enrolment_detail", args=[offered.pk])).content.decode()
    assert "Accept the place" in page and "Decline the place" in page
    assert "Withdraw this application" not in page

    page = client.get(reverse("trainings:enrolment_detail", args=[rejected.pk])).content.decode()
    assert "Accept the place" not in page and "Withdraw this application" not in page
    assert "The coordinators gave this reason: “Full.”" in page
