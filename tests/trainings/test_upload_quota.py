"""Each person's uploads count towards PRIVATE_STORAGE_QUOTA; an application that would
pass it is refused with a clear message and stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dit_portal.files import storage_used_by
from tests.files import image
from trainings import services
from trainings.models import Course, Enrolment
from trainings.services import TrainingError

from .factories import make_run, yes_to_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_day():
    return Course.objects.get(slug="5-day-dit-training")


def test_an_application_past_the_quota_is_refused_and_stores_nothing(five_day, trainee, settings, private_files):
    first = services.apply_for_run(make_run(course=five_day), trainee=trainee, answers=yes_to_all(five_day))
    used = storage_used_by(trainee)
    assert used == sum(answer.evidence_size or 0 for answer in first.answers.all()) > 0
    stored = private_files()

    settings.PRIVATE_STORAGE_QUOTA = used + 100  # room for less than one more application
    with pytest.raises(TrainingError, match=r"would take your uploads past the .* each person may store"):
        services.apply_for_run(make_run(course=five_day), trainee=trainee, answers=yes_to_all(five_day))
    assert Enrolment.objects.filter(trainee=trainee).count() == 1
    assert private_files() == stored


def test_within_the_quota_applications_go_through(five_day, trainee, settings):
    settings.PRIVATE_STORAGE_QUOTA = 10 * 1024 * 1024
    for _ in range(2):
        services.apply_for_run(make_run(course=five_day), trainee=trainee, answers=yes_to_all(five_day))
    assert Enrolment.objects.filter(trainee=trainee).count() == 2


def test_a_picture_of_evidence_is_stored_re_encoded(five_day, trainee):
    photo = SimpleUploadedFile("certificate.png", image() + b"appended payload")
    answers = yes_to_all(five_day, **{"Psychodynamic training": {"evidence": photo}})
    enrolment = services.apply_for_run(make_run(course=five_day), trainee=trainee, answers=answers)
    answer = enrolment.answers.get(question="Psychodynamic training")
    with answer.evidence.open("rb") as stored:
        assert b"appended payload" not in stored.read()
    assert answer.evidence_name == "certificate.png"
    assert answer.evidence_size == answer.evidence.size


def test_the_applicant_is_told_about_the_quota_on_the_form(client, trainee, settings, private_files):
    from django.urls import reverse

    from .factories import CourseFactory, RequirementFactory, pdf_upload

    settings.PRIVATE_STORAGE_QUOTA = 100  # less than one real PDF
    course = CourseFactory(title="Evidence course")
    requirement = RequirementFactory(course=course, title="Training", question="Trained?", evidence="required")
    run = make_run(course=course)
    client.force_login(trainee)
    response = client.post(
        reverse("trainings:apply", args=[run.pk]),
        {f"answer_{requirement.pk}": "yes", f"evidence_{requirement.pk}": pdf_upload()},
    )
    assert response.status_code == 200
    assert "would take your uploads past the 100\xa0bytes each person may store" in response.text
    assert "Nothing was saved" in response.text
    assert not Enrolment.objects.exists() and private_files() == []
