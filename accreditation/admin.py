"""Coordinators' side of accreditation: thresholds (audited edits), role-play results
(recorded through the service), case-study review (assessor and decision through the
services), the "ready to accredit" queue with granting, and the yearly maintenance list."""

import threading

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from dit_portal import todo
from dit_portal.admin_site import person_column
from dit_portal.audit import entries_for
from members.enums import CredentialKind
from members.models import User
from members.search import PersonSearchMixin

from . import maintenance, readiness, selectors, services
from .enums import CaseStudyStatus
from .forms import AssessorForm, CaseStudyDecisionForm, RolePlayResultForm, VoidForm
from .models import Candidate, CaseStudySubmission, MaintenanceResult, RolePlayResult, SupportLetter, Threshold
from .pathways import Records, checklist


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = ["label", "value", "unit", "key", "updated_at"]
    search_fields = ["label", "key"]
    fields = ["key", "label", "value", "unit", "help_text", "updated_at"]
    readonly_fields = ["key", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RolePlayResult)
class RolePlayResultAdmin(PersonSearchMixin, admin.ModelAdmin):
    """A result is recorded once, through the service; a later attempt is a new result."""

    list_display = [person_column("person"), "attempt", "outcome", "assessed_on", "retake_by", "recorded_by", "void"]
    list_filter = ["outcome"]
    search_fields = ["person__email", "person__full_name"]
    person_search_fields = ["person"]
    list_select_related = ["person", "recorded_by"]
    autocomplete_fields = ["person"]
    form = RolePlayResultForm
    actions = ["void_results"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return RolePlayResultForm._meta.fields
        return [
            "person_with_email",
            "attempt",
            "outcome",
            "assessed_on",
            "retake_by",
            "feedback",
            "recorded_by",
            "recorded_at",
            "voided_at",
            "voided_by",
            "void_reason",
        ]

    @admin.display(description="Void", boolean=True)
    def void(self, result):
        return result.is_void

    def has_void_permission(self, request):
        return request.user.has_perm("accreditation.void_roleplayresult")

    @admin.action(description="Void the selected results (recorded in error)…", permissions=["void"])
    def void_results(self, request, queryset):
        """A wrong result is never edited: voided with a reason, the person e-mailed."""
        results = list(queryset.select_related("person"))
        form = VoidForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            voided = 0
            for result in results:
                try:
                    services.void_role_play(result, reason=form.cleaned_data["reason"], by=request.user)
                    voided += 1
                except services.AccreditationError as error:
                    self.message_user(request, f"{result}: {error.message}", messages.ERROR)
            if voided:
                self.message_user(
                    request,
                    f"Voided {voided} result{'s' if voided != 1 else ''}; each person is e-mailed.",
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Void role-play results",
            "results": results,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "accreditation/admin/void_role_plays.html", context)

    person_with_email = person_column("person")

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        try:
            result = services.record_role_play(
                data["person"],
                outcome=data["outcome"],
                assessed_on=data["assessed_on"],
                retake_by=data["retake_by"],
                feedback=data["feedback"],
                by=request.user,
            )
        except services.AccreditationError as error:
            raise ValidationError(error.message) from error
        obj.pk = result.pk
        obj.attempt = result.attempt
        obj._state.adding = False

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(CaseStudySubmission)
class CaseStudySubmissionAdmin(PersonSearchMixin, admin.ModelAdmin):
    """Review: assign an assessor, then pass, refer or fail, once."""

    list_display = [person_column("person"), "number", "status", "submitted_at", "assessor", "decided_by", "decided_at"]
    list_filter = ["status", ("assessor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["person__email", "person__full_name"]
    person_search_fields = ["person"]
    list_select_related = ["person", "assessor", "decided_by"]
    ordering = ["-submitted_at", "-id"]
    change_form_template = "accreditation/admin/case_study_change_form.html"
    fields = [
        "person_with_email",
        "number",
        "file_link",
        "submitted_at",
        "status",
        "assessor",
        "decided_by",
        "decided_at",
        "feedback",
        "resubmit_by",
        "history",
    ]
    readonly_fields = fields
    person_with_email = person_column("person")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="File")
    def file_link(self, submission):
        if not submission.file:
            return f"{submission.file_name} (deleted after its retention period)"
        return format_html('<a href="{}">{}</a>', submission.get_file_url(), submission.file_name)

    @admin.display(description="Audit log")
    def history(self, submission):
        entries = entries_for(submission)[:20]
        return (
            format_html_join(
                "",
                "<div>{} · {} · {}</div>",
                (
                    (timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"), e.action, e.actor or "system")
                    for e in entries
                ),
            )
            or "—"
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="accreditation_casestudysubmission_review",
            )
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if submission is not None:
            extra_context["decision_form"] = CaseStudyDecisionForm()
            extra_context["assessor_form"] = AssessorForm(
                initial={"assessor": submission.assessor_id}, exclude=submission.person
            )
            extra_context["may_review"] = self.has_change_permission(request, submission) and bool(
                submission.open_decisions
            )
            # Every field is read-only: the review forms above are the page's only actions.
            extra_context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().change_view(request, object_id, form_url, extra_context)

    def review_view(self, request, object_id):
        """POST only: assign the assessor, or decide; both through the services."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        submission = self.get_object(request, object_id)
        if submission is None:
            raise Http404
        if not self.has_change_permission(request, submission):
            raise PermissionDenied
        change_url = reverse("admin:accreditation_casestudysubmission_change", args=[submission.pk])
        try:
            if "assign" in request.POST:
                form = AssessorForm(request.POST, exclude=submission.person)
                if not form.is_valid():
                    raise services.AccreditationError("Choose an assessor from the list.")
                services.assign_assessor(submission, assessor=form.cleaned_data["assessor"], by=request.user)
                self.message_user(request, "Assessor saved.", messages.SUCCESS)
            else:
                form = CaseStudyDecisionForm(request.POST)
                if not form.is_valid():
                    raise services.AccreditationError(
                        " ".join(error for errors in form.errors.values() for error in errors)
                    )
                decided = services.decide_case_study(
                    submission,
                    decision=form.cleaned_data["decision"],
                    feedback=form.cleaned_data["feedback"],
                    resubmit_by=form.cleaned_data["resubmit_by"],
                    by=request.user,
                )
                self.message_user(
                    request,
                    f"Case study {decided.number} of {decided.person}: {decided.get_status_display().lower()}.",
                    messages.SUCCESS,
                )
        except services.AccreditationError as error:
            self.message_user(request, error.message, messages.ERROR)
        return HttpResponseRedirect(change_url)


@admin.register(SupportLetter)
class SupportLetterAdmin(PersonSearchMixin, admin.ModelAdmin):
    list_display = ["person", "writer", "writer_name", "uploaded_at"]
    list_filter = ["writer"]
    search_fields = ["person__email", "person__full_name", "writer_name"]
    person_search_fields = ["person"]
    prefix_search_fields = ["writer_name"]
    list_select_related = ["person"]
    fields = ["person", "writer", "writer_name", "file_link", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="File")
    def file_link(self, letter):
        if not letter.file:
            return f"{letter.file_name} (deleted after its retention period)"
        return format_html('<a href="{}">{}</a>', letter.get_file_url(), letter.file_name)


class PassedFilter(admin.SimpleListFilter):
    title = "result"
    parameter_name = "passed"

    def lookups(self, request, model_admin):
        return [("yes", "Met"), ("no", "Not met")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(passed=self.value() == "yes")
        return queryset


@admin.register(MaintenanceResult)
class MaintenanceResultAdmin(PersonSearchMixin, admin.ModelAdmin):
    """The coordinators' maintenance list: results per person and year (read-only)."""

    list_display = ["person", "year", "passed", "not_met", "checked_at", "warned_at"]
    list_filter = ["year", PassedFilter]
    search_fields = ["person__email", "person__full_name"]
    person_search_fields = ["person"]
    list_select_related = ["person"]
    actions = ["recheck"]
    fields = ["person", "year", "passed", "item_list", "checked_at", "warned_at"]
    readonly_fields = fields
    show_full_result_count = False
    change_list_template = "accreditation/admin/maintenance_change_list.html"
    so_far_per_page = 25

    def get_urls(self):
        return [
            path(
                "so-far/",
                self.admin_site.admin_view(self.so_far_view),
                name="accreditation_maintenanceresult_so_far",
            )
        ] + super().get_urls()

    def so_far_view(self, request):
        """This year so far: everyone the January check would cover, checked up to today.
        Read-only: nothing is stored and nobody is e-mailed. The engine runs for the page
        shown only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        today = timezone.localdate()
        people = User.objects.filter(pk__in=maintenance.people_to_check(today.year, on=today)).order_by(
            "full_name", "email"
        )
        page = Paginator(people, self.so_far_per_page).get_page(request.GET.get("page"))
        checks = list(maintenance.check_many(page.object_list, today.year, today=today).values())
        context = {
            **self.admin_site.each_context(request),
            "title": f"Maintenance: {today.year} so far",
            "opts": self.model._meta,
            "today": today,
            "page": page,
            "checks": checks,
        }
        return TemplateResponse(request, "accreditation/admin/maintenance_so_far.html", context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="Not met")
    def not_met(self, result):
        return (
            "; ".join(item["label"] for item in result.items if item.get("required", True) and not item["met"]) or "—"
        )

    @admin.display(description="Items")
    def item_list(self, result):
        return format_html_join(
            "",
            "<div><strong>{}</strong>: {} {}</div>",
            (
                (item["label"], "met" if item["met"] else "not met", item["evidence"] or item["missing"])
                for item in result.items
            ),
        )

    def has_recheck_permission(self, request):
        return request.user.has_perm("accreditation.recheck_maintenanceresult")

    @admin.action(description="Check selected people again for their year", permissions=["recheck"])
    def recheck(self, request, queryset):
        people_by_year = {}
        for result in queryset.select_related("person").order_by("year", "person_id"):
            people_by_year.setdefault(result.year, []).append(result.person)
        for year, people in people_by_year.items():
            for first in range(0, len(people), maintenance.BATCH_SIZE):
                maintenance.record_checks(people[first : first + maintenance.BATCH_SIZE], year, by=request.user)
        self.message_user(request, "Checked again.", messages.SUCCESS)


class ReadyNowFilter(admin.SimpleListFilter):
    """The queue lists people who may be ready (found with queries); "ready now" keeps those
    the requirements engine found ready at its last check (`readiness`: every 15 minutes,
    or at once with "check again")."""

    title = "readiness"
    parameter_name = "ready"

    def lookups(self, request, model_admin):
        return [("now", "Ready now (every requirement met)")]

    def queryset(self, request, queryset):
        if self.value() != "now":
            return queryset
        if getattr(request, "ready_check_again", False):
            request.ready_check = readiness.check_again()
        else:
            request.ready_check = readiness.last_check()
        return queryset.filter(pk__in=request.ready_check["ids"])


@admin.register(Candidate)
class CandidateAdmin(PersonSearchMixin, admin.ModelAdmin):
    """The "ready to accredit" queue: candidates found with queries, the requirements
    engine run for the page shown only."""

    list_display = ["full_name", "email", "readiness"]
    list_filter = [ReadyNowFilter]
    search_fields = ["email", "full_name"]
    person_search_fields = ["pk"]
    list_per_page = 25
    show_full_result_count = False
    change_list_template = "accreditation/admin/candidate_change_list.html"
    # The request being answered and the rows read for its page: one admin instance serves
    # every thread of a worker, so these are per thread, not attributes of the instance.
    _page = threading.local()
    ordering = ["full_name", "email"]
    fields = ["full_name", "email"]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.candidates()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/grant/",
                self.admin_site.admin_view(self.grant_view),
                name="accreditation_candidate_grant",
            )
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        self._page.request = request
        if "check" in request.GET:
            # "Check again now" (with the "ready now" filter): not a lookup of the list.
            request.GET = request.GET.copy()
            request.ready_check_again = request.GET.pop("check") == ["again"]
        response = super().changelist_view(request, extra_context)
        if hasattr(response, "context_data"):
            response.context_data["ready_check"] = getattr(request, "ready_check", None)
        return response

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The engine reads the rows of the page's people once, for the whole page.
        self._page.records = Records(selectors.mark_candidate_kinds(list(changelist.result_list)))
        return changelist

    @admin.display(description="Ready for")
    def readiness(self, person):
        parts = []
        for kind in selectors.candidate_kinds(person):
            result = checklist(person, kind, records=self._page.records)
            label = CredentialKind(kind).label
            if result.all_met:
                if services.may_grant(self._page.request.user, kind):
                    # A link to the confirmation page, which says what granting does.
                    parts.append(
                        format_html(
                            '<a class="button" href="{}?{}">Grant {}…</a>',
                            reverse("admin:accreditation_candidate_grant", args=[person.pk]),
                            urlencode({"kind": kind}),
                            label,
                        )
                    )
                else:
                    parts.append(format_html("{}: every requirement met (the Programme Director approves)", label))
            else:
                missing = "; ".join(item.label for item in result.items if item.required and not item.met)
                parts.append(format_html("{}: not yet ({})", label, missing))
        return format_html_join("", "<div>{}</div>", ((part,) for part in parts)) or "—"

    def grant_view(self, request, object_id):
        """GET: the confirmation page for granting the credential `kind` to a person in the
        queue (who, which credential, from which date, the checklist met, the e-mail sent);
        POST (from that page): grant it."""
        person = self.get_object(request, object_id)
        if person is None:
            raise Http404
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not self.has_view_permission(request, person):
            raise PermissionDenied
        kind = (request.POST if request.method == "POST" else request.GET).get("kind", "")
        if kind not in CredentialKind.values:
            self.message_user(request, "Choose the credential to grant.", messages.ERROR)
            return redirect("admin:accreditation_candidate_changelist")
        if request.method != "POST":
            result = checklist(person, kind)
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Grant {CredentialKind(kind).label} to {person}?",
                "person": person,
                "kind": kind,
                "kind_label": CredentialKind(kind).label,
                "result": result,
                "may_grant": services.may_grant(request.user, kind),
            }
            return TemplateResponse(request, "accreditation/admin/grant_confirmation.html", context)
        try:
            credential = services.grant_credential(person, kind, by=request.user)
        except services.AccreditationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request, f"{person} is now an accredited {credential.get_kind_display()}.", messages.SUCCESS
            )
        return redirect("admin:accreditation_candidate_changelist")


@todo.line_provider
def accreditation_todo(request):
    lines = []
    if todo.may_view(request, CaseStudySubmission):
        waiting = CaseStudySubmission.objects.filter(status=CaseStudyStatus.SUBMITTED)
        lines += [
            todo.TodoLine(
                "case studies to assign an assessor",
                todo.changelist(CaseStudySubmission, status__exact=CaseStudyStatus.SUBMITTED, assessor__isnull="True"),
                todo.capped_count(waiting.filter(assessor__isnull=True)),
            ),
            todo.TodoLine(
                "case studies to decide",
                todo.changelist(CaseStudySubmission, status__exact=CaseStudyStatus.SUBMITTED, assessor__isnull="False"),
                todo.capped_count(waiting.filter(assessor__isnull=False)),
            ),
        ]
    if todo.may_view(request, RolePlayResult) and request.user.has_perm("accreditation.add_roleplayresult"):
        lines.append(
            todo.TodoLine(
                "role-plays to record for runs that ended",
                reverse("admin:accreditation_roleplayresult_add"),
                todo.capped_count(selectors.role_plays_to_record()),
            )
        )
    if todo.may_view(request, Candidate):
        check = readiness.last_check()
        lines.append(
            todo.TodoLine(
                "people ready to accredit now",
                todo.changelist(Candidate, ready="now"),
                len(check["ids"]),
                detail=f"checked {date_format(timezone.localtime(check['checked_at']), 'j M H:i')}",
            )
        )
    return lines
