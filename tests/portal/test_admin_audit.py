"""Plain admin edits write an audit entry with the fields they changed, old and new, for
every model registered in the admin; rule-carrying fields stay read-only."""

import pytest
from django.contrib.admin import site
from django.urls import reverse

from dit_portal.admin_audit import AuditedAdminMixin
from dit_portal.audit import entries_for
from dit_portal.models import FrequentlyAskedQuestion, Page
from members import roles
from members.models import User
from tests.factories import UserFactory, staff_with_totp
from tests.trainings.factories import make_run
from trainings.enums import TrainerRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = staff_with_totp(roles.COORDINATOR)
    client.force_login(user)
    return user


def test_every_registered_admin_is_audited():
    plain = [
        type(model_admin).__name__
        for model_admin in site._registry.values()
        if not isinstance(model_admin, AuditedAdminMixin)
    ]
    assert plain == []


def test_a_change_form_edit_logs_the_changed_fields_old_and_new(client, staff):
    faq = FrequentlyAskedQuestion.objects.create(question="How long?", answer="16 sessions.", position=5)
    url = reverse("admin:portal_frequentlyaskedquestion_change", args=[faq.pk])
    response = client.post(
        url, {"question": "How long is DIT?", "answer": "16 sessions.", "position": 5, "is_published": "on"}
    )
    assert response.status_code == 302
    entry = entries_for(faq).get()
    assert entry.action == "portal.frequentlyaskedquestion.changed_in_admin"
    assert entry.actor == staff
    assert entry.data == {"changed": {"question": {"old": "How long?", "new": "How long is DIT?"}}}


def test_saving_without_changes_logs_nothing(client, staff):
    faq = FrequentlyAskedQuestion.objects.create(question="How long?", answer="16 sessions.", position=5)
    url = reverse("admin:portal_frequentlyaskedquestion_change", args=[faq.pk])
    client.post(url, {"question": "How long?", "answer": "16 sessions.", "position": 5, "is_published": "on"})
    assert not entries_for(faq).exists()


def test_list_editable_additions_and_deletions_are_logged(client, staff):
    page = Page.objects.get(slug="what-is-dit")
    changelist = reverse("admin:portal_page_changelist")
    pages = list(Page.objects.all())
    data = {"form-TOTAL_FORMS": len(pages), "form-INITIAL_FORMS": len(pages), "_save": "Save"}
    for index, each in enumerate(pages):
        data[f"form-{index}-id"] = each.pk
        data[f"form-{index}-menu_order"] = 99 if each == page else each.menu_order
        if each.is_published:
            data[f"form-{index}-is_published"] = "on"
        if each.show_in_menu:
            data[f"form-{index}-show_in_menu"] = "on"
    client.post(changelist, data)
    entry = entries_for(page).get()
    assert entry.data == {"changed": {"menu_order": {"old": page.menu_order, "new": 99}}}

    add = reverse("admin:portal_frequentlyaskedquestion_add")
    client.post(add, {"question": "Is DIT NICE-approved?", "answer": "See D18.", "position": 1})
    faq = FrequentlyAskedQuestion.objects.get(question="Is DIT NICE-approved?")
    added = entries_for(faq).get()
    assert added.action == "portal.frequentlyaskedquestion.added_in_admin"
    assert added.data["fields"]["answer"] == "See D18."

    client.post(reverse("admin:portal_frequentlyaskedquestion_delete", args=[faq.pk]), {"post": "yes"})
    assert not FrequentlyAskedQuestion.objects.filter(pk=faq.pk).exists()
    assert entries_for(faq).filter(action="portal.frequentlyaskedquestion.deleted_in_admin").exists()


def test_inline_rows_are_logged_with_the_object_they_belong_to(client, staff):
    run = make_run(label="Spring")
    trainer = UserFactory()
    url = reverse("admin:trainings_courserun_change", args=[run.pk])
    data = {
        "course": run.course_id,
        "label": "Spring",
        "mode": run.mode,
        "venue": "",
        "application_deadline": run.application_deadline.isoformat(),
        "offer_days": 7,
        "price": "",
        "notes": "",
        "trainers-TOTAL_FORMS": 1,
        "trainers-INITIAL_FORMS": 0,
        "trainers-0-trainer": trainer.pk,
        "trainers-0-role": TrainerRole.LEAD,
    }
    assert client.post(url, data).status_code == 302
    run_trainer = run.trainers.get()
    entry = entries_for(run_trainer).get()
    assert entry.action == "trainings.runtrainer.added_in_admin"
    assert entry.data["in"] == str(run)
    assert (entry.data["fields"]["trainer"], entry.data["fields"]["role"]) == (trainer.pk, "lead")
    assert not entries_for(run).exists()  # the run's own fields did not change


def test_passwords_are_never_copied_into_the_log(client):
    superuser = staff_with_totp(roles.COORDINATOR, is_superuser=True)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:members_user_add"),
        {
            "email": "new@example.org",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "a-long-secret-1",
            "password2": "a-long-secret-1",
            "credentials-TOTAL_FORMS": 0,
            "credentials-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(email="new@example.org")
    entry = entries_for(created).get()
    assert "a-long-secret-1" not in str(entry.data)
