"""The public pages and FAQs the portal starts with; coordinators edit them in the admin.

Shared by the data migration that seeds them (0002_public_pages) and by the tests, which
put them back after a transactional test flushed the tables (tests/conftest.py). Each
function takes an app registry (a migration passes its historical one).
"""

from django.apps import apps as installed_apps

PAGES = [
    {
        "slug": "home",
        "title": "Dynamic Interpersonal Therapy",
        "menu_title": "Home",
        "show_in_menu": False,
        "menu_order": 0,
        "summary": "Training, accreditation and resources for DIT, a brief psychodynamic therapy for depression and anxiety.",
        "body": """Dynamic Interpersonal Therapy (DIT) is a short, structured psychodynamic therapy. It helps
people with depression and anxiety understand how the way they relate to others affects how they feel.

## What you can do here

- **Patients and families:** read [what DIT is and what to expect](/about/what-is-dit/).
- **Professionals:** see [where DIT fits in NHS Talking Therapies](/about/for-professionals/) and browse the live trainings.
- **Practitioners and supervisors:** log in to the members area to follow your pathway, log hours and CPD.
- **Trainers:** read about [becoming a DIT trainer](/about/becoming-a-trainer/).
- **Organisations abroad:** find out how to become a [licensed overseas training provider](/about/overseas-training-providers/).
""",
    },
    {
        "slug": "what-is-dit",
        "title": "What is DIT? A guide for patients",
        "menu_title": "What is DIT",
        "menu_order": 10,
        "summary": "DIT is a time-limited talking therapy of 16 weekly sessions for people with depression or anxiety.",
        "body": """## How long it lasts

DIT is made up of **16 sessions, once a week, each lasting 50 minutes**. Keeping the therapy
short helps you and your therapist stay focused on what matters most.

## The first sessions

In the first part of the therapy, which has no fixed length, your therapist gets to know you and
how your difficulties began. You may be asked to fill in a questionnaire about your relationships
and your mood. Together you build a picture of a pattern in how you relate to other people that
seems linked to how you have been feeling. This shared understanding becomes the **focus** for the
rest of the 16 sessions.

## What the sessions are like

- Your therapist will often say less than you might expect and will leave room for you to talk.
  Silences can feel uncomfortable at first; they give you space to notice your own thoughts.
- Sessions concentrate on your relationships, including the relationship with your therapist,
  because what happens between you can shed light on what happens elsewhere.
- Towards the end you will talk about finishing, and what you want to take forward.

## Possible risks

Talking about painful feelings can be hard. **Some people feel worse before they feel better.**
If this happens, tell your therapist: it is an important part of the work. If you feel at risk of
harming yourself, contact your GP, call NHS 111, or in an emergency call 999 or go to A&E.

## Who to contact with concerns

If you have a concern about your therapy, first speak to your therapist or the service that
referred you. If that is not possible, contact the service manager of your NHS Talking Therapies
service. Questions about DIT training can be sent through the portal to the training coordinators.
""",
    },
    {
        "slug": "for-professionals",
        "title": "DIT for professionals",
        "menu_title": "For professionals",
        "menu_order": 20,
        "summary": "Where DIT sits in NHS Talking Therapies, how it differs from IPT, and the Complex Care model.",
        "body": """## DIT in NHS Talking Therapies

DIT is the brief psychodynamic therapy offered at **Step 3 of NHS Talking Therapies** (the
programme formerly called IAPT). It is a manualised, 16-session treatment built from the
psychoanalytic/psychodynamic competences framework, drawing on the approaches with the best
evidence from controlled trials, and it targets symptoms of depression and anxiety.

## The NICE position

NICE guidance on depression names brief psychodynamic psychotherapy as an option for people who
have not responded to other psychological treatments such as CBT, or who choose a psychodynamic
approach. NHS Talking Therapies services follow NICE guidance; DIT is the model services use to
offer that option.

## DIT and Interpersonal Psychotherapy (IPT)

The two share some features, both attend closely to relationships, but they are **different
therapies drawing on distinct competences**:

| | DIT | IPT |
|---|---|---|
| Tradition | Psychodynamic | Biopsychosocial, with psychodynamic roots |
| Length | 16 sessions | From 8 sessions (IPT-brief) to years (maintenance) |
| Who can train | Therapists with a prior psychodynamic training (5-day) or NHS Talking Therapies staff (20-day programme) | IPT-trained practitioners |

## DIT for Complex Care

DIT for Complex Care adapts the model for patients in secondary care. It extends therapy to
**28 sessions** and puts more weight on mentalizing, building epistemic trust, stabilisation and
risk management. It grew out of a pilot study in Newham published in 2019. The two-day advanced
training is open to qualified DIT practitioners only.

## Training routes

- **20-Day DIT Programme**: postgraduate-certificate level, for NHS Talking Therapies staff who do
  not yet meet the psychodynamic competences.
- **5-Day DIT Training**: CPD for practitioners already trained psychodynamically, accredited by
  the British Psychoanalytic Council.
- Annual courses: DIT Refresher, CPD Day, DIT and Mentalization; and supervisor training.
""",
    },
    {
        "slug": "becoming-a-trainer",
        "title": "Becoming a DIT trainer",
        "menu_title": "Becoming a trainer",
        "menu_order": 30,
        "summary": "The UK route to becoming an accredited Centre (AFC) trainer, and how trainers keep their status.",
        "body": """## The UK route, step by step

The steps are taken in order:

1. Be an accredited **DIT Practitioner and DIT Supervisor**.
2. **Shadow** the 5-Day DIT Training run at the Centre, or at least 10 days of the 20-Day Programme.
3. **Deliver** a 5-day training at the Centre, or at least 10 days of the 20-day programme, as
   support trainer.
4. Be **approved by the DIT Programme Director**, which confers AFC Trainer status.
5. The Centre may then offer you paid teaching.

The portal records the days you shadowed and delivered, so you and the coordinators can see how
far along the route you are.

## Keeping your status

Trainer and practitioner status are reviewed every year. Each year you need to:

- attend a CPD event for trainers and supervisors;
- see at least one DIT patient;
- in your first year as a practitioner, have one hour of DIT supervision for every 12 hours of DIT
  therapy (peer supervision is enough after the first year).

If a yearly check is not met, the portal warns you first and then the coordinators. Status is
never withdrawn without a person reviewing it.
""",
    },
    {
        "slug": "overseas-training-providers",
        "title": "Overseas training providers",
        "menu_title": "Overseas providers",
        "menu_order": 40,
        "summary": "How an organisation outside the UK becomes licensed to deliver DIT training in agreed countries.",
        "body": """Organisations based outside the UK can apply for a licence to train teams in DIT in the
countries named in their licensing agreement.

## Step 1: initial accreditation

Your application is assessed against six criteria, and the portal shows each as met or not met:

1. You are based outside the UK and will train teams outside the UK, only in the agreed countries.
2. You employ at least one DIT trainer who completed the Centre's 5-day or 20-day training, is a
   registered DIT Practitioner and Supervisor, and shadowed the full 5-day training or at least 10
   days of the 20-day training.
3. You will have at least two DIT trainers within two years of accreditation. Any training with
   more than 20 participants must be run by two trainers.
4. You, or your proposed trainers, currently provide DIT treatment and supervision.
5. You are involved in academic, research and practice settings concerned with adults' social,
   emotional and mental well-being.
6. You submit a satisfactory plan for delivering training and related services.

The initial accreditation fee is **GBP 1,000**.

## Step 2: your first training

Your first 5-day training is organised by you and co-delivered with a Centre-approved trainer:
**GBP 5,500** plus the tutor's travel, accommodation and subsistence, invoiced at cost.

## Step 3: keeping your accreditation

- An annual accreditation fee of **GBP 1,000**.
- At least **6 hours of supervision** on training and delivery with a Centre trainer within a year
  of your first training, at GBP 200 an hour (GBP 1,200).
- Your trainers keep their practitioner status (a patient a year; 1:12 supervision in year one).
- Regular training and supervision records, including the list of people who completed each
  training, uploaded through the portal.
- Your trainers attend at least one online network event of accredited DIT training centres a year.

Fees are invoiced through the portal and may change; the current fee schedule applies.
""",
    },
]

