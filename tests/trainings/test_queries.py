"""N+1 guards: each list costs the same number of queries with 1 row and with 50."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from members import roles
from tests.factories import UserFactory, staff_with_totp
from trainings import services
from trainings.admin import RecentRunFilter
from trainings.enums import EnrolmentStatus, EvidenceRule, TrainerRole
from trainings.models import CourseFee, RunDay

from .factories import (
    CourseFactory,
    EnrolmentFactory,
    RequirementFactory,
    RunTrainerFactory,
    in_days,
    make_run,
    yes_to_all,
)

pytestmark = pytest.mark.django_db

ROWS = [1, 50]


@pytest.fixture(autouse=True)
def _warm_caches():
    """Content types and role groups are cached per process; load them before counting."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for model in ("enrolment", "courserun", "course"):
        ContentType.objects.get_by_natural_key("trainings", model)
    Group.objects.count()


@pytest.mark.parametrize("rows", ROWS)
def test_catalogue(client, rows, django_assert_num_queries):
    for _ in range(rows):
        course = CourseFactory()
        CourseFee.objects.create(course=course, description="Training", unit_price=100)
        RequirementFactory(course=course)
        make_run(course=course)
    # menu pages, courses with upcoming counts, their fee lines, their requirements
    with django_assert_num_queries(4):
        response = client.get(reverse("trainings:course_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", ROWS)
def test_live_trainings_list(client, rows, django_assert_num_queries):
    for offset in range(rows):
        make_run(starts_in=40 + offset, day_count=3)
    # months for the filter, courses for the filter, count, the page of runs, menu pages
    with django_assert_num_queries(5):
        response = client.get(reverse("trainings:run_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", ROWS)
def test_run_page(client, rows, django_assert_num_queries):
    course = CourseFactory()
    run = make_run(course=course, dates=[in_days(40 + day) for day in range(rows)], capacity=rows + 5)
    for _ in range(rows):
        RunTrainerFactory(run=run, role=TrainerRole.SUPPORT)
        CourseFee.objects.create(course=course, description="Line", unit_price=10)
        RequirementFactory(course=course)
        EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    client.force_login(UserFactory())
    # session, user, run with facts (places taken among them), days, fees, requirements,
    # trainers, my application, menu pages, roles (admin link; draft preview), supervisor
    # credential (the menu's "Supervising")
    with django_assert_num_queries(11):
        response = client.get(run.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["run"].public_trainers) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_dashboard(client, rows, django_assert_num_queries):
    trainee = UserFactory()
    course = CourseFactory()
    RequirementFactory(course=course, evidence=EvidenceRule.OPTIONAL)
    for offset in range(rows):
        run = make_run(course=course, starts_in=10 + offset, day_count=2)
        enrolment = services.apply_for_run(run, trainee=trainee, answers=yes_to_all(course))
        if offset % 2:
            enrolment.status = EnrolmentStatus.ACCEPTED
            enrolment.save()
    client.force_login(trainee)
    # session, user, enrolments, their runs, the runs' days, documents, menu pages, roles
    with django_assert_num_queries(8):
        response = client.get(reverse("trainings:my_trainings"))
    assert response.status_code == 200
    assert len(response.context["enrolments"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_admin_application_changelist(client, rows, django_assert_num_queries):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    for _ in range(rows):
        EnrolmentFactory(run=make_run())  # each on its own run
    url = reverse("admin:trainings_enrolment_changelist")
    # session, user, roles, two-factor, user and group permissions, filters (recent runs,
    # courses), one capped count, two-factor again (admin_view), the page of applications
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows
    if rows > RecentRunFilter.LIMIT:
        (run_filter,) = [spec for spec in response.context["cl"].filter_specs if isinstance(spec, RecentRunFilter)]
        assert len(run_filter.lookup_choices) == RecentRunFilter.LIMIT  # not one per run
    # Searching by the start of an e-mail address: the matching people and runs first.
    with django_assert_num_queries(13):
        response = client.get(url, {"q": "person"})
    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_admin_run_changelist(client, rows, django_assert_num_queries):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    for _ in range(rows):
        run = make_run(day_count=3)
        EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    # one capped count, no second, unfiltered one
    with django_assert_num_queries(10):
        response = client.get(reverse("admin:trainings_courserun_changelist"))
    assert response.status_code == 200
    assert RunDay.objects.count() == rows * 3
