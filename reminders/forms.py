from django import forms

from .rules import optional_rules


class ReminderChoicesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label="Send me these reminders",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Reminders about what you must do for your credentials are always sent.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wanted"].choices = [(rule.kind, rule.label) for rule in optional_rules()]
