"""Coordinators issue, find and revoke certificates here; every change goes through services.

The action `issue_certificates_for_selected` is added to the admin of every model that can
describe what it certifies (`certificate_achievements()`: course runs, held credentials) by
this app's AppConfig.ready(), through dit_portal.admin_hooks; those apps never import this one.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from . import services
from .enums import FINISHED_BATCH_STATES
from .forms import IssueCertificateForm, RevocationForm
from .models import Certificate, IssueBatch


@admin.action(description="Issue certificates for the selected (completers, accredited credentials)")
def issue_certificates_for_selected(modeladmin, request, queryset):
    achievements = [achievement for obj in queryset for achievement in obj.certificate_achievements()]
    if not achievements:
        modeladmin.message_user(
            request,
            "Nothing to certify in the selection: no completed trainees or accredited credentials.",
            messages.WARNING,
        )
        return None
    if len(achievements) == 1:
        [achievement] = achievements
        try:
            certificate = services.issue_certificate(
                holder=achievement.holder,
                title=achievement.title,
                kind=achievement.kind,
                achieved_on=achievement.achieved_on,
                description=achievement.description,
                source=achievement.source,
                by=request.user,
            )
        except services.CertificateError as error:
            modeladmin.message_user(request, error.message, messages.ERROR)
            return None
        url = reverse("admin:certificates_certificate_change", args=[certificate.pk])
        modeladmin.message_user(
            request, format_html('Issued <a href="{}">{}</a>.', url, certificate.display_number), messages.SUCCESS
        )
        return None
    names = sorted({str(obj) for obj in queryset})
    title = f"{', '.join(names)[:200]}: {len(achievements)} certificates"
    batch = services.start_batch(achievements, title=title, by=request.user)
    modeladmin.message_user(
        request, f"Issuing {batch.total} certificates in the background; this page shows progress.", messages.INFO
    )
    return HttpResponseRedirect(reverse("admin:certificates_issuebatch_change", args=[batch.pk]))


issue_certificates_for_selected.required_permission = "certificates.add_certificate"


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["display_number", "holder_name", "title", "kind", "achieved_on", "issued_on", "status"]
    list_filter = ["status", "kind", "issued_on"]
    search_fields = ["=number", "holder_name", "holder__email", "title", "=verification_code"]
    search_help_text = "Number (digits only), holder's name or e-mail, title, or verification code."
    list_select_related = ["holder"]
    date_hierarchy = "issued_on"
    fieldsets = [
        (None, {"fields": ["display_number", "status", "links"]}),
        ("Certifies", {"fields": ["holder", "holder_name", "kind", "title", "description", "achieved_on"]}),
        ("Issued", {"fields": ["issued_on", "issued_by", "batch", "source_link", "source_reference"]}),
        ("Revocation", {"fields": ["revoked_at", "revoked_by", "revocation_reason"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="certificates_certificate_revoke",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Number", ordering="number")
    def display_number(self, certificate):
        return certificate.display_number

    @admin.display(description="PDF and verification")
    def links(self, certificate):
        parts = [
            format_html('<a href="{}">Download the PDF</a>', certificate.get_download_url()),
            format_html('<a href="{}">Public verification page</a>', certificate.get_verification_path()),
        ]
        if certificate.can_revoke:
            revoke = reverse("admin:certificates_certificate_revoke", args=[certificate.pk])
            parts.append(format_html('<a href="{}">Revoke…</a>', revoke))
        return format_html(" · ".join(["{}"] * len(parts)), *parts)

    @admin.display(description="Attests")
    def source_link(self, certificate):
        source = certificate.source
        if source is None:
            return "—"
        opts = source._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[source.pk])
        except Exception:
            return str(source)
        return format_html('<a href="{}">{}</a>', url, source)

    def has_delete_permission(self, request, obj=None):
        # A certificate is revoked, never deleted; superusers may clean up mistakes.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def add_view(self, request, form_url="", extra_context=None):
        """Issue one certificate by hand, through the service."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IssueCertificateForm(request.POST or None, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                certificate = services.issue_certificate(
                    holder=data["holder"],
                    title=data["title"],
                    kind=data["kind"],
                    achieved_on=data["achieved_on"],
                    description=data["description"],
                    source_reference=data["source_reference"],
                    by=request.user,
                )
            except services.CertificateError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, f"Issued {certificate.display_number}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:certificates_certificate_change", args=[certificate.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Issue a certificate",
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "certificates/admin/issue.html", context)

    def revoke_view(self, request, object_id):
        certificate = get_object_or_404(Certificate, pk=object_id)
        if not self.has_change_permission(request, certificate):
            raise PermissionDenied
        change_url = reverse("admin:certificates_certificate_change", args=[certificate.pk])
        form = RevocationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.revoke_certificate(certificate, by=request.user, reason=form.cleaned_data["reason"])
            except services.CertificateError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"{certificate.display_number} is revoked.", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Revoke {certificate.display_number}",
            "certificate": certificate,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "certificates/admin/revoke.html", context)


class BatchCertificateInline(admin.TabularInline):
    model = Certificate
    fields = ["display_number", "holder_name", "title", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description="Number")
    def display_number(self, certificate):
        return certificate.display_number

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(IssueBatch)
class IssueBatchAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "progress", "requested_by", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["requested_by"]
    fields = ["title", "status", "progress", "requested_by", "created_at", "started_at", "finished_at", "problems"]
    readonly_fields = fields
    inlines = [BatchCertificateInline]
    change_form_template = "certificates/admin/batch_change_form.html"
    actions = ["resume_batches"]

    def has_resume_permission(self, request):
        return request.user.has_perm("certificates.resume_issuebatch")

    @admin.action(
        description="Resume the selected batches that stopped (no progress for 10 minutes, or an error)",
        permissions=["resume"],
    )
    def resume_batches(self, request, queryset):
        resumed, refused = 0, []
        for batch in queryset:
            try:
                services.resume_batch(batch, by=request.user)
            except services.CertificateError as error:
                refused.append(error.message)
            else:
                resumed += 1
        if resumed:
            self.message_user(
                request, f"{resumed} batch{'es' if resumed != 1 else ''} resumed: a worker issues what is missing."
            )
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.display(description="Progress")
    def progress(self, batch):
        return (
            f"{batch.processed} of {batch.total} ({batch.percent_done}%): "
            f"{batch.issued} issued, {batch.skipped} already certified, {batch.failed} failed"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        running = batch is not None and batch.status not in FINISHED_BATCH_STATES
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "refresh": running})


def stuck_batches_needing_attention(request):
    """For the admin index's to-do list: issuing batches that stopped."""
    if not request.user.has_perm("certificates.view_issuebatch"):
        return []
    stuck = services.stuck_batches().count()
    if not stuck:
        return []
    noun = "issuing batch has" if stuck == 1 else "issuing batches have"
    return [(f"{stuck} {noun} stopped: resume.", reverse("admin:certificates_issuebatch_changelist"))]
