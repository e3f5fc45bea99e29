"""CPD Day: the yearly CPD event is required of trainers only (DOMAIN D1, D14); the seeded
text said "trainers and supervisors must attend". A course a coordinator has edited since is
left alone."""

from django.db import migrations

OLD = {
    "description": "Counts as the yearly CPD event trainers and supervisors must attend.",
    "leads_to": "CPD (counts as the trainers' and supervisors' yearly CPD event)",
}
NEW = {
    "description": "Counts as the yearly CPD event DIT trainers must attend; practitioners and supervisors "
    "who attend have it recorded as CPD.",
    "leads_to": "CPD (counts as the trainers' yearly CPD event)",
}


def change(apps, old, new):
    Course = apps.get_model("trainings", "Course")
    for field in old:
        Course.objects.filter(slug="cpd-day", **{field: old[field]}).update(**{field: new[field]})


def forwards(apps, schema_editor):
    change(apps, OLD, NEW)


def backwards(apps, schema_editor):
    change(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("trainings", "0013_course_pathway_role_and_entry_rules")]
    operations = [migrations.RunPython(forwards, backwards)]
