"""The public pages and FAQs point to the parts of the portal now live: the regional
networks, the recommended reading and "send me my access again"."""

from django.db import migrations

PAGE_ADDITIONS = {
    "becoming-a-trainer": """

## Where to go next

- Meet other DIT clinicians in your region: the [regional DIT networks](/members/networks/) meet
  regularly, and a network meeting flagged as the yearly CPD event counts towards keeping your status.
- Read the [recommended reading](/reading/) for the DIT course, with the works directly about DIT marked.
""",
    "overseas-training-providers": """

## Where to go next

- Your trainers can meet the wider DIT community through the [regional DIT networks](/members/networks/).
- The [recommended reading](/reading/) lists the works the Centre's DIT course builds on.
""",
}

FAQ_CHANGES = [
    # question, old answer (as seeded), new answer
    (
        "I have lost the link to the members area. What should I do?",
        "Use **Log in → Send me a login code** and enter the address you registered with. We will e-mail you a code that signs you in.",
        "Use [Send me my access again](/members/access/) and enter the address you registered with. If it is on record, we e-mail you a code that signs you in.",
    ),
    (
        "Who can join a regional DIT network?",
        "Clinicians who have completed the initial DIT training and are seeing training cases, or who are accredited. Networks such as the North-West network meet every two months.",
        "Clinicians who have completed the initial DIT training and are seeing training cases, or who are accredited. Networks such as the North-West network meet every two months. See the [regional DIT networks](/members/networks/) and join yours when you are signed in.",
    ),
]
NEW_FAQ = (
    "Is there recommended reading for the DIT course?",
    "Yes: the [recommended reading](/reading/) lists the books and papers the course builds on, grouped by topic, with the works directly about DIT marked. You can export them for your reference manager (BibTeX or RIS).",
)


def forwards(apps, schema_editor):
    Page = apps.get_model("portal", "Page")
    Question = apps.get_model("portal", "FrequentlyAskedQuestion")
    for slug, addition in PAGE_ADDITIONS.items():
        page = Page.objects.filter(slug=slug).first()
        if page and addition.strip() not in page.body:
            page.body = page.body.rstrip("\n") + "\n" + addition
            page.save(update_fields=["body"])
    for question, old, new in FAQ_CHANGES:
        Question.objects.filter(question=question, answer=old).update(answer=new)
    last = Question.objects.order_by("-position").values_list("position", flat=True).first() or 0
    Question.objects.get_or_create(question=NEW_FAQ[0], defaults={"answer": NEW_FAQ[1], "position": last + 10})


def backwards(apps, schema_editor):
    Page = apps.get_model("portal", "Page")
    Question = apps.get_model("portal", "FrequentlyAskedQuestion")
    for slug, addition in PAGE_ADDITIONS.items():
        page = Page.objects.filter(slug=slug).first()
        if page and addition in page.body + "\n":
            page.body = page.body.replace(addition.rstrip("\n"), "").rstrip("\n") + "\n"
            page.save(update_fields=["body"])
    for question, old, new in FAQ_CHANGES:
        Question.objects.filter(question=question, answer=new).update(answer=old)
    Question.objects.filter(question=NEW_FAQ[0], answer=NEW_FAQ[1]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_public_pages")]
    operations = [migrations.RunPython(forwards, backwards)]
