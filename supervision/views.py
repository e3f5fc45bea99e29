"""The practitioner's ledger, the supervisor's page and the public supervisor directory.

A practitioner reaches only their own cases (anyone else's answer 404); a supervisor
reaches only the sessions, recordings and cases that name them. Staff correct the ledger
in the admin. Every change goes through `services`."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from . import selectors, services
from .enums import RATING_TRANSITIONS, SessionStatus
from .forms import (
    CaseForm,
    ContactForm,
    CpdForm,
    DirectoryFilterForm,
    DisputeForm,
    EndCaseForm,
    ListingForm,
    RatingForm,
    RecordingForm,
    SessionForm,
    TherapyHoursForm,
)
from .models import Case, CpdRecord, Recording, SupervisionSession, SupervisorListing

PER_PAGE = 20
DIRECTORY_PER_PAGE = 20
# Messages one visitor (by address) may send through the directory per window.
CONTACT_LIMIT = 5
CONTACT_WINDOW_SECONDS = 60 * 60


def _page(request, queryset, name):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get(name))


# The practitioner's ledger ------------------------------------------------------------------


def _my_cases(user):
    return Case.objects.filter(practitioner=user).select_related("supervisor")


@login_required
@require_safe
def ledger(request):
    user = request.user
    cases = (
        _my_cases(user)
        .annotate(
            logged_hours=Sum("therapy_hours__hours"),
            recording_count=Count("recordings", distinct=True),
        )
        .order_by("-started_on", "-pk")
    )
    sessions = (
        SupervisionSession.objects.filter(practitioner=user)
        .select_related("supervisor")
        .prefetch_related(Prefetch("cases", queryset=Case.objects.only("pk", "code")))
    )
    recordings = (
        Recording.objects.filter(case__practitioner=user).select_related("case").order_by("-session_date", "-pk")
    )
    totals = {
        "therapy": selectors.therapy_hours(user),
        "confirmed": selectors.confirmed_hours(user),
        "formal": selectors.confirmed_hours(user, formal=True),
        "passed": selectors.passed_recordings(Case.objects.filter(practitioner=user)).count(),
    }
    return render(
        request,
        "supervision/ledger.html",
        {
            "cases": _page(request, cases, "cases"),
            "sessions": _page(request, sessions, "sessions"),
            "recordings": _page(request, recordings, "recordings"),
            "cpd": _page(request, CpdRecord.objects.filter(person=user), "cpd"),
            "totals": totals,
            "training_start": selectors.training_start(user),
        },
    )


def _my_case(request, pk):
    return get_object_or_404(_my_cases(request.user), pk=pk)


@login_required
def case_add(request):
    form = CaseForm(request.POST or None, practitioner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.log_case(request.user, **form.cleaned_data)
        except services.SupervisionError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Case {case.code} has been added to your ledger.")
            return redirect("supervision:case_detail", pk=case.pk)
    return render(request, "supervision/form.html", {"form": form, "title": "Add a case", "button": "Add the case"})


@login_required
@require_safe
def case_detail(request, pk):
    case = _my_case(request, pk)
    return render(
        request,
        "supervision/case_detail.html",
        {
            "case": case,
            "hours": _page(request, case.therapy_hours.all(), "page"),
            "total_hours": case.therapy_hours.aggregate(total=Sum("hours"))["total"],
            "recordings": case.recordings.select_related("rated_by"),
            "sessions": case.supervision_sessions.select_related("supervisor"),
            "hours_form": TherapyHoursForm(case=case),
            "recording_form": RecordingForm(case=case),
            "end_form": EndCaseForm(initial={"ended_on": case.ended_on}),
        },
    )


def _case_form_view(request, pk, form_class, save, success, title, button):
    case = _my_case(request, pk)
    form = form_class(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form.cleaned_data)
        except services.SupervisionError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, success)
            return redirect("supervision:case_detail", pk=case.pk)
    return render(request, "supervision/form.html", {"form": form, "case": case, "title": title, "button": button})


@login_required
def case_hours(request, pk):
    return _case_form_view(
        request,
        pk,
        TherapyHoursForm,
        lambda case, data: services.log_therapy_hours(case, by=request.user, **data),
        "The therapy hours have been logged.",
        "Log therapy hours",
        "Log the hours",
    )


@login_required
def case_recording(request, pk):
    return _case_form_view(
        request,
        pk,
        RecordingForm,
        lambda case, data: services.log_recording(case, by=request.user, **data),
        "The recording has been logged; your supervisor will rate it.",
        "Log a recording",
        "Log the recording",
    )


@login_required
def case_end(request, pk):
    case = _my_case(request, pk)
    form = EndCaseForm(request.POST or None, initial={"ended_on": case.ended_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_case(case, ended_on=form.cleaned_data["ended_on"], by=request.user)
        except services.SupervisionError as error:
            form.add_error("ended_on" if "ended_on" in error.errors else None, error.message)
        else:
            messages.success(request, f"Case {case.code} has been marked as ended.")
            return redirect("supervision:case_detail", pk=case.pk)
    return render(
        request,
        "supervision/form.html",
        {"form": form, "case": case, "title": f"Case {case.code} ended", "button": "Save"},
    )


@login_required
def session_add(request):
    form = SessionForm(request.POST or None, practitioner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.log_session(request.user, **form.cleaned_data)
        except services.SupervisionError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"The session has been logged; {session.supervisor} has been asked to confirm it."
            )
            return redirect("supervision:ledger")
    return render(
        request,
        "supervision/form.html",
        {
            "form": form,
            "title": "Log a supervision session",
            "button": "Log the session",
            "intro": "Your supervisor is asked to confirm it. Only confirmed sessions count toward accreditation.",
        },
    )


@login_required
def session_withdraw(request, pk):
    session = get_object_or_404(
        SupervisionSession.objects.select_related("supervisor"), pk=pk, practitioner=request.user
    )
    if request.method == "POST":
        try:
            services.withdraw_session(session, by=request.user)
        except services.SupervisionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Your session of {session.date:%-d %B %Y} has been withdrawn.")
        return redirect("supervision:ledger")
    if not session.can_withdraw:
        messages.info(request, f"This session cannot be withdrawn: it is {session.get_status_display().lower()}.")
        return redirect("supervision:ledger")
    return render(
        request,
        "supervision/form.html",
        {
            "title": "Withdraw a supervision session?",
            "intro": f"{session.hours:g} hours with {session.supervisor} on {session.date:%-d %B %Y}. "
            "It stays on your ledger as withdrawn, never counts, and is no longer awaiting your supervisor.",
            "button": "Withdraw the session",
            "button_class": "btn-danger",
        },
    )


@login_required
def cpd_add(request):
    form = CpdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_cpd(request.user, **form.cleaned_data)
        except services.SupervisionError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The CPD record has been added.")
            return redirect("supervision:ledger")
    return render(request, "supervision/form.html", {"form": form, "title": "Add a CPD record", "button": "Add"})


# The supervisor's page ------------------------------------------------------------------


@login_required
@require_safe
def supervisor_page(request):
    user = request.user
    awaiting = (
        selectors.sessions_awaiting(user)
        .select_related("practitioner")
        .prefetch_related(Prefetch("cases", queryset=Case.objects.only("pk", "code")))
        .order_by("date", "pk")
    )
    to_rate = (
        Recording.objects.filter(case__supervisor=user, rating__in=_awaiting_rating_states())
        .select_related("case__practitioner")
        .order_by("session_date", "pk")
    )
    to_confirm = (
        Case.objects.filter(supervisor=user, ended_on__isnull=False, close_supervision_confirmed_at__isnull=True)
        .select_related("practitioner")
        .order_by("ended_on", "pk")
    )
    return render(
        request,
        "supervision/supervisor.html",
        {
            "supervisees": _page(request, selectors.supervisees(user), "people"),
            "awaiting": _page(request, awaiting, "sessions"),
            "to_rate": _page(request, to_rate, "recordings"),
            "to_confirm": _page(request, to_confirm, "cases"),
            "may_list": selectors.supervisor_choices().filter(pk=user.pk).exists(),
        },
    )


def _awaiting_rating_states():
    """Recordings still open to a rating: unrated ones and those rated not yet (D4)."""
    return [rating for rating, targets in RATING_TRANSITIONS.items() if targets]


@login_required
@require_safe
def supervisee_detail(request, pk):
    supervisee = get_object_or_404(selectors.supervisees(request.user), pk=pk)
    cases = (
        Case.objects.filter(practitioner=supervisee, supervisor=request.user)
        .annotate(logged_hours=Sum("therapy_hours__hours"))
        .order_by("-started_on", "-pk")
    )
    return render(
        request,
        "supervision/supervisee.html",
        {
            "supervisee": supervisee,
            "cases": cases,
            "sessions": _page(
                request,
                SupervisionSession.objects.filter(practitioner=supervisee, supervisor=request.user).prefetch_related(
                    Prefetch("cases", queryset=Case.objects.only("pk", "code"))
                ),
                "sessions",
            ),
            "recordings": Recording.objects.filter(case__in=cases.values("pk")).select_related("case"),
        },
    )


def _my_supervision(request, pk):
    return get_object_or_404(SupervisionSession.objects.select_related("practitioner"), pk=pk, supervisor=request.user)


@login_required
@require_POST
def session_confirm(request, pk):
    session = _my_supervision(request, pk)
    try:
        services.confirm_session(session, by=request.user)
    except services.SupervisionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You confirmed {session.practitioner}'s session on {session.date:%-d %B %Y}.")
    return redirect("supervision:supervisor")


@login_required
def session_dispute(request, pk):
    session = _my_supervision(request, pk)
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_session(session, by=request.user, reason=form.cleaned_data["reason"])
        except services.SupervisionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"You disputed {session.practitioner}'s session on {session.date:%-d %B %Y}.")
        return redirect("supervision:supervisor")
    if session.status != SessionStatus.PENDING and request.method == "GET":
        messages.info(request, f"This session has already been {session.get_status_display().lower()}.")
        return redirect("supervision:supervisor")
    return render(
        request,
        "supervision/form.html",
        {
            "form": form,
            "title": "Dispute a supervision session",
            "intro": f"{session.practitioner} logged {session.hours:g} hours of supervision with you on "
            f"{session.date:%-d %B %Y}.",
            "button": "Dispute the session",
            "button_class": "btn-danger",
        },
    )


@login_required
def recording_rate(request, pk):
    recording = get_object_or_404(
        Recording.objects.select_related("case__practitioner"), pk=pk, case__supervisor=request.user
    )
    if not recording.open_ratings:
        messages.info(request, f"This recording is rated {recording.get_rating_display().lower()}.")
        return redirect("supervision:supervisor")
    form = RatingForm(request.POST or None, recording=recording)
    if request.method == "POST" and form.is_valid():
        try:
            services.rate_recording(recording, by=request.user, **form.cleaned_data)
        except services.SupervisionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The recording of case {recording.case.code} has been rated.")
        return redirect("supervision:supervisor")
    return render(
        request,
        "supervision/form.html",
        {
            "form": form,
            "title": f"Rate a recording of case {recording.case.code}",
            "intro": f"{recording.case.practitioner}: {recording.get_phase_display().lower()} session of "
            f"{recording.session_date:%-d %B %Y}. A later pass replaces a not yet; a pass is final.",
            "button": "Save the rating",
        },
    )


@login_required
@require_POST
def case_confirm_close(request, pk):
    case = get_object_or_404(Case.objects.select_related("practitioner"), pk=pk, supervisor=request.user)
    try:
        services.confirm_close_supervision(case, by=request.user)
    except services.SupervisionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You confirmed you closely supervised case {case.code} to its end.")
    return redirect("supervision:supervisor")


# The directory ------------------------------------------------------------------------------


@require_safe
def directory(request):
    form = DirectoryFilterForm(request.GET or None, countries=selectors.listed_countries())
    filters = form.filters()
    listings = selectors.listed_supervisors(**filters)
    page = Paginator(listings, DIRECTORY_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/directory.html",
        {"form": form, "page": page, "query": query.urlencode(), "filtered": any(filters.values())},
    )


@login_required
def listing(request):
    if not selectors.supervisor_choices().filter(pk=request.user.pk).exists():
        raise Http404("Only DIT supervisors have a directory entry.")
    current = SupervisorListing.objects.filter(supervisor=request.user).first()
    form = ListingForm(
        request.POST or None,
        instance=current,
        initial=None if current else {"display_name": request.user.get_full_name()},
    )
    if request.method == "POST" and form.is_valid():
        services.save_listing(request.user, by=request.user, **form.cleaned_data)
        messages.success(request, "Your directory entry has been saved.")
        return redirect("supervision:listing")
    accredited = selectors.accredited_supervisors().filter(pk=request.user.pk).exists()
    return render(
        request,
        "supervision/form.html",
        {
            "form": form,
            "title": "Your entry in the supervisor directory",
            "intro": "Visitors write to you through the portal; your e-mail address is never shown."
            + ("" if accredited else " Your entry is shown only while you are an accredited DIT supervisor."),
            "button": "Save",
        },
    )


def _contact_allowed(request):
    """At most CONTACT_LIMIT messages per address per window, counted in the cache."""
    key = f"supervision:contact:{get_adapter().get_client_ip(request)}"
    cache.add(key, 0, CONTACT_WINDOW_SECONDS)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, CONTACT_WINDOW_SECONDS)
        sent = 1
    return sent <= CONTACT_LIMIT


def contact(request, pk):
    listing = get_object_or_404(selectors.listed_supervisors(), pk=pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_spam():
            messages.success(request, f"Your message has been sent to {listing.display_name}.")
            return redirect("supervision:directory")
        if not _contact_allowed(request):
            form.add_error(None, "You have sent several messages in a short time; please try again in an hour.")
            return render(request, "supervision/contact.html", {"form": form, "listing": listing}, status=429)
        try:
            services.contact_supervisor(
                listing,
                sender_name=form.cleaned_data["name"],
                sender_email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
            )
        except services.SupervisionError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"Your message has been sent to {listing.display_name}. We have e-mailed you a confirmation; "
                "they answer from their own mailbox.",
            )
        return redirect("supervision:directory")
    return render(request, "supervision/contact.html", {"form": form, "listing": listing})
