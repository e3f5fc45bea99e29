from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from dit_portal.admin_hooks import HookedActionsMixin
from dit_portal.admin_site import countries_in_use
from dit_portal.files import DOCX, JPEG, JPEG_LONG, PDF, PNG, XLSX, prepare_upload, shown_name
from dit_portal.paginators import CheapCountPaginator

from . import selectors, services
from .enums import MembershipStatus
from .forms import CredentialStatusForm, RecordCredentialForm, RegisterImportForm
from .models import (
    ContactMessage,
    CredentialEvent,
    HeldCredential,
    MemberResource,
    Network,
    NetworkContact,
    NetworkMeeting,
    NetworkMembership,
    PersonProfile,
    ResourceGroup,
    User,
)
from .privacy import ErasureError, can_erase, erase_person
from .register_import import import_register, preview_register
from .search import PersonSearchMixin
from .services import CredentialError, record_credential, set_credential_status, verify_supervision_experience

IMPORT_SALT = "members.register-import"


class ErasureForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this person is erased (e.g. their request of a given date); kept in the audit log.",
    )


class HeldCredentialInline(admin.TabularInline):
    model = HeldCredential
    extra = 0
    fields = ["kind", "status", "accredited_on"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


# What only a superuser may change on someone's account: what they log in with, whether
# they can log in at all, and what they may do. People change their own e-mail address and
# password through the verified account pages.
ACCOUNT_CONTROL_FIELDS = ["email", "password", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"]


# Edits here are audit-logged with their changed fields, old and new, by the admin site
# (dit_portal/admin_audit.py), like every other admin's.
@admin.register(User)
class UserAdmin(PersonSearchMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "date_joined", "last_login"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["email", "full_name"]
    person_search_fields = ["pk"]
    show_full_result_count = False
    paginator = CheapCountPaginator
    readonly_fields = ["last_login", "date_joined"]
    inlines = [HeldCredentialInline]
    actions = ["erase_people"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["full_name"]}),
        ("Roles and access", {"fields": ["is_active", "groups", "is_staff", "is_superuser", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]

    def has_change_permission(self, request, obj=None):
        """Only a superuser may edit a superuser's account."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        """Passwords are reset by their owners; only superusers may set one here."""
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def has_erase_permission(self, request):
        return request.user.has_perm("members.erase_user")

    @admin.action(description="Erase (anonymise) selected people…", permissions=["erase"])
    def erase_people(self, request, queryset):
        people = list(queryset)
        refused = {person.pk: can_erase(person, request.user) for person in people}
        form = ErasureForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            erased = 0
            for person in people:
                try:
                    erase_person(person, by=request.user, reason=form.cleaned_data["reason"])
                    erased += 1
                except ErasureError as error:
                    self.message_user(request, f"{person}: {error}", messages.ERROR)
            if erased:
                self.message_user(
                    request, f"Erased {erased} {'person' if erased == 1 else 'people'}.", messages.SUCCESS
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Erase people",
            "people": [(person, refused[person.pk]) for person in people],
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "members/admin/erase_people.html", context)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in ACCOUNT_CONTROL_FIELDS if name not in fields]
        return fields


class CredentialEventInline(admin.TabularInline):
    model = CredentialEvent
    extra = 0
    fields = ["effective_on", "from_status", "to_status", "by", "note", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HeldCredential)
class HeldCredentialAdmin(PersonSearchMixin, HookedActionsMixin, admin.ModelAdmin):
    """Coordinators record credentials people already hold (with their real date) and
    import the register; every status change goes through the credential service."""

    list_display = ["holder", "kind", "status", "accredited_on", "route", "updated_at"]
    list_filter = ["kind", "status", "route"]
    search_fields = ["holder__email", "holder__full_name"]
    person_search_fields = ["holder"]
    show_full_result_count = False
    paginator = CheapCountPaginator
    list_select_related = ["holder"]
    autocomplete_fields = ["holder"]
    change_list_template = "members/admin/credential_change_list.html"
    change_form_template = "members/admin/credential_change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("RecordCredentialForm", (RecordCredentialForm,), {"recorded_by": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return RecordCredentialForm._meta.fields
        return ["holder", "kind", "status", "accredited_on", "route", "note", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request, obj):
        return [CredentialEventInline] if obj is not None else []

    def save_model(self, request, obj, form, change):
        """A new record goes through the service, which writes its history."""
        if change:
            return
        data = form.cleaned_data
        try:
            credential = record_credential(
                data["holder"],
                data["kind"],
                status=data["status"],
                accredited_on=data["accredited_on"],
                route=data["route"],
                note=data["note"],
                by=request.user,
            )
        except CredentialError as error:
            raise ValidationError(str(error)) from error
        obj.pk = credential.pk
        obj._state.adding = False

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.get_full_path())

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="members_heldcredential_import",
            ),
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="members_heldcredential_status",
            ),
        ]
        return urls + super().get_urls()

    def status_view(self, request, object_id):
        credential = self.get_object(request, object_id)
        if credential is None:
            raise Http404
        if not self.has_change_permission(request, credential):
            raise PermissionDenied
        form = CredentialStatusForm(request.POST or None, credential=credential, by=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                set_credential_status(
                    credential.holder,
                    credential.kind,
                    form.cleaned_data["status"],
                    by=request.user,
                    note=form.cleaned_data["note"],
                    effective_on=form.cleaned_data["effective_on"],
                )
            except CredentialError as error:
                form.add_error(None, str(error))
            else:
                credential.refresh_from_db()
                self.message_user(
                    request,
                    f"{credential.holder}: {credential.get_kind_display()} is now {credential.get_status_display().lower()}.",
                )
                return redirect("admin:members_heldcredential_change", credential.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Change status: {credential}",
            "credential": credential,
            "form": form,
        }
        return TemplateResponse(request, "members/admin/credential_status.html", context)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        preview, form = None, RegisterImportForm()
        if request.method == "POST" and "confirm" in request.POST:
            try:
                text = signing.loads(request.POST.get("register", ""), salt=IMPORT_SALT, max_age=3600)
            except signing.BadSignature:
                self.message_user(request, "The preview expired or was altered; upload the file again.", messages.ERROR)
                return redirect("admin:members_heldcredential_import")
            try:
                recorded, created = import_register(text, by=request.user)
            except CredentialError as error:
                self.message_user(request, str(error), messages.ERROR)
                preview = preview_register(text, by=request.user)
                signed = signing.dumps(text, salt=IMPORT_SALT, compress=True)
            else:
                self.message_user(
                    request,
                    f"Imported {recorded} credential{'s' if recorded != 1 else ''}; "
                    f"{created} new account{'s' if created != 1 else ''} created.",
                    messages.SUCCESS,
                )
                return redirect("admin:members_heldcredential_changelist")
        elif request.method == "POST":
            form = RegisterImportForm(request.POST, request.FILES)
            if form.is_valid():
                text = form.cleaned_data["file"]
                preview = preview_register(text, by=request.user)
                signed = signing.dumps(text, salt=IMPORT_SALT, compress=True)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import the credential register",
            "form": form,
            "preview": preview,
            "signed": signed if preview is not None else "",
        }
        return TemplateResponse(request, "members/admin/credential_import.html", context)


@admin.register(PersonProfile)
class PersonProfileAdmin(PersonSearchMixin, admin.ModelAdmin):
    """Profiles are the person's own; coordinators verify supervision experience (D11)."""

    list_display = ["person", "registration_body", "country", "region", "supervision_years", "verified"]
    list_filter = [
        "registration_body",
        countries_in_use("country"),
        ("supervision_verified_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["person__email", "person__full_name", "registration_number"]
    person_search_fields = ["person"]
    prefix_search_fields = ["registration_number"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]
    actions = ["verify_experience"]
    readonly_fields = ["evidence_link", "supervision_verified_at", "supervision_verified_by", "updated_at"]
    fields = [
        "person",
        ("registration_body", "registration_number"),
        ("registration_full", "registration_valid_until"),
        ("country", "region"),
        "nhs_employer",
        "supervision_years",
        "evidence_link",
        ("supervision_verified_at", "supervision_verified_by"),
        "updated_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["person", "supervision_years"] if obj is not None else fields

    @admin.display(boolean=True, description="Experience verified", ordering="supervision_verified_at")
    def verified(self, profile):
        return profile.supervision_verified

    @admin.display(description="Evidence")
    def evidence_link(self, profile):
        if not profile.supervision_evidence:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', profile.get_evidence_url(), profile.supervision_evidence_name or "Download"
        )

    @admin.action(description="Verify supervision experience of selected people", permissions=["change"])
    def verify_experience(self, request, queryset):
        for profile in queryset.select_related("person"):
            try:
                verify_supervision_experience(profile, by=request.user)
            except CredentialError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{profile.person}: supervision experience verified.", messages.SUCCESS)


# Members-only resources ------------------------------------------------------------------

RESOURCE_FILE_KINDS = (PDF, DOCX, XLSX, PNG, JPEG, JPEG_LONG)


class MemberResourceForm(forms.ModelForm):
    url = MemberResource._meta.get_field("url").formfield(assume_scheme="https")

    class Meta:
        model = MemberResource
        fields = ["group", "title", "description", "kind", "url", "file", "is_published"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            # Checked the way each format is built; pictures come back re-encoded.
            return prepare_upload(upload, RESOURCE_FILE_KINDS)
        return upload

    def save(self, commit=True):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):
            self.instance.file_name = shown_name(upload.name, limit=200)
        return super().save(commit)


@admin.register(ResourceGroup)
class ResourceGroupAdmin(admin.ModelAdmin):
    list_display = ["title", "position"]
    list_editable = ["position"]
    search_fields = ["title"]


@admin.register(MemberResource)
class MemberResourceAdmin(admin.ModelAdmin):
    form = MemberResourceForm
    list_display = ["title", "group", "kind", "is_published", "updated_at"]
    list_filter = ["group", "kind", "is_published"]
    search_fields = ["title", "description"]
    list_select_related = ["group"]
    readonly_fields = ["file_name"]


# Regional networks -----------------------------------------------------------------------


class NetworkContactInline(admin.TabularInline):
    model = NetworkContact
    extra = 0
    fields = ["name", "role", "email", "phone", "position"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "rhythm", "is_published", "position"]
    list_editable = ["is_published", "position"]
    search_fields = ["name", "region"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NetworkContactInline]


class AttendanceForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Attended"
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = people


@admin.register(NetworkMeeting)
class NetworkMeetingAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # an address typed without one is https
    list_display = ["title", "network", "starts_at", "mode", "hours", "counts_as_yearly_cpd_event", "attendance_link"]
    list_filter = ["network", "counts_as_yearly_cpd_event", "is_cancelled"]
    search_fields = ["title", "agenda"]
    date_hierarchy = "starts_at"
    list_select_related = ["network"]
    # Once attendance is recorded the meeting is part of people's CPD: its date, hours and
    # yearly-event flag no longer change from the form.
    CPD_FIELDS = ["network", "starts_at", "hours", "counts_as_yearly_cpd_event", "is_cancelled"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.attendance.exists():
            return self.CPD_FIELDS
        return []

    def get_urls(self):
        return [
            path(
                "<path:object_id>/attendance/",
                self.admin_site.admin_view(self.attendance_view),
                name="members_networkmeeting_attendance",
            )
        ] + super().get_urls()

    @admin.display(description="Attendance")
    def attendance_link(self, meeting):
        return format_html(
            '<a href="{}">Record attendance</a>', reverse("admin:members_networkmeeting_attendance", args=[meeting.pk])
        )

    def attendance_view(self, request, object_id):
        meeting = get_object_or_404(NetworkMeeting.objects.select_related("network"), pk=object_id)
        if not self.has_change_permission(request, meeting):
            raise PermissionDenied
        recorded = list(meeting.attendance.values_list("person_id", flat=True))
        members = selectors.active_members(meeting.network).values("person_id")
        # The network's members now, and anyone recorded earlier who has left since.
        people = User.objects.filter(Q(pk__in=members) | Q(pk__in=recorded)).order_by("full_name", "email")
        form = AttendanceForm(
            request.POST if request.method == "POST" else None, people=people, initial={"attendees": recorded}
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.record_meeting_attendance(meeting, form.cleaned_data["attendees"], by=request.user)
            except services.NetworkError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, "Attendance saved; it counts towards each attendee's CPD.")
                return redirect("admin:members_networkmeeting_attendance", meeting.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Attendance: {meeting}",
            "meeting": meeting,
            "form": form,
        }
        return TemplateResponse(request, "members/admin/meeting_attendance.html", context)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason (e-mailed to each person)", widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(PersonSearchMixin, admin.ModelAdmin):
    list_display = ["person", "network", "status", "route", "requested_at", "joined_at"]
    list_filter = ["network", "status", "route"]
    search_fields = ["person__email", "person__full_name"]
    person_search_fields = ["person"]
    list_select_related = ["person", "network"]
    readonly_fields = [
        "network",
        "person",
        "status",
        "route",
        "declaration",
        "requested_at",
        "joined_at",
        "left_at",
        "decided_by",
        "decision_note",
    ]
    actions = ["confirm_selected", "decline_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Confirm selected requests to join", permissions=["change"])
    def confirm_selected(self, request, queryset):
        done = 0
        for membership in queryset.select_related("person", "network"):
            try:
                services.confirm_membership(membership, by=request.user)
            except services.NetworkError as error:
                self.message_user(request, error.message, messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} membership{'s' if done != 1 else ''} confirmed.")

    @admin.action(description="Do not confirm selected requests (with a reason)", permissions=["change"])
    def decline_selected(self, request, queryset):
        memberships = list(queryset.select_related("person", "network"))
        form = DeclineForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for membership in memberships:
                try:
                    services.decline_membership(membership, by=request.user, reason=form.cleaned_data["reason"])
                except services.NetworkError as error:
                    self.message_user(request, error.message, messages.WARNING)
                else:
                    done += 1
            if done:
                self.message_user(
                    request, f"{done} request{'s' if done != 1 else ''} not confirmed; each person was told why."
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Do not confirm requests to join",
            "memberships": memberships,
            "waiting": [m for m in memberships if m.status == MembershipStatus.PENDING],
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "members/admin/decline_memberships.html", context)


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    """Messages from the contact page, kept as they were sent."""

    list_display = ["created_at", "name", "email", "topic"]
    list_filter = ["topic"]
    search_fields = ["email", "name"]
    date_hierarchy = None
    readonly_fields = ["created_at", "name", "email", "topic", "message", "sender"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False
