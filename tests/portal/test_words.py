"""The words the site uses: "Sign in", "Sign out", "Create account" everywhere; trainees read
"training", never "run"; "1 year", not "1 years"; the home page lists the next trainings."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import Course

pytestmark = pytest.mark.django_db

OLD_WORDS = re.compile(r"\b(Log in|Log out|Sign up|Sign In|Sign Up|Sign Out|Signup)\b")


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(
    "url",
    ["/", "/accounts/login/", "/accounts/signup/", "/accounts/login/code/", "/accounts/password/reset/", "/faqs/"],
)
def test_visitors_read_sign_in_and_create_account(client, url):
    text = visible_text(client.get(url).text)
    assert "Sign in" in text and "Create account" in text
    assert not OLD_WORDS.findall(text)


def test_signed_in_people_read_sign_out(client):
    client.force_login(UserFactory())
    for url in ["/members/", "/accounts/logout/"]:
        text = visible_text(client.get(url).text)
        assert "Sign out" in text
        assert not OLD_WORDS.findall(text)


def test_trainees_read_training_never_run(client):
    trainee = UserFactory()
    run = make_run(label="Spring cohort", capacity=1)
    full = make_run(label="Winter cohort", capacity=1, status=RunStatus.FULL)
    EnrolmentFactory(run=full, status=EnrolmentStatus.ACCEPTED)
    waiting = EnrolmentFactory(run=full, trainee=trainee, status=EnrolmentStatus.WAITLISTED, waitlist_position=1)
    applied = EnrolmentFactory(run=run, trainee=trainee)
    client.force_login(trainee)
    urls = [
        reverse("trainings:run_list"),
        reverse("trainings:course_list"),
        run.get_absolute_url(),
        full.get_absolute_url(),
        reverse("trainings:my_trainings"),
        applied.get_absolute_url(),
        waiting.get_absolute_url(),
        reverse("trainings:withdraw", args=[applied.pk]),
    ]
    for url in urls:
        text = visible_text(client.get(url).text)
        assert not re.findall(r"\bruns?\b", text, re.I), (url, re.findall(r".{30}\bruns?\b.{30}", text, re.I))


def test_one_year_is_singular(client):
    text = visible_text(client.get("/trainings/courses/5-day-dit-training/").text)
    assert "(at least 1 year)" in text
    assert "(at least 2 years)" in text
    assert "1 years" not in text


def test_home_lists_the_next_live_trainings_and_the_menu_has_the_catalogue(client):
    course = Course.objects.get(slug="5-day-dit-training")
    later = make_run(course=course, label="Later cohort", starts_in=90)
    sooner = make_run(course=course, label="Sooner cohort", starts_in=20)
    make_run(course=course, label="Draft cohort", starts_in=10, status=RunStatus.DRAFT)
    html = client.get("/").text
    assert "Next live trainings" in html
    assert html.index("Sooner cohort") < html.index("Later cohort")
    assert sooner.get_absolute_url() in html and later.get_absolute_url() in html
    assert "Draft cohort" not in html
    menu = html[html.index('aria-label="Main"') : html.index("</nav>")]
    assert 'href="/trainings/courses/">Courses</a>' in menu
    assert 'href="/contact/">Contact the coordinators</a>' in menu


def test_home_without_live_trainings_points_to_the_catalogue(client):
    html = client.get("/").text
    assert "No training is open for applications at the moment." in html


@pytest.mark.parametrize("rows", [1, 10])
def test_home_page_queries_do_not_grow(client, rows, django_assert_num_queries):
    for offset in range(rows):
        make_run(label=f"Cohort {offset}", starts_in=20 + offset)
    # home page, next trainings (with their course), menu pages
    with django_assert_num_queries(3):
        assert client.get("/").status_code == 200


def test_markdown_tables_are_styled_like_the_rest(client, settings):
    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()
    assert ".page-body table" in css and ".page-body thead th" in css
    html = client.get("/about/for-professionals/").text
    body = html[html.index('<div class="page-body">') :]
    assert "<table>" in body and "<th>DIT</th>" in body


TITLE_CASE = re.compile(r"\b(?:[A-Z][a-z]+ ){1,4}(?:Me|Code|Address|Addresses|Password|Email|In|Up|Out)\b")


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/login/code/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_allauths_labels_are_in_sentence_case(client, url):
    """ "Remember Me", "Request Code", "Verify Your Email Address" read as the portal writes
    (locale/en_GB, from locale/make_sentence_case.py)."""
    text = visible_text(client.get(url).text)
    assert not TITLE_CASE.findall(text), TITLE_CASE.findall(text)


def test_allauths_sentence_case_labels_and_mail_subject():
    from django.utils import translation

    with translation.override("en-gb"):
        assert translation.gettext("Remember Me") == "Remember me"
        assert translation.gettext("Request Code") == "Request code"
        assert translation.gettext("Verify Your Email Address") == "Verify your e-mail address"
        assert translation.gettext("Please Confirm Your Email Address") == "Please confirm your e-mail address"
        assert translation.gettext("Sign Up") == "Create account"


def test_the_sign_in_code_page_and_the_verification_page(client):
    assert "Request code" in visible_text(client.get("/accounts/login/code/").text)
    assert "Remember me" in visible_text(client.get("/accounts/login/").text)


def test_labels_inside_sentences_keep_dit_in_capitals():
    from dit_portal.text import lower_in_sentence

    assert (
        lower_in_sentence("An accredited DIT supervisor who knows your clinical work")
        == "an accredited DIT supervisor who knows your clinical work"
    )
    assert lower_in_sentence("Practitioner training case; DIT case") == "practitioner training case; DIT case"
    assert lower_in_sentence("Holds a DIT practitioner credential") == "holds a DIT practitioner credential"


def test_the_missing_letters_say_dit_in_capitals():
    from accreditation import pathways
    from members.enums import CredentialKind

    person = UserFactory()
    text = " ".join(item.missing for item in pathways.checklist(person, CredentialKind.SUPERVISOR).items)
    assert "accredited DIT supervisor" in text
    assert " dit " not in text


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/members/access/", "Create an account"),
        ("/members/networks/north-west/", "Sign in to join this network."),
    ],
)
def test_visitors_are_asked_to_sign_in_and_create_an_account(client, url, words):
    text = visible_text(client.get(url).text)
    assert words in text
    assert not OLD_WORDS.findall(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("in progress", "an in progress"),
        ("Excel workbook", "an Excel workbook"),
        ("PDF", "a PDF"),
        ("Word document", "a Word document"),
        ("AFC trainer", "an AFC trainer"),
        ("DIT supervisor", "a DIT supervisor"),
        ("accredited practitioner", "an accredited practitioner"),
        ("university", "a university"),
    ],
)
def test_a_label_gets_the_article_its_first_sound_needs(text, expected):
    from dit_portal.text import with_article

    assert with_article(text) == expected


def test_an_office_file_that_is_not_one_is_named_with_its_article():
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dit_portal.files import XLSX, prepare_upload

    with pytest.raises(ValidationError) as refused:
        prepare_upload(SimpleUploadedFile("list.xlsx", b"PK\x03\x04 not a zip"), [XLSX])
    assert "an Excel workbook" in " ".join(refused.value.messages)
