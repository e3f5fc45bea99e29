"""A person's rights over what the portal holds about them: a copy of it, and erasure.

Whose data a row is, is declared by the model that owns it, in one class attribute:

    PRIVACY = {"subject": ["trainee"], "mentions": ["decided_by"]}

- `subject`: the foreign keys (or lookups through them, "enrolment__trainee") to the person
  the row is about. The row is theirs: it is in their copy, with its files, and erasing
  them deletes its files and blanks its `PERSONAL_FIELDS` (what they wrote about themselves
  and what others wrote about them: feedback, review notes, reasons).
- `mentions`: the foreign keys to people who only acted on the row (decided, assessed,
  supervised, uploaded). The row is someone else's: erasing such a person leaves every field
  and file of it whole (the reference now shows the anonymised account), and their copy
  says only that the row exists and their part in it.

Every model with a foreign key to the user model declares it (models of installed
libraries in `LIBRARY_PRIVACY` below); `check_declarations` lists what is missing and the
test suite fails on it. A message sent before signing in is found by its address
(`FOUND_BY_EMAIL`). Audit entries naming the person (about their account or their rows,
or quoting their address) are in their copy, and erasure replaces their name and address
in them by the pseudonym; the entries stay. Rows stay too, tied to the anonymised
account, so counts, capacity, the audit trail and certificate verification remain whole.
"""

import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from dit_portal.audit import log_action

# Fields never handed out, even to their owner: secrets, not data about the person.
SECRET_FIELDS = {
    ("members", "user"): {"password"},
    ("mfa", "authenticator"): {"data"},
    ("account", "emailconfirmation"): {"key"},
}
# Installed libraries' models, declared here since their classes are not ours to change.
LIBRARY_PRIVACY = {
    "account.emailaddress": {"subject": ["user"], "mentions": []},
    "account.emailconfirmation": {"subject": ["email_address__user"], "mentions": []},
    "mfa.authenticator": {"subject": ["user"], "mentions": []},
    "admin.logentry": {"subject": [], "mentions": ["user"]},
}
PSEUDONYM_NAME = "Erased person"
# Rows read and written per query while exporting, so a long history is never in memory.
EXPORT_CHUNK = 1000


class ErasureError(Exception):
    pass


def _user_model():
    return apps.get_model(settings.AUTH_USER_MODEL)


def _label(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


# The declarations --------------------------------------------------------------------------


@dataclass(frozen=True)
class Declaration:
    model: type
    subject: tuple
    mentions: tuple


def _raw_declaration(model):
    if "PRIVACY" in model.__dict__:
        return model.__dict__["PRIVACY"]
    return LIBRARY_PRIVACY.get(_label(model))


def _resolves_to_user(model, lookup):
    """Whether `lookup` follows forward foreign keys from `model` to the user model."""
    for name in lookup.split("__"):
        try:
            field = model._meta.get_field(name)
        except Exception:
            return False
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            return False
        model = field.related_model
    return model is _user_model()


def _user_foreign_keys(model):
    user = _user_model()
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.related_model is user
    ]


def _candidate_models():
    """Concrete models other than the user itself (proxies share their model's rows)."""
    user = _user_model()
    return [model for model in apps.get_models() if not model._meta.proxy and model is not user]


