"""Public text follows the sources (DOMAIN.md D1-D18), names the Centre, sends every
"contact" to the contact page, and every link on the public pages works."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from dit_portal.models import FrequentlyAskedQuestion, Page
from tests.trainings.factories import make_run
from trainings.models import Course

pytestmark = pytest.mark.django_db

PUBLIC_START = ["/", "/faqs/", "/contact/", "/trainings/", "/trainings/courses/"]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links_on(html, base):
    parser = Links()
    parser.feed(html)
    return [urljoin(base, href) for href in parser.hrefs]


def test_every_link_on_the_public_pages_works(client):
    """Walk the public site from the home page and the menu, as a visitor: every internal
    link answers 200 (or sends to sign in), never 404 or 500."""
    make_run(course=Course.objects.get(slug="5-day-dit-training"), label="Walked cohort")
    queue = list(PUBLIC_START) + [page.get_absolute_url() for page in Page.objects.filter(is_published=True)]
    seen, broken = set(), []
    while queue:
        url = queue.pop()
        path = urlsplit(url).path
        if path in seen or urlsplit(url).netloc not in ("", "testserver"):
            continue
        if path.startswith(("/static/", "/admin/")) or url.startswith(("mailto:", "tel:")):
            continue
        seen.add(path)
        response = client.get(url)
        if response.status_code == 302:
            if not response["Location"].startswith("/accounts/login/"):
                broken.append((url, response.status_code, response["Location"]))
            continue
        if response.status_code != 200:
            broken.append((url, response.status_code))
            continue
        if "text/html" in response["Content-Type"] and not path.startswith("/accounts/"):
            queue += [link for link in links_on(response.text, url) if "#" not in link or link.split("#")[0]]
    assert not broken, broken
    assert {"/contact/", "/trainings/mine/", "/members/", "/about/for-professionals/"} <= seen


PORTAL_PROMISE = re.compile(
    r"\b(see|log|upload|record|show)\w*\b[^.]*\b(the portal|the members area|your trainings)", re.I
)


def test_every_promise_about_the_portal_links_to_the_page_where_it_is_kept():
    """A sentence telling visitors they can see, log or upload something in the portal links
    to the page that does it."""
    texts = [(page.slug, page.body) for page in Page.objects.filter(is_published=True)]
    texts += [(faq.question, faq.answer) for faq in FrequentlyAskedQuestion.objects.filter(is_published=True)]
    unlinked = []
    for where, text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+|\n\s*-\s+|\n\n", text):
            if PORTAL_PROMISE.search(sentence) and "](/" not in sentence:
                unlinked.append((where, sentence.strip()))
    assert not unlinked, unlinked


def test_the_nice_text_follows_decision_d18(client):
    html = " ".join(client.get("/about/for-professionals/").text.split())
    assert "DIT itself is not named in the NICE guideline." in html
    assert "short-term psychodynamic psychotherapy" in html
    assert "being evaluated" in html
    assert "DIT is the model services use to offer that option" not in html


def test_patients_with_concerns_are_pointed_to_their_service_and_pals(client):
    html = " ".join(client.get("/about/what-is-dit/").text.split())
    assert "Patient Advice and Liaison Service (PALS)" in html
    assert "contact your NHS service" in html


def test_the_dit_ipt_comparison_has_only_rows_from_the_source(client):
    body = Page.objects.get(slug="for-professionals").body
    rows = [line.split("|")[1].strip() for line in body.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows == ["", "Approach", "Length", "Developed for", "NICE guidance"]
    assert "Who can train" not in body
    assert "up to three years (IPT-maintenance)" in body


def test_every_contact_mention_links_to_the_contact_page():
    texts = [page.body for page in Page.objects.all()] + [faq.answer for faq in FrequentlyAskedQuestion.objects.all()]
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if re.search(r"\bcontact (the )?(Centre|coordinators)\b", sentence, re.I):
                assert "](/contact/)" in sentence, sentence


def test_the_centre_is_named_on_every_page(client):
    for url in ["/", "/faqs/", "/trainings/", "/contact/"]:
        assert "Anna Freud Centre" in client.get(url).text


def test_the_faq_uses_the_words_of_the_sign_in_page(client):
    answer = FrequentlyAskedQuestion.objects.get(question__startswith="I have lost the link").answer
    assert "[Send me my access again](/members/access/)" in answer and "Log in" not in answer
    assert "Send me my access again" in client.get("/members/access/").text


def test_the_yearly_cpd_event_is_required_of_trainers_only(client):
    """D1: for practitioners the CPD event is recorded, never a failing check."""
    answer = FrequentlyAskedQuestion.objects.get(question="How do I keep my practitioner status?").answer
    assert "not required of practitioners" in answer
    assert "attend a CPD event, see" not in answer
    trainer = Page.objects.get(slug="becoming-a-trainer").body
    assert "Trainer status is reviewed every calendar year." in trainer
    assert "Trainer and practitioner status are reviewed" not in trainer


def test_becoming_a_trainer_links_to_the_trainer_pathway_pages_that_work(client):
    """The page promises the days shadowed and delivered: it links to where a person sees them."""
    from tests.factories import UserFactory

    body = Page.objects.get(slug="becoming-a-trainer").body
    assert "[your trainer days](/pathway/trainer-days/)" in body
    assert "[My pathway](/pathway/)" in body
    client.force_login(UserFactory())
    assert client.get("/pathway/trainer-days/").status_code == 200
    assert client.get("/pathway/").status_code == 200


SOURCE = Path("/work/shared/seeds/000_d4ba63f0309febc8.txt")


def test_cpd_day_is_required_of_trainers_not_supervisors(client):
    """D1, D14: only trainers must attend a yearly CPD event."""
    from trainings.models import Course

    cpd_day = Course.objects.get(slug="cpd-day")
    text = f"{cpd_day.description} {cpd_day.leads_to}"
    assert "trainers and supervisors must attend" not in text
    assert "supervisors' yearly CPD event" not in text
    assert "DIT trainers must attend" in cpd_day.description
    page = " ".join(client.get("/trainings/courses/cpd-day/").text.split())
    assert "trainers and supervisors must attend" not in page


def test_the_patients_page_keeps_what_the_source_says(client):
    source = " ".join(SOURCE.read_text().split())
    assert "out of sight, out of mind" in source and "a safe place to talk openly" in source
    page = " ".join(client.get("/about/what-is-dit/").text.split())
    assert "out of sight, out of mind" in page
    assert "a safe place to talk openly" in page
    assert "may not always answer your questions directly" in page


def test_the_overseas_page_keeps_the_ideal_supervising_trainer(client):
    assert "ideally the trainer who co-delivered the first training" in SOURCE.read_text()
    page = " ".join(client.get("/about/overseas-training-providers/").text.split())
    assert "(ideally the trainer who co-delivered your first training)" in page


def test_the_source_text_migration_leaves_edited_pages_alone_and_reverses():
    from dit_portal.seeds_text_sources import restore_source_text, undo_source_text

    page = Page.objects.get(slug="what-is-dit")
    assert page.body.count("out of sight, out of mind") == 1
    restore_source_text()  # runs twice without adding the text twice
    page.refresh_from_db()
    assert page.body.count("out of sight, out of mind") == 1
    undo_source_text()
    page.refresh_from_db()
    assert "out of sight" not in page.body and "answer your questions directly" not in page.body
    page.body = "Edited by a coordinator."
    page.save()
    restore_source_text()
    page.refresh_from_db()
    assert page.body == "Edited by a coordinator."
