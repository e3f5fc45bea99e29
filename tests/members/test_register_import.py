"""The register import in batches: a fixed number of queries a batch, the same records as
recording each credential on its own, people named across batches, the row limit, a
concurrent change caught at save, and the preview page of a long file."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dit_portal.models import AuditEntry
from members import register_import, roles
from members.enums import CredentialKind, CredentialRoute, CredentialStatus
from members.models import CredentialEvent, HeldCredential, User
from members.register_import import import_register, preview_register
from members.services import CredentialError, record_credential
from tests.factories import UserFactory, staff_with_totp

pytestmark = pytest.mark.django_db

HEADER = "email,name,credential,status,accredited_on,route,note\n"
BATCH = 8


def batch_rows(batch):
    """BATCH rows of the same shape for batch number `batch`: new people with each status
    and a trainer credential, a second credential of a new person, a known person without a
    name (named by the file) and one with a name (kept)."""
    return (
        f"new{batch}a@example.org,Ann {batch},practitioner,accredited,2015-03-01,five_day,Cohort\n"
        f"new{batch}a@example.org,,supervisor,lapsed,2016-03-01,,\n"
        f"new{batch}b@example.org,,practitioner,in_progress,,,\n"
        f"new{batch}c@example.org,Cy {batch},trainer,accredited,2019-01-01,uk_trainer,\n"
        f"new{batch}d@example.org,Di {batch},complex_care,revoked,2017-05-05,,\n"
        f"new{batch}e@example.org,Ed {batch},practitioner,suspended,01/02/2018,,\n"
        f"nameless{batch}@example.org,Flo {batch},practitioner,accredited,2015-03-01,,\n"
        f"named{batch}@example.org,Gus {batch},supervisor,accredited,2015-03-01,,\n"
    )


@pytest.fixture
def director():
    return staff_with_totp(roles.PROGRAMME_DIRECTOR)


@pytest.fixture
def known_content_types():
    """The audit log's content types, as a running portal has them cached."""
    ContentType.objects.get_for_models(User, HeldCredential)


def _register(batches):
    for batch in range(batches):
        UserFactory(email=f"nameless{batch}@example.org", full_name="")
        UserFactory(email=f"named{batch}@example.org", full_name=f"Dr Named {batch}")
    return HEADER + "".join(batch_rows(batch) for batch in range(batches))


# Each batch of the preview reads its people and their credentials (2); the file asks the
# director's roles once, for its first trainer row (1).
PREVIEW_FIXED, PREVIEW_PER_BATCH = 1, 2
# The import: its transaction's savepoint and release (2), the preview; then each batch
# inserts the new accounts, their e-mail addresses, the names given, the accounts' audit
# entries (4), and (in a savepoint: 2) the credentials, their events and their audit entries (3).
IMPORT_FIXED, IMPORT_PER_BATCH = 2 + PREVIEW_FIXED, PREVIEW_PER_BATCH + 4 + 2 + 3


@pytest.mark.parametrize("batches", [1, 2])
def test_the_preview_costs_the_same_queries_a_batch(director, django_assert_num_queries, batches):
    text = _register(batches)
    director = User.objects.get(pk=director.pk)  # roles not read yet
    with django_assert_num_queries(PREVIEW_FIXED + PREVIEW_PER_BATCH * batches):
        preview = preview_register(text, by=director, batch_size=BATCH)
    assert preview.ok and len(preview.rows) == BATCH * batches


@pytest.mark.parametrize("batches", [1, 2])
def test_the_import_costs_the_same_queries_a_batch(director, known_content_types, django_assert_num_queries, batches):
    text = _register(batches)
    director = User.objects.get(pk=director.pk)
    with django_assert_num_queries(IMPORT_FIXED + IMPORT_PER_BATCH * batches):
        recorded, created = import_register(text, by=director, batch_size=BATCH)
    assert (recorded, created) == (BATCH * batches, 5 * batches)
    assert HeldCredential.objects.count() == BATCH * batches
    assert User.objects.get(email="nameless1@example.org" if batches == 2 else "nameless0@example.org").full_name
    assert AuditEntry.objects.filter(action="members.user.named_by_import").count() == batches


