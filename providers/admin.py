"""Coordinators' side of providers. Plain fields are edited here and logged with their
changes; every rule-carrying change (status, decisions, invoices, payments, reviews) goes
through a service from an action or a custom view."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, DecimalField, ExpressionWrapper, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from dit_portal import todo
from dit_portal.admin_audit import AuditedAdminMixin
from members import roles

from . import selectors, services
from .enums import UNPAID_STATES, ApplicationStatus, InvoiceStatus, ProviderStatus, ReviewStatus
from .forms import CreditNoteForm, InviteForm, InvoiceDueDateForm, InvoiceLineForm, PaymentForm
from .models import (
    CompleterList,
    Delivery,
    FeeScheduleEntry,
    Invoice,
    InvoiceLine,
    LicenceApplication,
    NetworkEventAttendance,
    Payment,
    Provider,
    ProviderInvitation,
    ProviderMembership,
    ProviderTrainer,
    SupervisionRecord,
)


class AuditedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Every admin edit is logged with the changed fields, old and new (dit_portal.admin_audit)."""


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that come from providers or services: seen here, changed through services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _file_link(url, name):
    return format_html('<a href="{}">{}</a>', url, name)


def _review_urls(admin_class, name):
    return [
        path(
            "<path:object_id>/review/",
            admin_class.admin_site.admin_view(admin_class.review_view),
            name=f"providers_{name}_review",
        )
    ]


class ReviewMixin:
    """An approve / return form on the change page and as list actions."""

    review_service = None
    change_form_template = "providers/admin/review_change_form.html"
    actions = ["approve_selected"]

    def get_urls(self):
        return _review_urls(self, self.model._meta.model_name) + super().get_urls()

    def review_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        approve = request.POST.get("decision") == "approve"
        try:
            type(self).review_service(obj, approve=approve, note=request.POST.get("note", ""), by=request.user)
        except services.ProviderError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, f"{obj}: {'approved' if approve else 'returned'}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse(f"admin:providers_{self.model._meta.model_name}_change", args=[obj.pk]))

    def has_review_permission(self, request):
        return request.user.has_perm(f"providers.review_{self.model._meta.model_name}")

    @admin.action(description="Approve the selected uploads", permissions=["review"])
    def approve_selected(self, request, queryset):
        done, failed = 0, []
        for obj in queryset:
            try:
                type(self).review_service(obj, approve=True, by=request.user)
                done += 1
            except services.ProviderError as error:
                failed.append(f"{obj}: {error.message}")
        if done:
            self.message_user(request, f"{done} approved.", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "review_url": reverse(f"admin:providers_{self.model._meta.model_name}_review", args=[object_id]),
            "may_review": self.has_review_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)


