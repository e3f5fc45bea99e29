"""The seed functions the data migrations call are the ones tests/conftest.py calls to put
seeded rows back after a transactional test: they give the same rows, and only once."""

import pytest
from django.contrib.auth.models import Group

from accreditation.models import Threshold
from dit_portal import seeds as portal_seeds
from dit_portal import seeds_text
from dit_portal.models import FrequentlyAskedQuestion, Page
from members import roles
from members import seeds as member_seeds
from tests.conftest import restore_seeded_rows
from trainings import seeds as training_seeds
from trainings.models import Course, CourseFee, EntryRequirement

pytestmark = pytest.mark.django_db


def seeded_rows():
    return {
        "roles": sorted(Group.objects.values_list("name", flat=True)),
        "pages": sorted(Page.objects.values_list("slug", "title")),
        "faqs": FrequentlyAskedQuestion.objects.count(),
        "courses": sorted(Course.objects.values_list("slug", "title")),
        "requirements": sorted(EntryRequirement.objects.values_list("course__slug", "title", "answer_type")),
        "fees": sorted(CourseFee.objects.values_list("course__slug", "description", "unit_price")),
        "cpd_events": sorted(Course.objects.filter(counts_as_cpd_event=True).values_list("slug", flat=True)),
        "thresholds": sorted(Threshold.objects.values_list("key", "value")),
    }


def test_the_migrations_seeded_what_the_seed_functions_describe():
    assert sorted(member_seeds.ROLES) == sorted(roles.ALL_ROLES)
    rows = seeded_rows()
    assert rows["roles"] == sorted(member_seeds.ROLES)
    assert {slug for slug, _title in rows["pages"]} == {page["slug"] for page in portal_seeds.PAGES}
    assert rows["faqs"] >= len(portal_seeds.FAQS) + len(seeds_text.ADDED_FAQS)  # later migrations add their own
    assert {slug for slug, _title in rows["courses"]} == {course["slug"] for course in training_seeds.COURSES}


def test_restoring_after_a_flush_gives_the_migrations_rows_again():
    migrated = seeded_rows()
    for model in (CourseFee, EntryRequirement, Course, FrequentlyAskedQuestion, Page, Group, Threshold):
        model.objects.all().delete()
    restore_seeded_rows()
    assert seeded_rows() == migrated
    restore_seeded_rows()  # a second run adds nothing
    assert seeded_rows() == migrated


def test_unseeding_keeps_a_course_a_run_was_planned_on():
    from tests.trainings.factories import make_run

    make_run(course=Course.objects.get(slug="cpd-day"))
    training_seeds.unseed_catalogue()
    assert list(Course.objects.values_list("slug", flat=True)) == ["cpd-day"]
    assert EntryRequirement.objects.filter(course__slug="cpd-day").exists()
