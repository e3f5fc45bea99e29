"""Who gets into the members area, what others see, members' resources and private files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members import roles
from members.access import is_member
from members.admin import MemberResourceForm
from members.enums import CredentialStatus, ResourceKind
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus
from trainings.models import Attendance

from .factories import PDF_BYTES, ResourceFactory, ResourceGroupFactory, practitioner

pytestmark = pytest.mark.django_db


def test_people_who_completed_a_centre_run_are_members():
    person = UserFactory()
    assert not is_member(person)
    EnrolmentFactory(trainee=person, status=EnrolmentStatus.COMPLETED)
    assert is_member(UserFactory._meta.model.objects.get(pk=person.pk))


def test_attending_a_day_of_a_centre_run_is_enough_but_an_application_is_not():
    person = UserFactory()
    enrolment = EnrolmentFactory(trainee=person, status=EnrolmentStatus.ACCEPTED)
    assert not is_member(person)
    Attendance.objects.create(enrolment=enrolment, day=enrolment.run.days.first(), present=True)
    person = type(person).objects.get(pk=person.pk)
    assert is_member(person)


def test_a_run_delivered_by_a_provider_does_not_open_the_members_area():
    person = UserFactory()
    EnrolmentFactory(trainee=person, run=make_run(run_by_centre=False), status=EnrolmentStatus.COMPLETED)
    assert not is_member(person)


@pytest.mark.parametrize(
    ("status", "member"),
    [
        (CredentialStatus.IN_PROGRESS, True),
        (CredentialStatus.ACCREDITED, True),
        (CredentialStatus.LAPSED, True),
        (CredentialStatus.SUSPENDED, False),
        (CredentialStatus.REVOKED, False),
    ],
)
def test_credential_holders_are_members_unless_suspended_or_revoked(status, member):
    assert is_member(practitioner(status)) is member


def test_coordinators_are_members_and_other_roles_are_not_by_role_alone():
    assert is_member(UserFactory(role=roles.COORDINATOR))
    assert is_member(UserFactory(role=roles.PROGRAMME_DIRECTOR))
    assert not is_member(UserFactory(role=roles.PROVIDER_USER))
    assert not is_member(UserFactory(is_active=False, role=roles.COORDINATOR))


def test_a_non_member_sees_what_the_members_area_is_and_how_to_get_in(client):
    client.force_login(UserFactory())
    home = client.get(reverse("members:home"))
    assert home.status_code == 200
    html = home.content.decode()
    # A new account lands on what to do next (apply for a training, the routes, the profile).
    assert "<h1>Your account</h1>" in html and "What to do next" in html
    assert "You are not a member yet" not in html
    for name in ("trainings:run_list", "accreditation:my_pathway", "members:profile", "providers:apply"):
        assert f'href="{reverse(name)}"' in html
    assert reverse("members:access_again") in html

    resources = client.get(reverse("members:resource_list"))
    assert resources.status_code == 403
    text = resources.content.decode()
    assert "The members area is for DIT members" in text
    assert "How to get access" in text
    assert reverse("trainings:course_list") in text


def test_a_member_finds_resources_grouped_searched_and_paginated(client):
    forms_group = ResourceGroupFactory(title="Forms", position=1)
    recordings = ResourceGroupFactory(title="Recordings", position=2)
    ResourceFactory(group=forms_group, title="Supervision log template")
    ResourceFactory(group=recordings, title="Role-play briefing")
    ResourceFactory(group=recordings, title="Withdrawn guide", is_published=False)
    client.force_login(practitioner())

    text = client.get(reverse("members:resource_list")).content.decode()
    assert text.index(">Forms</h2>") < text.index("Supervision log template") < text.index(">Recordings</h2>")
    assert "Withdrawn guide" not in text

    found = client.get(reverse("members:resource_list"), {"q": "supervision"}).content.decode()
    assert "Supervision log template" in found and "Role-play briefing" not in found
    by_group = client.get(reverse("members:resource_list"), {"group": recordings.pk}).content.decode()
    assert "Role-play briefing" in by_group and "Supervision log template" not in by_group
    nothing = client.get(reverse("members:resource_list"), {"q": "no such thing"}).content.decode()
    assert "Nothing matches your search" in nothing

    for number in range(30):
        ResourceFactory(group=forms_group, title=f"Extra {number:02d}")
    first = client.get(reverse("members:resource_list"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("members:resource_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 7


def test_documents_are_served_privately_to_members_only(client):
    resource = ResourceFactory(document=True)
    assert "members/resources/" in resource.file.name and resource.file.name.endswith(".pdf")
    url = reverse("members:resource_download", args=[resource.pk])

    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403

    client.force_login(practitioner())
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    assert "Guide to DIT supervision.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"

    resource.is_published = False
    resource.save()
    assert client.get(url).status_code == 404
    link = ResourceFactory()
    assert client.get(reverse("members:resource_download", args=[link.pk])).status_code == 404


def _resource_form(upload):
    data = {"group": ResourceGroupFactory().pk, "title": "Guide", "kind": ResourceKind.DOCUMENT, "is_published": "on"}
    return MemberResourceForm(data=data, files={"file": upload})


def test_a_coordinator_adds_a_document_in_the_admin_and_the_upload_is_audit_logged(client):
    from dit_portal.models import AuditEntry
    from members.models import MemberResource
    from tests.factories import staff_with_totp

    client.force_login(staff_with_totp(roles.COORDINATOR))
    group = ResourceGroupFactory()
    upload = SimpleUploadedFile("Guide \u202efdp.exe.pdf", PDF_BYTES, content_type="application/pdf")
    data = {"group": group.pk, "title": "Guide", "kind": ResourceKind.DOCUMENT, "is_published": "on", "file": upload}
    response = client.post(reverse("admin:members_memberresource_add"), data)
    assert response.status_code == 302
    resource = MemberResource.objects.get(title="Guide")
    assert resource.file_name == "Guide fdp.exe.pdf"  # shown without the right-to-left override
    entry = AuditEntry.objects.get(action="members.memberresource.added_in_admin")
    assert entry.data["fields"]["file"] == "Guide fdp.exe.pdf"  # the upload's name, not its bytes


def test_an_uploaded_document_must_be_what_its_name_says():
    form = _resource_form(SimpleUploadedFile("guide.pdf", PDF_BYTES, content_type="application/pdf"))
    assert form.is_valid(), form.errors
    resource = form.save()
    assert resource.file_name == "guide.pdf"
    assert resource.file.name != "guide.pdf"

    fake = _resource_form(SimpleUploadedFile("guide.pdf", b"just some text", content_type="application/pdf"))
    assert not fake.is_valid()
    assert "does not match a PDF" in str(fake.errors["file"])
    script = _resource_form(SimpleUploadedFile("guide.html", b"<script>alert(1)</script>", content_type="text/html"))
    assert "not an accepted file type" in str(script.errors["file"])


def test_a_document_needs_its_file_and_a_link_its_address():
    form = _resource_form(None)
    assert not form.is_valid()
    assert "A document needs its file." in str(form.errors["file"])


def test_a_picture_resource_is_stored_re_encoded():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    payload = b"<script>alert(1)</script>"
    form = _resource_form(SimpleUploadedFile("diagram.png", buffer.getvalue() + payload, content_type="image/png"))
    assert form.is_valid(), form.errors
    resource = form.save()
    stored = resource.file.read()
    assert stored.startswith(b"\x89PNG") and payload not in stored
    assert resource.file_name == "diagram.png"