def check_declarations():
    """What is missing or wrong in the declarations: a list of sentences, empty when whole."""
    problems = []
    with_subject = set()
    for model in _candidate_models():
        declared = _raw_declaration(model)
        if declared and declared.get("subject"):
            with_subject.add(model)
    for model in _candidate_models():
        label = _label(model)
        declared = _raw_declaration(model)
        user_keys = _user_foreign_keys(model)
        parents = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.ForeignKey) and field.related_model in with_subject
        ]
        if declared is None:
            if user_keys:
                problems.append(f"{label} has a foreign key to the user ({', '.join(user_keys)}) but no PRIVACY.")
            elif parents:
                problems.append(f"{label} belongs to a person's row ({', '.join(parents)}) but has no PRIVACY.")
            continue
        if not isinstance(declared, dict) or set(declared) != {"subject", "mentions"}:
            problems.append(f'{label}.PRIVACY must be {{"subject": [...], "mentions": [...]}}.')
            continue
        named = []
        for key in ("subject", "mentions"):
            if not isinstance(declared[key], list | tuple) or not all(isinstance(v, str) for v in declared[key]):
                problems.append(f"{label}.PRIVACY[{key!r}] must be a list of field names.")
                continue
            for lookup in declared[key]:
                if not _resolves_to_user(model, lookup):
                    problems.append(f"{label}.PRIVACY[{key!r}]: {lookup!r} does not lead to the user model.")
                named.append(lookup)
        for name in user_keys:
            if name not in named:
                problems.append(f"{label}.{name} is a foreign key to the user that PRIVACY does not name.")
        if set(declared["subject"]) & set(declared["mentions"]):
            problems.append(f"{label}.PRIVACY names a field as both subject and mention.")
        for name in getattr(model, "PERSONAL_FIELDS", ()):
            try:
                model._meta.get_field(name)
            except Exception:
                problems.append(f"{label}.PERSONAL_FIELDS names {name!r}, which is not a field.")
    return problems


def declarations():
    """Every model's declaration, for the models that have one."""
    found = []
    for model in _candidate_models():
        declared = _raw_declaration(model)
        if declared:
            found.append(Declaration(model, tuple(declared["subject"]), tuple(declared["mentions"])))
    return sorted(found, key=lambda declaration: _label(declaration.model))


def _any_of(lookups, person):
    query = models.Q(pk__in=[])
    for lookup in lookups:
        query |= models.Q(**{lookup: person})
    return query


def subject_rows(declaration, person, email=None):
    """The rows of `declaration.model` that are about `person` (`email`: their address, for
    rows found by it)."""
    query = _any_of(declaration.subject, person)
    found_by = getattr(declaration.model, "FOUND_BY_EMAIL", None)
    if found_by and email:
        query |= models.Q(**{f"{found_by}__iexact": email})
    return declaration.model._default_manager.filter(query)


def mention_rows(declaration, person, email=None):
    """The rows where `person` only acted: named in a mention, not the row's subject."""
    return declaration.model._default_manager.filter(_any_of(declaration.mentions, person)).exclude(
        pk__in=subject_rows(declaration, person, email).values("pk")
    )


# Audit entries -------------------------------------------------------------------------------


def _content_types_of(model):
    """The content types audit entries may carry for rows of `model`: its own and its proxies'."""
    related = [other for other in apps.get_models() if other._meta.concrete_model is model]
    return list(ContentType.objects.get_for_models(*related, for_concrete_models=False).values())


def _entries_on(model, rows):
    keys = rows.annotate(audit_key=Cast("pk", models.CharField())).values("audit_key")
    return models.Q(content_type__in=_content_types_of(model), object_id__in=keys)


def _audit_entries_naming(person, email, *, mentioning_name=""):
    """Audit entries about `person`'s account or their rows, or quoting their address;
    with `mentioning_name`, also those on rows they only acted on that print that name."""
    from dit_portal.models import AuditEntry

    entries = AuditEntry.objects.annotate(data_text=Cast("data", models.TextField()))
    query = _entries_on(_user_model(), _user_model().objects.filter(pk=person.pk))
    on_mention_rows = models.Q(pk__in=[])
    for declaration in declarations():
        if declaration.model is AuditEntry or declaration.model._meta.app_label in ("admin", "account", "mfa"):
            continue
        if declaration.subject:
            query |= _entries_on(declaration.model, subject_rows(declaration, person, email))
        if mentioning_name and declaration.mentions:
            on_mention_rows |= _entries_on(declaration.model, mention_rows(declaration, person, email))
    if mentioning_name:
        printed = models.Q(object_repr__icontains=mentioning_name) | models.Q(data_text__icontains=mentioning_name)
        query |= on_mention_rows & printed
    if email:
        query |= models.Q(object_repr__icontains=email) | models.Q(data_text__icontains=email)
    return entries.filter(query)


