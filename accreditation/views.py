from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dit_portal.files import private_file_response
from dit_portal.limits import accepts_uploads
from members.enums import CredentialKind

from . import maintenance, selectors, services
from .forms import CaseStudyUploadForm, SupportLetterForm
from .models import CaseStudySubmission, MaintenanceResult, SupportLetter
from .pathways import Records, checklist


def _pathway_context(request, **forms):
    person = request.user
    today = timezone.localdate()
    records = Records([person])
    mine = records.of(person)
    checklists = [checklist(person, kind, as_of=today, records=records) for kind in selectors.KINDS]
    role_play = next(
        (
            item
            for c in checklists
            if c.kind == CredentialKind.PRACTITIONER
            for item in c.items
            if item.key == "role_play"
        ),
        None,
    )
    started = selectors.started_kinds(checklists, mine.enrolments)
    return {
        "checklists": [c for c in checklists if c.kind in started],
        "not_started": [c.kind for c in checklists if c.kind not in started],
        "practitioner_started": CredentialKind.PRACTITIONER in started or "case_study_form" in forms,
        "role_play_hint": role_play.missing if role_play and not role_play.met else "",
        "role_plays": mine.role_plays,
        "case_studies": mine.case_studies,
        "case_study_refusal": services.case_study_refusal(
            person, latest=mine.case_studies[-1] if mine.case_studies else None, limits=records.limits
        ),
        "letters": mine.letters,
        "maintenance_now": maintenance.check(person, today.year, today=today),
        "maintenance_results": MaintenanceResult.objects.filter(person=person).order_by("-year"),
        "case_study_form": forms.get("case_study_form") or CaseStudyUploadForm(),
        "letter_form": forms.get("letter_form") or SupportLetterForm(),
        # A letter just sent is shown with its errors, whatever the route's state.
        "show_letters": "letter_form" in forms
        or any(c.kind == CredentialKind.SUPERVISOR and c.items[0].met for c in checklists),
    }


@login_required
@require_GET
def my_pathway(request):
    return render(request, "accreditation/my_pathway.html", _pathway_context(request))


@accepts_uploads(files=1)
@login_required
@require_POST
def upload_case_study(request):
    form = CaseStudyUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            submission = services.submit_case_study(request.user, upload=form.cleaned_data["file"])
        except services.AccreditationError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, f"Your case study (submission {submission.number}) is uploaded for review.")
            return redirect("accreditation:my_pathway")
    return render(request, "accreditation/my_pathway.html", _pathway_context(request, case_study_form=form), status=400)


@accepts_uploads(files=1)
@login_required
@require_POST
def upload_letter(request):
    form = SupportLetterForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.upload_support_letter(
                request.user,
                writer=form.cleaned_data["writer"],
                writer_name=form.cleaned_data["writer_name"],
                upload=form.cleaned_data["file"],
            )
        except services.AccreditationError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, "Your letter of support is uploaded.")
            return redirect("accreditation:my_pathway")
    return render(request, "accreditation/my_pathway.html", _pathway_context(request, letter_form=form), status=400)


def _staff_may_read(request, permission):
    return admin.site.has_permission(request) and request.user.has_perm(permission)


@login_required
@require_GET
def case_study_file(request, pk):
    """The trainee, the assigned assessor and coordinators; everyone else gets 404."""
    submissions = CaseStudySubmission.objects.exclude(file="")
    if not _staff_may_read(request, "accreditation.view_casestudysubmission"):
        submissions = submissions.filter(Q(person=request.user) | Q(assessor=request.user))
    submission = get_object_or_404(submissions, pk=pk)
    return private_file_response(submission.file, submission.file_name)


@login_required
@require_GET
def letter_file(request, pk):
    letters = SupportLetter.objects.exclude(file="")
    if not _staff_may_read(request, "accreditation.view_supportletter"):
        letters = letters.filter(person=request.user)
    letter = get_object_or_404(letters, pk=pk)
    return private_file_response(letter.file, letter.file_name)


@login_required
@require_GET
def trainer_days(request):
    today = timezone.localdate()
    return render(
        request,
        "accreditation/trainer_days.html",
        {
            "days": selectors.trainer_days(request.user),
            "checklist": checklist(request.user, CredentialKind.TRAINER, today),
        },
    )
