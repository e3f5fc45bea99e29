"""The ledger's forms. Each runs the same rules as its service (`services.check_*`), so a
mistake is shown next to its field; the service checks again when it saves."""

from django import forms
from django.core.exceptions import ValidationError

from dit_portal.widgets import DateInput

from . import selectors, services
from .anonymity import check_anonymous
from .enums import Modality, RecordingRating
from .models import Case, CpdRecord, Recording, SupervisionSession, SupervisorListing, TherapyHours

DATE_INPUT = DateInput()


def _supervisor_label(user):
    """A supervisor's name; their e-mail address is not shown to other members (a person
    without a name on the portal shows as a masked address)."""
    if user.full_name:
        return user.full_name
    local, _, domain = user.email.partition("@")
    return f"{local[:1]}…@{domain}"


class _RuleForm(forms.ModelForm):
    """Runs a service check in clean() and spreads its errors over the fields."""

    def apply_check(self, check, *args, **kwargs):
        try:
            check(*args, **kwargs)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    target = field if field in self.fields else None
                    for message in messages:
                        if target is None or message not in self.errors.get(target, []):
                            self.add_error(target, message)
            else:
                self.add_error(None, error)

    def _post_clean(self):
        """The service's checks (above) cover every field; the instance is not built or
        validated here, so a rule speaks in one voice rather than Django's too."""

    def add_hours_error(self, hours, **kwargs):
        try:
            services.check_hours(hours, **kwargs)
        except ValidationError as error:
            self.add_error("hours", error)

    def add_service_errors(self, error):
        """Show a SupervisionError from the service on the form."""
        if not error.errors:
            self.add_error(None, error.message)
        for field, messages in error.errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class CaseForm(_RuleForm):
    class Meta:
        model = Case
        fields = ["code", "purpose", "supervisor", "started_on", "ended_on", "seen_in_person", "note"]
        widgets = {"started_on": DATE_INPUT, "ended_on": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, practitioner, **kwargs):
        super().__init__(*args, **kwargs)
        self.practitioner = practitioner
        supervisor = self.fields["supervisor"]
        supervisor.queryset = selectors.supervisor_choices(exclude=practitioner)
        supervisor.label_from_instance = _supervisor_label
        supervisor.empty_label = "No supervisor"

    def clean(self):
        data = super().clean()
        if not self.errors:
            self.apply_check(
                services.check_case,
                self.practitioner,
                code=data.get("code", "").strip(),
                purpose=data.get("purpose"),
                supervisor=data.get("supervisor"),
                started_on=data.get("started_on"),
                ended_on=data.get("ended_on"),
                note=data.get("note", ""),
            )
        return data


class EndCaseForm(forms.Form):
    ended_on = forms.DateField(label="Last session on", widget=DATE_INPUT)


class TherapyHoursForm(_RuleForm):
    class Meta:
        model = TherapyHours
        fields = ["date", "hours"]
        widgets = {"date": DATE_INPUT}
        labels = {"hours": "DIT therapy hours"}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["hours"].widget.attrs.update({"step": "0.25", "min": "0.25"})

    def clean(self):
        data = super().clean()
        if "date" in data:
            self.apply_check(services.check_dated_on_case, self.case, date=data["date"], what="This date")
        if "hours" in data:
            self.add_hours_error(data["hours"], what="One day's therapy")
        return data


class SessionForm(_RuleForm):
    class Meta:
        model = SupervisionSession
        fields = ["supervisor", "date", "hours", "format", "kind", "cases", "note"]
        widgets = {
            "date": DATE_INPUT,
            "cases": forms.CheckboxSelectMultiple,
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"kind": "Formal DIT supervision or peer supervision", "cases": "Cases discussed (optional)"}
        help_texts = {"hours": "E.g. 1 or 1.5; at most 8 hours.", "date": "Not before your DIT training began."}

    def __init__(self, *args, practitioner, **kwargs):
        super().__init__(*args, **kwargs)
        self.practitioner = practitioner
        self.instance.practitioner = practitioner
        supervisor = self.fields["supervisor"]
        supervisor.queryset = selectors.supervisor_choices(exclude=practitioner)
        supervisor.label_from_instance = _supervisor_label
        supervisor.empty_label = "Choose your supervisor"
        self.fields["cases"].queryset = Case.objects.filter(practitioner=practitioner).order_by("code")
        self.fields["cases"].label_from_instance = lambda case: case.code
        self.fields["hours"].widget.attrs.update({"step": "0.25", "min": "0.25", "max": "8"})

    def clean(self):
        data = super().clean()
        if not self.errors:
            self.apply_check(
                services.check_session,
                self.practitioner,
                supervisor=data.get("supervisor"),
                date=data.get("date"),
                hours=data.get("hours"),
                cases=list(data.get("cases") or ()),
                note=data.get("note", ""),
            )
        return data


