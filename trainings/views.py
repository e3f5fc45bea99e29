from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from dit_portal.files import private_file_response
from dit_portal.limits import accepts_uploads
from members.roles import can_use_admin

from . import selectors, services
from .calendar import enrolment_calendar as build_calendar
from .eligibility import credential_checks
from .enums import ATTENDING_STATES, ENDED_WITHOUT_PLACE_STATES, EnrolmentAction, EnrolmentStatus
from .forms import ApplicationForm, RunFilterForm
from .models import CourseRun, Enrolment, EnrolmentAnswer

RUNS_PER_PAGE = 20


def run_list(request):
    form = RunFilterForm(request.GET or None, months=selectors.listed_months())
    runs = selectors.listed_runs(**form.filters())
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "trainings/run_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "filtered": any(form.filters().values())},
    )


def course_list(request):
    return render(request, "trainings/course_list.html", {"courses": selectors.catalogue()})


def course_detail(request, slug):
    course = get_object_or_404(selectors.catalogue(), slug=slug)
    runs = selectors.listed_runs(course=course)
    return render(request, "trainings/course_detail.html", {"course": course, "runs": runs})


def _public_run(request, pk):
    try:
        return selectors.public_run(pk, include_drafts=can_use_admin(request.user))
    except CourseRun.DoesNotExist:
        raise Http404("No such training.") from None


def _standing_enrolment(run, user):
    enrolment = selectors.latest_enrolment(run, user)
    return enrolment if enrolment and enrolment.status not in ENDED_WITHOUT_PLACE_STATES else None


def _eligibility(run, user):
    """The credential checks the portal can make before `user` applies, and those that refuse."""
    if not user.is_authenticated:
        return [], []
    checks = credential_checks(run.course.requirements.all(), user)
    hard = [requirement for requirement, problem in checks if problem and not requirement.case_by_case]
    return checks, hard


def run_detail(request, pk):
    run = _public_run(request, pk)
    checks, hard = _eligibility(run, request.user)
    return render(
        request,
        "trainings/run_detail.html",
        {
            "run": run,
            "course": run.course,
            "enrolment": _standing_enrolment(run, request.user),
            "refusal": services.application_refusal(run),
            "waitlist": services.joins_waiting_list(run),
            "credential_checks": checks,
            "hard_failures": hard,
        },
    )


@accepts_uploads(files=10)
@login_required
def apply(request, pk):
    run = _public_run(request, pk)
    enrolment = _standing_enrolment(run, request.user)
    if enrolment:
        messages.info(request, "You have already applied for this training; here is where your application stands.")
        return redirect(enrolment)
    if request.method == "GET" and (refusal := services.application_refusal(run)):
        messages.info(request, refusal)
        return redirect(run)
    requirements = list(run.course.requirements.all())
    checks, hard = _eligibility(run, request.user)
    form = ApplicationForm(request.POST or None, request.FILES or None, requirements=requirements)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.apply_for_run(
                run, trainee=request.user, answers=form.answer_inputs(), note=form.cleaned_data["note"]
            )
        except services.TrainingError as error:
            form.add_failures(error)
            if error.failures and not all(failure.about_evidence for failure in error.failures):
                refused = error  # a rule not met: sending the same form again cannot help
        else:
            if enrolment.status == EnrolmentStatus.WAITLISTED:
                messages.success(
                    request,
                    f"Thank you: {run} is full, so you have joined its waiting list. We have sent you a confirmation.",
                )
            else:
                messages.success(
                    request,
                    f"Thank you: your application for {run} has been received. We have sent you a confirmation.",
                )
            return redirect(enrolment)
    if request.method == "POST" and form.errors and request.FILES:
        messages.warning(
            request, "Nothing was saved. Please correct the answers marked below and choose your files again."
        )
    return render(
        request,
        "trainings/apply.html",
        {
            "run": run,
            "course": run.course,
            "form": form,
            "credential_checks": checks,
            "hard_failures": hard,
            "refused": refused,
            "waitlist": services.joins_waiting_list(run),
        },
    )


