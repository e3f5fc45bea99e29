"""Public text put back where it had dropped what the sources say (../shared/seeds/, issue 19):

- the patients' page: what DIT is ("out of sight, out of mind"), "a safe place to talk
  openly", and that the therapist may not answer questions directly;
- the overseas page: the supervision is ideally with the trainer who co-delivered the first
  training.

As in dit_portal.seeds_text, only unchanged text is replaced: a page a coordinator has edited
since is left alone. Shared by the data migration (portal 0006) and the tests (tests/conftest.py).
"""

from django.apps import apps as installed_apps

from .seeds_text import _replace

PATIENTS_WHAT_OLD = "## How long it lasts\n"
PATIENTS_WHAT_NEW = """## What DIT is

DIT is a time-limited psychodynamic therapy: it happens over a fixed number of sessions. One of
the main ideas in psychodynamic therapy is that when something is very painful we can try to
ignore it, a bit like the saying ‘out of sight, out of mind’. Most of the time we know when we are
doing this, but sometimes we bury something so successfully that we lose sight of it completely.
This is why difficult experiences in the past can continue to affect the way we feel and behave in
the present. DIT provides a safe place to talk openly about how you feel and to understand what
might be causing your difficulties.

## How long it lasts
"""
PATIENTS_QUESTIONS_OLD = "- Towards the end you will talk about finishing, and what you want to take forward.\n"
PATIENTS_QUESTIONS_NEW = """- Your therapist may not always answer your questions directly. Sometimes they are interested
  in what lies behind a question: someone worried about starting therapy may ask many questions
  about it, and talking about the worry helps more than answering every question.
- Towards the end you will talk about finishing, and what you want to take forward.
"""
OVERSEAS_SUPERVISION_OLD = "with a Centre trainer within a year\n  of your first training,"
OVERSEAS_SUPERVISION_NEW = "with a Centre trainer (ideally the trainer\n  who co-delivered your first training) within a year of your first training,"


def restore_source_text(apps=installed_apps):
    Page = apps.get_model("portal", "Page")
    page = Page.objects.filter(slug="what-is-dit").first()
    if page:
        if "out of sight, out of mind" not in page.body:
            page.body = _replace(page.body, PATIENTS_WHAT_OLD, PATIENTS_WHAT_NEW)
        if "answer your questions directly" not in page.body:
            page.body = _replace(page.body, PATIENTS_QUESTIONS_OLD, PATIENTS_QUESTIONS_NEW)
        page.save(update_fields=["body"])
    page = Page.objects.filter(slug="overseas-training-providers").first()
    if page:
        page.body = _replace(page.body, OVERSEAS_SUPERVISION_OLD, OVERSEAS_SUPERVISION_NEW)
        page.save(update_fields=["body"])


def undo_source_text(apps=installed_apps):
    Page = apps.get_model("portal", "Page")
    for slug, pairs in (
        ("what-is-dit", [(PATIENTS_WHAT_NEW, PATIENTS_WHAT_OLD), (PATIENTS_QUESTIONS_NEW, PATIENTS_QUESTIONS_OLD)]),
        ("overseas-training-providers", [(OVERSEAS_SUPERVISION_NEW, OVERSEAS_SUPERVISION_OLD)]),
    ):
        page = Page.objects.filter(slug=slug).first()
        if page:
            for new, old in pairs:
                page.body = _replace(page.body, new, old)
            page.save(update_fields=["body"])