def test_the_import_at_the_real_batch_size_costs_the_same_for_each_batch(director, known_content_types):
    """One batch of BATCH_SIZE new people, then two: the fixed savepoint and release, then per
    batch the preview's 2 queries, 3 inserts for the accounts, 3 for the credentials and 2 for
    their savepoint (no names to give, no trainer rows: no roles read)."""
    size = register_import.BATCH_SIZE
    counts = []
    for batches, prefix in ((1, "one"), (2, "two")):
        rows = "".join(
            f"{prefix}{n}@example.org,P {n},practitioner,accredited,2015-03-01,,\n" for n in range(size * batches)
        )
        with CaptureQueriesContext(connection) as queries:
            recorded, _ = import_register(HEADER + rows, by=director)
        assert recorded == size * batches
        counts.append(len(queries))
    assert counts == [2 + 10, 2 + 2 * 10]


def _history(credential):
    events = [
        (event.from_status, event.to_status, event.effective_on, event.note, event.by_id)
        for event in CredentialEvent.objects.filter(credential=credential).order_by("id")
    ]
    entries = [
        (entry.action, entry.actor_id, entry.data, entry.object_repr.rsplit(":", 1)[0])
        for entry in AuditEntry.objects.filter(
            object_id=str(credential.pk), action__startswith="members.credential"
        ).order_by("id")
    ]
    fields = (credential.kind, credential.status, credential.accredited_on, credential.route, credential.note)
    return fields, events, entries


@pytest.mark.parametrize(
    ("kind", "status", "accredited_on", "route"),
    [
        ("practitioner", "accredited", "2015-03-01", "five_day"),
        ("supervisor", "lapsed", "2016-03-01", "imported"),
        ("complex_care", "suspended", "2017-03-01", "complex_care"),
        ("practitioner", "revoked", "2014-03-01", "twenty_day"),
        ("supervisor", "in_progress", "", "supervisor_training"),
        ("trainer", "accredited", "2019-01-01", "uk_trainer"),
    ],
)
def test_the_import_records_what_recording_each_credential_does(director, kind, status, accredited_on, route):
    one_by_one = UserFactory(email="one@example.org")
    record_credential(
        one_by_one,
        kind,
        status=status,
        accredited_on=datetime.date.fromisoformat(accredited_on) if accredited_on else None,
        route=route,
        note="Register 2019",
        by=director,
    )
    import_register(HEADER + f"batch@example.org,,{kind},{status},{accredited_on},{route},Register 2019\n", by=director)
    recorded = HeldCredential.objects.get(holder=one_by_one)
    imported = HeldCredential.objects.get(holder__email="batch@example.org")
    assert _history(imported) == _history(recorded)
    assert imported.events.count() == (2 if status in ("lapsed", "suspended", "revoked") else 1)


def test_a_person_on_rows_in_two_batches_gets_one_account_named_by_the_first_name_given():
    text = HEADER + (
        "twice@example.org,,practitioner,accredited,2015-03-01,,\n"
        "twice@example.org,Tess Twice,supervisor,accredited,2016-03-01,,\n"
        "twice@example.org,Other Name,complex_care,accredited,2017-03-01,,\n"
    )
    recorded, created = import_register(text, by=None, batch_size=1)
    assert (recorded, created) == (3, 1)
    person = User.objects.get(email="twice@example.org")
    assert person.full_name == "Tess Twice" and not person.has_usable_password()
    assert person.emailaddress_set.get().primary
    assert list(
        AuditEntry.objects.filter(object_id=str(person.pk), action__startswith="members.user")
        .order_by("id")
        .values_list("action", "data")
    ) == [
        ("members.user.created_by_import", {"line": 2}),
        ("members.user.named_by_import", {"line": 3, "full_name": "Tess Twice"}),
    ]


