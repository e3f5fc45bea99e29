"""Part paid becomes a stored invoice status, set by the payment service when a payment
leaves a balance. Invoices already part paid (issued or overdue, with payments short of the
total) are given it here.

The issued-invoice triggers (0004) need no change: `status` and `status_changed_at` are among
the columns they let change on an issued invoice; the choices are not in the database."""

from django.db import migrations, models
from django.db.models import Sum
from django.utils import timezone


def mark_part_paid(apps, schema_editor):
    Invoice = apps.get_model("providers", "Invoice")
    part_paid = (
        Invoice.objects.filter(kind="invoice", status__in=("issued", "overdue"))
        .annotate(paid=Sum("payments__amount"))
        .filter(paid__gt=0)
    )
    ids = [invoice.pk for invoice in part_paid if invoice.paid < invoice.total]
    Invoice.objects.filter(pk__in=ids).update(status="part_paid", status_changed_at=timezone.now())


def unmark_part_paid(apps, schema_editor):
    Invoice = apps.get_model("providers", "Invoice")
    today = timezone.localdate()
    Invoice.objects.filter(status="part_paid", due_on__lt=today).update(status="overdue")
    Invoice.objects.filter(status="part_paid").update(status="issued")


class Migration(migrations.Migration):
    dependencies = [("providers", "0004_override_reason_and_invoice_triggers")]

    operations = [
        migrations.AlterField(
            model_name="invoice",
            name="status",
            field=models.CharField(
                choices=[
                    ("issued", "Issued"),
                    ("part_paid", "Part paid"),
                    ("paid", "Paid"),
                    ("overdue", "Overdue"),
                    ("void", "Void (credited)"),
                ],
                default="issued",
                max_length=20,
            ),
        ),
        migrations.RunPython(mark_part_paid, unmark_part_paid, elidable=False),
    ]
