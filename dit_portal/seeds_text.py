"""Public text that follows the sources (DOMAIN.md D1-D18):

- NICE: DIT is not itself named in NICE's depression guideline; it is offered in NHS Talking
  Therapies as a form of the short-term psychodynamic psychotherapy the guideline includes,
  and it is being evaluated (D18).
- Patients with concerns: their service and the NHS Patient Advice and Liaison Service
  (PALS) (D18).
- The DIT/IPT comparison keeps only what the source page says.
- Every "contact the Centre/coordinators" links to the contact page, and a page promises
  only what the portal does, linking to the page where it is done.

Only the changed text is written, and a page a coordinator has edited since is left alone.
Shared by the data migration (portal 0004) and the tests, which call it after
`seed_public_pages` (tests/conftest.py SEEDS).
"""

from django.apps import apps as installed_apps

from .seeds import PAGES

HOME_BODY = """Dynamic Interpersonal Therapy (DIT) is a short, structured psychodynamic therapy. It helps
people with depression and anxiety understand how the way they relate to others affects how they feel.
The DIT trainings on this portal are run by the Anna Freud Centre.

## What you can do here

- **Patients and families:** read [what DIT is and what to expect](/about/what-is-dit/).
- **Professionals:** see [where DIT fits in NHS Talking Therapies](/about/for-professionals/), browse the
  [course catalogue](/trainings/courses/) and the [live trainings](/trainings/).
- **Trainees:** once you have applied, [your trainings page](/trainings/mine/) shows where each
  application stands, your places and the documents you uploaded.
- **Practitioners and supervisors:** sign in to the [members area](/members/) to see the DIT
  credentials the Centre has recorded for you.
- **Trainers:** read about [becoming a DIT trainer](/about/becoming-a-trainer/).
- **Organisations abroad:** find out how to become a [licensed overseas training provider](/about/overseas-training-providers/).

Questions about trainings or accreditation? [Contact the coordinators](/contact/).
"""

WHAT_IS_DIT_CONCERNS_OLD = """## Who to contact with concerns

If you have a concern about your therapy, first speak to your therapist or the service that
referred you. If that is not possible, contact the service manager of your NHS Talking Therapies
service. Questions about DIT training can be sent through the portal to the training coordinators.
"""

WHAT_IS_DIT_CONCERNS_NEW = """## Questions, worries and concerns

Therapy can bring up difficult issues. Please discuss any questions or worries with your
therapist: this is an important part of the work.

If you would like to discuss a concern with someone independent of your therapy, contact your
NHS service, or the **Patient Advice and Liaison Service (PALS)** of the NHS service that provides
your therapy. PALS offers confidential advice and help with concerns about NHS care.

Questions about DIT *training* (not about your own therapy) can be sent to the training
coordinators through the [contact page](/contact/).
"""

PROFESSIONALS_OLD_START = "## The NICE position"
PROFESSIONALS_OLD_END = "## DIT for Complex Care"

PROFESSIONALS_MIDDLE = """## The NICE position

NICE's guideline for depression includes brief (short-term) psychodynamic psychotherapy as one
option that can be considered, for example when someone has not responded to CBT or chooses a
psychodynamic approach. **DIT itself is not named in the NICE guideline.** NHS Talking Therapies
services follow NICE guidance and offer DIT as their form of short-term psychodynamic
psychotherapy; DIT is being evaluated, and any inclusion in NICE guidance depends on the outcome
of that evaluation.

## DIT and Interpersonal Psychotherapy (IPT)

The two share several features, but they are **not the same therapy**, and they draw on specific
and distinct competences:

| | DIT | IPT |
|---|---|---|
| Approach | A psychodynamic psychotherapy | Psychodynamic origins, but an explicitly biopsychosocial approach; not a psychodynamic therapy |
| Length | Brief: 16 sessions | As few as 8 sessions (IPT-brief) up to three years (IPT-maintenance) |
| Developed for | Mood disorders; rolled out in NHS Talking Therapies as the brief psychodynamic model for depression | An acute and a maintenance therapy for depression, offered in NHS Talking Therapies |
| NICE guidance | Not itself named in the guideline; being evaluated | Evidence based; recommended as a first-line intervention |

"""

PROFESSIONALS_ROUTES_OLD = """- Annual courses: DIT Refresher, CPD Day, DIT and Mentalization; and supervisor training.
"""
PROFESSIONALS_ROUTES_NEW = """- Annual courses: DIT Refresher, CPD Day, DIT and Mentalization; and supervisor training.

The [course catalogue](/trainings/courses/) describes each course, its entry requirements and fees;
[live trainings](/trainings/) lists the dates open for applications. Questions go to the
coordinators through the [contact page](/contact/).
"""

TRAINER_OLD = """The portal records the days you shadowed and delivered, so you and the coordinators can see how
far along the route you are."""
TRAINER_NEW = """The coordinators record the days you shadow and deliver on each training run by the Centre;
you see them, and how they count for each step, on [your trainer days](/pathway/trainer-days/), and every
step of the route on [My pathway](/pathway/). To start on the route, or to ask where you stand,
[contact the coordinators](/contact/)."""

# D1, D7, D8, D14: the yearly CPD event is required of trainers; for practitioners it is
# recorded, never a failing check.
TRAINER_STATUS_OLD = """Trainer and practitioner status are reviewed every year. Each year you need to:

- attend a CPD event for trainers and supervisors;"""
TRAINER_STATUS_NEW = """Trainer status is reviewed every calendar year. Each year you need to:

- attend a CPD event for trainers and supervisors (the CPD Day counts);"""

