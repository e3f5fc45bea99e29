"""The public register of accredited DIT practitioners, the definitions of the credentials
it lists, and a holder's download of a credential as a signed Open Badges 3.0 credential."""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from dit_portal import openbadges

from . import badges, selectors
from .enums import CredentialKind
from .forms import RegisterCheckForm, RegisterSearchForm
from .models import HeldCredential

REGISTER_PER_PAGE = 20


def _register_rate(group, request):
    return settings.REGISTER_SEARCH_RATE


def _client_address(group, request):
    """The same client address allauth's rate limits use (TRUSTED_PROXY_COUNT behind a proxy)."""
    return get_adapter(request).get_client_ip(request)


@require_GET
@never_cache
@ratelimit(key=_client_address, rate=_register_rate, block=False)
def register(request):
    if getattr(request, "limited", False):
        response = render(request, "members/register_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    checking = "check_name" in request.GET
    check = RegisterCheckForm(request.GET if checking else None)
    answer = None
    if checking and check.is_valid():
        answer = selectors.on_register(check.cleaned_data["check_name"], check.cleaned_data["check_credential"])
    form = RegisterSearchForm(None if checking else (request.GET or None))
    filters = form.filters()
    page = None
    if not checking:  # an employer's check answers on its own, without the list
        page = Paginator(selectors.register_entries(**filters), REGISTER_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/register.html",
        {
            "form": form,
            "check": check,
            "answer": answer,
            "checked": check.cleaned_data if answer is not None else None,
            "checked_label": CredentialKind(check.cleaned_data["check_credential"]).label if answer is not None else "",
            "page": page,
            "query": query.urlencode(),
            "filtered": any(filters.values()),
        },
    )


@require_GET
def achievement(request, kind):
    """The Open Badges 3.0 Achievement a credential of `kind` attests."""
    if kind not in CredentialKind.values:
        raise Http404("No such credential.")
    definition = {"@context": [openbadges.VC_CONTEXT, openbadges.OB_CONTEXT], **badges.achievement_for(kind)}
    return JsonResponse(definition, content_type="application/ld+json")


@login_required
def credential_badge(request, pk):
    """The holder's accredited credential as a signed Open Badges 3.0 credential (VC-JWT).
    Another person's credential, or one not accredited now, answers 404."""
    credential = get_object_or_404(HeldCredential.objects.select_related("holder"), pk=pk, holder=request.user)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if not badges.can_download(credential):
        raise Http404("Only a credential accredited now can be downloaded.")
    try:
        token = badges.signed_badge(credential)
    except openbadges.SigningKeyMissing:
        return render(request, "members/badge_unavailable.html", status=503)
    response = HttpResponse(token, content_type=openbadges.MEDIA_TYPE)
    filename = f"{credential.get_kind_display().replace(' ', '-')}.jwt"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
