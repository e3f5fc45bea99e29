"""Coordinators' side: the catalogue and runs as plain admin editing; every decision on an
application, attendance and completion through the services."""

import csv
import itertools

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import DecimalField, F, Min, OuterRef, Q, Sum
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify

from dit_portal import todo
from dit_portal.admin_audit import AuditedAdminMixin
from dit_portal.admin_hooks import HookedActionsMixin
from dit_portal.paginators import CheapCountPaginator
from members.search import matching_people

from . import selectors, services
from .eligibility import requirement_checks
from .enums import ATTENDING_STATES, EnrolmentAction, EnrolmentStatus, RunStatus
from .forms import (
    AttendanceGridForm,
    CancellationForm,
    CapacityForm,
    CourseRunForm,
    RejectionForm,
    day_inputs,
    run_day_formset,
)
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
        ("Rule", {"fields": [("minimum", "unit"), "choices", "credential_kind", "case_by_case"]}),
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
            {
                "fields": [
                    "length",
                    "level",
                    "accrediting_body",
                    "audience",
                    "leads_to",
                    "leads_to_credential",
                    "pathway_role",
                ]
            },
        ),
        ("Completion", {"fields": ["completion_min_attendance_percent", "counts_as_cpd_event"]}),
        ("For trainees with a place", {"fields": ["payment_instructions"]}),
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
    """A new run's days; afterwards they change on the run's "Change days" page."""

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
class CourseRunAdmin(HookedActionsMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["run", "starts_on", "status", "places", "shortcuts", "application_deadline"]
    list_display_links = ["run"]
    list_filter = ["status", "course", "mode"]
    list_select_related = ["course"]
    search_fields = ["^label", "^course__title", "^venue"]
    search_help_text = "The start of a run's label, its course's title or its venue."
    show_full_result_count = False
    paginator = CheapCountPaginator
    readonly_fields = ["status", "shortcuts", "days_summary", "cancellation_reason"]
    # Capacity, days and status carry rules: after creation they change only through the
    # services, from the actions and the "Change places" / "Change days" pages.
    rule_fields = ["capacity"]
    actions = ["open_runs", "close_runs", "cancel_runs", "offer_free_places", "record_completion"]
    form = CourseRunForm
    fieldsets = [
        (None, {"fields": ["course", "label", "status", "shortcuts"]}),
        ("Where", {"fields": ["mode", "venue"]}),
        ("Places and days", {"fields": ["capacity", "days_summary", "application_deadline", "offer_days", "price"]}),
        ("Shown on the run's page", {"fields": ["notes", "cancellation_reason"]}),
        ("For trainees with a place", {"fields": ["joining_details"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (name, {"fields": [f for f in opts["fields"] if f not in ("days_summary", "cancellation_reason")]})
                for name, opts in self.fieldsets
            ]
        return self.fieldsets

    def get_inlines(self, request, obj):
        return [RunDayInline, RunTrainerInline] if obj is None else [RunTrainerInline]

    def get_queryset(self, request):
        return selectors.with_run_facts(super().get_queryset(request))

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/capacity/",
                self.admin_site.admin_view(self.capacity_view),
                name="trainings_courserun_capacity",
            ),
            path(
                "<path:object_id>/days/",
                self.admin_site.admin_view(self.days_view),
                name="trainings_courserun_days",
            ),
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

    @admin.display(description="Run", ordering="label")
    def run(self, run):
        return format_html("{}<br><small>{} · {}</small>", run.label, run.course, run.get_mode_display())

    @admin.display(description="First day", ordering="starts_on")
    def starts_on(self, run):
        return run.starts_on

    @admin.display(description="Places taken")
    def places(self, run):
        waiting = f", {run.waitlist_length} waiting" if run.waitlist_length else ""
        return f"{run.places_taken} / {run.capacity}{waiting}"

    @admin.display(description="Days")
    def days_summary(self, run):
        days = ", ".join(str(day) for day in run.days.all()) or "No days yet."
        link = reverse("admin:trainings_courserun_days", args=[run.pk])
        capacity = reverse("admin:trainings_courserun_capacity", args=[run.pk])
        return format_html('{} <br><a href="{}">Change days</a> · <a href="{}">Change places</a>', days, link, capacity)

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

    def _run_for_change(self, request, object_id):
        run = get_object_or_404(CourseRun.objects.select_related("course"), pk=object_id)
        if not self.has_change_permission(request, run):
            raise PermissionDenied
        return run

    def _page(self, request, run, title, template, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{title}: {run}",
            "run": run,
            "original": run,
            **context,
        }
        return TemplateResponse(request, template, context)

    def capacity_view(self, request, object_id):
        """Change a run's number of places through the service (waiting list offers, reopening)."""
        run = self._run_for_change(request, object_id)
        form = CapacityForm(request.POST or None, initial={"capacity": run.capacity})
        if request.method == "POST" and form.is_valid():
            try:
                run, offered = services.change_capacity(run, form.cleaned_data["capacity"], by=request.user)
            except services.TrainingError as error:
                form.add_error("capacity", error.message)
            else:
                message = f"{run} now has {run.capacity} places."
                if offered:
                    message += f" {len(offered)} offered to the waiting list in order."
                self.message_user(request, message, messages.SUCCESS)
                return redirect("admin:trainings_courserun_change", run.pk)
        facts = selectors.with_run_facts(CourseRun.objects.filter(pk=run.pk)).get()
        return self._page(request, run, "Change places", "trainings/admin/run_capacity.html", form=form, facts=facts)

    def days_view(self, request, object_id):
        """Add, move and remove a run's days through the service (e-mails to place holders)."""
        run = self._run_for_change(request, object_id)
        formset = run_day_formset(run, request.POST or None)
        if request.method == "POST" and formset.is_valid():
            try:
                changed = services.change_run_days(run, days=day_inputs(formset, run), by=request.user)
            except services.TrainingError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                if changed:
                    self.message_user(
                        request,
                        f"{run}: {changed} day{'s' if changed != 1 else ''} changed; "
                        "everyone holding a place has been e-mailed the new dates.",
                        messages.SUCCESS,
                    )
                else:
                    self.message_user(request, "Nothing changed.", messages.INFO)
                return redirect("admin:trainings_courserun_change", run.pk)
        recorded = set(Attendance.objects.filter(day__run=run).values_list("day_id", flat=True)) | set(
            TrainerDay.objects.filter(day__run=run).values_list("day_id", flat=True)
        )
        return self._page(
            request, run, "Change days", "trainings/admin/run_days.html", formset=formset, recorded=recorded
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
            request.POST if request.method == "POST" else None,  # all unticked posts nothing but a token
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


class _Echo:
    """The file-like object csv.writer writes to: hands each line straight back."""

    def write(self, value):
        return value


CSV_CHUNK_SIZE = 2000


def enrolments_csv(enrolments, filename):
    """Stream the applications as CSV in constant memory: one query for the question
    columns, then the rows in chunks read as plain values (no model objects), each chunk's
    answers in one more query. 100,000 applications take a few seconds."""
    enrolments = enrolments.order_by()
    questions = list(
        EnrolmentAnswer.objects.filter(enrolment__in=enrolments.values("pk"))
        .values("question")
        .annotate(first=Min("pk"))
        .order_by("first")
        .values_list("question", flat=True)
    )
    statuses = dict(EnrolmentStatus.choices)
    rows = (
        enrolments.annotate(
            days_attended=selectors.count_of(
                Attendance.objects.filter(enrolment=OuterRef("pk"), present=True), "enrolment"
            )
        )
        .order_by("run", "status", "waitlist_position", "applied_at", "pk")
        .values_list(
            "pk",
            "run__course__title",
            "run__label",
            "trainee__full_name",
            "trainee__email",
            "status",
            "applied_at",
            "decided_at",
            "decided_by__full_name",
            "decided_by__email",
            "waitlist_position",
            "offer_expires_at",
            "days_attended",
            "rejection_reason",
            "applicant_note",
        )
    )
    writer = csv.writer(_Echo())

    def answers_of(chunk):
        found = {}
        for answer in EnrolmentAnswer.objects.filter(enrolment_id__in=[row[0] for row in chunk]).only(
            "enrolment_id", "question", "yes_no", "number", "registration_body", "text"
        ):
            found.setdefault(answer.enrolment_id, {})[answer.question] = answer.display_value
        return found

    def lines():
        yield writer.writerow(
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
                *[_cell(question) for question in questions],
            ]
        )
        iterator = rows.iterator(chunk_size=CSV_CHUNK_SIZE)
        while chunk := list(itertools.islice(iterator, CSV_CHUNK_SIZE)):
            answers = answers_of(chunk) if questions else {}
            for (
                pk,
                course,
                label,
                name,
                email,
                status,
                applied_at,
                decided_at,
                decider_name,
                decider_email,
                waitlist_position,
                offer_expires_at,
                days_attended,
                rejection_reason,
                applicant_note,
            ) in chunk:
                given = answers.get(pk, {})
                yield writer.writerow(
                    [
                        _cell(value)
                        for value in [
                            f"{course}: {label}",
                            name,
                            email,
                            statuses.get(status, status),
                            _local(applied_at),
                            _local(decided_at),
                            decider_name or decider_email or "",
                            waitlist_position or "",
                            _local(offer_expires_at),
                            days_attended,
                            rejection_reason,
                            applicant_note,
                            *[given.get(question, "") for question in questions],
                        ]
                    ]
                )

    response = StreamingHttpResponse(_in_blocks(lines()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _in_blocks(lines, size=64 * 1024):
    """The lines joined into blocks of about `size` characters: a block per write to the
    client instead of a write per row (100,000 rows took 21 s a row at a time under gunicorn)."""
    block, length = [], 0
    for line in lines:
        block.append(line)
        length += len(line)
        if length >= size:
            yield "".join(block)
            block, length = [], 0
    if block:
        yield "".join(block)


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class RecentRunFilter(admin.RelatedFieldListFilter):
    """The most recent runs only (a run's page links to all of its applications), so the
    filter stays short however many runs there have been; a chosen older run stays listed."""

    LIMIT = 15

    def field_choices(self, field, request, model_admin):
        runs = CourseRun.objects.select_related("course").order_by("-application_deadline", "-id")
        choices = [(run.pk, str(run)) for run in runs[: self.LIMIT]]
        chosen = self.lookup_val[0] if self.lookup_val else None
        if chosen and str(chosen).isdigit() and int(chosen) not in {pk for pk, _label in choices}:
            choices += [(run.pk, str(run)) for run in runs.filter(pk=int(chosen))]
        return choices


class ApplicationSearchMixin:
    """Search by the applicant (members.search: any part of the name, the start of the
    e-mail), the start of the run's label or of the course title, each resolved on its own
    table first: never `%q%` across joined tables."""

    search_help_text = "An applicant's surname or any part of their name, the start of their e-mail address, a run's label or a course title."
    SEARCH_ID_LIMIT = 1000

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        trainees = matching_people(term).values("pk")
        runs = CourseRun.objects.filter(Q(label__istartswith=term) | Q(course__title__istartswith=term)).values("pk")
        # The matching ids first (each an index scan), so the applications are found by
        # their own trainee and run indexes; a very broad term keeps the subqueries.
        trainee_ids = list(trainees.values_list("pk", flat=True)[: self.SEARCH_ID_LIMIT + 1])
        run_ids = list(runs.values_list("pk", flat=True)[: self.SEARCH_ID_LIMIT + 1])
        if len(trainee_ids) > self.SEARCH_ID_LIMIT or len(run_ids) > self.SEARCH_ID_LIMIT:
            return queryset.filter(Q(trainee__in=trainees) | Q(run__in=runs)), False
        return queryset.filter(Q(trainee_id__in=trainee_ids) | Q(run_id__in=run_ids)), False


@admin.register(Enrolment)
class EnrolmentAdmin(ApplicationSearchMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["applicant", "status", "run_link", "place", "applied_at"]
    list_display_links = ["applicant"]
    list_filter = ["status", ("run", RecentRunFilter), "run__course"]
    list_select_related = ["trainee", "run__course"]
    search_fields = ["trainee__email"]  # shows the search box; get_search_results does the search
    ordering = ["-applied_at", "-id"]
    show_full_result_count = False
    paginator = CheapCountPaginator
    actions = ["accept_selected", "waitlist_selected", "reject_selected", "offer_place_selected", "export_csv"]
    change_form_template = "trainings/admin/enrolment_change_form.html"
    view_on_site = False  # the public page of an application is the trainee's own
    fieldsets = [
        (None, {"fields": ["trainee", "run", "status", "applied_at", "applicant_note"]}),
        (
            "Decision",
            {"fields": ["case_by_case_reasons", "decided_at", "decided_by", "rejection_reason", "waitlist_position"]},
        ),
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
        "waitlist_position",
        "case_by_case_reasons",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The decision page: the applicant's answers against each entry requirement, then
        the decision buttons the transition table allows, then the internal fields."""
        enrolment = self.get_object(request, object_id)
        if enrolment is not None:
            answers = {answer.requirement_id: answer for answer in enrolment.answers.all() if answer.requirement_id}
            requirements = list(enrolment.run.course.requirements.all())
            extra_context = {
                **(extra_context or {}),
                "requirement_checks": requirement_checks(requirements, answers, enrolment.trainee),
                "former_answers": [answer for answer in enrolment.answers.all() if answer.requirement_id is None],
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="trainings_enrolment_decide",
            ),
        ]
        return urls + super().get_urls()

    @admin.display(description="Applicant", ordering="trainee__full_name")
    def applicant(self, enrolment):
        return format_html("{}<br><small>{}</small>", enrolment.trainee.full_name or "—", enrolment.trainee.email)

    @admin.display(description="Run", ordering="run")
    def run_link(self, enrolment):
        url = reverse("admin:trainings_courserun_change", args=[enrolment.run_id])
        return format_html('<a href="{}">{}</a><br><small>{}</small>', url, enrolment.run.label, enrolment.run.course)

    @admin.display(description="Place")
    def place(self, enrolment):
        if enrolment.waitlist_position:
            return f"Waiting list, position {enrolment.waitlist_position}"
        if enrolment.offer_expires_at and enrolment.can(EnrolmentAction.ACCEPT_OFFER):
            return f"Offered until {timezone.localtime(enrolment.offer_expires_at):%-d %b %H:%M}"
        return "—"

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
            "undecidable": [e for e in queryset if not e.can(EnrolmentAction.REJECT)],
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


@todo.line_provider
def applications_todo(request):
    if not todo.may_view(request, Enrolment):
        return []
    waiting = Enrolment.objects.filter(status=EnrolmentStatus.APPLIED)
    return [
        todo.TodoLine(
            "applications awaiting a decision",
            todo.changelist(Enrolment, status__exact=EnrolmentStatus.APPLIED),
            todo.capped_count(waiting),
        )
    ]
