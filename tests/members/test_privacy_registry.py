"""Whose data a row is, for every model that holds people: driven by the app registry and
each model's PRIVACY declaration (members/privacy.py), so a model added later is covered
the day it is declared, and cannot be left undeclared.

For every declared model a row is built with one person as its subject and another in
every mention (every field filled with a marker, every file with bytes of its own). Then:
- erasing either person changes nothing but the erased person's own rows (only their
  personal fields and files), their account, and their name in the audit log: every other
  row, field and file is byte-for-byte what it was;
- each person's copy holds their own rows whole, and of the other's only that the row
  exists and their part in it: none of its text, none of its files.
"""

import datetime
import decimal
import io
import itertools
import json
import re
import uuid
import zipfile

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone

from members import privacy, roles
from members.models import User
from supervision.models import Case
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DECLARED = [privacy._label(declaration.model) for declaration in privacy.declarations()]
# Tables of plumbing that hold no one's data (sessions are deleted with the account's use).
NOT_COMPARED = {"sessions", "contenttypes", "django_celery_beat", "auth"}
# What the person signed in with: deleted with the account's use, not kept blanked.
SIGN_IN_DATA = {"account.emailaddress", "account.emailconfirmation", "mfa.authenticator"}
# Fields whose built value is a code, not text about anyone (an audit entry's action).
CODES = {("portal.auditentry", "action"): "tests.privacy.acted_on"}

_counter = itertools.count(1)


class Built:
    """The rows built for one scenario: each with the text markers and file bytes it holds."""

    def __init__(self):
        self.rows = []  # (instance, markers, file bytes)

    def markers_of(self, instance):
        return next(markers for row, markers, _ in self.rows if row is instance)

    def files_of(self, instance):
        return next(files for row, _, files in self.rows if row is instance)


def _text_value(model, field, number):
    label = privacy._label(model)
    if (label, field.name) in CODES:
        return CODES[(label, field.name)], False
    if isinstance(field, models.EmailField):
        return f"marker{number}@example.org", True
    if isinstance(field, models.URLField):
        return f"https://example.org/marker{number}", True
    if isinstance(field, models.SlugField):
        return f"marker-{number}", True
    marker = f"MARK{number}X"
    return marker[: field.max_length] if field.max_length else marker, True


def build(model, assigned, built, *, user_for_unassigned=None):
    """Insert a row of `model` with every field filled: `assigned` maps lookups ("person",
    "enrolment__trainee") to people; other required links get rows of their own."""
    values, markers = {}, []
    for field in model._meta.concrete_fields:
        number = next(_counter)
        if field.primary_key or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if isinstance(field, models.ForeignKey):
            deeper = {k.split("__", 1)[1]: v for k, v in assigned.items() if k.startswith(f"{field.name}__")}
            if field.name in assigned:
                values[field.name] = assigned[field.name]
            elif field.related_model is ContentType:
                values[field.name] = ContentType.objects.get_for_model(User)
            elif field.related_model is User:
                values[field.name] = None if field.null else UserFactory()
            elif deeper or not field.null:
                values[field.name] = build(field.related_model, deeper, built)
            continue
        if isinstance(field, models.FileField):
            continue
        if field.choices:
            values[field.name] = field.get_default() if field.has_default() else field.choices[0][0]
        elif isinstance(field, models.CharField | models.TextField):
            if field.has_default() and field.get_default() and not field.editable:
                values[field.name] = field.get_default()  # a generated code (a verification code)
                continue
            values[field.name], is_marker = _text_value(model, field, number)
            secret = field.name in privacy.SECRET_FIELDS.get((model._meta.app_label, model._meta.model_name), ())
            if is_marker and not secret:  # secrets are never in a copy, not even their owner's
                markers.append(values[field.name])
        elif isinstance(field, models.BooleanField):
            values[field.name] = False
        elif isinstance(field, models.DecimalField):
            values[field.name] = decimal.Decimal("1.00")
        elif isinstance(field, models.IntegerField):
            values[field.name] = number % 30000 + 1
        elif isinstance(field, models.DateTimeField):
            values[field.name] = timezone.now()
        elif isinstance(field, models.DateField):
            values[field.name] = timezone.localdate()
        elif isinstance(field, models.TimeField):
            values[field.name] = datetime.time(10, 0)
        elif isinstance(field, models.UUIDField):
            values[field.name] = uuid.uuid4()
        elif isinstance(field, models.JSONField):
            values[field.name] = field.get_default() if field.has_default() else {}
        elif field.has_default():
            values[field.name] = field.get_default()
    (instance,) = model._base_manager.bulk_create([model(**values)])
    files = {}
    for field in model._meta.concrete_fields:
        if isinstance(field, models.FileField):
            content = f"%PDF-1.4 file of row {privacy._label(model)} {next(_counter)}".encode()
            stored = getattr(instance, field.name)
            stored.save(f"{field.name}.pdf", ContentFile(content), save=False)
            model._base_manager.filter(pk=instance.pk).update(**{field.name: stored.name})
            files[field.name] = content
    built.rows.append((instance, markers, files))
    return instance