class RecordingForm(_RuleForm):
    class Meta:
        model = Recording
        fields = ["phase", "session_date", "note"]
        widgets = {"session_date": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def clean(self):
        data = super().clean()
        if "session_date" in data:
            try:
                services.check_dated_on_case(self.case, date=data["session_date"], what="The recorded session")
            except ValidationError as error:
                for message in error.message_dict.get("date", error.messages):
                    self.add_error("session_date", message)
        if data.get("note"):
            self.apply_check(check_anonymous, data["note"])
        return data


class CpdForm(_RuleForm):
    class Meta:
        model = CpdRecord
        fields = ["title", "kind", "date", "hours"]
        widgets = {"date": DATE_INPUT}

    def clean(self):
        data = super().clean()
        if data.get("date"):
            try:
                services.check_not_future(data["date"], what="This event")
            except ValidationError as error:
                self.add_error("date", error)
        if "hours" in data:
            self.add_hours_error(data["hours"], maximum=services.CPD_MAX_HOURS, what="One CPD record")
        if data.get("title"):
            try:
                check_anonymous(data["title"])
            except ValidationError as error:
                self.add_error("title", error)
        return data


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label="Why do you dispute this session?",
        help_text="The practitioner reads this. No patient names.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        check_anonymous(reason)
        return reason


class RatingForm(forms.Form):
    rating = forms.ChoiceField(widget=forms.RadioSelect)
    feedback = forms.CharField(
        label="Feedback for the practitioner (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, recording, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [(value, RecordingRating(value).label) for value in recording.open_ratings]

    def clean_feedback(self):
        feedback = self.cleaned_data["feedback"].strip()
        check_anonymous(feedback)
        return feedback


class ListingForm(forms.ModelForm):
    class Meta:
        model = SupervisorListing
        fields = ["is_listed", "display_name", "country", "region", "modality", "note"]


class DirectoryFilterForm(forms.Form):
    country = forms.ChoiceField(required=False, label="Country")
    region = forms.CharField(required=False, max_length=100, label="Region")
    modality = forms.ChoiceField(
        required=False, label="Supervision", choices=[("", "Online or in person"), *Modality.choices[:2]]
    )

    def __init__(self, *args, countries=(), **kwargs):
        """`countries`: the Country objects that have listed supervisors."""
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Any country")] + [(country.code, country.name) for country in countries]
        self.fields["country"].widget.attrs["class"] = "form-select"
        self.fields["modality"].widget.attrs["class"] = "form-select"
        self.fields["region"].widget.attrs["class"] = "form-control"

    def filters(self):
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "country": data.get("country") or None,
            "region": (data.get("region") or "").strip() or None,
            "modality": data.get("modality") or None,
        }


class ContactForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=120)
    email = forms.EmailField(label="Your e-mail address", help_text="The supervisor replies to this address.")
    message = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 6}))
    # A field people never see (hidden by CSS and from screen readers); robots fill it in.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def is_spam(self):
        return bool(self.data.get("website"))


class OnBehalfForm(forms.Form):
    """Why a coordinator decides for the named supervisor (admin actions)."""

    on_behalf_reason = forms.CharField(
        label="Why you decide for the supervisor",
        help_text="The supervisor is e-mailed this; it is kept in the audit log. No patient names.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": "Say why you decide for the supervisor."},
    )

    def clean_on_behalf_reason(self):
        reason = self.cleaned_data["on_behalf_reason"].strip()
        check_anonymous(reason)
        return reason