# Providers -----------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = ProviderMembership
    extra = 0
    fields = ["user", "joined_at"]
    readonly_fields = ["user", "joined_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TrainerInline(admin.TabularInline):
    model = ProviderTrainer
    extra = 0
    fields = ["person", "added_on"]
    readonly_fields = ["person", "added_on"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AddTrainerForm(forms.Form):
    email = forms.EmailField(label="The trainer's e-mail address on the portal")


@admin.register(Provider)
class ProviderAdmin(AuditedAdmin):
    list_display = ["name", "home_country", "status", "licence_starts_on", "licence_ends_on", "shortcuts"]
    list_filter = ["status"]
    search_fields = ["name", "contact_email"]
    readonly_fields = ["status", "accredited_on", "licence_starts_on", "licence_ends_on", "shortcuts"]
    fields = [
        "name",
        "home_country",
        "licensed_countries",
        "address",
        "contact_email",
        "status",
        "accredited_on",
        ("licence_starts_on", "licence_ends_on"),
        "shortcuts",
    ]
    inlines = [MembershipInline, TrainerInline]
    actions = ["suspend", "mark_lapsed", "withdraw", "reinstate", "renew_licence"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """An overseas provider's countries leave out the United Kingdom; the licensed
        countries are picked from a list with a search box (two boxes, as Django's admin
        offers), not by ctrl-clicking 250 names."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("home_country", "licensed_countries"):
            field.choices = [(code, name) for code, name in field.choices if code != UNITED_KINGDOM]
        if db_field.name == "licensed_countries":
            field.widget = FilteredSelectMultiple("countries", is_stacked=False, choices=field.choices)
        return field

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/invite/", view(self.invite_view), name="providers_provider_invite"),
            path("<path:object_id>/add-trainer/", view(self.add_trainer_view), name="providers_provider_add_trainer"),
            path("<path:object_id>/invoice/", view(self.issue_invoice_view), name="providers_provider_invoice"),
        ] + super().get_urls()

    @admin.display(description="Do")
    def shortcuts(self, provider):
        if not provider.pk:
            return "—"
        links = [
            (reverse("admin:providers_provider_invite", args=[provider.pk]), "Invite a provider user"),
            (reverse("admin:providers_provider_add_trainer", args=[provider.pk]), "Add a trainer"),
            (reverse("admin:providers_provider_invoice", args=[provider.pk]), "Issue an invoice"),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def _status(self, request, queryset, status, done):
        for provider in queryset:
            try:
                services.change_provider_status(provider, status, by=request.user)
                self.message_user(request, f"{provider}: {done}.", messages.SUCCESS)
            except services.ProviderError as error:
                self.message_user(request, error.message, messages.ERROR)

    @admin.action(description="Suspend the selected providers", permissions=["change"])
    def suspend(self, request, queryset):
        self._status(request, queryset, ProviderStatus.SUSPENDED, "suspended")

    @admin.action(description="Mark the selected providers' licences lapsed", permissions=["change"])
    def mark_lapsed(self, request, queryset):
        self._status(request, queryset, ProviderStatus.LAPSED, "lapsed")

    @admin.action(description="Withdraw the selected providers", permissions=["change"])
    def withdraw(self, request, queryset):
        self._status(request, queryset, ProviderStatus.WITHDRAWN, "withdrawn")

    @admin.action(description="Reinstate the selected providers as accredited", permissions=["change"])
    def reinstate(self, request, queryset):
        self._status(request, queryset, ProviderStatus.ACCREDITED, "accredited")

    @admin.action(description="Renew the licence for a year and invoice the annual fee", permissions=["change"])
    def renew_licence(self, request, queryset):
        for provider in queryset:
            try:
                invoice = services.renew_licence(provider, by=request.user)
                self.message_user(request, f"{provider}: renewed; {invoice} issued.", messages.SUCCESS)
            except services.ProviderError as error:
                self.message_user(request, error.message, messages.ERROR)

    def _provider_form_view(self, request, object_id, form, title, handle):
        provider = get_object_or_404(Provider, pk=object_id)
        if not self.has_change_permission(request, provider):
            raise PermissionDenied
        if request.method == "POST" and form.is_valid():
            try:
                message = handle(provider, form)
            except services.ProviderError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:providers_provider_change", args=[provider.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": provider,
            "title": title,
            "form": form,
        }
        return TemplateResponse(request, "providers/admin/form.html", context)

    def invite_view(self, request, object_id):
        def handle(provider, form):
            invitation = services.invite_provider_user(provider, form.cleaned_data["email"], by=request.user)
            return f"Invitation sent to {invitation.email}."

        return self._provider_form_view(
            request, object_id, InviteForm(request.POST or None), "Invite a provider user", handle
        )

    def add_trainer_view(self, request, object_id):
        from members.models import User

        def handle(provider, form):
            person = User.objects.filter(email=form.cleaned_data["email"].lower()).first()
            if person is None:
                raise services.ProviderError("Nobody on the portal has that address; they must sign up first.")
            services.add_trainer(provider, person, by=request.user)
            return f"{person} added as a trainer of {provider}."

        return self._provider_form_view(
            request, object_id, AddTrainerForm(request.POST or None), "Add a trainer", handle
        )

    def issue_invoice_view(self, request, object_id):
        """The lines and due date, then a confirmation page showing the invoice as it will be
        issued (lines, VAT, total, due date); it is issued only when that page is confirmed."""
        provider = get_object_or_404(Provider, pk=object_id)
        if not self.has_change_permission(request, provider):
            raise PermissionDenied
        LineFormSet = forms.formset_factory(InvoiceLineForm, extra=3, max_num=10)
        formset = LineFormSet(request.POST or None, prefix="line")
        due_form = InvoiceDueDateForm(request.POST or None, prefix="invoice")
        error = ""
        editing = "edit" in request.POST
        if request.method == "POST" and not editing and formset.is_valid() and due_form.is_valid():
            lines = self._invoice_lines(formset)
            due_on = due_form.cleaned_data["due_on"]
            try:
                if "confirmed" in request.POST:
                    invoice = services.issue_invoice(provider, lines, by=request.user, due_on=due_on)
                else:
                    preview = services.preview_invoice(provider, lines, due_on=due_on)
            except services.ProviderError as problem:
                error = problem.message
            else:
                if "confirmed" in request.POST:
                    self.message_user(request, f"{invoice} issued to {provider}.", messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:providers_invoice_change", args=[invoice.pk]))
                context = {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "original": provider,
                    "title": f"Issue this invoice to {provider}?",
                    "preview": preview,
                    "posted": [
                        (name, value)
                        for name, values in request.POST.lists()
                        if name not in ("csrfmiddlewaretoken", "confirmed", "edit")
                        for value in values
                    ],
                }
                return TemplateResponse(request, "providers/admin/confirm_invoice.html", context)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": provider,
            "title": f"Issue an invoice to {provider}",
            "formset": formset,
            "due_form": due_form,
            "error": error,
        }
        return TemplateResponse(request, "providers/admin/issue_invoice.html", context)

    @staticmethod
    def _invoice_lines(formset):
        lines = []
        for line_form in formset:
            data = line_form.cleaned_data
            if not data:
                continue
            if data.get("fee"):
                lines.append(services.fee_line(data["fee"].kind, data["quantity"]))
            else:
                lines.append(services.LineInput(data["description"], data["quantity"], data["amount"]))
        return lines


@admin.register(ProviderInvitation)
class ProviderInvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "provider", "created_at", "accepted_at"]
    list_select_related = ["provider"]
    search_fields = ["email", "provider__name"]


# The application -----------------------------------------------------------------------


@admin.register(LicenceApplication)
class LicenceApplicationAdmin(ReadOnlyAdmin):
    list_display = ["provider", "status", "submitted_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["provider"]
    search_fields = ["provider__name"]
    change_form_template = "providers/admin/application_change_form.html"
    fields = [
        "provider",
        "applicant",
        "status",
        "checklist",
        "evidence_files",
        "submitted_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "override_reason",
    ]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("providers.view_licenceapplication")

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="providers_licenceapplication_decide",
            )
        ] + super().get_urls()

    @admin.display(description="The six criteria")
    def checklist(self, application):
        badges = {True: ("#198754", "Met"), False: ("#dc3545", "Not met"), None: ("#6c757d", "To judge")}
        rows = []
        for item in selectors.application_checklist(application):
            colour, word = badges[item.met]
            rows.append((colour, word, item.label, item.evidence, item.missing))
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "",
                '<tr><td><strong style="color:{}">{}</strong></td><td><strong>{}</strong><br>{}<br><em>{}</em></td></tr>',
                rows,
            ),
        )

    @admin.display(description="Evidence")
    def evidence_files(self, application):
        return (
            format_html_join(
                mark_safe("<br>"),  # noqa: S308 (a constant)
                '{}: <a href="{}">{}</a>',
                (
                    (
                        f"Criterion {document.criterion}",
                        reverse("providers:application_evidence", args=[application.provider_id, document.pk]),
                        document.original_name,
                    )
                    for document in application.evidence.all()
                ),
            )
            or "—"
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        may_decide = request.user.is_superuser or roles.has_role(request.user, roles.PROGRAMME_DIRECTOR)
        application = self.get_object(request, object_id)
        not_met = (
            [item.label for item in selectors.application_checklist(application) if item.met is False]
            if application is not None
            else []
        )
        extra_context = {**(extra_context or {}), "may_decide": may_decide, "criteria_not_met": not_met}
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = get_object_or_404(LicenceApplication, pk=object_id)
        if not self.has_view_permission(request, application):
            raise PermissionDenied
        approve = request.POST.get("decision") == "approve"
        try:
            services.decide_application(
                application,
                approve=approve,
                reason=request.POST.get("reason", ""),
                override_reason=request.POST.get("override_reason", ""),
                by=request.user,
            )
        except services.ProviderError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, f"{application}: {'approved' if approve else 'refused'}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:providers_licenceapplication_change", args=[application.pk]))


# Fees and invoices ---------------------------------------------------------------------


@admin.register(FeeScheduleEntry)
class FeeScheduleEntryAdmin(AuditedAdmin):
    list_display = ["description", "kind", "amount", "currency", "unit", "minimum_quantity", "vat_applies", "vat_rate"]
    readonly_fields = ["kind", "currency"]
    fields = ["kind", "description", "amount", "currency", "unit", "minimum_quantity", "vat_applies", "vat_rate"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ["description", "quantity", "unit_price", "vat_rate", "net_amount", "vat_amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaymentInline(InvoiceLineInline):
    model = Payment
    fields = ["amount", "received_on", "reference", "recorded_by", "recorded_at"]
    readonly_fields = fields


class OverdueFilter(admin.SimpleListFilter):
    """Invoices with a balance still due after their due date, part paid ones included
    (selectors.overdue_invoices), whatever the scheduled job has marked yet."""

    title = "payment late"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue: a balance still due after the due date")]

    def queryset(self, request, queryset):
        return queryset.filter(selectors.overdue_condition()) if self.value() == "yes" else queryset


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["display_number", "kind", "provider", "issued_on", "due_on", "total", "balance", "payment_state"]
    list_filter = ["status", OverdueFilter, "kind"]
    list_select_related = ["provider"]
    search_fields = ["=number", "provider__name"]
    inlines = [InvoiceLineInline, PaymentInline]
    fields = [
        "display_number",
        "kind",
        "provider",
        "credits",
        "status",
        "issued_on",
        "due_on",
        "bill_to",
        "note",
        "net_total",
        "vat_total",
        "total",
        "paid_on",
        "issued_by",
        "pdf",
        "shortcuts",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                paid_total=Coalesce(Sum("payments__amount"), Value(Decimal("0.00")), output_field=MONEY_FIELD),
                is_late=ExpressionWrapper(selectors.overdue_condition(), output_field=BooleanField()),
            )
        )

    @admin.display(description="Balance due")
    def balance(self, invoice):
        if invoice.is_credit_note or invoice.status not in UNPAID_STATES:
            return "—"
        return f"{invoice.total - invoice.paid_total:,.2f}"

    @admin.display(description="Status", ordering="status")
    def payment_state(self, invoice):
        """The status, and "overdue" for a part-paid invoice past its due date."""
        if invoice.is_late and invoice.status != InvoiceStatus.OVERDUE:
            return f"{invoice.get_status_display()}, overdue"
        return invoice.get_status_display()

    @admin.display(description="PDF")
    def pdf(self, invoice):
        return _file_link(
            reverse("providers:invoice_pdf", args=[invoice.provider_id, invoice.pk]), f"{invoice.display_number}.pdf"
        )

    @admin.display(description="Do")
    def shortcuts(self, invoice):
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            [
                (reverse("admin:providers_invoice_payment", args=[invoice.pk]), "Record a payment"),
                (reverse("admin:providers_invoice_credit", args=[invoice.pk]), "Credit (void) it"),
            ],
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/payment/", view(self.payment_view), name="providers_invoice_payment"),
            path("<path:object_id>/credit/", view(self.credit_view), name="providers_invoice_credit"),
        ] + super().get_urls()

    def _form_view(self, request, object_id, form, title, handle, facts=None):
        invoice = get_object_or_404(Invoice, pk=object_id)
        if not self.has_view_permission(request, invoice):
            raise PermissionDenied
        if request.method == "POST" and form.is_valid():
            try:
                message = handle(invoice, form)
            except services.ProviderError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:providers_invoice_change", args=[invoice.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": invoice,
            "title": title,
            "form": form,
            "facts": facts(invoice) if facts else [],
        }
        return TemplateResponse(request, "providers/admin/form.html", context)

    def payment_view(self, request, object_id):
        def handle(invoice, form):
            services.record_payment(invoice, by=request.user, **form.cleaned_data)
            return f"Payment of GBP {form.cleaned_data['amount']} recorded on {invoice}."

        def facts(invoice):
            paid = invoice.amount_paid
            return [
                ("Total", f"{invoice.currency} {invoice.total:,.2f}"),
                ("Paid so far", f"{invoice.currency} {paid:,.2f}"),
                ("Balance due", f"{invoice.currency} {invoice.total - paid:,.2f}"),
                ("Due on", date_format(invoice.due_on, "j F Y")),
            ]

        return self._form_view(
            request, object_id, PaymentForm(request.POST or None), "Record a payment", handle, facts=facts
        )

    def credit_view(self, request, object_id):
        def handle(invoice, form):
            credit_note = services.issue_credit_note(invoice, reason=form.cleaned_data["reason"], by=request.user)
            return f"{credit_note} issued; {invoice} is void."

        return self._form_view(request, object_id, CreditNoteForm(request.POST or None), "Credit an invoice", handle)


MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)
UNITED_KINGDOM = "GB"


# Deliveries and uploads ----------------------------------------------------------------


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "provider", "country", "starts_on", "participants", "centre_trainer"]
    list_select_related = ["provider", "run__course", "centre_trainer"]
    search_fields = ["provider__name", "run__label"]


@admin.register(SupervisionRecord)
class SupervisionRecordAdmin(ReviewMixin, ReadOnlyAdmin):
    list_display = ["provider", "afc_trainer", "date", "hours", "review_status"]
    list_filter = ["review_status"]
    list_select_related = ["provider", "afc_trainer"]
    search_fields = ["provider__name", "afc_trainer__email"]
    fields = [
        "provider",
        "afc_trainer",
        "date",
        "hours",
        "file",
        "uploaded_by",
        "review_status",
        "review_note",
        "reviewed_by",
    ]
    readonly_fields = fields
    review_service = services.review_supervision_record

    @admin.display(description="Record")
    def file(self, record):
        return _file_link(
            reverse("providers:supervision_file", args=[record.provider_id, record.pk]), record.original_name
        )


@admin.register(CompleterList)
class CompleterListAdmin(ReviewMixin, ReadOnlyAdmin):
    list_display = ["__str__", "provider", "uploaded_at", "review_status"]
    list_filter = ["review_status"]
    list_select_related = ["provider", "delivery__run__course"]
    search_fields = ["provider__name", "original_name"]
    fields = [
        "provider",
        "delivery",
        "file_link",
        "uploaded_by",
        "uploaded_at",
        "people",
        "review_status",
        "review_note",
        "reviewed_by",
        "reviewed_at",
    ]
    readonly_fields = fields
    review_service = services.review_completer_list

    def _confirm_approval(self, request, completer_lists, *, action=None):
        """The page saying what approving does (which accounts are linked, which created),
        sent back with `confirmed` to approve."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Approve and bring these people into the portal?",
            "lists": [
                (completer_list, services.accounts_on_approval(completer_list)) for completer_list in completer_lists
            ],
            "action": action,
            "note": request.POST.get("note", ""),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "providers/admin/confirm_completer_approval.html", context)

    def review_view(self, request, object_id):
        """Approving creates accounts: it happens only from the confirmation page."""
        if request.method == "POST" and request.POST.get("decision") == "approve" and "confirmed" not in request.POST:
            completer_list = get_object_or_404(CompleterList, pk=object_id)
            if not self.has_review_permission(request):
                raise PermissionDenied
            return self._confirm_approval(request, [completer_list])
        return super().review_view(request, object_id)

    @admin.action(description="Approve the selected lists (after confirming)", permissions=["review"])
    def approve_selected(self, request, queryset):
        if "confirmed" not in request.POST:
            return self._confirm_approval(request, list(queryset), action="approve_selected")
        return super().approve_selected(request, queryset)

    # Not named "file": the admin shows a model field of that name itself, linking to the
    # storage's own address, which nothing serves.
    @admin.display(description="File")
    def file_link(self, completer_list):
        return _file_link(
            reverse("providers:completer_file", args=[completer_list.provider_id, completer_list.pk]),
            completer_list.original_name,
        )

    @admin.display(description="People on the list")
    def people(self, completer_list):
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 (a constant)
            "{} &lt;{}&gt;, {} ({}){}",
            (
                (
                    row.full_name,
                    row.email,
                    row.profession,
                    row.get_result_display(),
                    " · linked" if row.person_id else "",
                )
                for row in completer_list.rows.all()
            ),
        )


@admin.register(NetworkEventAttendance)
class NetworkEventAttendanceAdmin(ReadOnlyAdmin):
    list_display = ["trainer", "provider", "event", "date"]
    list_select_related = ["provider", "trainer__person"]
    search_fields = ["provider__name", "event"]


@todo.line_provider
def providers_todo(request):
    lines = []
    if todo.may_view(request, LicenceApplication):
        lines.append(
            todo.TodoLine(
                "provider applications awaiting a decision",
                todo.changelist(LicenceApplication, status__exact=ApplicationStatus.SUBMITTED),
                todo.capped_count(LicenceApplication.objects.filter(status=ApplicationStatus.SUBMITTED)),
            )
        )
    for model, label in ((SupervisionRecord, "supervision records"), (CompleterList, "lists of completers")):
        if todo.may_view(request, model):
            lines.append(
                todo.TodoLine(
                    f"provider uploads to review: {label}",
                    todo.changelist(model, review_status__exact=ReviewStatus.SUBMITTED),
                    todo.capped_count(model.objects.filter(review_status=ReviewStatus.SUBMITTED)),
                )
            )
    if todo.may_view(request, Invoice):
        lines.append(
            todo.TodoLine(
                "overdue invoices",
                todo.changelist(Invoice, overdue="yes"),
                todo.capped_count(selectors.overdue_invoices()),
            )
        )
    return lines
