"""The person profile: registration, region, employer and supervision experience with
evidence; verification only by coordinators, withdrawn when the declaration changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members import roles
from members.models import PersonProfile
from members.services import CredentialError, verify_supervision_experience
from tests.factories import UserFactory, staff_with_totp
from tests.trainings.factories import PDF_BYTES

pytestmark = pytest.mark.django_db


def _form(**extra):
    data = {
        "full_name": "Priya Practitioner",
        "details-registration_body": "BACP",
        "details-registration_number": "123456",
        "details-registration_full": "True",
        "details-registration_valid_until": "2030-01-01",
        "details-country": "GB",
        "details-region": "North West",
        "details-nhs_employer": "Manchester Talking Therapies",
        "details-supervision_years": "2.5",
    }
    data.update(extra)
    return data


def test_a_person_saves_their_profile_with_evidence(client):
    person = UserFactory()
    client.force_login(person)
    evidence = SimpleUploadedFile("letter.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(reverse("members:profile"), _form(**{"details-supervision_evidence_upload": evidence}))
    assert response.status_code == 302
    profile = PersonProfile.objects.get(person=person)
    assert (profile.registration_body, str(profile.country), profile.region) == ("BACP", "GB", "North West")
    assert profile.supervision_evidence_name == "letter.pdf" and not profile.supervision_verified
    download = client.get(profile.get_evidence_url())
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_renamed_file_is_refused_and_nothing_is_saved(client):
    person = UserFactory()
    client.force_login(person)
    fake = SimpleUploadedFile("letter.pdf", b"just text, not a PDF", content_type="application/pdf")
    response = client.post(reverse("members:profile"), _form(**{"details-supervision_evidence_upload": fake}))
    assert response.status_code == 200
    assert "does not match a PDF" in response.text
    assert not PersonProfile.objects.filter(person=person).exists()


def test_the_verification_flag_is_not_the_persons_to_set(client):
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("members:profile"), _form(**{"details-supervision_verified_at": "2020-01-01 10:00"}))
    assert not PersonProfile.objects.get(person=person).supervision_verified


def test_a_coordinator_verifies_and_a_changed_declaration_withdraws_it(client):
    person = UserFactory()
    client.force_login(person)
    evidence = SimpleUploadedFile("letter.pdf", PDF_BYTES, content_type="application/pdf")
    client.post(reverse("members:profile"), _form(**{"details-supervision_evidence_upload": evidence}))
    profile = PersonProfile.objects.get(person=person)
    coordinator = staff_with_totp(roles.COORDINATOR)
    verify_supervision_experience(profile, by=coordinator)
    with pytest.raises(CredentialError, match="already verified"):
        verify_supervision_experience(profile, by=coordinator)
    client.post(reverse("members:profile"), _form(**{"details-supervision_years": "2.5"}))
    assert PersonProfile.objects.get(person=person).supervision_verified  # unchanged: still verified
    client.post(reverse("members:profile"), _form(**{"details-supervision_years": "3"}))
    assert not PersonProfile.objects.get(person=person).supervision_verified


def test_nothing_declared_cannot_be_verified():
    profile = PersonProfile.objects.create(person=UserFactory())
    with pytest.raises(CredentialError, match="not declared"):
        verify_supervision_experience(profile, by=None)


def test_coordinators_verify_from_the_admin(client):
    from django.core.files.base import ContentFile

    profile = PersonProfile(person=UserFactory(), supervision_years=2)
    profile.supervision_evidence.save("e.pdf", ContentFile(PDF_BYTES), save=False)
    profile.save()
    client.force_login(staff_with_totp(roles.COORDINATOR))
    response = client.post(
        reverse("admin:members_personprofile_changelist"),
        {"action": "verify_experience", "_selected_action": [profile.pk]},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.supervision_verified
    assert client.get(profile.get_evidence_url()).status_code == 200


def test_someone_elses_evidence_answers_404(client):
    from django.core.files.base import ContentFile

    profile = PersonProfile(person=UserFactory())
    profile.supervision_evidence.save("e.pdf", ContentFile(PDF_BYTES), save=False)
    profile.save()
    client.force_login(UserFactory())
    assert client.get(profile.get_evidence_url()).status_code == 404