def _replaced(value, pattern, replacement):
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_replaced(item, pattern, replacement) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, pattern, replacement) for key, item in value.items()}
    return value


def _pseudonymise_audit(person, *, old_email, old_name):
    """Replace `person`'s former address and name by the pseudonym in the audit entries that
    name them. Returns how many entries changed."""
    from dit_portal.models import AuditEntry

    replacements = [(re.compile(re.escape(old_email), re.IGNORECASE), person.email)]
    if old_name.strip():
        # Whole words only: erasing "Ann Lee" leaves "Ann Leeds" alone.
        name = re.compile(rf"(?<!\w){re.escape(old_name.strip())}(?!\w)", re.IGNORECASE)
        replacements.append((name, PSEUDONYM_NAME))
    ids = _audit_entries_naming(person, old_email, mentioning_name=old_name.strip()).values("pk")
    changed = []
    for entry in AuditEntry.objects.filter(pk__in=ids).only("pk", "object_repr", "data").iterator(EXPORT_CHUNK):
        before = (entry.object_repr, entry.data)
        for pattern, replacement in replacements:
            entry.object_repr = _replaced(entry.object_repr, pattern, replacement)[:255]
            entry.data = _replaced(entry.data, pattern, replacement)
        if (entry.object_repr, entry.data) != before:
            changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["object_repr", "data"], batch_size=EXPORT_CHUNK)
    _pseudonymise_admin_log(person, replacements, old_email)
    return len(changed)


def _pseudonymise_admin_log(person, replacements, old_email):
    """Django's own admin history: entries about the account, or quoting the address."""
    from django.contrib.admin.models import LogEntry

    about = models.Q(content_type__in=_content_types_of(_user_model()), object_id=str(person.pk))
    quoting = models.Q(object_repr__icontains=old_email) | models.Q(change_message__icontains=old_email)
    changed = []
    for entry in LogEntry.objects.filter(about | quoting).only("pk", "object_repr", "change_message"):
        before = (entry.object_repr, entry.change_message)
        for pattern, replacement in replacements:
            entry.object_repr = pattern.sub(replacement, entry.object_repr)[:200]
            entry.change_message = pattern.sub(replacement, entry.change_message)
        if (entry.object_repr, entry.change_message) != before:
            changed.append(entry)
    LogEntry.objects.bulk_update(changed, ["object_repr", "change_message"])


# The copy ------------------------------------------------------------------------------------


def _file_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def _exported_fields(model):
    secret = SECRET_FIELDS.get((model._meta.app_label, model._meta.model_name), set())
    return [field.name for field in model._meta.concrete_fields if field.name not in secret and not field.primary_key]


