"""Coordinators' side: the catalogue and runs as plain admin editing; every decision on an
application, attendance and completion through the services."""

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import DecimalField, F, Prefetch, Sum
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify

from . import selectors, services
from .enums import ATTENDING_STATES, DECIDABLE_STATES, EnrolmentStatus, RunStatus
from .forms import AttendanceGridForm, CancellationForm, CourseRunForm, RejectionForm
from .models import (
    Attendance,
    Course,
    CourseFee,
    CourseRun,
    Enrolment,
    EnrolmentAnswer,
    EntryRequirement,
    RunDay,
    RunTrainer,
    TrainerDay,
)

# Course catalogue ----------------------------------------------------------------------


class CourseFeeInline(admin.TabularInline):
    model = CourseFee
    extra = 0
    fields = ["description", "quantity", "unit", "unit_price", "position"]


class EntryRequirementInline(admin.StackedInline):
    model = EntryRequirement
    extra = 0
    fieldsets = [
        (None, {"fields": [("title", "answer_type", "position"), "question", "help_text"]}),
        ("Rule", {"fields": [("minimum", "unit"), "choices", "credential_kind"]}),
        ("Evidence", {"fields": [("evidence", "evidence_hint")]}),
    ]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "length", "accrediting_body", "total_fees", "is_published", "position"]
    list_editable = ["is_published", "position"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [EntryRequirementInline, CourseFeeInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "is_published", "position"]}),
        (
            "What it is",
            {"fields": ["length", "level", "accrediting_body", "audience", "leads_to", "leads_to_credential"]},
        ),
        ("Completion", {"fields": ["completion_min_attendance_percent", "counts_as_cpd_event"]}),
    ]

    def get_queryset(self, request):
        money = DecimalField(max_digits=12, decimal_places=2)
        return (
            super()
            .get_queryset(request)
            .annotate(fee_total=Sum(F("fees__quantity") * F("fees__unit_price"), output_field=money))
        )

    @admin.display(description="Fees (GBP)", ordering="fee_total")
    def total_fees(self, course):
        return f"{course.fee_total:,.2f}" if course.fee_total is not None else "—"


# Runs ---------------------------------------------------------------------------------


class RunDayInline(admin.TabularInline):
    model = RunDay
    extra = 0
    min_num = 1
    fields = ["date", "starts_at", "ends_at"]


class RunTrainerInline(admin.TabularInline):
    model = RunTrainer
    extra = 0
    fields = ["trainer", "role"]
    autocomplete_fields = ["trainer"]


