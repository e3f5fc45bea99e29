from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from dit_portal.files import EVIDENCE_KINDS, validate_upload
from dit_portal.widgets import DateInput

from .enums import AnswerType, DeliveryMode, EvidenceRule, TrainerRole
from .models import Course, CourseRun
from .services import AnswerInput, DayInput

YES_NO_CHOICES = [("yes", "Yes"), ("no", "No")]
ACCEPTED_TYPES = ", ".join(sorted({kind.label for kind in EVIDENCE_KINDS}))
ACCEPT_ATTRIBUTE = ",".join(sorted({kind.extension for kind in EVIDENCE_KINDS}))


class RunFilterForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(is_published=True),
        to_field_name="slug",
        required=False,
        empty_label="All courses",
    )
    month = forms.ChoiceField(required=False, label="Starting in")
    mode = forms.ChoiceField(
        required=False, label="Delivery", choices=[("", "Online or in person"), *DeliveryMode.choices]
    )

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.months = {f"{month:%Y-%m}": month for month in months}
        self.fields["month"].choices = [("", "Any month")] + [(key, f"{m:%B %Y}") for key, m in self.months.items()]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def filters(self):
        """The valid filters as keyword arguments for selectors.listed_runs; invalid ones are ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "course": data.get("course"),
            "month": self.months.get(data.get("month") or ""),
            "mode": data.get("mode") or None,
        }


OTHER_BODY = "__other__"


class ApplicationForm(forms.Form):
    """The course's entry questions, each with its evidence upload where one is asked for."""

    note = forms.CharField(
        label="Anything else the coordinators should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, requirements, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirements = [requirement for requirement in requirements if requirement.is_asked]
        note = self.fields.pop("note")
        for requirement in self.requirements:
            for name, field in self._fields_for(requirement):
                self.fields[name] = field
        self.fields["note"] = note

    def _fields_for(self, requirement):
        pk = requirement.pk
        help_text = requirement.help_text
        kind = requirement.answer_type
        if kind in (AnswerType.YES_NO, AnswerType.NO_NEEDED):
            yield (
                f"answer_{pk}",
                forms.TypedChoiceField(
                    label=requirement.question,
                    help_text=help_text,
                    choices=YES_NO_CHOICES,
                    coerce=lambda value: value == "yes",
                    widget=forms.RadioSelect,
                ),
            )
        elif kind == AnswerType.NUMBER:
            if requirement.unit and not help_text:
                help_text = f"In {requirement.unit}."
            yield (
                f"answer_{pk}",
                forms.DecimalField(
                    label=requirement.question, help_text=help_text, min_value=0, max_digits=10, decimal_places=2
                ),
            )
        elif kind == AnswerType.TEXT:
            yield f"answer_{pk}", forms.CharField(label=requirement.question, help_text=help_text, max_length=500)
        elif kind == AnswerType.REGISTRATION:
            choices = [("", "Choose…")] + [(body, body) for body in requirement.choice_list]
            if requirement.case_by_case:
                choices.append((OTHER_BODY, "Another body (the coordinators decide case by case)"))
            yield (
                f"answer_{pk}",
                forms.ChoiceField(label=requirement.question, help_text=help_text, choices=choices),
            )
            if requirement.case_by_case:
                yield (
                    f"other_{pk}",
                    forms.CharField(label="If another body: its name", required=False, max_length=100),
                )
            yield f"number_{pk}", forms.CharField(label="Registration number", max_length=100)
        if requirement.evidence != EvidenceRule.NONE:
            what = requirement.evidence_hint or "evidence"
            optional = "" if requirement.evidence == EvidenceRule.REQUIRED else " (optional)"
            yield (
                f"evidence_{pk}",
                forms.FileField(
                    label=f"Upload {what}{optional}",
                    required=requirement.evidence == EvidenceRule.REQUIRED,
                    validators=[validate_upload],
                    help_text=f"{ACCEPTED_TYPES}; at most {filesizeformat(settings.MAX_UPLOAD_SIZE)}.",
                    widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
                ),
            )

    def groups(self):
        """Each requirement with its bound fields, for one fieldset per requirement."""
        groups = []
        for requirement in self.requirements:
            names = [
                f"answer_{requirement.pk}",
                f"other_{requirement.pk}",
                f"number_{requirement.pk}",
                f"evidence_{requirement.pk}",
            ]
            groups.append((requirement, [self[name] for name in names if name in self.fields]))
        return groups

    def clean(self):
        data = super().clean()
        for requirement in self.requirements:
            pk = requirement.pk
            if data.get(f"answer_{pk}") == OTHER_BODY and not (data.get(f"other_{pk}") or "").strip():
                self.add_error(f"other_{pk}", "Name the body you are registered with.")
        return data

    def answer_inputs(self):
        data = self.cleaned_data
        inputs = []
        for requirement in self.requirements:
            pk = requirement.pk
            given = AnswerInput(requirement=requirement, evidence=data.get(f"evidence_{pk}") or None)
            value = data.get(f"answer_{pk}")
            kind = requirement.answer_type
            if kind in (AnswerType.YES_NO, AnswerType.NO_NEEDED):
                given.yes_no = value
            elif kind == AnswerType.NUMBER:
                given.number = value
            elif kind == AnswerType.TEXT:
                given.text = value or ""
            elif kind == AnswerType.REGISTRATION:
                given.registration_body = data.get(f"other_{pk}", "").strip() if value == OTHER_BODY else value or ""
                given.text = data.get(f"number_{pk}") or ""
            inputs.append(given)
        return inputs

    def add_failures(self, error):
        """Show a refused application's failed rules next to their questions."""
        shown = False
        for failure in error.failures:
            name = f"answer_{failure.requirement.pk}"
            if failure.about_evidence:
                name = f"evidence_{failure.requirement.pk}"
            if name in self.fields:
                self.add_error(name, failure.message[:1].upper() + failure.message[1:])
                shown = True
        if not error.failures or not shown:
            self.add_error(None, error.message)


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the applicant will see it)",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
    )


