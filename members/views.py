from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from dit_portal.audit import log_action

from .forms import ProfileForm


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
