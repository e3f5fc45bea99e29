import datetime

from django import forms
from django.utils import timezone
from django_countries import countries

from dit_portal.files import CSV, EVIDENCE_KINDS, validate_upload
from dit_portal.widgets import DateInput

from .enums import ONCE_ACCREDITED_STATES, CredentialKind, CredentialStatus
from .models import ContactMessage, HeldCredential, PersonProfile
from .services import TRAINER_DECISION, may_decide_credential


class SignupDetailsForm(forms.Form):
    """Extra fields asked at sign-up, after e-mail and password."""

    full_name = forms.CharField(
        max_length=200,
        label="Full name",
        help_text="As it should appear on certificates.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Full name", help_text="As it should appear on certificates.")


# Credentials (admin) and the person profile ------------------------------------------------


def _not_future(value, what):
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"{what} cannot be in the future.")
    return value


class RecordCredentialForm(forms.ModelForm):
    """Record a credential someone already holds, with its real accreditation date."""

    class Meta:
        model = HeldCredential
        fields = ["holder", "kind", "status", "accredited_on", "route", "note"]
        help_texts = {"accredited_on": "The real date, even if long before the portal existed."}

    recorded_by = None  # the admin sets the person recording: the AFC trainer credential is the Director's

    def clean_kind(self):
        kind = self.cleaned_data.get("kind")
        if kind and not may_decide_credential(self.recorded_by, kind):
            raise forms.ValidationError(TRAINER_DECISION)
        return kind

    def clean_accredited_on(self):
        return _not_future(self.cleaned_data.get("accredited_on"), "The accreditation date")

    def clean(self):
        cleaned = super().clean()
        status, accredited_on = cleaned.get("status"), cleaned.get("accredited_on")
        if status in ONCE_ACCREDITED_STATES and not accredited_on and "accredited_on" not in self.errors:
            self.add_error("accredited_on", "Give the date the credential was accredited.")
        if status == CredentialStatus.IN_PROGRESS and accredited_on:
            self.add_error("accredited_on", "A credential in progress has no accreditation date yet.")
        if not cleaned.get("route"):
            self.add_error("route", "Say how the credential was gained.")
        return cleaned


class CredentialStatusForm(forms.Form):
    status = forms.ChoiceField(label="New status")
    effective_on = forms.DateField(label="Effective from", initial=timezone.localdate, widget=DateInput())
    note = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept in its history.")

    def __init__(self, *args, credential, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, CredentialStatus(s).label) for s in credential.open_statuses]
        self.credential, self.by = credential, by

    def clean(self):
        cleaned = super().clean()
        if not may_decide_credential(self.by, self.credential.kind):
            raise forms.ValidationError(TRAINER_DECISION)
        return cleaned

    def clean_effective_on(self):
        return _not_future(self.cleaned_data["effective_on"], "The effective date")


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label="Register (CSV)",
        help_text="Columns: email, name, credential, status, accredited_on, route, note (name, route, note optional).",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, kinds=(CSV,))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError("The file is not UTF-8 text; save it as “CSV UTF-8”.") from error


class PersonProfileForm(forms.ModelForm):
    supervision_evidence_upload = forms.FileField(
        label="Evidence of supervision experience",
        required=False,
        help_text="A PDF, Word document or image, e.g. a letter from your service. A coordinator verifies it.",
    )

    class Meta:
        model = PersonProfile
        fields = [
            "registration_body",
            "registration_number",
            "registration_full",
            "registration_valid_until",
            "country",
            "region",
            "nhs_employer",
            "supervision_years",
            "on_register",
        ]
        widgets = {
            "registration_valid_until": DateInput(),
            "registration_full": forms.Select(choices=[("", "—"), (True, "Yes"), (False, "No")]),
        }

    def clean_registration_valid_until(self):
        value = self.cleaned_data.get("registration_valid_until")
        if value and value < datetime.date(1950, 1, 1):
            raise forms.ValidationError("Check the date.")
        return value

    def clean_supervision_evidence_upload(self):
        upload = self.cleaned_data.get("supervision_evidence_upload")
        if upload:
            validate_upload(upload, kinds=EVIDENCE_KINDS)
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("registration_number") and not cleaned.get("registration_body"):
            self.add_error("registration_body", "Say which body your registration number is with.")
        return cleaned


class ResourceSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    group = forms.ModelChoiceField(label="Group", required=False, queryset=None, empty_label="All groups")

    def __init__(self, *args, **kwargs):
        from .models import ResourceGroup

        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = ResourceGroup.objects.all()


class JoinNetworkForm(forms.Form):
    declaration = forms.CharField(
        label="How you meet the network's conditions",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only needed when the portal has no record of your training or credential: e.g. where and when "
        "you completed the initial DIT training and that you are seeing training cases.",
    )

    def __init__(self, *args, needs_declaration=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_declaration = needs_declaration
        if needs_declaration:
            self.fields["declaration"].required = True
            self.fields["declaration"].error_messages["required"] = (
                "Tell the coordinators how you meet the network's conditions."
            )
        else:
            del self.fields["declaration"]


class ContactForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label="Your e-mail address",
        help_text="The coordinators reply to this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topic = forms.ChoiceField(label="What is it about?", choices=[("", "Choose…"), *ContactMessage.Topic.choices])
    message = forms.CharField(
        max_length=5000, label="Your message", widget=forms.Textarea(attrs={"rows": 6}), strip=True
    )
    # A honeypot: hidden from people (and from assistive technology), filled in by robots.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_robot(self):
        return bool(self.cleaned_data.get("website"))


# The public register ----------------------------------------------------------------------


class RegisterSearchForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, help_text="The start of the name, e.g. “Jane Sm”.")
    region = forms.CharField(max_length=100, required=False, help_text="The start of the region.")
    country = forms.ChoiceField(required=False)
    credential = forms.ChoiceField(required=False, choices=[("", "Any credential"), *CredentialKind.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Any country"), *countries]

    def filters(self):
        if not self.is_bound or not self.is_valid():
            return {"name": "", "region": "", "country": "", "credential": ""}
        return {name: value.strip() for name, value in self.cleaned_data.items()}


class RegisterCheckForm(forms.Form):
    """An employer's check of one person: the exact name and one credential."""

    check_name = forms.CharField(max_length=200, label="Full name", help_text="The whole name, as the person gave it.")
    check_credential = forms.ChoiceField(label="Credential", choices=CredentialKind.choices)

    def clean_check_name(self):
        name = " ".join(self.cleaned_data["check_name"].split())
        if not name:
            raise forms.ValidationError("Give the person's full name.")
        return name