def snapshot():
    """Every row of every model, and the bytes of every stored file."""
    rows, files = {}, {}
    for model in apps.get_models():
        if model._meta.proxy or model._meta.app_label in NOT_COMPARED:
            continue
        names = [field.attname for field in model._meta.concrete_fields]
        file_fields = [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]
        for row in model._base_manager.values(*names):
            rows[(privacy._label(model), row[model._meta.pk.attname])] = row
            for field in file_fields:
                name = row[field.attname]
                if name:
                    storage = field.storage
                    files[name] = storage.open(name).read() if storage.exists(name) else None
    return rows, files


def assert_only_their_own_changed(person, before, after, subject_keys):
    """After erasing `person`: their account, their own rows' personal fields and files,
    and their name in the audit log changed; nothing else did."""
    (rows_before, files_before), (rows_after, files_after) = before, after
    names = [re.escape(person["email"])] + ([re.escape(person["full_name"])] if person["full_name"] else [])
    naming = re.compile("|".join(names), re.IGNORECASE)
    for key, row in rows_before.items():
        label, pk = key
        now = rows_after.get(key)
        if label == "members.user" and pk == person["pk"]:
            continue
        if label in SIGN_IN_DATA and key in subject_keys:
            assert now is None, f"{label} {pk} of the erased person was kept"
            continue
        assert now is not None, f"{label} {pk} was deleted"
        changed = {name for name in row if row[name] != now[name]}
        if label in ("portal.auditentry", "admin.logentry"):
            assert all(naming.search(json.dumps(row[name])) for name in changed), (label, pk, changed)
            continue
        if key in subject_keys:
            model = apps.get_model(label)
            allowed = set(getattr(model, "PERSONAL_FIELDS", ())) | {
                field.attname for field in model._meta.concrete_fields if isinstance(field, models.FileField)
            }
            assert changed <= allowed, f"{label} {pk}: {changed - allowed} changed"
            continue
        assert not changed, f"{label} {pk} is not the erased person's, yet {sorted(changed)} changed"
    owned_files = set()
    for label, pk in subject_keys:
        model = apps.get_model(label)
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and (label, pk) in rows_before:
                owned_files.add(rows_before[(label, pk)][field.attname])
    for name, content in files_before.items():
        if name in owned_files:
            continue
        assert files_after.get(name) == content, f"{name} is not the erased person's, yet it changed or went"


def subject_keys_of(person):
    keys = set()
    for declaration in privacy.declarations():
        for pk in privacy.subject_rows(declaration, person, person.email).values_list("pk", flat=True):
            keys.add((privacy._label(declaration.model), pk))
    return keys


def erase_and_compare(person, coordinator, django_capture_on_commit_callbacks):
    identity = {"pk": person.pk, "email": person.email, "full_name": person.full_name}
    subject_keys = subject_keys_of(person)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_person(person, by=coordinator, reason="The person asked")
    assert_only_their_own_changed(identity, before, snapshot(), subject_keys)


def exported(person):
    archive = zipfile.ZipFile(io.BytesIO(privacy.export_personal_data(person)))
    data = json.loads(archive.read("data.json"))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    return data, everything


def _declaration(label):
    return next(d for d in privacy.declarations() if privacy._label(d.model) == label)


def _scenario(label):
    """A row of the model with S as its subject and M in every mention (or, for a model
    without mentions, a row of each); a third row where the roles are swapped."""
    declaration = _declaration(label)
    subject, mentioned = UserFactory(full_name="Sasha Subject"), UserFactory(full_name="Morgan Mention")
    built = Built()
    assigned = dict.fromkeys(declaration.subject, subject) | dict.fromkeys(declaration.mentions, mentioned)
    row = build(declaration.model, assigned, built)
    others_row = None
    if declaration.subject and not declaration.mentions:
        others_row = build(declaration.model, dict.fromkeys(declaration.subject, mentioned), built)
    return declaration, subject, mentioned, row, others_row, built