@login_required
def my_trainings(request):
    enrolments = list(selectors.my_enrolments(request.user))
    today = timezone.localdate()
    upcoming = sorted(
        (e for e in enrolments if e.status in ATTENDING_STATES and e.run.ends_on and e.run.ends_on >= today),
        key=lambda e: e.run.starts_on,
    )
    return render(
        request,
        "trainings/my_trainings.html",
        {"enrolments": enrolments, "upcoming": upcoming, "documents": selectors.my_documents(request.user)},
    )


def _my_enrolment(request, pk):
    return get_object_or_404(Enrolment.objects.select_related("run__course"), pk=pk, trainee=request.user)


@login_required
def enrolment_detail(request, pk):
    enrolment = get_object_or_404(selectors.my_enrolments(request.user), pk=pk)
    answers = enrolment.answers.select_related("requirement")
    return render(
        request,
        "trainings/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "run": enrolment.run,
            "answers": answers,
            "has_place": enrolment.status == EnrolmentStatus.ACCEPTED,
            "fee": selectors.fee_for(enrolment.run),
            "payment_instructions": selectors.payment_instructions(enrolment.run.course),
        },
    )


@login_required
@require_safe
def enrolment_calendar(request, pk):
    """The accepted training's days as an iCalendar file, for the trainee's own calendar."""
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("run__course").filter(status__in=ATTENDING_STATES),
        pk=pk,
        trainee=request.user,
    )
    response = HttpResponse(build_calendar(enrolment, request=request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dit-training-{enrolment.run_id}.ics"'
    return response


@login_required
def withdraw(request, pk):
    enrolment = _my_enrolment(request, pk)
    if request.method == "POST":
        try:
            services.withdraw_enrolment(enrolment, by=request.user)
        except services.TrainingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"Your application for {enrolment.run} has been withdrawn. We have sent you a confirmation."
            )
        return redirect(enrolment)
    if not enrolment.can(EnrolmentAction.WITHDRAW):
        messages.info(request, "This application has already ended.")
        return redirect(enrolment)
    return render(
        request,
        "trainings/confirm.html",
        {
            "enrolment": enrolment,
            "title": "Withdraw your application?",
            "question": f"Withdraw your application for {enrolment.run}?",
            "explanation": "If you hold a place, it will be offered to the next person on the waiting list. "
            "You can apply again while applications are open, but you will be behind those already waiting.",
            "button": "Withdraw",
            "button_class": "btn-danger",
        },
    )


@login_required
@require_POST
def accept_offer(request, pk):
    enrolment = _my_enrolment(request, pk)
    try:
        services.accept_offer(enrolment, by=request.user)
    except services.TrainingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You have a place on {enrolment.run}. We have sent you a confirmation.")
    return redirect(enrolment)


@login_required
def decline_offer(request, pk):
    enrolment = _my_enrolment(request, pk)
    if request.method == "POST":
        try:
            services.decline_offer(enrolment, by=request.user)
        except services.TrainingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "You have declined the place. Thank you for letting us know.")
        return redirect(enrolment)
    if not enrolment.can(EnrolmentAction.DECLINE_OFFER):
        messages.info(request, "There is no place offered to you on this training.")
        return redirect(enrolment)
    return render(
        request,
        "trainings/confirm.html",
        {
            "enrolment": enrolment,
            "title": "Decline the place?",
            "question": f"Decline the place offered to you on {enrolment.run}?",
            "explanation": "The place will be offered to the next person on the waiting list.",
            "button": "Decline the place",
            "button_class": "btn-danger",
        },
    )


def _may_read_evidence_of_others(request):
    """Coordinators, programme directors and superusers, with the admin's two-factor rule."""
    return admin.site.has_permission(request) and request.user.has_perm("trainings.view_enrolment")


@login_required
def evidence(request, pk):
    answers = EnrolmentAnswer.objects.exclude(evidence="")
    if not _may_read_evidence_of_others(request):
        answers = answers.filter(enrolment__trainee=request.user)
    answer = get_object_or_404(answers, pk=pk)
    return private_file_response(answer.evidence, answer.evidence_name or answer.evidence.name.rsplit("/", 1)[-1])
