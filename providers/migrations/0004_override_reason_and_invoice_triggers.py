"""A licence application keeps the Director's reason for approving with a criterion not met.

Issued invoices are protected in the database itself, not only by `Invoice.save` and
`delete`: `QuerySet.update`, `bulk_update`, raw SQL and a delete are refused by triggers.
On an invoice only its status, payment date and status time change (and the issuer may be
set to NULL when an account is removed); its lines never change; neither is deleted.
PostgreSQL only (SQLite, for local development, relies on the model methods)."""

from django.db import migrations, models

PROTECT = r"""
CREATE OR REPLACE FUNCTION providers_invoice_protect() RETURNS trigger AS $$
DECLARE
    mutable text[] := ARRAY['status', 'paid_on', 'status_changed_at', 'issued_by_id'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'Invoice % is issued and cannot be deleted; issue a credit note.', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable)
       OR (NEW.issued_by_id IS DISTINCT FROM OLD.issued_by_id AND NEW.issued_by_id IS NOT NULL) THEN
        RAISE EXCEPTION 'Invoice % is issued: only its status and payment may change.', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER providers_invoice_protect
    BEFORE UPDATE OR DELETE ON providers_invoice
    FOR EACH ROW EXECUTE FUNCTION providers_invoice_protect();

CREATE OR REPLACE FUNCTION providers_invoiceline_protect() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Lines of an issued invoice never change; issue a credit note.'
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER providers_invoiceline_protect
    BEFORE UPDATE OR DELETE ON providers_invoiceline
    FOR EACH ROW EXECUTE FUNCTION providers_invoiceline_protect();
"""

UNPROTECT = """
DROP TRIGGER IF EXISTS providers_invoiceline_protect ON providers_invoiceline;
DROP FUNCTION IF EXISTS providers_invoiceline_protect();
DROP TRIGGER IF EXISTS providers_invoice_protect ON providers_invoice;
DROP FUNCTION IF EXISTS providers_invoice_protect();
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PROTECT, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNPROTECT, params=None)


class Migration(migrations.Migration):
    dependencies = [("providers", "0003_review_permissions")]

    operations = [
        migrations.AddField(
            model_name="licenceapplication",
            name="override_reason",
            field=models.TextField(
                blank=True,
                help_text="Why the Director approved with a criterion not met (kept for the Centre, not shown).",
            ),
        ),
        migrations.RunPython(protect, unprotect, elidable=False),
    ]
