from allauth.account.views import RequestLoginCodeView
from allauth.core import ratelimit
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from dit_portal.audit import log_action
from dit_portal.files import private_file_response
from dit_portal.limits import accepts_uploads
from dit_portal.markup import render_markdown

from . import selectors, services
from .access import is_member, network_eligibility
from .badges import can_download
from .enums import JOINABLE_STATES, LEAVABLE_STATES, MembershipStatus
from .forms import ContactForm, JoinNetworkForm, PersonProfileForm, ProfileForm, ResourceSearchForm
from .models import MemberResource, Network, PersonProfile
from .privacy import export_personal_data_file
from .roles import can_use_admin
from .services import CredentialError, send_contact_message, update_profile

RESOURCES_PER_PAGE = 25


def _not_a_member(request):
    """The page a signed-in person who is not (yet) a member sees: what the members area is
    and how people get in."""
    return render(request, "members/not_a_member.html", status=403)


@login_required
def members_home(request):
    if not is_member(request.user):
        return render(request, "members/home.html", {"is_member": False})
    credentials = list(request.user.credentials.all())
    memberships = request.user.network_memberships.filter(status__in=LEAVABLE_STATES).select_related("network")
    shareable = {credential.pk for credential in credentials if can_download(credential)}
    return render(
        request,
        "members/home.html",
        {"is_member": True, "credentials": credentials, "memberships": memberships, "shareable": shareable},
    )


@accepts_uploads(files=2)
@login_required
def profile(request):
    user = request.user
    person_profile = PersonProfile.objects.filter(person=user).first() or PersonProfile(person=user)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, initial={"full_name": user.full_name})
    details = PersonProfileForm(data, request.FILES or None, instance=person_profile, prefix="details")
    if request.method == "POST" and form.is_valid() and details.is_valid():
        try:
            with transaction.atomic():
                old = user.full_name
                user.full_name = form.cleaned_data["full_name"].strip()
                if old != user.full_name:
                    user.save(update_fields=["full_name"])
                    log_action(
                        user, "members.user.profile_changed", user=user, data={"full_name": [old, user.full_name]}
                    )
                values = {name: details.cleaned_data[name] for name in PersonProfileForm._meta.fields}
                update_profile(
                    user, values=values, evidence=details.cleaned_data.get("supervision_evidence_upload"), by=user
                )
        except CredentialError as error:
            user.refresh_from_db(fields=["full_name"])
            details.add_error("supervision_evidence_upload", str(error))
        else:
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


