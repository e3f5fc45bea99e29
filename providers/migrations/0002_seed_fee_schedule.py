"""The provider fees as the Centre publishes them (coordinators edit them afterwards), the
invoice counter, and a link from the public "Overseas training providers" page to the
application form."""

from decimal import Decimal

from django.db import migrations

FEES = [
    # kind, description, amount, unit, minimum quantity, VAT applies
    ("initial_accreditation", "Initial accreditation fee", Decimal("1000.00"), "", Decimal("0.00"), False),
    (
        "first_training",
        "Initial 5-day DIT training co-delivered with a Centre-approved trainer (tutor expenses invoiced at cost)",
        Decimal("5500.00"),
        "",
        Decimal("0.00"),
        False,
    ),
    ("annual", "Annual accreditation fee", Decimal("1000.00"), "", Decimal("0.00"), False),
    (
        "supervision_hour",
        "Supervision on training and delivery with an AFC trainer",
        Decimal("200.00"),
        "hour",
        Decimal("6.00"),
        False,
    ),
]
APPLY_LINK = "[Apply for a licence](/providers/apply/)"
APPLY_PARAGRAPH = (
    "\n\n## Apply\n\nAn organisation based outside the UK applies in the portal: "
    f"{APPLY_LINK} (sign in or create an account first). The application shows each of the six criteria, "
    "with your evidence and delivery plan, and the Programme Director decides."
)


def seed(apps, schema_editor):
    FeeScheduleEntry = apps.get_model("providers", "FeeScheduleEntry")
    InvoiceCounter = apps.get_model("providers", "InvoiceCounter")
    for kind, description, amount, unit, minimum, vat in FEES:
        FeeScheduleEntry.objects.get_or_create(
            kind=kind,
            defaults={
                "description": description,
                "amount": amount,
                "unit": unit,
                "minimum_quantity": minimum,
                "vat_applies": vat,
            },
        )
    InvoiceCounter.objects.get_or_create(name="invoice")
    Page = apps.get_model("portal", "Page")
    page = Page.objects.filter(slug="overseas-training-providers").first()
    if page and APPLY_LINK not in page.body:
        page.body = page.body.rstrip() + APPLY_PARAGRAPH
        page.save(update_fields=["body"])


def unseed(apps, schema_editor):
    Page = apps.get_model("portal", "Page")
    page = Page.objects.filter(slug="overseas-training-providers").first()
    if page and APPLY_PARAGRAPH in page.body:
        page.body = page.body.replace(APPLY_PARAGRAPH, "")
        page.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial"), ("portal", "0002_public_pages")]
    operations = [migrations.RunPython(seed, unseed)]
