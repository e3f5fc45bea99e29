from django import forms

from .enums import ReferenceType
from .models import Reference, Topic


class ReadingFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, help_text="Author, title, journal or book.")
    topic = forms.ModelChoiceField(
        label="Topic", required=False, queryset=Topic.objects.all(), to_field_name="slug", empty_label="All topics"
    )
    kind = forms.ChoiceField(label="Type", required=False, choices=[("", "All types"), *ReferenceType.choices])
    dit = forms.BooleanField(label="Only works directly about DIT", required=False)
    ref = forms.ModelMultipleChoiceField(
        label="Selected references", required=False, queryset=Reference.objects.all(), to_field_name="key"
    )