class _JsonWriter:
    """data.json written piece by piece into the zip, so the copy of a long history is never
    held in memory at once."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        self.stream.write(text.encode())

    def value(self, value):
        self.write(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))

    def section(self, sources):
        """An object of {label: [rows]} from (model, chunks of rows) pairs; a model without
        rows is left out."""
        self.write("{")
        written = False
        for model, chunks in sorted(sources, key=lambda source: _label(source[0])):
            first = True
            for chunk in chunks:
                for row in chunk:
                    if first:
                        self.write(",\n    " if written else "\n    ")
                        self.write(f"{json.dumps(_label(model))}: [\n      ")
                    else:
                        self.write(",\n      ")
                    self.value(row)
                    first = False
            if not first:
                self.write("\n    ]")
                written = True
        self.write("\n  }" if written else "}")


def _chunks(queryset):
    """`queryset` in chunks of EXPORT_CHUNK rows, in primary-key order, one query each."""
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:EXPORT_CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1].pk if hasattr(rows[-1], "pk") else rows[-1]["pk"]


def _serialised(model, queryset, files):
    fields = _exported_fields(model)
    file_fields = _file_fields(model)
    for chunk in _chunks(queryset):
        for row in chunk:
            for field in file_fields:
                stored = getattr(row, field.name)
                if stored:
                    files.append((f"{_label(model)}/{row.pk}-{field.name}", stored))
        yield json.loads(serializers.serialize("json", chunk, fields=fields))


def _mentions(declaration, person, email):
    """Rows the person only acted on: that the row exists and their part in it."""
    lookups = list(declaration.mentions)
    values = mention_rows(declaration, person, email).values("pk", *lookups)
    for chunk in _chunks(values):
        yield [
            {"pk": row["pk"], "your_part": [lookup for lookup in lookups if row[lookup] == person.pk]} for row in chunk
        ]


def _own_audit_actions(person, email):
    """What the person did, from the audit log, without what it was done to."""
    from dit_portal.models import AuditEntry

    naming = _audit_entries_naming(person, email).values("pk")
    values = AuditEntry.objects.filter(actor=person).exclude(pk__in=naming).values("pk", "action", "created_at")
    for chunk in _chunks(values):
        yield [{**row, "your_part": ["actor"]} for row in chunk]


def write_personal_data(person, stream):
    """Write to `stream` a zip of what the portal holds about `person`: data.json (their
    rows by model, audit entries naming them, and for rows of others they acted on only
    that the row exists and their part) and files/ (the files of their rows)."""
    from dit_portal.models import AuditEntry

    email = person.email
    files = []
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("data.json", "w", force_zip64=True) as raw:
            out = _JsonWriter(raw)
            out.write('{\n  "exported_at": ')
            out.value(timezone.now().isoformat())
            out.write(',\n  "account": ')
            user = _user_model()
            out.value(json.loads(serializers.serialize("json", [person], fields=_exported_fields(user))))
            out.write(',\n  "records": ')
            naming = _audit_entries_naming(person, email).values("pk")
            sources = [
                (declaration.model, _serialised(declaration.model, subject_rows(declaration, person, email), files))
                for declaration in declarations()
                if declaration.subject
            ]
            sources.append((AuditEntry, _serialised(AuditEntry, AuditEntry.objects.filter(pk__in=naming), files)))
            out.section(sources)
            out.write(',\n  "acted_on": ')
            mention_sources = [
                (declaration.model, _mentions(declaration, person, email))
                for declaration in declarations()
                if declaration.mentions and declaration.model is not AuditEntry
            ]
            mention_sources.append((AuditEntry, _own_audit_actions(person, email)))
            out.section(mention_sources)
            out.write(',\n  "missing_files": ')
            missing = [name for name, stored in files if not stored.storage.exists(stored.name)]
            out.value(missing)
            out.write("\n}\n")
        for name, stored in files:
            if name in missing:
                continue
            with (
                stored.open("rb") as source,
                archive.open(f"files/{name}-{stored.name.rsplit('/', 1)[-1]}", "w") as target,
            ):
                shutil.copyfileobj(source, target, 1024 * 1024)
        archive.writestr(
            "README.txt",
            "Everything the DIT portal holds about you: data.json lists your records by kind "
            '("records"), and the records of other people you acted on only as what you did '
            '("acted_on": that the record exists and your part in it); files/ holds the files '
            "of your records.\n",
        )
    log_action(person, "members.user.data_exported", user=person)


def export_personal_data_file(person):
    """The copy as a temporary file, read from its start: small copies stay in memory,
    large ones go to disk."""
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (the caller closes it)
    write_personal_data(person, spool)
    spool.seek(0)
    return spool


def export_personal_data(person):
    """The copy as bytes (for small copies and tests)."""
    with export_personal_data_file(person) as spool:
        return spool.read()


# Erasure -------------------------------------------------------------------------------------


def holds_staff_role(person):
    """Staff roles come from groups: a superuser, a person marked staff, a member of a staff
    role (Coordinator, Programme Director) or of any group carrying rights, or a person
    given rights of their own."""
    from dit_portal.access import ADMIN_ROLES

    return (
        person.is_superuser
        or person.is_staff
        or person.groups.filter(models.Q(name__in=ADMIN_ROLES) | models.Q(permissions__isnull=False)).exists()
        or person.user_permissions.exists()
    )


def can_erase(person, by):
    """Why `by` may not erase `person`, or None. A superuser erases anyone but themselves; a
    coordinator erases members only, never someone holding a staff role."""
    if person.pk == by.pk:
        return "You cannot erase your own account here."
    if not by.is_superuser and holds_staff_role(person):
        return "Only a superuser may erase a staff account."
    if person.email.endswith("@erased.invalid"):
        return "This person has already been erased."
    return None


def _blanked_value(model, name, person):
    """What a personal field becomes: empty, or the pseudonymous address for an address
    that must stay unique (a completer's row in their list)."""
    field = model._meta.get_field(name)
    if isinstance(field, models.EmailField) and any(
        name in getattr(constraint, "fields", ()) for constraint in model._meta.constraints
    ):
        return person.email
    return ""


def erase_person(person, *, by, reason):
    """Anonymise `person`: their account can no longer sign in or be recognised; the files
    of their rows are deleted and those rows' personal text blanked; their name and address
    in the audit log are replaced by the pseudonym. Rows where they only acted (as someone's
    supervisor, assessor, trainer, reviewer, decider) stay whole. One audit entry records
    who, why and how much."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    reason = (reason or "").strip()
    if not reason:
        raise ErasureError("Say why this person is being erased; it goes into the audit log.")
    files_to_delete = []
    with transaction.atomic():
        person = _user_model().objects.select_for_update().get(pk=person.pk)
        refusal = can_erase(person, by)
        if refusal:
            raise ErasureError(refusal)
        old_email, old_name = person.email, person.full_name
        person.email = f"erased-{person.pk}@erased.invalid"
        person.full_name = PSEUDONYM_NAME
        pseudonymised = _pseudonymise_audit(person, old_email=old_email, old_name=old_name)
        blanked = 0
        for declaration in declarations():
            model = declaration.model
            if not declaration.subject:
                continue
            file_fields = _file_fields(model)
            personal_fields = list(getattr(model, "PERSONAL_FIELDS", ()))
            if not (file_fields or personal_fields):
                continue
            ids = list(subject_rows(declaration, person, old_email).values_list("pk", flat=True))
            if not ids:
                continue
            for row in model._default_manager.filter(pk__in=ids).only("pk", *[f.name for f in file_fields]):
                for field in file_fields:
                    stored = getattr(row, field.name)
                    if stored:
                        files_to_delete.append((stored.storage, stored.name))
            updates = {field.name: "" for field in file_fields}
            updates.update({name: _blanked_value(model, name, person) for name in personal_fields})
            blanked += model._default_manager.filter(pk__in=ids).update(**updates)
        EmailAddress.objects.filter(user=person).delete()
        Authenticator.objects.filter(user=person).delete()
        person.is_active = False
        person.set_unusable_password()
        person.save(update_fields=["email", "full_name", "is_active", "password"])
        person.groups.clear()
        person.user_permissions.clear()
        log_action(
            person,
            "members.user.erased",
            user=by,
            data={
                "reason": reason,
                "files_deleted": len(files_to_delete),
                "rows_blanked": blanked,
                "audit_entries_pseudonymised": pseudonymised,
            },
        )

        def delete_files():
            for storage, name in files_to_delete:
                storage.delete(name)

        transaction.on_commit(delete_files)
    return person