FAQS = [
    (
        "How many sessions does DIT involve?",
        "Sixteen weekly sessions of 50 minutes. DIT for Complex Care, used in secondary care, extends this to 28 sessions.",
    ),
    (
        "Which DIT training is right for me?",
        "If you already have a psychoanalytic or psychodynamic training, the **5-Day DIT Training** is designed for you. If you work in an NHS Talking Therapies service and do not yet meet the psychodynamic competences, the **20-Day DIT Programme** is the route to practitioner status.",
    ),
    (
        "How do I become an accredited DIT practitioner after the 5-day training?",
        "Attend the whole course, pass the filmed role-play at the end, complete supervision of two cases (16 hours of supervision and four rated session recordings) with an approved DIT supervisor, then pass a written case study.",
    ),
    (
        "Is DIT the same as Interpersonal Psychotherapy (IPT)?",
        "No. They share an interest in relationships, but DIT is a psychodynamic therapy and IPT is not; they draw on different competences. See the page for professionals.",
    ),
    (
        "How do I keep my practitioner status?",
        "Each year, attend a CPD event, see at least one DIT patient and, in your first year, keep one hour of supervision for every twelve hours of DIT therapy.",
    ),
    (
        "I have lost the link to the members area. What should I do?",
        "Use **Log in → Send me a login code** and enter the address you registered with. We will e-mail you a code that signs you in.",
    ),
    (
        "Who can join a regional DIT network?",
        "Clinicians who have completed the initial DIT training and are seeing training cases, or who are accredited. Networks such as the North-West network meet every two months.",
    ),
]


def seed_public_pages(apps=installed_apps):
    Page = apps.get_model("portal", "Page")
    Question = apps.get_model("portal", "FrequentlyAskedQuestion")
    for page in PAGES:
        Page.objects.update_or_create(slug=page["slug"], defaults=page)
    for position, (question, answer) in enumerate(FAQS, start=1):
        Question.objects.get_or_create(question=question, defaults={"answer": answer, "position": position * 10})


def unseed_public_pages(apps=installed_apps):
    apps.get_model("portal", "Page").objects.filter(slug__in=[page["slug"] for page in PAGES]).delete()
    apps.get_model("portal", "FrequentlyAskedQuestion").objects.filter(question__in=[q for q, _ in FAQS]).delete()
