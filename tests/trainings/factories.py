import datetime
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import UserFactory
from tests.files import PDF_BYTES
from trainings.enums import AnswerType, DeliveryMode, EnrolmentStatus, EvidenceRule, RunStatus, TrainerRole
from trainings.models import Course, CourseRun, Enrolment, EntryRequirement, RunDay, RunTrainer
from trainings.services import AnswerInput


def pdf_upload(name="certificate.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Test course {n}")
    slug = factory.Sequence(lambda n: f"test-course-{n}")
    summary = "A course for tests."
    length = "2 days"
    audience = "Anyone."
    leads_to = "CPD"


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EntryRequirement

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Requirement {n}")
    question = "Do you meet it?"
    answer_type = AnswerType.YES_NO
    evidence = EvidenceRule.NONE


class CourseRunFactory(factory.django.DjangoModelFactory):
    """An open online run; pass `days=[dates]` for its teaching days (see make_run)."""

    class Meta:
        model = CourseRun
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    label = factory.Sequence(lambda n: f"Cohort {n}")
    status = RunStatus.OPEN
    mode = DeliveryMode.ONLINE
    capacity = 10
    application_deadline = factory.LazyFunction(lambda: in_days(30))

    @factory.post_generation
    def days(self, create, extracted, **kwargs):
        if create and extracted:
            RunDay.objects.bulk_create(RunDay(run=self, date=date) for date in extracted)


def make_run(*, day_count=2, starts_in=40, dates=None, **kwargs):
    """An open run with teaching days: `dates`, or `day_count` consecutive days from `starts_in`."""
    if dates is None:
        dates = [in_days(starts_in + offset) for offset in range(day_count)]
    return CourseRunFactory(days=dates, **kwargs)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    run = factory.LazyFunction(make_run)
    trainee = factory.SubFactory(UserFactory)
    status = EnrolmentStatus.APPLIED


class RunTrainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RunTrainer

    run = factory.LazyFunction(make_run)
    trainer = factory.SubFactory(UserFactory)
    role = TrainerRole.LEAD


def yes_to_all(course, **overrides):
    """Answers meeting every asked requirement of `course`, with a PDF wherever evidence is asked."""
    answers = []
    for requirement in course.requirements.all():
        if not requirement.is_asked:
            continue
        given = AnswerInput(requirement=requirement)
        if requirement.answer_type == AnswerType.YES_NO:
            given.yes_no = True
        elif requirement.answer_type == AnswerType.NO_NEEDED:
            given.yes_no = False
        elif requirement.answer_type == AnswerType.NUMBER:
            given.number = requirement.minimum + Decimal("1")
        elif requirement.answer_type == AnswerType.TEXT:
            given.text = "Camden and Islington Talking Therapies"
        elif requirement.answer_type == AnswerType.REGISTRATION:
            given.registration_body = requirement.choice_list[0]
            given.text = "REG-12345"
        if requirement.evidence != EvidenceRule.NONE:
            given.evidence = pdf_upload()
        for key, value in overrides.get(requirement.title, {}).items():
            setattr(given, key, value)
        answers.append(given)
    return answers
