from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from dit_portal.audit import log_action
from dit_portal.files import private_file_response

from .forms import PersonProfileForm, ProfileForm
from .models import PersonProfile
from .privacy import export_personal_data
from .services import update_profile


@login_required
def members_home(request):
    credentials = request.user.credentials.all()
    return render(request, "members/home.html", {"credentials": credentials})


@login_required
def profile(request):
    user = request.user
    person_profile = PersonProfile.objects.filter(person=user).first() or PersonProfile(person=user)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, initial={"full_name": user.full_name})
    details = PersonProfileForm(data, request.FILES or None, instance=person_profile, prefix="details")
    if request.method == "POST" and form.is_valid() and details.is_valid():
        with transaction.atomic():
            old = user.full_name
            user.full_name = form.cleaned_data["full_name"].strip()
            if old != user.full_name:
                user.save(update_fields=["full_name"])
                log_action(user, "members.user.profile_changed", user=user, data={"full_name": [old, user.full_name]})
            values = {name: details.cleaned_data[name] for name in PersonProfileForm._meta.fields}
            update_profile(
                user, values=values, evidence=details.cleaned_data.get("supervision_evidence_upload"), by=user
            )
        messages.success(request, "Your profile has been saved.")
        return redirect("members:profile")
    return render(request, "members/profile.html", {"form": form, "details": details, "profile": person_profile})


@login_required
@require_GET
def profile_evidence(request, pk):
    """The evidence of supervision experience: its owner and coordinators only."""
    profiles = PersonProfile.objects.exclude(supervision_evidence="")
    staff = admin.site.has_permission(request) and request.user.has_perm("members.view_personprofile")
    if not staff:
        profiles = profiles.filter(person=request.user)
    profile = get_object_or_404(profiles, pk=pk)
    return private_file_response(profile.supervision_evidence, profile.supervision_evidence_name or "evidence")


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """What the portal holds about the signed-in person: explained on GET, a zip on POST."""
    if request.method == "POST":
        archive = export_personal_data(request.user)
        response = HttpResponse(archive, content_type="application/zip")
        name = f"dit-portal-my-data-{timezone.localdate():%Y-%m-%d}.zip"
        response["Content-Disposition"] = content_disposition_header(True, name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "members/my_data.html")