def test_a_new_person_named_on_a_later_row_of_the_same_batch():
    text = HEADER + (
        "late@example.org,,practitioner,accredited,2015-03-01,,\n"
        "late@example.org,Lee Late,supervisor,accredited,2016-03-01,,\n"
    )
    import_register(text, by=None)
    assert User.objects.get(email="late@example.org").full_name == "Lee Late"
    assert AuditEntry.objects.filter(action="members.user.named_by_import", data__line=3).exists()


def test_the_row_limit_is_at_least_ten_thousand_and_said_clearly(monkeypatch):
    assert register_import.MAX_ROWS >= 10_000
    monkeypatch.setattr(register_import, "MAX_ROWS", 2)
    rows = "".join(f"p{n}@example.org,,practitioner,accredited,2015-03-01,,\n" for n in range(3))
    assert preview_register(HEADER + rows[: rows.index("p2@")]).ok
    preview = preview_register(HEADER + rows)
    assert not preview.ok and preview.rows == []
    assert preview.errors == [
        "The file has more than 2 rows; the register is imported 2 rows at a time. "
        "Split it into files of at most 2 rows and import them one after another."
    ]


def test_an_address_too_long_for_an_account_is_an_error():
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".org"  # valid, but over 254 characters
    preview = preview_register(HEADER + f"{address},,practitioner,accredited,2015-03-01,,\n")
    assert preview.rows[0].errors == ["The e-mail address is longer than 254 characters."]


def test_a_credential_recorded_while_the_file_is_saved_stops_the_whole_import(monkeypatch):
    """Someone records a credential for a person of the second batch after the import read
    the portal: the constraint refuses the batch and the first batch is not kept either."""
    real_preview = register_import.preview_register

    def preview_then_someone_records(*args, **kwargs):
        preview = real_preview(*args, **kwargs)
        late = UserFactory(email="b@example.org")
        record_credential(
            late, CredentialKind.PRACTITIONER, status="accredited", accredited_on=datetime.date(2015, 1, 1), route=""
        )
        return preview

    monkeypatch.setattr(register_import, "preview_register", preview_then_someone_records)
    text = HEADER + (
        "a@example.org,,practitioner,accredited,2015-03-01,,\nb@example.org,,practitioner,accredited,2015-03-01,,\n"
    )
    with pytest.raises(CredentialError, match="^Line 3: someone else recorded .* Nothing was imported"):
        import_register(text, by=None, batch_size=1)
    assert not User.objects.filter(email__in=["a@example.org", "b@example.org"]).exists()
    assert not HeldCredential.objects.exists()


# The preview page of a long file ------------------------------------------------------------


def _upload(client, text):
    upload = SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("admin:members_heldcredential_import"), {"file": upload})


def test_the_preview_page_of_a_long_file_lists_its_first_rows_or_its_rows_with_errors(client, monkeypatch):
    monkeypatch.setattr(register_import, "PREVIEW_ROWS", 2)
    client.force_login(staff_with_totp(roles.COORDINATOR))
    rows = [f"p{n}@example.org,,practitioner,accredited,2015-03-01,,\n" for n in range(4)]
    response = _upload(client, HEADER + "".join(rows))
    assert response.context["preview"].ok
    assert [row.line for row in response.context["preview"].shown_rows] == [2, 3]
    assert "The list shows 2 of the file’s 4 rows: the first rows. Every row has been checked." in response.text
    assert "Import these 4 rows" in response.text
    rows[2] = rows[2].replace("2015-03-01", "2099-03-01")
    response = _upload(client, HEADER + "".join(rows))
    assert [row.line for row in response.context["preview"].shown_rows] == [4]
    assert "the first rows with errors" in response.text and "is in the future" in response.text
    assert "import_confirm_form" not in response.text


def test_an_imported_route_and_the_default_note_stay_as_before():
    import_register(HEADER + "plain@example.org,,practitioner,accredited,2015-03-01,,\n", by=None)
    credential = HeldCredential.objects.get()
    assert (credential.route, credential.note) == (CredentialRoute.IMPORTED, "Imported from the register.")
    assert credential.status == CredentialStatus.ACCREDITED
