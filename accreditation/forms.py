from django import forms
from django.utils import timezone

from dit_portal.widgets import DateInput
from members import roles
from members.models import User

from .enums import CaseStudyStatus, LetterWriter, RolePlayOutcome
from .models import RolePlayResult
from .pathways import role_play_refusal


class CaseStudyUploadForm(forms.Form):
    file = forms.FileField(label="Your case study", help_text="A PDF or Word (.docx) document.")


class SupportLetterForm(forms.Form):
    writer = forms.ChoiceField(label="Written by", choices=LetterWriter.choices)
    writer_name = forms.CharField(label="Their name", max_length=200)
    file = forms.FileField(label="The letter", help_text="A PDF, Word document or image.")


class RolePlayResultForm(forms.ModelForm):
    """The admin's form: the attempt number and the recorder are set by the service."""

    class Meta:
        model = RolePlayResult
        fields = ["person", "outcome", "assessed_on", "retake_by", "feedback"]
        help_texts = {"retake_by": "For a referral; empty: the configured months after the assessment."}

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The role-play cannot be assessed in the future.")
        return day

    def clean(self):
        cleaned = super().clean()
        outcome, retake_by, assessed_on = cleaned.get("outcome"), cleaned.get("retake_by"), cleaned.get("assessed_on")
        if retake_by and outcome != RolePlayOutcome.REFER:
            self.add_error("retake_by", "Only a referral has a retake deadline.")
        elif retake_by and assessed_on and retake_by <= assessed_on:
            self.add_error("retake_by", "The retake deadline must be after the assessment.")
        person = cleaned.get("person")
        previous = (
            RolePlayResult.objects.filter(person=person, voided_at__isnull=True).order_by("-attempt").first()
            if person
            else None
        )
        if previous and previous.outcome == RolePlayOutcome.PASS:
            self.add_error("person", f"{person} has passed the role-play already (attempt {previous.attempt}).")
        elif previous and assessed_on and assessed_on < previous.assessed_on:
            self.add_error(
                "assessed_on", f"Attempt {previous.attempt} was assessed on {previous.assessed_on:%-d %B %Y}."
            )
        elif person and assessed_on:
            refusal = role_play_refusal(person, assessed_on)  # D24, the rule the service checks
            if refusal:
                self.add_error("assessed_on", refusal)
        return cleaned

    def validate_unique(self):
        """The attempt number is the service's to give."""


class CaseStudyDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (CaseStudyStatus.PASSED, "Pass"),
            (CaseStudyStatus.REFERRED, "Refer for resubmission"),
            (CaseStudyStatus.FAILED, "Fail"),
        ],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text="The trainee sees it with the decision."
    )
    resubmit_by = forms.DateField(
        required=False,
        widget=DateInput(),
        help_text="For a referral; empty: the configured months from today.",
    )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision and decision != CaseStudyStatus.PASSED and not cleaned.get("feedback", "").strip():
            self.add_error("feedback", "Write feedback for the trainee: they see it with the decision.")
        resubmit_by = cleaned.get("resubmit_by")
        if resubmit_by and decision != CaseStudyStatus.REFERRED:
            self.add_error("resubmit_by", "Only a referral has a resubmission date.")
        elif resubmit_by and resubmit_by <= timezone.localdate():
            self.add_error("resubmit_by", "The resubmission date must be in the future.")
        return cleaned


class AssessorForm(forms.Form):
    assessor = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, exclude=None, **kwargs):
        """Assessors: coordinators, the Programme Director and DIT supervisors."""
        super().__init__(*args, **kwargs)
        assessors = User.objects.filter(
            is_active=True, groups__name__in=[roles.COORDINATOR, roles.PROGRAMME_DIRECTOR, roles.SUPERVISOR]
        ).distinct()
        if exclude is not None:
            assessors = assessors.exclude(pk=exclude.pk)
        self.fields["assessor"].queryset = assessors.order_by("full_name", "email")
        self.fields["assessor"].label_from_instance = User.name_and_email


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Why the result is void",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="The person is e-mailed this reason; it is kept in the audit log.",
        error_messages={"required": "Say why the result is void; the person is told."},
    )
