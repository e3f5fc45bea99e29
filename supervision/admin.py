"""Coordinators' side of the ledger. Session status, recording ratings and the
close-supervision confirmation are read-only here and change through actions that call the
services; plain edits of other fields are audit-logged with the fields that changed."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from dit_portal.admin_audit import AuditedAdminMixin
from dit_portal.admin_site import countries_in_use, person_column
from dit_portal.paginators import CheapCountPaginator
from members.search import PersonSearchMixin

from . import services
from .anonymity import check_anonymous
from .enums import RecordingRating
from .forms import DisputeForm, OnBehalfForm
from .models import Case, CpdRecord, Recording, SupervisionSession, SupervisorListing, TherapyHours


class AuditedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Each admin edit is logged with the changed fields, old and new (by the shared mixin)."""

    def _on_behalf(self, request, queryset, *, action, title, explanation, submit_label, decide, done):
        """An action deciding for the named supervisor: a page asking why, then `decide(obj, reason)`."""
        form = OnBehalfForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["on_behalf_reason"]
            for obj in queryset:
                self._report(request, obj, lambda obj=obj: decide(obj, reason), done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "explanation": explanation,
            "submit_label": submit_label,
            "items": list(queryset),
            "action": action,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "supervision/admin/on_behalf.html", context)

    def _report(self, request, obj, call, done):
        try:
            call()
        except services.SupervisionError as error:
            self.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        else:
            self.message_user(request, f"{obj}: {done}.", messages.SUCCESS)


