from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import services
from .forms import ReminderChoicesForm
from .models import ReminderOptOut
from .rules import RULES, optional_rules
from .rules.base import PEOPLE


@login_required
def preferences(request):
    """The person chooses which optional reminders they get."""
    person = request.user
    turned_off = set(ReminderOptOut.objects.filter(person=person).values_list("kind", flat=True))
    initial = {"wanted": [rule.kind for rule in optional_rules() if rule.kind not in turned_off]}
    # Unticking every box posts nothing but the token: bind on the method, not on the data.
    form = ReminderChoicesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.set_reminder_choices(person, wanted_kinds=form.cleaned_data["wanted"], by=person)
        except services.ReminderError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your reminder choices are saved." if changed else "Nothing changed.")
            return redirect("reminders:preferences")
    return render(
        request,
        "reminders/preferences.html",
        {"form": form, "always_sent": [rule for rule in RULES if not rule.optional and rule.audience == PEOPLE]},
    )
