"""Provider pages. Every view below the provider's URL is wrapped in `provider_view`
(tenancy.py), which resolves the provider once; every query here filters by it."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from dit_portal.files import private_file_response
from dit_portal.limits import accepts_uploads

from . import selectors, services
from .forms import (
    AcceptInvitationForm,
    ApplicationForm,
    CompleterListForm,
    DeliveryForm,
    NetworkEventForm,
    SupervisionRecordForm,
)
from .models import ApplicationEvidence, CompleterList, Invoice, LicenceApplication, SupervisionRecord
from .pdf import invoice_pdf as render_invoice_pdf
from .tenancy import provider_view, providers_of

PER_PAGE = 25
READ_ONLY = ("GET", "HEAD")
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


@login_required
@require_safe
def my_providers(request):
    providers = list(providers_of(request.user).order_by("name"))
    if len(providers) == 1:
        return redirect(providers[0])
    return render(request, "providers/mine.html", {"providers": providers})


@accepts_uploads(files=6)
@login_required
def apply(request):
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = services.ApplicationInput(
            name=form.cleaned_data["name"],
            home_country=form.cleaned_data["home_country"],
            licensed_countries=form.cleaned_data["licensed_countries"],
            address=form.cleaned_data["address"],
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        )
        try:
            application = services.submit_application(data, applicant=request.user, evidence=form.evidence())
        except services.ProviderError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you: your application has been received. We have sent you a confirmation.")
            return redirect("providers:application", provider_id=application.provider_id)
    if request.method == "POST" and form.errors and request.FILES:
        messages.warning(
            request,
            "Nothing was saved, so the files you chose were not kept: choose them again when you send the form.",
        )
    return render(request, "providers/apply.html", {"form": form})


def accept_invitation(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except services.ProviderError as error:
        return render(request, "providers/invitation.html", {"error": error.message}, status=404)
    from members.models import User

    user = request.user if request.user.is_authenticated else None
    has_account = User.objects.filter(email=invitation.email).exists()
    form = None if (user or has_account) else AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        try:
            if user:
                services.accept_invitation(token, user=user)
            elif form is not None and form.is_valid():
                _invitation, user = services.accept_invitation(
                    token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
                )
                login(request, user, backend=AUTH_BACKEND)
        except services.ProviderError as error:
            messages.error(request, error.message)
        else:
            if user:
                messages.success(request, f"Welcome: you now act for {invitation.provider} on the portal.")
                return redirect(invitation.provider)
    return render(
        request,
        "providers/invitation.html",
        {"invitation": invitation, "form": form, "has_account": has_account, "login_url": reverse("account_login")},
    )


@provider_view(methods=READ_ONLY)
def dashboard(request, provider):
    return render(
        request,
        "providers/dashboard.html",
        {
            "provider": provider,
            "application": LicenceApplication.objects.filter(provider=provider).first(),
            "requirements": selectors.maintenance_items(provider),
            "invoices": selectors.invoices(provider)[:5],
            "supervision_records": selectors.supervision_records(provider)[:5],
            "completer_lists": selectors.completer_lists(provider)[:5],
            "today": timezone.localdate(),
        },
    )


@provider_view(methods=READ_ONLY)
def application(request, provider):
    application = get_object_or_404(LicenceApplication.objects.prefetch_related("evidence"), provider=provider)
    return render(
        request,
        "providers/application.html",
        {"provider": provider, "application": application},
    )


@provider_view(staff_may_read=True, methods=READ_ONLY)
def application_evidence(request, provider, pk):
    document = get_object_or_404(ApplicationEvidence, pk=pk, application__provider=provider)
    return private_file_response(document.file, document.original_name)


@provider_view(methods=READ_ONLY)
def invoices(request, provider):
    return render(
        request, "providers/invoices.html", {"provider": provider, "page": _page(request, selectors.invoices(provider))}
    )


@provider_view(staff_may_read=True, methods=READ_ONLY)
def invoice_pdf(request, provider, pk):
    invoice = get_object_or_404(Invoice.objects.select_related("provider"), pk=pk, provider=provider)
    response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.display_number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@provider_view(methods=READ_ONLY)
def deliveries(request, provider):
    return render(
        request,
        "providers/deliveries.html",
        {"provider": provider, "page": _page(request, selectors.deliveries(provider))},
    )


@provider_view
def report_delivery(request, provider):
    form = DeliveryForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        data = services.DeliveryInput(
            course=form.cleaned_data["course"],
            label=form.cleaned_data["label"],
            dates=form.cleaned_data["dates"],
            country=form.cleaned_data["country"],
            participants=form.cleaned_data["participants"],
            trainers=list(form.cleaned_data["trainers"]),
            centre_trainer=form.cleaned_data["centre_trainer"],
            mode=form.cleaned_data["mode"],
            venue=form.cleaned_data["venue"],
        )
        try:
            services.report_delivery(provider, data, by=request.user)
        except services.ProviderError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{data.label} is recorded.")
            return redirect("providers:deliveries", provider_id=provider.pk)
    return render(request, "providers/form.html", {"provider": provider, "form": form, "title": "Report a training"})


@provider_view(methods=READ_ONLY)
def uploads(request, provider):
    return render(
        request,
        "providers/uploads.html",
        {
            "provider": provider,
            "supervision_records": selectors.supervision_records(provider),
            "completer_lists": selectors.completer_lists(provider),
            "network_events": selectors.network_events(provider),
            "supervision": selectors.supervision_requirement(provider),
        },
    )


@accepts_uploads(files=1)
@provider_view
def upload_supervision(request, provider):
    form = SupervisionRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.upload_supervision_record(
                provider,
                afc_trainer=form.cleaned_data["afc_trainer"],
                date=form.cleaned_data["date"],
                hours=form.cleaned_data["hours"],
                upload=form.cleaned_data["record"],
                by=request.user,
            )
        except services.ProviderError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Supervision record saved: {record.hours_text} hours.")
            return redirect("providers:uploads", provider_id=provider.pk)
    return render(
        request,
        "providers/form.html",
        {"provider": provider, "form": form, "title": "Upload a supervision record", "multipart": True},
    )


@provider_view(staff_may_read=True, methods=READ_ONLY)
def supervision_file(request, provider, pk):
    record = get_object_or_404(SupervisionRecord, pk=pk, provider=provider)
    return private_file_response(record.record, record.original_name)


@accepts_uploads(files=1)
@provider_view
def upload_completers(request, provider):
    form = CompleterListForm(request.POST or None, request.FILES or None, provider=provider)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            completer_list = services.submit_completer_list(
                provider, delivery=form.cleaned_data["delivery"], upload=form.cleaned_data["file"], by=request.user
            )
        except services.ProviderError as error:
            form.add_error(None, error.message)
            row_errors = error.errors
        else:
            messages.success(
                request, "The list is saved and waits for a coordinator's approval before its people join the portal."
            )
            return redirect("providers:completer_list", provider_id=provider.pk, pk=completer_list.pk)
    return render(
        request,
        "providers/upload_completers.html",
        {"provider": provider, "form": form, "row_errors": row_errors},
    )


@provider_view(methods=READ_ONLY)
def completer_list(request, provider, pk):
    completer_list = get_object_or_404(
        CompleterList.objects.select_related("delivery__run__course"), pk=pk, provider=provider
    )
    return render(
        request,
        "providers/completer_list.html",
        {"provider": provider, "completer_list": completer_list, "rows": completer_list.rows.all()},
    )


@provider_view(staff_may_read=True, methods=READ_ONLY)
def completer_file(request, provider, pk):
    completer_list = get_object_or_404(CompleterList, pk=pk, provider=provider)
    return private_file_response(completer_list.file, completer_list.original_name)


@provider_view
def record_network_event(request, provider):
    form = NetworkEventForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_network_event(provider, by=request.user, **form.cleaned_data)
        except services.ProviderError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Network event attendance recorded.")
            return redirect("providers:uploads", provider_id=provider.pk)
    return render(
        request, "providers/form.html", {"provider": provider, "form": form, "title": "Record network event attendance"}
    )
