from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from dit_portal.audit import log_action

from .forms import ProfileForm
from .privacy import export_personal_data


@login_required
def members_home(request):
    credentials = request.user.credentials.all()
    return render(request, "members/home.html", {"credentials": credentials})


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name})
    if request.method == "POST" and form.is_valid():
        old = user.full_name
        user.full_name = form.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
        log_action(user, "members.user.profile_changed", user=user, data={"full_name": [old, user.full_name]})
        messages.success(request, "Your profile has been saved.")
        return redirect("members:profile")
    return render(request, "members/profile.html", {"form": form})


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
