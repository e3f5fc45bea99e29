from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from dit_portal import openbadges
from dit_portal.files import private_file_response

from . import services
from .enums import CertificateStatus
from .forms import CredentialCheckForm, VerificationForm
from .models import Certificate


@login_required
@require_GET
def my_certificates(request):
    certificates = request.user.certificates.order_by("-issued_on", "-number")
    return render(request, "certificates/my_certificates.html", {"certificates": certificates})


def _may_download_others(request):
    """Coordinators, programme directors and superusers, with the admin's two-factor rule."""
    return admin.site.has_permission(request) and request.user.has_perm("certificates.view_certificate")


@login_required
def download(request, pk):
    certificates = Certificate.objects.all()
    if not _may_download_others(request):
        certificates = certificates.filter(holder=request.user)
    certificate = get_object_or_404(certificates, pk=pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if not certificate.is_valid and not _may_download_others(request):
        # A revoked certificate's PDF would still read as valid: its holder no longer gets it
        # (staff keep the record).
        return render(request, "certificates/revoked.html", {"certificate": certificate}, status=410)
    return private_file_response(services.ensure_pdf(certificate), certificate.download_name)


def _verify_form(request):
    """A code to look up (GET), or a signed credential pasted or uploaded (POST): valid,
    revoked (or suspended, lapsed), or not issued by the Centre."""
    form = VerificationForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("certificates:verify", code=form.cleaned_data["code"].strip())
    posted = request.method == "POST"
    check = CredentialCheckForm(request.POST if posted else None, request.FILES if posted else None)
    verdict = None
    if posted and check.is_valid():
        verdict = openbadges.verify(check.cleaned_data["text"])
    response = render(request, "certificates/verify_form.html", {"form": form, "check": check, "verdict": verdict})
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def open_badge(request, pk):
    """The holder's valid certificate as a signed Open Badges 3.0 credential (VC-JWT)."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("holder"), pk=pk, holder=request.user, status=CertificateStatus.VALID
    )
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        token = services.signed_badge(certificate)
    except openbadges.SigningKeyMissing:
        return render(request, "members/badge_unavailable.html", status=503)
    response = HttpResponse(token, content_type=openbadges.MEDIA_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{certificate.display_number}.jwt")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _verification_rate(group, request):
    return settings.CERTIFICATE_VERIFICATION_RATE


def _client_address(group, request):
    """The same client address allauth's rate limits use (TRUSTED_PROXY_COUNT behind a proxy)."""
    return get_adapter(request).get_client_ip(request)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@ratelimit(key=_client_address, rate=_verification_rate, block=False)
def verify(request, code=None):
    """Valid, revoked or unknown; only the holder's name, the title and the date are shown.

    Codes are random (192 bits) and looked up only whole; an unknown code gets one and the
    same answer, and each address may ask only a few times a minute."""
    if getattr(request, "limited", False):
        response = render(request, "certificates/verify_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    if code is None:
        return _verify_form(request)
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    certificate = Certificate.objects.filter(verification_code=code).only(
        "holder_name", "title", "kind", "achieved_on", "status", "number"
    )
    certificate = certificate.first()
    if certificate is None:
        response = render(request, "certificates/verify.html", {"certificate": None}, status=404)
    else:
        response = render(request, "certificates/verify.html", {"certificate": certificate})
    response["X-Robots-Tag"] = "noindex"
    return response