def _only_shows(request):
    """For a members' page that only shows something: checked after membership, so a
    non-member still gets the explanation whatever the method."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None


@login_required
def resource_list(request):
    if not is_member(request.user):
        return _not_a_member(request)
    if refused := _only_shows(request):
        return refused
    form = ResourceSearchForm(request.GET or None)
    query, group = "", None
    if form.is_valid():
        query, group = form.cleaned_data["q"].strip(), form.cleaned_data["group"]
    page = Paginator(selectors.published_resources(query=query, group=group), RESOURCES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "members/resource_list.html",
        {"form": form, "page": page, "query": query, "filters": filters.urlencode(), "searching": bool(query or group)},
    )


@login_required
def resource_download(request, pk):
    if not is_member(request.user):
        return _not_a_member(request)
    if refused := _only_shows(request):
        return refused
    resource = get_object_or_404(MemberResource, pk=pk, is_published=True)
    if not resource.file:
        raise Http404
    return private_file_response(resource.file, resource.file_name or f"resource-{resource.pk}")


class AccessAgainView(RequestLoginCodeView):
    """ "Send me my access again": a sign-in code to the address on record, through
    allauth's login by code. Known and unknown addresses get the same answer and the same
    path (allauth e-mails an unknown address to say there is no account); requests are
    rate-limited per address and per IP address (ACCOUNT_RATE_LIMITS["request_login_code"])."""

    template_name = "members/access_again.html"

    def get_success_url(self):
        return f"{reverse('account_confirm_login_code')}?next={reverse('members:home')}"


access_again = AccessAgainView.as_view()


# Regional networks -----------------------------------------------------------------------


@require_safe
def network_list(request):
    networks = selectors.listed_networks()
    memberships = {}
    if request.user.is_authenticated:
        memberships = {m.network_id: m for m in request.user.network_memberships.all()}
    for network in networks:
        network.my_membership = memberships.get(network.pk)
    return render(request, "members/network_list.html", {"networks": networks})


@require_safe
def network_detail(request, slug):
    network = selectors.network_page(slug)
    if network is None:
        raise Http404
    membership = selectors.membership_of(request.user, network)
    is_network_member = membership is not None and membership.status == MembershipStatus.ACTIVE
    sees_contacts = is_network_member or can_use_admin(request.user)
    now = timezone.now()
    meetings = list(network.meetings.all())
    return render(
        request,
        "members/network_detail.html",
        {
            "network": network,
            "description": render_markdown(network.description),
            "membership": membership,
            "is_network_member": is_network_member,
            "sees_contacts": sees_contacts,
            "can_join": membership is None or membership.status in JOINABLE_STATES,
            "can_leave": membership is not None and membership.status in LEAVABLE_STATES,
            "upcoming": [m for m in meetings if m.starts_at >= now],
            "past": [m for m in reversed(meetings) if m.starts_at < now][:12],
        },
    )


def _published_network(slug):
    return get_object_or_404(Network, slug=slug, is_published=True)


@login_required
def join_network(request, slug):
    network = _published_network(slug)
    membership = selectors.membership_of(request.user, network)
    if membership is not None and membership.status not in JOINABLE_STATES:
        if membership.status == MembershipStatus.ACTIVE:
            messages.info(request, f"You are already a member of the {network}.")
        else:
            messages.info(request, "Your request to join is with the coordinators.")
        return redirect(network)
    eligibility = network_eligibility(request.user)
    form = JoinNetworkForm(
        request.POST if request.method == "POST" else None, needs_declaration=not eligibility.confirmed_by_records
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.join_network(
                network, request.user, declaration=form.cleaned_data.get("declaration", "")
            )
        except services.NetworkError as error:
            form.add_error(None, error.message)
        else:
            if membership.status == MembershipStatus.ACTIVE:
                messages.success(request, f"You have joined the {network}.")
            else:
                messages.success(
                    request,
                    "Thank you. The coordinators will confirm your membership; we will e-mail you when they have.",
                )
            return redirect(network)
    return render(
        request,
        "members/network_join.html",
        {"network": network, "form": form, "eligibility": eligibility},
    )


@login_required
def leave_network(request, slug):
    network = _published_network(slug)
    membership = selectors.membership_of(request.user, network)
    if membership is None or membership.status not in LEAVABLE_STATES:
        raise Http404
    if request.method == "POST":
        try:
            services.leave_network(membership, by=request.user)
        except services.NetworkError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"You have left the {network}.")
        return redirect(network)
    return render(request, "members/network_leave.html", {"network": network, "membership": membership})


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """What the portal holds about the signed-in person: explained on GET, a zip on POST."""
    if request.method == "POST":
        name = f"dit-portal-my-data-{timezone.localdate():%Y-%m-%d}.zip"
        # Streamed from a temporary file: a long history never sits in memory whole.
        response = FileResponse(
            export_personal_data_file(request.user), as_attachment=True, filename=name, content_type="application/zip"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "members/my_data.html")


def contact(request):
    """The contact page: a message to the coordinators, never their addresses."""
    user = request.user
    initial = {"name": user.get_full_name(), "email": user.email} if user.is_authenticated else {}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            return redirect("contact_sent")
        if not ratelimit.consume(request, action="contact"):
            form.add_error(
                None, "You have sent several messages in a short time. Please wait an hour before sending another."
            )
            return render(request, "pages/contact.html", {"form": form}, status=429)
        data = form.cleaned_data
        send_contact_message(
            name=data["name"], email=data["email"], topic=data["topic"], message=data["message"], sender=user
        )
        return redirect("contact_sent")
    return render(request, "pages/contact.html", {"form": form})


@require_safe
def contact_sent(request):
    return render(request, "pages/contact_sent.html")