class CancellationForm(forms.Form):
    reason = forms.CharField(
        label="Reason (every applicant is e-mailed it)",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
    )


class CourseRunForm(forms.ModelForm):
    """The admin's run form. Capacity is set here only when the run is created; afterwards
    it, the days and the status change through their own admin pages and services."""

    class Meta:
        model = CourseRun
        fields = [
            "course",
            "label",
            "mode",
            "venue",
            "capacity",
            "application_deadline",
            "offer_days",
            "price",
            "notes",
            "joining_details",
        ]


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label="Number of places",
        min_value=1,
        max_value=32767,
        help_text="More places are offered to the waiting list in order; fewer than the places taken is refused.",
    )


class RunDayForm(forms.Form):
    day_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date = forms.DateField(required=False, widget=DateInput())
    starts_at = forms.TimeField(required=False, label="Starts", widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(required=False, label="Ends", widget=forms.TimeInput(attrs={"type": "time"}))
    remove = forms.BooleanField(required=False, label="Remove")

    def clean(self):
        data = super().clean()
        if data.get("day_id") and not data.get("date") and not data.get("remove"):
            self.add_error("date", "Give the day's date, or tick Remove.")
        if not data.get("day_id") and not data.get("date") and (data.get("starts_at") or data.get("ends_at")):
            self.add_error("date", "Give the new day's date.")
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The day must end after it starts.")
        return data


RunDayFormSet = forms.formset_factory(RunDayForm, extra=3)


def run_day_formset(run, data=None):
    initial = [
        {"day_id": day.pk, "date": day.date, "starts_at": day.starts_at, "ends_at": day.ends_at}
        for day in run.days.all()
    ]
    return RunDayFormSet(data, initial=initial, prefix="days")


def day_inputs(formset, run):
    """The formset's rows as DayInput for services.change_run_days."""
    days = {day.pk: day for day in run.days.all()}
    inputs = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data:
            continue
        day = days.get(data.get("day_id")) if data.get("day_id") else None
        inputs.append(
            DayInput(
                day=day,
                date=data.get("date"),
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
                remove=bool(data.get("remove")),
            )
        )
    return inputs


class AttendanceGridForm(forms.Form):
    """One checkbox per trainee and day, one role per trainer and day."""

    def __init__(self, *args, days, enrolments, trainers, attendance, trainer_days, **kwargs):
        super().__init__(*args, **kwargs)
        self.days, self.enrolments, self.trainers = days, enrolments, trainers
        today = timezone.localdate()
        self.open_days = [day for day in days if day.date <= today]
        for enrolment in enrolments:
            for day in days:
                label = f"{enrolment.trainee.name_and_email()} present on {day}"
                self.fields[f"present_{enrolment.pk}_{day.pk}"] = forms.BooleanField(
                    required=False,
                    initial=attendance.get((enrolment.pk, day.pk), False),
                    disabled=day.date > today,
                    label=label,
                    widget=forms.CheckboxInput(attrs={"aria-label": label}),
                )
        for run_trainer in trainers:
            for day in days:
                # Recorded only when marked: an empty cell records nothing, a future day
                # cannot be marked yet.
                label = f"{run_trainer.trainer.name_and_email()}'s role on {day}"
                self.fields[f"trainer_{run_trainer.pk}_{day.pk}"] = forms.ChoiceField(
                    required=False,
                    choices=[("", "—"), *TrainerRole.choices],
                    # A day not recorded yet starts from the trainer's role on the run.
                    initial=trainer_days.get((run_trainer.pk, day.pk), run_trainer.role if day.date <= today else ""),
                    disabled=day.date > today,
                    label=label,
                    widget=forms.Select(attrs={"aria-label": label}),
                )

    def attendance_rows(self):
        return [
            (enrolment, [self[f"present_{enrolment.pk}_{day.pk}"] for day in self.days])
            for enrolment in self.enrolments
        ]

    def trainer_rows(self):
        return [(rt, [self[f"trainer_{rt.pk}_{day.pk}"] for day in self.days]) for rt in self.trainers]

    def marks(self):
        return {
            (enrolment.pk, day.pk): bool(self.cleaned_data[f"present_{enrolment.pk}_{day.pk}"])
            for enrolment in self.enrolments
            for day in self.open_days
        }

    def trainer_roles(self):
        return {
            (rt.pk, day.pk): self.cleaned_data[f"trainer_{rt.pk}_{day.pk}"] or ""
            for rt in self.trainers
            for day in self.open_days
        }