class TherapyHoursInline(admin.TabularInline):
    model = TherapyHours
    extra = 0
    fields = ["date", "hours", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CaseAdminForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["code", "purpose", "supervisor", "started_on", "ended_on", "seen_in_person", "note"]

    def clean(self):
        data = super().clean()
        if not self.errors and self.instance.pk:
            try:
                services.check_case(
                    self.instance.practitioner,
                    code=data.get("code", ""),
                    purpose=data.get("purpose"),
                    supervisor=data.get("supervisor"),
                    started_on=data.get("started_on"),
                    ended_on=data.get("ended_on"),
                    note=data.get("note", ""),
                    case=self.instance,
                )
            except ValidationError as error:
                raise ValidationError(
                    [message for messages_ in error.message_dict.values() for message in messages_]
                ) from error
        return data


@admin.register(Case)
class CaseAdmin(PersonSearchMixin, AuditedAdmin):
    form = CaseAdminForm
    list_display = ["code", "practitioner", "purpose", "supervisor", "started_on", "ended_on", "closely_supervised"]
    list_filter = ["purpose", "seen_in_person", ("close_supervision_confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["practitioner", "supervisor"]
    search_fields = ["code", "practitioner__email", "practitioner__full_name", "supervisor__email"]
    person_search_fields = ["practitioner", "supervisor"]
    prefix_search_fields = ["code"]
    autocomplete_fields = ["supervisor"]
    readonly_fields = ["practitioner", "close_supervision_confirmed_at", "close_supervision_confirmed_by", "created_at"]
    inlines = [TherapyHoursInline]
    actions = ["confirm_close_supervision"]

    def has_add_permission(self, request):
        return False  # practitioners log their own cases

    @admin.display(boolean=True, description="Closely supervised", ordering="close_supervision_confirmed_at")
    def closely_supervised(self, case):
        return case.closely_supervised

    @admin.action(description="Confirm selected cases as closely supervised to the end", permissions=["change"])
    def confirm_close_supervision(self, request, queryset):
        for case in queryset:
            self._report(
                request,
                case,
                lambda case=case: services.confirm_close_supervision(case, by=request.user),
                "confirmed as closely supervised",
            )


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = SupervisionSession
        fields = ["note"]

    def clean_note(self):
        check_anonymous(self.cleaned_data["note"])
        return self.cleaned_data["note"]


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(PersonSearchMixin, AuditedAdmin):
    form = SessionAdminForm
    list_display = [
        "date",
        person_column("practitioner"),
        person_column("supervisor"),
        "hours",
        "format",
        "kind",
        "status",
        "decided_at",
    ]
    list_filter = ["status", "kind", "format", "date"]
    list_select_related = ["practitioner", "supervisor"]
    search_fields = ["practitioner__email", "practitioner__full_name", "supervisor__email", "supervisor__full_name"]
    person_search_fields = ["practitioner", "supervisor"]
    show_full_result_count = False
    paginator = CheapCountPaginator
    # No date_hierarchy: its list of months reads every session's date on each page; the
    # date filter (past 7 days, this month, this year) answers the same need from the index.
    fields = [
        "practitioner",
        "supervisor",
        "date",
        "hours",
        "format",
        "kind",
        "case_codes",
        "note",
        "status",
        "decided_at",
        "decided_by",
        "decided_on_behalf",
        "on_behalf_reason",
        "dispute_reason",
        "created_at",
    ]
    readonly_fields = [field for field in fields if field != "note"]
    actions = ["confirm_sessions", "dispute_sessions"]

    def has_add_permission(self, request):
        return False  # practitioners log their sessions

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("cases")

    @admin.display(description="Cases")
    def case_codes(self, session):
        return ", ".join(case.code for case in session.cases.all()) or "—"

    @admin.action(description="Confirm selected sessions (for the named supervisor)…", permissions=["change"])
    def confirm_sessions(self, request, queryset):
        return self._on_behalf(
            request,
            queryset.select_related("practitioner", "supervisor"),
            action="confirm_sessions",
            title="Confirm sessions for the supervisor",
            explanation="These sessions will be confirmed (they will count) and each practitioner e-mailed.",
            submit_label="Confirm these sessions",
            decide=lambda session, reason: services.confirm_session(session, by=request.user, on_behalf_reason=reason),
            done="confirmed for the supervisor, who has been e-mailed",
        )

    @admin.action(description="Dispute selected sessions…", permissions=["change"])
    def dispute_sessions(self, request, queryset):
        form = DisputeForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for session in queryset:
                self._report(
                    request,
                    session,
                    lambda session=session: services.dispute_session(
                        session, by=request.user, reason=form.cleaned_data["reason"]
                    ),
                    "disputed; the practitioner has been e-mailed",
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Dispute supervision sessions",
            "sessions": queryset.select_related("practitioner", "supervisor"),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "supervision/admin/dispute_sessions.html", context)


@admin.register(Recording)
class RecordingAdmin(PersonSearchMixin, AuditedAdmin):
    list_display = ["case", "practitioner", "phase", "session_date", "rating", "rated_by", "rated_at"]
    list_filter = ["rating", "phase"]
    list_select_related = ["case__practitioner", "rated_by"]
    search_fields = ["case__code", "case__practitioner__email", "case__practitioner__full_name"]
    person_search_fields = ["case__practitioner"]
    prefix_search_fields = ["case__code"]
    fields = [
        "case",
        "phase",
        "session_date",
        "note",
        "rating",
        "rated_at",
        "rated_by",
        "rated_on_behalf",
        "on_behalf_reason",
        "feedback",
        "created_at",
    ]
    readonly_fields = [field for field in fields if field != "note"]
    actions = ["rate_pass", "rate_not_yet"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Practitioner", ordering="case__practitioner__full_name")
    def practitioner(self, recording):
        return recording.case.practitioner

    def _rate(self, request, queryset, rating, action):
        label = RecordingRating(rating).label.lower()
        return self._on_behalf(
            request,
            queryset.select_related("case__practitioner", "case__supervisor"),
            action=action,
            title=f"Rate recordings {label} for the supervisor",
            explanation=f"These recordings will be rated {label}.",
            submit_label=f"Rate these recordings {label}",
            decide=lambda recording, reason: services.rate_recording(
                recording, rating=rating, by=request.user, on_behalf_reason=reason
            ),
            done=f"rated {label} for the supervisor, who has been e-mailed",
        )

    @admin.action(description="Rate selected recordings: pass (for the supervisor)…", permissions=["change"])
    def rate_pass(self, request, queryset):
        return self._rate(request, queryset, RecordingRating.PASS, "rate_pass")

    @admin.action(description="Rate selected recordings: not yet (for the supervisor)…", permissions=["change"])
    def rate_not_yet(self, request, queryset):
        return self._rate(request, queryset, RecordingRating.NOT_YET, "rate_not_yet")


@admin.register(CpdRecord)
class CpdRecordAdmin(PersonSearchMixin, AuditedAdmin):
    list_display = ["date", "title", "kind", "hours", "person"]
    list_filter = ["kind", "date"]
    list_select_related = ["person"]
    search_fields = ["title", "person__email", "person__full_name"]
    person_search_fields = ["person"]
    prefix_search_fields = ["title"]
    autocomplete_fields = ["person"]
    date_hierarchy = "date"


@admin.register(SupervisorListing)
class SupervisorListingAdmin(AuditedAdmin):
    list_display = ["display_name", "supervisor", "country", "region", "modality", "is_listed", "updated_at"]
    list_filter = ["is_listed", "modality", countries_in_use("country")]
    list_select_related = ["supervisor"]
    search_fields = ["display_name", "region", "supervisor__email"]
    autocomplete_fields = ["supervisor"]