def test_every_model_with_a_user_foreign_key_declares_whose_data_it_is():
    assert privacy.check_declarations() == []
    labels = set(DECLARED)
    for model in apps.get_models():
        if any(
            isinstance(field, models.ForeignKey) and field.related_model is User
            for field in model._meta.concrete_fields
        ):
            assert model._meta.proxy or privacy._label(model) in labels


def test_a_model_without_a_declaration_is_reported(monkeypatch):
    monkeypatch.delattr(Case, "PRIVACY")
    problems = privacy.check_declarations()
    assert problems == [
        "supervision.case has a foreign key to the user (practitioner, supervisor, "
        "close_supervision_confirmed_by) but no PRIVACY."
    ]


def test_a_user_foreign_key_left_out_of_a_declaration_is_reported(monkeypatch):
    monkeypatch.setattr(Case, "PRIVACY", {"subject": ["practitioner"], "mentions": ["supervisor"]})
    assert privacy.check_declarations() == [
        "supervision.case.close_supervision_confirmed_by is a foreign key to the user that PRIVACY does not name."
    ]
    monkeypatch.setattr(Case, "PRIVACY", {"subject": ["practitioner"], "mentions": ["supervisor", "code"]})
    assert "supervision.case.PRIVACY['mentions']: 'code' does not lead to the user model." in (
        privacy.check_declarations()
    )


@pytest.mark.parametrize("label", DECLARED)
def test_each_person_gets_and_loses_only_their_own_data(label, django_capture_on_commit_callbacks):
    declaration, subject, mentioned, row, others_row, built = _scenario(label)
    coordinator = UserFactory(role=roles.COORDINATOR)
    stored = {
        field.name: getattr(row, field.name).name
        for field in declaration.model._meta.concrete_fields
        if isinstance(field, models.FileField)
    }

    # The copies: each their own rows whole; of the other's row only that it exists and
    # their part in it.
    if declaration.subject:
        data, everything = exported(subject)
        assert row.pk in [record["pk"] for record in data["records"][label]]
        for marker in built.markers_of(row):
            assert marker.encode() in everything
        for content in built.files_of(row).values():
            assert content in everything
    data, everything = exported(mentioned)
    if declaration.mentions:
        part = next(entry for entry in data["acted_on"][label] if entry["pk"] == row.pk)
        assert part["your_part"] == list(declaration.mentions)
        assert set(part) <= {"pk", "your_part", "action", "created_at"}  # an audit entry says what they did
        assert row.pk not in [record["pk"] for record in data["records"].get(label, [])]
    theirs = subject_keys_of(mentioned)
    for instance, markers, files in built.rows:
        if (privacy._label(type(instance)), instance.pk) in theirs:
            continue
        for marker in markers:
            assert marker.encode() not in everything, f"{marker} of {instance!r} is in the other person's copy"
        for content in files.values():
            assert content not in everything

    # Erasing the person who only acted (or, without mentions, the other subject) leaves
    # the row whole; the reference now shows the pseudonym.
    if declaration.mentions:
        erase_and_compare(mentioned, coordinator, django_capture_on_commit_callbacks)
        fresh = type(row)._base_manager.get(pk=row.pk)
        for lookup in declaration.mentions:
            if "__" not in lookup:
                assert getattr(fresh, f"{lookup}_id") == mentioned.pk
        assert str(User.objects.get(pk=mentioned.pk)) == privacy.PSEUDONYM_NAME
    elif others_row is not None:
        erase_and_compare(mentioned, coordinator, django_capture_on_commit_callbacks)

    # Erasing the subject blanks their row's personal fields and deletes its files, and
    # changes nothing of anyone else's.
    if declaration.subject:
        erase_and_compare(subject, coordinator, django_capture_on_commit_callbacks)
        if label in SIGN_IN_DATA:
            assert not type(row)._base_manager.filter(pk=row.pk).exists()  # sign-in data goes
            return
        fresh = type(row)._base_manager.get(pk=row.pk)
        for name in getattr(declaration.model, "PERSONAL_FIELDS", ()):
            assert getattr(fresh, name) in ("", User.objects.get(pk=subject.pk).email), name
        for name, stored_name in stored.items():
            assert not getattr(fresh, name) and not getattr(row, name).storage.exists(stored_name)
