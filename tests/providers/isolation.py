"""Two providers with one of everything, for the isolation tests and the permission matrix."""

from django.core.files.base import ContentFile

from providers import services
from providers.enums import FeeKind
from providers.models import ApplicationEvidence, LicenceApplication
from tests.trainings.factories import PDF_BYTES, CourseFactory

from .factories import GOOD_ROWS, ProviderFactory, afc_trainer, csv_file, days_ago, pdf_file, provider_user, report


def provider_with_everything(name, user=None):
    """A provider, its user and one record of each kind; returns (provider, user, objects)."""
    provider = ProviderFactory(name=name)
    if user is None:
        user = provider_user(provider)
    else:
        from providers.models import ProviderMembership

        ProviderMembership.objects.create(provider=provider, user=user)
    application = LicenceApplication.objects.create(
        provider=provider,
        applicant=user,
        training_countries="Portugal",
        qualified_trainer_email="trainer@example.org",
        dit_practice="Yes",
        involvement="Yes",
        delivery_plan_summary="Plan",
        status="approved",
    )
    evidence = ApplicationEvidence(application=application, criterion=6, original_name="plan.pdf")
    evidence.file.save("plan.pdf", ContentFile(PDF_BYTES), save=True)
    # A course of its own, so the seeded catalogue's courses stay free of runs.
    delivery = report(provider, by=user, course=CourseFactory())
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=None)
    record = services.upload_supervision_record(
        provider, afc_trainer=afc_trainer(), date=days_ago(2), hours=2, upload=pdf_file(), by=user
    )
    completer_list = services.submit_completer_list(provider, delivery=delivery, upload=csv_file(GOOD_ROWS), by=user)
    objects = {
        "evidence": evidence,
        "invoice": invoice,
        "record": record,
        "completer_list": completer_list,
        "delivery": delivery,
    }
    return provider, user, objects


def provider_url_kwargs(provider, objects):
    """The keyword arguments of every provider URL name, for this provider's records."""
    base = {"provider_id": provider.pk}
    return {
        "dashboard": base,
        "application": base,
        "application_evidence": {**base, "pk": objects["evidence"].pk},
        "invoices": base,
        "invoice_pdf": {**base, "pk": objects["invoice"].pk},
        "deliveries": base,
        "report_delivery": base,
        "uploads": base,
        "upload_supervision": base,
        "supervision_file": {**base, "pk": objects["record"].pk},
        "upload_completers": base,
        "completer_list": {**base, "pk": objects["completer_list"].pk},
        "completer_file": {**base, "pk": objects["completer_list"].pk},
        "record_network_event": base,
    }


FILE_ROUTES = {"application_evidence", "invoice_pdf", "supervision_file", "completer_file"}