@admin.register(CourseRun)
class CourseRunAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "course",
        "starts_on",
        "mode",
        "status",
        "application_deadline",
        "places",
        "waitlist_length",
        "shortcuts",
    ]
    list_filter = ["status", "course", "mode"]
    list_select_related = ["course"]
    search_fields = ["label", "course__title", "venue"]
    inlines = [RunDayInline, RunTrainerInline]
    readonly_fields = ["status", "shortcuts"]
    actions = ["open_runs", "close_runs", "cancel_runs", "offer_free_places", "record_completion"]
    form = CourseRunForm
    fieldsets = [
        (None, {"fields": ["course", "label", "status", "shortcuts"]}),
        ("Where", {"fields": ["mode", "venue"]}),
        ("Places", {"fields": ["capacity", "application_deadline", "offer_days", "price"]}),
        ("Shown on the run's page", {"fields": ["notes"]}),
    ]

    def get_queryset(self, request):
        return selectors.with_run_facts(super().get_queryset(request))

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/attendance/",
                self.admin_site.admin_view(self.attendance_view),
                name="trainings_courserun_attendance",
            ),
            path(
                "<path:object_id>/applications.csv",
                self.admin_site.admin_view(self.applications_csv_view),
                name="trainings_courserun_applications_csv",
            ),
        ]
        return urls + super().get_urls()

    @admin.display(description="First day", ordering="starts_on")
    def starts_on(self, run):
        return run.starts_on

    @admin.display(description="Places taken")
    def places(self, run):
        return f"{run.places_taken} / {run.capacity}"

    @admin.display(description="Waiting")
    def waitlist_length(self, run):
        return run.waitlist_length

    @admin.display(description="Applications and attendance")
    def shortcuts(self, run):
        if not run.pk:
            return "Save the run first."
        links = [
            (reverse("admin:trainings_enrolment_changelist") + f"?run__id__exact={run.pk}", "Applications"),
            (reverse("admin:trainings_courserun_applications_csv", args=[run.pk]), "CSV"),
            (reverse("admin:trainings_courserun_attendance", args=[run.pk]), "Attendance"),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def _change_status(self, request, queryset, status, done, reason=""):
        for run in queryset.select_related("course"):
            try:
                services.change_run_status(run, status, by=request.user, reason=reason)
            except services.TrainingError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"{run}: {done}.", messages.SUCCESS)

    @admin.action(description="Open selected runs for applications", permissions=["change"])
    def open_runs(self, request, queryset):
        self._change_status(request, queryset, RunStatus.OPEN, "open for applications")

    @admin.action(description="Close applications on selected runs", permissions=["change"])
    def close_runs(self, request, queryset):
        self._change_status(request, queryset, RunStatus.CLOSED, "applications closed")

    @admin.action(description="Cancel selected runs…", permissions=["change"])
    def cancel_runs(self, request, queryset):
        form = CancellationForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._change_status(
                request, queryset, RunStatus.CANCELLED, "cancelled; applicants e-mailed", form.cleaned_data["reason"]
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Cancel runs",
            "runs": queryset.select_related("course"),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "trainings/admin/cancel_runs.html", context)

    @admin.action(description="Offer free places to the waiting list", permissions=["change"])
    def offer_free_places(self, request, queryset):
        offered = 0
        for run in queryset:
            try:
                offered += len(services.offer_free_places(run, by=request.user))
            except services.TrainingError as error:
                self.message_user(request, error.message, messages.ERROR)
        self.message_user(request, f"{offered} place{'s' if offered != 1 else ''} offered.", messages.SUCCESS)

    @admin.action(description="Record completion from attendance", permissions=["change"])
    def record_completion(self, request, queryset):
        for run in queryset:
            try:
                results = services.complete_run(run, by=request.user)
            except services.TrainingError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{run}: {results[EnrolmentStatus.COMPLETED]} completed, "
                    f"{results[EnrolmentStatus.NOT_COMPLETED]} did not complete.",
                    messages.SUCCESS,
                )

    def attendance_view(self, request, object_id):
        run = get_object_or_404(CourseRun.objects.select_related("course"), pk=object_id)
        if not self.has_change_permission(request, run):
            raise PermissionDenied
        days = list(run.days.all())
        enrolments = list(
            run.enrolments.filter(status__in=ATTENDING_STATES)
            .select_related("trainee")
            .order_by("trainee__full_name", "trainee__email")
        )
        trainers = list(run.trainers.select_related("trainer").order_by("role", "trainer__full_name"))
        attendance = {(row.enrolment_id, row.day_id): row.present for row in Attendance.objects.filter(day__run=run)}
        trainer_days = {
            (row.run_trainer_id, row.day_id): row.role for row in TrainerDay.objects.filter(run_trainer__run=run)
        }
        form = AttendanceGridForm(
            request.POST or None,
            days=days,
            enrolments=enrolments,
            trainers=trainers,
            attendance=attendance,
            trainer_days=trainer_days,
        )
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    changed = services.record_attendance(run, marks=form.marks(), by=request.user)
                    changed += services.record_trainer_days(run, roles=form.trainer_roles(), by=request.user)
                    results = services.complete_run(run, by=request.user) if "_complete" in request.POST else None
            except services.TrainingError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"Register saved ({changed} change{'s' if changed != 1 else ''}).")
                if results is not None:
                    self.message_user(
                        request,
                        f"Completion recorded: {results[EnrolmentStatus.COMPLETED]} completed, "
                        f"{results[EnrolmentStatus.NOT_COMPLETED]} did not complete.",
                    )
                return redirect("admin:trainings_courserun_attendance", run.pk)
        for enrolment in enrolments:
            enrolment.days_present = sum(attendance.get((enrolment.pk, day.pk), False) for day in days)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Attendance: {run}",
            "run": run,
            "form": form,
            "days": days,
            "days_needed": run.course.days_needed_to_complete(len(days)),
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "trainings/admin/attendance.html", context)

    def applications_csv_view(self, request, object_id):
        run = get_object_or_404(CourseRun.objects.select_related("course"), pk=object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        enrolments = run.enrolments.all()
        return enrolments_csv(enrolments, f"applications-{slugify(str(run))}.csv")


# Applications --------------------------------------------------------------------------


def _cell(value):
    """Keep spreadsheet programs from reading a cell as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def enrolments_csv(enrolments, filename):
    enrolments = list(
        enrolments.select_related("trainee", "run__course", "decided_by")
        .prefetch_related("answers", Prefetch("attendance", queryset=Attendance.objects.filter(present=True)))
        .order_by("run", "status", "waitlist_position", "applied_at", "pk")
    )
    questions = []
    for enrolment in enrolments:
        for answer in enrolment.answers.all():
            if answer.question not in questions:
                questions.append(answer.question)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Run",
            "Name",
            "E-mail",
            "Status",
            "Applied",
            "Decided",
            "Decided by",
            "Waiting list position",
            "Offer expires",
            "Days attended",
            "Reason not accepted",
            "Note from the applicant",
            *questions,
        ]
    )
    for enrolment in enrolments:
        answers = {answer.question: answer.display_value for answer in enrolment.answers.all()}
        writer.writerow(
            [
                _cell(value)
                for value in [
                    enrolment.run,
                    enrolment.trainee.full_name,
                    enrolment.trainee.email,
                    enrolment.get_status_display(),
                    _local(enrolment.applied_at),
                    _local(enrolment.decided_at),
                    enrolment.decided_by or "",
                    enrolment.waitlist_position or "",
                    _local(enrolment.offer_expires_at),
                    len(enrolment.attendance.all()),
                    enrolment.rejection_reason,
                    enrolment.applicant_note,
                    *[answers.get(question, "") for question in questions],
                ]
            ]
        )
    return response


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class EnrolmentAnswerInline(admin.TabularInline):
    model = EnrolmentAnswer
    extra = 0
    can_delete = False
    fields = ["question", "answer", "evidence_link"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Answer")
    def answer(self, answer):
        return answer.display_value

    @admin.display(description="Evidence")
    def evidence_link(self, answer):
        if not answer.evidence:
            return "—"
        return format_html('<a href="{}">{}</a>', answer.get_evidence_url(), answer.evidence_name or "Download")


class RunFilter(admin.RelatedOnlyFieldListFilter):
    """Runs that have applications, named with their course in one query."""

    def field_choices(self, field, request, model_admin):
        with_applications = model_admin.get_queryset(request).values("run")
        runs = CourseRun.objects.filter(pk__in=with_applications).select_related("course")
        return [(run.pk, str(run)) for run in runs.order_by("-application_deadline", "pk")]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["trainee", "email", "run", "status", "applied_at", "waitlist_position", "offer_expires_at"]
    list_filter = ["status", ("run", RunFilter), "run__course"]
    list_select_related = ["trainee", "run__course"]
    search_fields = ["trainee__email", "trainee__full_name", "run__label", "run__course__title"]
    ordering = ["-applied_at", "-id"]
    actions = ["accept_selected", "waitlist_selected", "reject_selected", "offer_place_selected", "export_csv"]
    inlines = [EnrolmentAnswerInline]
    change_form_template = "trainings/admin/enrolment_change_form.html"
    view_on_site = False  # the public page of an application is the trainee's own
    fieldsets = [
        (None, {"fields": ["trainee", "run", "status", "applied_at", "applicant_note"]}),
        ("Decision", {"fields": ["decided_at", "decided_by", "rejection_reason", "waitlist_position"]}),
        ("Offer and end", {"fields": ["offered_at", "offer_expires_at", "ended_at"]}),
        ("Internal", {"fields": ["staff_notes"]}),
    ]
    readonly_fields = [
        "trainee",
        "run",
        "status",
        "applied_at",
        "applicant_note",
        "decided_at",
        "decided_by",
        "rejection_reason",
        "offered_at",
        "offer_expires_at",
        "ended_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="trainings_enrolment_decide",
            ),
        ]
        return urls + super().get_urls()

    @admin.display(description="E-mail", ordering="trainee__email")
    def email(self, enrolment):
        return enrolment.trainee.email

    def _apply(self, request, queryset, service, done, **kwargs):
        succeeded, failed = 0, []
        for enrolment in queryset.select_related("trainee", "run__course").order_by(
            "waitlist_position", "applied_at", "pk"
        ):
            try:
                service(enrolment, by=request.user, **kwargs)
            except services.TrainingError as error:
                failed.append(error.message)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(
                request, f"{succeeded} application{'s' if succeeded != 1 else ''} {done}.", messages.SUCCESS
            )
        for message in failed:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description="Accept selected applications", permissions=["change"])
    def accept_selected(self, request, queryset):
        self._apply(request, queryset, services.accept_enrolment, "accepted")

    @admin.action(description="Put selected applications on the waiting list", permissions=["change"])
    def waitlist_selected(self, request, queryset):
        self._apply(request, queryset, services.waitlist_enrolment, "put on the waiting list")

    @admin.action(description="Offer a place to selected waitlisted applicants", permissions=["change"])
    def offer_place_selected(self, request, queryset):
        self._apply(request, queryset, services.offer_place, "offered a place")

    @admin.action(description="Reject selected applications…", permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._apply(request, queryset, services.reject_enrolment, "rejected", reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Reject applications",
            "enrolments": queryset.select_related("trainee", "run__course"),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "undecidable": [e for e in queryset if e.status not in DECIDABLE_STATES],
        }
        return TemplateResponse(request, "trainings/admin/reject_applications.html", context)

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return enrolments_csv(queryset, f"applications-{timezone.localdate():%Y-%m-%d}.csv")

    def decide_view(self, request, object_id):
        """One decision from the application's own page; the services check the rules."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        enrolment = get_object_or_404(Enrolment, pk=object_id)
        if not self.has_change_permission(request, enrolment):
            raise PermissionDenied
        decisions = {
            "accept": (services.accept_enrolment, {}, "accepted"),
            "waitlist": (services.waitlist_enrolment, {}, "put on the waiting list"),
            "offer": (services.offer_place, {}, "offered a place"),
            "reject": (services.reject_enrolment, {"reason": request.POST.get("reason", "")}, "rejected"),
        }
        change_url = reverse("admin:trainings_enrolment_change", args=[enrolment.pk])
        if request.POST.get("decision") not in decisions:
            self.message_user(request, "Choose a decision.", messages.ERROR)
            return HttpResponseRedirect(change_url)
        service, kwargs, done = decisions[request.POST["decision"]]
        try:
            service(enrolment, by=request.user, **kwargs)
        except services.TrainingError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, f"The application by {enrolment.trainee} was {done}.", messages.SUCCESS)
        return HttpResponseRedirect(change_url)
