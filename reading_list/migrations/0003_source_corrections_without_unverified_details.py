"""The recommended reading shows only what the Centre's list gives: the years it does not
give (two articles, whose citation keys lose the year), a DOI and a chapter's editors are
taken out, and the two typos the portal corrects say so (`source_correction`). A row a
coordinator has changed since keeps its value (reading_list.seed.remove_unverified_details)."""

from django.db import migrations, models

from reading_list.seed import remove_unverified_details, restore_unverified_details


def forwards(apps, schema_editor):
    remove_unverified_details(apps.get_model("reading_list", "Reference"))


def backwards(apps, schema_editor):
    restore_unverified_details(apps.get_model("reading_list", "Reference"))


class Migration(migrations.Migration):
    dependencies = [("reading_list", "0002_recommended_reading")]

    operations = [
        migrations.AddField(
            model_name="reference",
            name="source_correction",
            field=models.CharField(
                blank=True,
                help_text="Where this entry corrects a typo of the Centre's list: what it printed, e.g. “the book's "
                "title, printed ‘Off the coach’”. Shown with the reference and in the exports' note.",
                max_length=300,
                verbose_name="corrected from the source",
            ),
        ),
        migrations.AlterField(
            model_name="reference",
            name="year",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Empty when in press, or when the source gives none (shown “n.d.”).", null=True
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
