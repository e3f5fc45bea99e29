"""Tenancy in one place: every provider page takes the provider from the URL and checks,
once, that the signed-in person acts for it. A provider the person does not act for
answers 404, whether or not it exists, so nothing leaks; the view then receives the
provider and filters every query by it."""

from functools import wraps

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed

from .models import Provider


def providers_of(user):
    """The providers `user` acts for."""
    if not user.is_authenticated:
        return Provider.objects.none()
    return Provider.objects.filter(memberships__user=user)


def staff_may_read_provider_files(request):
    """Coordinators, the Programme Director and superusers, with the admin's two-factor rule."""
    return admin.site.has_permission(request) and request.user.has_perm("providers.view_provider")


def provider_view(view=None, *, staff_may_read=False, methods=("GET", "HEAD", "POST")):
    """Decorate a view `view(request, provider, **kwargs)` reached at a URL with
    `<int:provider_id>`. Members of the provider get in; with `staff_may_read`, so do staff
    who pass the admin's check (for file downloads they review from the admin). The method
    is checked only after the provider, so another provider's address answers 404 to
    every method."""

    def decorate(function):
        @login_required
        @wraps(function)
        def wrapped(request, provider_id, **kwargs):
            provider = providers_of(request.user).filter(pk=provider_id).first()
            if provider is None and staff_may_read and staff_may_read_provider_files(request):
                provider = Provider.objects.filter(pk=provider_id).first()
            if provider is None:
                raise Http404("No such provider.")
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            request.provider = provider
            return function(request, provider, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate
