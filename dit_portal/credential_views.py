"""The public documents a verifier of the Centre's signed credentials needs: the issuer
profile, its public keys (current and retired) and the status list. Anyone may read them."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import openbadges


@require_GET
@cache_control(public=True, max_age=3600)
def issuer(request):
    return JsonResponse(openbadges.issuer_profile(), content_type="application/ld+json")


@require_GET
@cache_control(public=True, max_age=3600)
def keys(request):
    return JsonResponse(openbadges.jwks(), content_type="application/jwk-set+json")


@require_GET
@cache_control(public=True, max_age=60)
def status_list(request):
    """The status list as a signed VC-JWT; `?format=json` gives the same credential unsigned,
    for reading (and while no signing key is configured)."""
    if request.GET.get("format") == "json" or not openbadges.can_sign():
        return JsonResponse(openbadges.status_list_credential(), content_type="application/ld+json")
    return HttpResponse(openbadges.signed_status_list(), content_type=openbadges.MEDIA_TYPE)
