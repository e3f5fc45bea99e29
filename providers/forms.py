import datetime

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from accreditation import thresholds
from dit_portal.files import CSV, EVIDENCE_KINDS, PDF, validate_upload
from dit_portal.widgets import DateInput
from trainings.enums import DeliveryMode
from trainings.models import Course

from . import selectors
from .completers import XLSX_WORKBOOK
from .enums import Criterion
from .models import LicenceApplication, ProviderTrainer

UK = "GB"
COUNTRIES_ABROAD = [(code, name) for code, name in countries if code != UK]
EVIDENCE_HELP = "PDF, Word document or image; up to 10 MB."


def _evidence_field(label, required=False):
    return forms.FileField(label=label, required=required, help_text=EVIDENCE_HELP)


class ApplicationForm(forms.ModelForm):
    name = forms.CharField(label="Organisation name", max_length=200)
    # No country is chosen for the applicant: an unanswered question is asked again, never
    # sent as the first country of the list.
    home_country = LazyTypedChoiceField(
        label="Country the organisation is based in",
        choices=[("", "Choose a country"), *countries],
        error_messages={"required": "Choose the country your organisation is based in."},
    )
    # A searchable picker in the browser (static/js/country_picker.js); without JavaScript the
    # list itself, where Ctrl (or ⌘) chooses several.
    licensed_countries = forms.MultipleChoiceField(
        label="Countries you will train in",
        choices=COUNTRIES_ABROAD,
        help_text="Only these go into your licensing agreement. Type a country's name and press Enter to add it.",
        error_messages={"required": "Choose at least one country you will train in."},
        widget=forms.SelectMultiple(attrs={"size": 8, "data-country-picker": ""}),
    )
    address = forms.CharField(label="Postal address (for invoices)", widget=forms.Textarea(attrs={"rows": 3}))
    evidence_1 = _evidence_field("Evidence for criterion 1 (e.g. registration abroad)")
    evidence_2 = _evidence_field("Evidence for criterion 2 (e.g. the trainer's contract)")
    evidence_3 = _evidence_field("Evidence for criterion 3")
    evidence_4 = _evidence_field("Evidence for criterion 4 (DIT treatment and supervision)")
    evidence_5 = _evidence_field("Evidence for criterion 5 (academic, research and practice involvement)")
    evidence_6 = _evidence_field("Your delivery plan", required=True)

    class Meta:
        model = LicenceApplication
        fields = [
            "training_countries",
            "qualified_trainer_email",
            "second_trainer_email",
            "second_trainer_plan",
            "dit_practice",
            "involvement",
            "delivery_plan_summary",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "training_countries",
                "second_trainer_plan",
                "dit_practice",
                "involvement",
                "delivery_plan_summary",
            )
        }

    field_order = ["name", "home_country", "address", "licensed_countries"]

    def clean_home_country(self):
        code = self.cleaned_data["home_country"]
        if code == UK:
            raise ValidationError("The licence is for organisations based outside the UK.")
        return code

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("second_trainer_email") and not cleaned.get("second_trainer_plan", "").strip():
            self.add_error("second_trainer_plan", "Name a second trainer, or say how you will have one within 2 years.")
        for criterion in Criterion:
            upload = cleaned.get(f"evidence_{criterion.value}")
            if upload:
                try:
                    validate_upload(upload, kinds=EVIDENCE_KINDS)
                except ValidationError as error:
                    self.add_error(f"evidence_{criterion.value}", error)
        return cleaned

    def evidence(self):
        return [
            (criterion.value, self.cleaned_data[f"evidence_{criterion.value}"])
            for criterion in Criterion
            if self.cleaned_data.get(f"evidence_{criterion.value}")
        ]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label="Your full name", max_length=200)
    password1 = forms.CharField(
        label="Choose a password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="The password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            from members.models import User

            try:
                validate_password(first, User(email=self.email, full_name=cleaned.get("full_name", "")))
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _parse_dates(text):
    dates, bad = [], []
    for part in text.replace(",", "\n").split():
        try:
            dates.append(datetime.date.fromisoformat(part.strip()))
        except ValueError:
            bad.append(part)
    if bad:
        raise ValidationError(f"Not dates (write them as 2027-03-14): {', '.join(bad)}.")
    if not dates:
        raise ValidationError("Give at least one date.")
    return sorted(set(dates))


class DeliveryForm(forms.Form):
    course = forms.ModelChoiceField(queryset=Course.objects.filter(is_published=True))
    label = forms.CharField(label="Name of this training", max_length=120, help_text="E.g. “Lisbon, spring 2027”.")
    dates = forms.CharField(
        label="Teaching days", widget=forms.Textarea(attrs={"rows": 3}), help_text="One per line, as 2027-03-14."
    )
    country = forms.ChoiceField(label="Country")
    mode = forms.ChoiceField(label="Delivery", choices=DeliveryMode.choices, initial=DeliveryMode.IN_PERSON)
    venue = forms.CharField(max_length=300, required=False, help_text="Name and address; empty for online.")
    participants = forms.IntegerField(label="Number of participants", min_value=1, max_value=500)
    trainers = forms.ModelMultipleChoiceField(
        label="Your trainers delivering it",
        queryset=ProviderTrainer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    centre_trainer = forms.ModelChoiceField(
        label="Co-delivering Centre trainer",
        queryset=selectors.afc_trainers(),
        required=False,
        help_text="Required for your first training.",
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.fields["trainers"].queryset = ProviderTrainer.objects.filter(provider=provider).select_related("person")
        self.fields["country"].choices = [(c.code, c.name) for c in provider.licensed_countries]

    def clean_dates(self):
        return _parse_dates(self.cleaned_data["dates"])

    def clean(self):
        cleaned = super().clean()
        trainers = cleaned.get("trainers") or []
        participants = cleaned.get("participants") or 0
        most = thresholds.current().whole("provider_max_participants_one_trainer")
        if participants > most and len(trainers) < 2:
            self.add_error("trainers", f"A training with more than {most} participants must be run by 2 trainers.")
        if cleaned.get("mode") == DeliveryMode.IN_PERSON and not cleaned.get("venue"):
            self.add_error("venue", "An in-person training needs a venue.")
        return cleaned


class SupervisionRecordForm(forms.Form):
    afc_trainer = forms.ModelChoiceField(label="AFC trainer who supervised", queryset=selectors.afc_trainers())
    date = forms.DateField(label="Date of the supervision", widget=DateInput())
    hours = forms.DecimalField(label="Hours", max_digits=5, decimal_places=2)
    record = forms.FileField(label="The supervision record (PDF)")

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours <= 0:
            raise ValidationError("Hours must be above zero.")
        return hours

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError("The date cannot be in the future.")
        return date

    def clean_record(self):
        upload = self.cleaned_data["record"]
        validate_upload(upload, kinds=(PDF,))
        return upload


class CompleterListForm(forms.Form):
    delivery = forms.ModelChoiceField(label="Training", queryset=None)
    file = forms.FileField(
        label="List of the people who completed it (CSV or XLSX)",
        help_text="Columns: name, email, profession, registration, result (completed or not completed).",
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery"].queryset = selectors.deliveries(provider)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, kinds=(CSV, XLSX_WORKBOOK))
        return upload


class NetworkEventForm(forms.Form):
    trainer = forms.ModelChoiceField(queryset=None)
    event = forms.CharField(label="Network event", max_length=200)
    date = forms.DateField(widget=DateInput())

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = ProviderTrainer.objects.filter(provider=provider).select_related("person")

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError("The date cannot be in the future.")
        return date


class DecisionForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Shown to the applicant; required to refuse.",
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Shown to the provider; required to return."
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address to invite")


class PaymentForm(forms.Form):
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0.01)
    received_on = forms.DateField(widget=DateInput())
    reference = forms.CharField(max_length=100, required=False)

    def clean_received_on(self):
        date = self.cleaned_data["received_on"]
        if date > timezone.localdate():
            raise ValidationError("A payment cannot be received in the future.")
        return date


class CreditNoteForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Printed on the credit note.")


class InvoiceDueDateForm(forms.Form):
    """When the invoice falls due; by default after the payment terms, never before today
    (the issue date)."""

    due_on = forms.DateField(
        label="Due on", widget=DateInput(), help_text="By default after the payment terms; not before today."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_on"].initial = selectors.default_due_date(timezone.localdate())

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        today = timezone.localdate()
        if due_on < today:
            raise ValidationError(f"The due date cannot be before the issue date ({today:%-d %B %Y}).")
        return due_on


class InvoiceLineForm(forms.Form):
    fee = forms.ModelChoiceField(queryset=None, required=False, label="Fee")
    quantity = forms.DecimalField(max_digits=8, decimal_places=2, initial=1, min_value=0.01)
    description = forms.CharField(max_length=300, required=False, help_text="For expenses at cost: what they are.")
    amount = forms.DecimalField(max_digits=12, decimal_places=2, required=False, min_value=0, help_text="At cost, GBP.")

    def __init__(self, *args, **kwargs):
        from .models import FeeScheduleEntry

        super().__init__(*args, **kwargs)
        self.fields["fee"].queryset = FeeScheduleEntry.objects.all()

    def clean(self):
        cleaned = super().clean()
        expense = cleaned.get("description") and cleaned.get("amount") is not None
        if self.has_changed() and not cleaned.get("fee") and not expense:
            raise ValidationError("Choose a fee, or describe an expense and its amount.")
        return cleaned
