"""Held credentials: one transition table, effective dates, the status on a date, recording
with a backdated date, the register import (preview first, all or nothing) and the admin."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dit_portal.models import AuditEntry
from members import roles
from members.enums import CredentialKind, CredentialRoute, CredentialStatus
from members.models import CredentialEvent, HeldCredential, User
from members.register_import import import_register, preview_register
from members.services import (
    CredentialError,
    credential_status_on,
    record_credential,
    set_credential_status,
)
from tests.factories import UserFactory, staff_with_totp

pytestmark = pytest.mark.django_db

PRACTITIONER = CredentialKind.PRACTITIONER
D = datetime.date


def test_status_changes_follow_the_transition_table():
    person = UserFactory()
    set_credential_status(person, PRACTITIONER, CredentialStatus.IN_PROGRESS, effective_on=D(2020, 1, 1))
    with pytest.raises(CredentialError, match="An in progress credential cannot become suspended"):
        set_credential_status(person, PRACTITIONER, CredentialStatus.SUSPENDED)
    set_credential_status(person, PRACTITIONER, CredentialStatus.ACCREDITED, effective_on=D(2020, 6, 1))
    set_credential_status(person, PRACTITIONER, CredentialStatus.SUSPENDED, effective_on=D(2021, 1, 1))
    reinstated = set_credential_status(person, PRACTITIONER, CredentialStatus.ACCREDITED, effective_on=D(2021, 3, 1))
    assert reinstated.accredited_on == D(2020, 6, 1)  # the first accreditation date stays
    set_credential_status(person, PRACTITIONER, CredentialStatus.REVOKED, effective_on=D(2022, 1, 1))
    with pytest.raises(CredentialError, match="none: it is final"):
        set_credential_status(person, PRACTITIONER, CredentialStatus.ACCREDITED)
    assert HeldCredential.objects.get(holder=person).status == CredentialStatus.REVOKED
    assert CredentialEvent.objects.filter(credential__holder=person).count() == 5


def test_status_on_a_date_reads_the_history():
    person = UserFactory()
    set_credential_status(person, PRACTITIONER, CredentialStatus.ACCREDITED, effective_on=D(2020, 6, 1))
    set_credential_status(person, PRACTITIONER, CredentialStatus.LAPSED, effective_on=D(2022, 1, 1))
    assert credential_status_on(person, PRACTITIONER, D(2020, 5, 31)) is None
    assert credential_status_on(person, PRACTITIONER, D(2020, 6, 1)) == CredentialStatus.ACCREDITED
    assert credential_status_on(person, PRACTITIONER, D(2021, 12, 31)) == CredentialStatus.ACCREDITED
    assert credential_status_on(person, PRACTITIONER, D(2022, 1, 1)) == CredentialStatus.LAPSED


def test_a_change_cannot_be_dated_before_the_last_or_in_the_future():
    person = UserFactory()
    set_credential_status(person, PRACTITIONER, CredentialStatus.ACCREDITED, effective_on=D(2020, 6, 1))
    with pytest.raises(CredentialError, match="before the last change"):
        set_credential_status(person, PRACTITIONER, CredentialStatus.LAPSED, effective_on=D(2020, 5, 1))
    with pytest.raises(CredentialError, match="in the future"):
        set_credential_status(
            person, PRACTITIONER, CredentialStatus.LAPSED, effective_on=timezone.localdate() + datetime.timedelta(1)
        )
    assert HeldCredential.objects.get(holder=person).status == CredentialStatus.ACCREDITED


def test_recording_a_held_credential_keeps_its_backdated_date_route_and_note():
    coordinator = UserFactory()
    person = UserFactory()
    credential = record_credential(
        person,
        PRACTITIONER,
        status=CredentialStatus.ACCREDITED,
        accredited_on=D(2014, 9, 1),
        route=CredentialRoute.FIVE_DAY,
        note="From the 2014 cohort list",
        by=coordinator,
    )
    assert (credential.accredited_on, credential.route, credential.note) == (
        D(2014, 9, 1),
        CredentialRoute.FIVE_DAY,
        "From the 2014 cohort list",
    )
    event = credential.events.get()
    assert (event.effective_on, event.by, event.to_status) == (D(2014, 9, 1), coordinator, CredentialStatus.ACCREDITED)
    with pytest.raises(CredentialError, match="already has"):
        record_credential(
            person, PRACTITIONER, status=CredentialStatus.ACCREDITED, accredited_on=D(2015, 1, 1), route="imported"
        )


def test_recording_a_lapsed_credential_needs_its_accreditation_date():
    person = UserFactory()
    with pytest.raises(CredentialError, match="date the credential was accredited"):
        record_credential(person, PRACTITIONER, status=CredentialStatus.LAPSED, accredited_on=None, route="imported")
    credential = record_credential(
        person, PRACTITIONER, status=CredentialStatus.LAPSED, accredited_on=D(2016, 1, 1), route="imported"
    )
    assert credential.status == CredentialStatus.LAPSED
    assert credential_status_on(person, PRACTITIONER, D(2017, 1, 1)) == CredentialStatus.ACCREDITED


# The register import -------------------------------------------------------------------------

HEADER = "email,credential,status,accredited_on,route,note\n"


def test_preview_lists_errors_per_row_and_saves_nothing():
    UserFactory(email="known@example.org")
    text = HEADER + (
        "known@example.org,practitioner,accredited,2015-03-01,five_day,Cohort 2015\n"
        "not-an-email,practitioner,accredited,2015-03-01,,\n"
        "new@example.org,Wizard,accredited,2015-03-01,,\n"
        "new2@example.org,DIT Supervisor,lapsed,,imported,\n"
        "new3@example.org,practitioner,accredited,01/02/2099,,\n"
        "known@example.org,practitioner,accredited,2016-03-01,,\n"
    )
    preview = preview_register(text)
    assert not preview.ok
    errors = {row.line: row.errors for row in preview.rows}
    assert errors[2] == []
    assert errors[3] == ["“not-an-email” is not an e-mail address."]
    assert errors[4] == ["Unknown credential “Wizard”."]
    assert "needs its accreditation date" in errors[5][0]
    assert "in the future" in errors[6][0]
    assert errors[7] == ["The same person and credential are on line 2 already."]
    assert preview.rows_with_errors == 5
    with pytest.raises(CredentialError):
        import_register(text, by=None)
    assert not HeldCredential.objects.exists()
    assert not User.objects.filter(email__startswith="new").exists()


def test_a_file_without_the_required_columns_is_refused():
    preview = preview_register("name,role\nA,B\n")
    assert not preview.ok and "no column email, credential, status" in preview.errors[0]


def test_import_creates_unknown_people_without_a_usable_password_in_one_transaction():
    known = UserFactory(email="known@example.org")
    text = HEADER + (
        "Known@Example.org,practitioner,accredited,2015-03-01,five_day,\n"
        "new@example.org,supervisor,accredited,01/02/2018,,Register 2018\n"
    )
    preview = preview_register(text)
    assert preview.ok and [row.person_exists for row in preview.rows] == [True, False]
    recorded, created = import_register(text, by=None)
    assert (recorded, created) == (2, 1)
    assert HeldCredential.objects.get(holder=known).accredited_on == D(2015, 3, 1)
    newcomer = User.objects.get(email="new@example.org")
    assert not newcomer.has_usable_password() and newcomer.is_active
    credential = HeldCredential.objects.get(holder=newcomer)
    assert (credential.kind, credential.route, credential.accredited_on) == ("supervisor", "imported", D(2018, 2, 1))


def test_import_names_people_from_the_name_column():
    UserFactory(email="nameless@example.org", full_name="")
    UserFactory(email="named@example.org", full_name="Dr Ann Able")
    text = (
        "email,name,credential,status,accredited_on\n"
        "new@example.org,Ben Baker,practitioner,accredited,2015-03-01\n"
        "nameless@example.org,Cara Cole,practitioner,accredited,2015-03-01\n"
        "named@example.org,Ann Able,practitioner,accredited,2015-03-01\n"
        "long@example.org," + "x" * 201 + ",practitioner,accredited,2015-03-01\n"
    )
    preview = preview_register(text)
    assert [row.name for row in preview.rows][:3] == ["Ben Baker", "Cara Cole", "Ann Able"]
    assert preview.rows[3].errors == ["The name is longer than 200 characters."]
    import_register(text.rsplit("long@", 1)[0], by=None)
    names = dict(
        User.objects.filter(email__in=["new@example.org", "nameless@example.org", "named@example.org"]).values_list(
            "email", "full_name"
        )
    )
    assert names == {
        "new@example.org": "Ben Baker",
        "nameless@example.org": "Cara Cole",
        "named@example.org": "Dr Ann Able",  # a name the person has is kept
    }
    assert AuditEntry.objects.filter(action="members.user.named_by_import").count() == 1


def test_import_rolls_back_every_row_when_one_fails_at_save(monkeypatch):
    """All or nothing: a failure on the second row leaves the first unsaved too."""
    from members import register_import

    calls = []
    real = register_import.record_credential

    def failing_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise CredentialError("simulated refusal")
        return real(*args, **kwargs)

    monkeypatch.setattr(register_import, "record_credential", failing_second)
    text = (
        HEADER
        + "a@example.org,practitioner,accredited,2015-03-01,,\nb@example.org,practitioner,accredited,2015-03-01,,\n"
    )
    with pytest.raises(CredentialError, match="Line 3"):
        import_register(text, by=None)
    assert not HeldCredential.objects.exists() and not User.objects.filter(email="a@example.org").exists()


# The admin --------------------------------------------------------------------------------


@pytest.fixture
def coordinator_client(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    return client


def _csv(text):
    return SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")


def test_admin_import_previews_then_imports_on_confirmation(coordinator_client):
    url = reverse("admin:members_heldcredential_import")
    text = HEADER + "new@example.org,practitioner,accredited,2015-03-01,,\n"
    response = coordinator_client.post(url, {"file": _csv(text)})
    assert response.status_code == 200
    assert response.context["preview"].ok
    assert not HeldCredential.objects.exists()
    response = coordinator_client.post(url, {"confirm": "1", "register": response.context["signed"]})
    assert response.status_code == 302
    assert HeldCredential.objects.get().holder.email == "new@example.org"


def test_admin_import_refuses_an_altered_preview(coordinator_client):
    url = reverse("admin:members_heldcredential_import")
    response = coordinator_client.post(url, {"confirm": "1", "register": "tampered"})
    assert response.status_code == 302
    assert not HeldCredential.objects.exists()


def test_admin_import_shows_errors_and_no_confirm_button(coordinator_client):
    text = HEADER + "bad,practitioner,accredited,2015-03-01,,\n"
    response = coordinator_client.post(reverse("admin:members_heldcredential_import"), {"file": _csv(text)})
    assert "is not an e-mail address" in response.text
    assert "import_confirm_form" not in response.text


def test_admin_records_a_credential_through_the_service(coordinator_client):
    person = UserFactory()
    response = coordinator_client.post(
        reverse("admin:members_heldcredential_add"),
        {
            "holder": person.pk,
            "kind": PRACTITIONER,
            "status": CredentialStatus.ACCREDITED,
            "accredited_on": "2013-05-02",
            "route": CredentialRoute.TWENTY_DAY,
            "note": "Paper records",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    credential = HeldCredential.objects.get(holder=person)
    assert credential.accredited_on == D(2013, 5, 2)
    assert credential.events.get().effective_on == D(2013, 5, 2)
    assert AuditEntry.objects.filter(action="members.credential.status_changed").count() == 1


def test_admin_record_form_refuses_a_missing_date(coordinator_client):
    person = UserFactory()
    response = coordinator_client.post(
        reverse("admin:members_heldcredential_add"),
        {"holder": person.pk, "kind": PRACTITIONER, "status": CredentialStatus.ACCREDITED, "route": "imported"},
    )
    assert response.status_code == 200
    assert "Give the date the credential was accredited." in response.text
    assert not HeldCredential.objects.exists()


def test_admin_status_change_with_its_date_and_reason(coordinator_client):
    person = UserFactory()
    credential = set_credential_status(person, PRACTITIONER, CredentialStatus.ACCREDITED, effective_on=D(2020, 1, 1))
    url = reverse("admin:members_heldcredential_status", args=[credential.pk])
    response = coordinator_client.post(url, {"status": "in_progress", "effective_on": "2024-01-01", "note": "x"})
    assert response.status_code == 200  # not a choice from accredited
    response = coordinator_client.post(url, {"status": "suspended", "effective_on": "2024-01-01", "note": "Complaint"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.SUSPENDED
    event = credential.events.first()
    assert (event.effective_on, event.note) == (D(2024, 1, 1), "Complaint")


def test_the_admin_change_form_leaves_every_credential_field_read_only(coordinator_client):
    person = UserFactory()
    credential = set_credential_status(person, PRACTITIONER, CredentialStatus.ACCREDITED)
    url = reverse("admin:members_heldcredential_change", args=[credential.pk])
    coordinator_client.post(url, {"status": "revoked", "accredited_on": "2001-01-01"})
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.ACCREDITED and credential.accredited_on == timezone.localdate()


def test_admin_import_refuses_a_file_that_is_not_csv(coordinator_client):
    upload = SimpleUploadedFile("register.csv", b"%PDF-1.4\x00\x01binary", content_type="text/csv")
    response = coordinator_client.post(reverse("admin:members_heldcredential_import"), {"file": upload})
    assert response.status_code == 200
    assert "does not match a CSV file" in response.text
    assert response.context["preview"] is None


# The AFC trainer credential is the Programme Director's decision ------------------------------

TRAINER = CredentialKind.TRAINER


@pytest.fixture
def director():
    return staff_with_totp(roles.PROGRAMME_DIRECTOR)


def test_the_service_refuses_a_trainer_credential_recorded_by_a_coordinator(director):
    coordinator = staff_with_totp(roles.COORDINATOR)
    for holder in (UserFactory(), coordinator):
        with pytest.raises(CredentialError, match="Only the Programme Director"):
            record_credential(
                holder,
                TRAINER,
                status=CredentialStatus.ACCREDITED,
                accredited_on=D(2019, 1, 1),
                route="imported",
                by=coordinator,
            )
        with pytest.raises(CredentialError, match="Only the Programme Director"):
            record_credential(
                holder, TRAINER, status=CredentialStatus.ACCREDITED, accredited_on=D(2019, 1, 1), route="imported"
            )
        with pytest.raises(CredentialError, match="Only the Programme Director"):
            set_credential_status(holder, TRAINER, CredentialStatus.ACCREDITED, by=coordinator)
    assert not HeldCredential.objects.exists()
    person = UserFactory()
    credential = record_credential(
        person, TRAINER, status=CredentialStatus.ACCREDITED, accredited_on=D(2019, 1, 1), route="imported", by=director
    )
    assert credential.events.get().by == director
    superuser = UserFactory(is_superuser=True)
    set_credential_status(person, TRAINER, CredentialStatus.SUSPENDED, by=superuser)
    with pytest.raises(CredentialError, match="Only the Programme Director"):
        set_credential_status(person, TRAINER, CredentialStatus.ACCREDITED, by=coordinator)
    assert HeldCredential.objects.get(holder=person).status == CredentialStatus.SUSPENDED


def test_a_coordinator_cannot_add_a_trainer_credential_in_the_admin_the_director_can(coordinator_client, director):
    person = UserFactory()
    data = {
        "holder": person.pk,
        "kind": TRAINER,
        "status": CredentialStatus.ACCREDITED,
        "accredited_on": "2019-05-02",
        "route": CredentialRoute.IMPORTED,
        "note": "",
    }
    url = reverse("admin:members_heldcredential_add")
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    assert "Only the Programme Director decides on AFC trainer status." in response.text
    assert not HeldCredential.objects.exists()
    coordinator_client.force_login(director)
    assert coordinator_client.post(url, data).status_code == 302
    assert HeldCredential.objects.get(holder=person, kind=TRAINER).status == CredentialStatus.ACCREDITED


def test_a_coordinator_cannot_change_a_trainer_credentials_status(coordinator_client, director):
    person = UserFactory()
    credential = set_credential_status(person, TRAINER, CredentialStatus.IN_PROGRESS, by=director)
    url = reverse("admin:members_heldcredential_status", args=[credential.pk])
    data = {"status": "accredited", "effective_on": timezone.localdate().isoformat(), "note": "Approved"}
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    assert "Only the Programme Director decides on AFC trainer status." in response.text
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.IN_PROGRESS
    coordinator_client.force_login(director)
    assert coordinator_client.post(url, data).status_code == 302
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.ACCREDITED


def test_the_register_import_refuses_trainer_rows_from_a_coordinator(coordinator_client, director):
    text = (
        HEADER + "a@example.org,practitioner,accredited,2015-03-01,,\nb@example.org,trainer,accredited,2016-03-01,,\n"
    )
    url = reverse("admin:members_heldcredential_import")
    response = coordinator_client.post(url, {"file": _csv(text)})
    assert not response.context["preview"].ok
    assert "Only the Programme Director decides on AFC trainer status." in response.text
    assert "import_confirm_form" not in response.text
    # a preview signed for the Director and replayed by a coordinator is checked again
    signed = response.context["signed"]
    response = coordinator_client.post(url, {"confirm": "1", "register": signed})
    assert not HeldCredential.objects.exists()
    with pytest.raises(CredentialError):
        import_register(text, by=staff_with_totp(roles.COORDINATOR))
    assert not HeldCredential.objects.exists()
    coordinator_client.force_login(director)
    response = coordinator_client.post(url, {"confirm": "1", "register": signed})
    assert response.status_code == 302
    assert HeldCredential.objects.get(kind=TRAINER).holder.email == "b@example.org"
