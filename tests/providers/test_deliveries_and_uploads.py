"""Deliveries (licensed countries, two trainers above 20 participants, the first one
co-delivered), supervision records, network events and the maintenance requirements."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from providers import selectors, services
from providers.enums import FeeKind, ProviderStatus
from providers.models import Delivery, SupervisionRecord
from tests.factories import staff_with_totp
from trainings.enums import RunStatus, TrainerRole
from trainings.models import CourseRun, TrainerDay

from .factories import afc_trainer, days_ago, pdf_file, provider_trainer, report

pytestmark = pytest.mark.django_db


def requirement(provider, key, **kwargs):
    return next(item for item in selectors.maintenance_items(provider, **kwargs) if item.key == key)


def test_a_delivery_is_a_run_not_run_by_the_centre_with_its_trainer_days(provider, member):
    lead, support = provider_trainer(provider), provider_trainer(provider)
    centre = afc_trainer()
    delivery = report(provider, by=member, trainers=[lead, support], centre_trainer=centre, days=5)
    run = delivery.run
    assert run.run_by_centre is False
    assert run.status == RunStatus.DRAFT  # never listed among the Centre's live trainings
    assert run.days.count() == 5
    roles_by_person = dict(run.trainers.values_list("trainer", "role"))
    assert roles_by_person == {
        lead.person.pk: TrainerRole.LEAD,
        support.person.pk: TrainerRole.SUPPORT,
        centre.pk: TrainerRole.LEAD,
    }
    assert TrainerDay.objects.filter(run_trainer__run=run).count() == 15
    assert delivery.centre_trainer == centre


def test_a_training_outside_the_licensed_countries_is_refused(provider, member):
    with pytest.raises(services.ProviderError, match="licensed to train only in Spain, Portugal"):
        report(provider, by=member, country="FR")
    assert not CourseRun.objects.exists()


def test_more_than_20_participants_needs_two_trainers(provider, member):
    with pytest.raises(services.ProviderError, match="more than 20 participants must be run by 2 trainers"):
        report(provider, by=member, participants=21)
    assert not Delivery.objects.exists()
    report(provider, by=member, participants=20)
    report(provider, by=member, participants=21, trainers=[provider_trainer(provider), provider_trainer(provider)])
    assert Delivery.objects.count() == 2


def test_the_participant_limit_for_one_trainer_is_an_editable_threshold(provider, member):
    from tests.accreditation.helpers import set_threshold

    set_threshold("provider_max_participants_one_trainer", 24)
    report(provider, by=member, participants=24)
    with pytest.raises(services.ProviderError, match="more than 24 participants must be run by 2 trainers"):
        report(provider, by=member, participants=25)


def test_the_first_training_names_its_centre_trainer_who_must_be_an_afc_trainer(provider, member):
    trainer = provider_trainer(provider)
    with pytest.raises(services.ProviderError, match="first training is co-delivered"):
        report(provider, by=member, trainers=[trainer], first=False)
    practitioner_only = afc_trainer()
    set_credential_status(practitioner_only, CredentialKind.TRAINER, CredentialStatus.SUSPENDED)
    with pytest.raises(services.ProviderError, match="not an accredited AFC"):
        report(provider, by=member, trainers=[trainer], centre_trainer=practitioner_only)
    report(provider, by=member, trainers=[trainer])
    second = report(provider, by=member, trainers=[trainer], first=False)
    assert second.centre_trainer is None


def test_another_providers_trainer_cannot_be_named(provider, member):
    from .factories import ProviderFactory

    stranger = provider_trainer(ProviderFactory())
    with pytest.raises(services.ProviderError, match="your own organisation"):
        report(provider, by=member, trainers=[stranger])


def test_a_provider_not_accredited_cannot_report(provider, member):
    provider.status = ProviderStatus.SUSPENDED
    provider.save()
    with pytest.raises(services.ProviderError, match="suspended"):
        report(provider, by=member)


# Supervision ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "date", "message"),
    [
        (Decimal("0"), days_ago(1), "above zero"),
        (Decimal("-1.5"), days_ago(1), "above zero"),
        (Decimal("2"), timezone.localdate() + datetime.timedelta(days=1), "future"),
    ],
)
def test_bad_supervision_hours_or_dates_are_refused(provider, member, hours, date, message):
    with pytest.raises(services.ProviderError, match=message):
        services.upload_supervision_record(
            provider, afc_trainer=afc_trainer(), date=date, hours=hours, upload=pdf_file(), by=member
        )
    assert not SupervisionRecord.objects.exists()


def test_a_supervision_record_must_be_a_real_pdf_by_an_afc_trainer(provider, member):
    fake = SimpleUploadedFile("record.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    with pytest.raises(services.ProviderError, match="does not match"):
        services.upload_supervision_record(
            provider, afc_trainer=afc_trainer(), date=days_ago(1), hours=2, upload=fake, by=member
        )
    not_a_trainer = staff_with_totp(roles.COORDINATOR)
    with pytest.raises(services.ProviderError, match="not an accredited AFC"):
        services.upload_supervision_record(
            provider, afc_trainer=not_a_trainer, date=days_ago(1), hours=2, upload=pdf_file(), by=member
        )


def test_supervision_hours_in_the_year_after_the_first_delivery_count_toward_six(provider, member):
    report(provider, by=member, starts_in=-100)
    trainer = afc_trainer()
    item = requirement(provider, "supervision_hours")
    assert item.met is False and "0 of 6 hours" in item.evidence
    services.upload_supervision_record(
        provider, afc_trainer=trainer, date=days_ago(50), hours=Decimal("4.5"), upload=pdf_file(), by=member
    )
    item = requirement(provider, "supervision_hours")
    assert item.met is False and item.missing == "1.5 hours still to go."
    record = services.upload_supervision_record(
        provider, afc_trainer=trainer, date=days_ago(10), hours=Decimal("1.5"), upload=pdf_file(), by=member
    )
    assert requirement(provider, "supervision_hours").met is True
    services.review_supervision_record(record, approve=False, note="Not signed.", by=staff_with_totp(roles.COORDINATOR))
    assert requirement(provider, "supervision_hours").met is False  # a returned record no longer counts


def test_supervision_after_the_first_year_does_not_count(provider, member):
    report(provider, by=member, starts_in=-500)
    services.upload_supervision_record(
        provider, afc_trainer=afc_trainer(), date=days_ago(20), hours=6, upload=pdf_file(), by=member
    )
    item = requirement(provider, "supervision_hours")
    assert item.met is False and "0 of 6 hours" in item.evidence


def test_the_required_hours_follow_the_fee_schedule(provider, member):
    from providers.models import FeeScheduleEntry

    FeeScheduleEntry.objects.filter(kind=FeeKind.SUPERVISION_HOUR).update(minimum_quantity=Decimal("2"))
    services.upload_supervision_record(
        provider, afc_trainer=afc_trainer(), date=days_ago(1), hours=2, upload=pdf_file(), by=member
    )
    assert requirement(provider, "supervision_hours").met is True


# The other maintenance requirements -----------------------------------------------------


def test_two_trainers_within_two_years(provider):
    provider_trainer(provider)
    item = requirement(provider, "two_trainers")
    assert item.met is False
    assert (
        item.missing
        == f"A second trainer is due by {provider.accredited_on.replace(year=provider.accredited_on.year + 2):%-d %B %Y}."
    )
    provider_trainer(provider)
    assert requirement(provider, "two_trainers").met is True


def test_the_annual_fee_counts_once_paid_this_year(provider):
    coordinator = staff_with_totp(roles.COORDINATOR)
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    assert requirement(provider, "annual_fee").met is False
    services.record_payment(invoice, amount=invoice.total, received_on=timezone.localdate(), by=coordinator)
    assert requirement(provider, "annual_fee").met is True
    next_year = timezone.localdate().replace(month=1, day=1) + datetime.timedelta(days=366)
    assert requirement(provider, "annual_fee", today=next_year).met is False


def test_every_trainer_attends_a_network_event_each_year(provider, member):
    first, second = provider_trainer(provider), provider_trainer(provider)
    services.record_network_event(
        provider, trainer=first, event="DIT centres network, online", date=days_ago(0), by=member
    )
    item = requirement(provider, "network_event")
    assert item.met is False and item.missing == f"Not yet: {second.person}."
    services.record_network_event(
        provider, trainer=second, event="DIT centres network, online", date=days_ago(0), by=member
    )
    assert requirement(provider, "network_event").met is True
    with pytest.raises(services.ProviderError, match="future"):
        services.record_network_event(provider, trainer=first, event="x", date=days_ago(-3), by=member)


def test_each_trainers_practitioner_maintenance_comes_from_the_accreditation_engine(provider):
    import datetime as dt

    from supervision.models import TherapyHours
    from tests.accreditation.helpers import accredit, case, supervisor

    trainer = provider_trainer(provider)
    key = f"practitioner_{trainer.pk}"
    item = requirement(provider, key)
    assert item.met is False and "no maintenance check applies" in item.missing
    accredit(trainer.person, CredentialKind.PRACTITIONER, dt.date(2020, 1, 1))
    item = requirement(provider, key)
    assert item.met is False and item.missing  # no DIT patient seen this year yet
    own = case(trainer.person, supervisor(), started=900)
    TherapyHours.objects.create(case=own, date=timezone.localdate(), hours=Decimal("1"))
    assert requirement(provider, key).met is True