OVERSEAS_REPLACEMENTS = [
    (
        "Your application is assessed against six criteria, and the portal shows each as met or not met:",
        "Your application is assessed against six criteria, each of which is found met or not met:",
    ),
    (
        "training, uploaded through the portal.",
        "training, sent to the Centre.",
    ),
    (
        "Fees are invoiced through the portal and may change; the current fee schedule applies.",
        "Fees are invoiced by the Centre and may change; the current fee schedule applies.\n\n"
        "To ask about a licence, [contact the coordinators](/contact/).",
    ),
]

FAQ_LOST_LINK = "I have lost the link to the members area. What should I do?"
FAQ_LOST_LINK_OLD = (
    "Use **Log in → Send me a login code** and enter the address you registered with. "
    "We will e-mail you a code that signs you in."
)
FAQ_LOST_LINK_NEW = (
    "Use **Sign in → Send me a sign-in code** on the [sign-in page](/accounts/login/) and enter the "
    "address you registered with. We will e-mail you a code that signs you in. If that address no "
    "longer works, [contact the coordinators](/contact/)."
)
FAQ_IPT = "Is DIT the same as Interpersonal Psychotherapy (IPT)?"
FAQ_IPT_OLD = (
    "No. They share an interest in relationships, but DIT is a psychodynamic therapy and IPT is not; "
    "they draw on different competences. See the page for professionals."
)
FAQ_IPT_NEW = (
    "No. They share an interest in relationships, but DIT is a psychodynamic therapy and IPT is not; "
    "they draw on different competences. See the [page for professionals](/about/for-professionals/)."
)
FAQ_STATUS = "How do I keep my practitioner status?"
FAQ_STATUS_OLD = (
    "Each year, attend a CPD event, see at least one DIT patient and, in your first year, keep one hour of "
    "supervision for every twelve hours of DIT therapy."
)
FAQ_STATUS_NEW = (
    "Each calendar year, see at least one DIT patient. In your first year as a practitioner, also have one "
    "hour of formal DIT supervision for every twelve hours of DIT therapy; after that, peer supervision is "
    "enough. CPD events you attend are recorded but are not required of practitioners; AFC trainers must "
    "attend one a year."
)
FAQ_CONTACT = "How do I contact the Centre?"
FAQ_CONTACT_ANSWER = (
    "Write to the DIT training coordinators at the Anna Freud Centre through the [contact page](/contact/). "
    "They reply by e-mail."
)

ADDED_FAQS = [(FAQ_CONTACT, FAQ_CONTACT_ANSWER, 5)]


def _replace(text, old, new):
    if old not in text:
        return text  # edited by a coordinator since: leave their text alone
    return text.replace(old, new)


def follow_the_sources(apps=installed_apps):
    Page = apps.get_model("portal", "Page")
    Question = apps.get_model("portal", "FrequentlyAskedQuestion")

    Page.objects.filter(slug="home").update(body=HOME_BODY)

    page = Page.objects.filter(slug="what-is-dit").first()
    if page:
        page.body = _replace(page.body, WHAT_IS_DIT_CONCERNS_OLD, WHAT_IS_DIT_CONCERNS_NEW)
        page.save(update_fields=["body"])

    page = Page.objects.filter(slug="for-professionals").first()
    if page and PROFESSIONALS_OLD_START in page.body and PROFESSIONALS_OLD_END in page.body:
        start = page.body.index(PROFESSIONALS_OLD_START)
        end = page.body.index(PROFESSIONALS_OLD_END)
        page.body = page.body[:start] + PROFESSIONALS_MIDDLE + page.body[end:]
        page.body = _replace(page.body, PROFESSIONALS_ROUTES_OLD, PROFESSIONALS_ROUTES_NEW)
        page.save(update_fields=["body"])

    page = Page.objects.filter(slug="becoming-a-trainer").first()
    if page:
        page.body = _replace(page.body, TRAINER_OLD, TRAINER_NEW)
        page.body = _replace(page.body, TRAINER_STATUS_OLD, TRAINER_STATUS_NEW)
        page.save(update_fields=["body"])

    page = Page.objects.filter(slug="overseas-training-providers").first()
    if page:
        for old, new in OVERSEAS_REPLACEMENTS:
            page.body = _replace(page.body, old, new)
        page.save(update_fields=["body"])

    Question.objects.filter(question=FAQ_LOST_LINK, answer=FAQ_LOST_LINK_OLD).update(answer=FAQ_LOST_LINK_NEW)
    Question.objects.filter(question=FAQ_IPT, answer=FAQ_IPT_OLD).update(answer=FAQ_IPT_NEW)
    Question.objects.filter(question=FAQ_STATUS, answer=FAQ_STATUS_OLD).update(answer=FAQ_STATUS_NEW)
    for question, answer, position in ADDED_FAQS:
        Question.objects.get_or_create(question=question, defaults={"answer": answer, "position": position})


def restore_earlier_text(apps=installed_apps):
    """Put back the first seeded text (dit_portal.seeds), for migrating backwards."""
    Page = apps.get_model("portal", "Page")
    Question = apps.get_model("portal", "FrequentlyAskedQuestion")
    for page in PAGES:
        Page.objects.filter(slug=page["slug"]).update(body=page["body"])
    Question.objects.filter(question=FAQ_LOST_LINK).update(answer=FAQ_LOST_LINK_OLD)
    Question.objects.filter(question=FAQ_IPT).update(answer=FAQ_IPT_OLD)
    Question.objects.filter(question=FAQ_STATUS).update(answer=FAQ_STATUS_OLD)
    Question.objects.filter(question__in=[question for question, _answer, _position in ADDED_FAQS]).delete()
