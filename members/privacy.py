"""A person's rights over what the portal holds about them: a copy of it all, and erasure.

Both walk the app registry rather than a hand-kept list, so a model added later is covered
the day it is added. A record "about" a person is
- a row of any model with a foreign key to the person (their applications, logs, uploads,
  the audit entries of what they did), and
- a row of any model with a foreign key to such a row (the answers and attendance of
  their applications), one level further,
- a row of a model that names a field holding an e-mail address (`FOUND_BY_EMAIL`), when it
  holds the person's address (a message sent to the coordinators before signing in),
- and the audit entries whose subject is their account.

Models say what erasure does to their rows with two optional class attributes:
- `PERSONAL_FIELDS`: text fields blanked on erasure (free text a person typed about
  themselves: registration numbers, notes);
- `KEEP_FILES_ON_ERASURE = True`: files that are records of the Centre's own (a certificate
  it issued) are kept; every other private file of the person's rows is deleted.
Rows themselves are kept, tied to the anonymised account, so counts, capacity, the audit
trail and certificate verification stay whole.
"""

import io
import json
import zipfile
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models, transaction
from django.utils import timezone

from dit_portal.audit import log_action

# Fields never handed out, even to their owner: secrets, not data about the person.
SECRET_FIELDS = {("members", "user"): {"password"}, ("mfa", "authenticator"): {"data"}}
# Tables of plumbing that say nothing about a person.
SKIPPED_APPS = {"sessions", "admin", "django_celery_beat", "contenttypes"}


class ErasureError(Exception):
    pass


@dataclass(frozen=True)
class Relation:
    model: type
    lookup: str  # the filter that finds the person's rows: "trainee", "enrolment__trainee"


def _user_model():
    return apps.get_model(settings.AUTH_USER_MODEL)


def _foreign_keys(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, models.ForeignKey)]


def relations():
    """Every way a row can be about a person, by model: direct foreign keys to the user, and
    foreign keys to a model that has one."""
    user = _user_model()
    direct = []
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS or model is user:
            continue
        for field in _foreign_keys(model):
            if field.related_model is user:
                direct.append(Relation(model, field.name))
    owners = {}
    for relation in direct:
        owners.setdefault(relation.model, []).append(relation.lookup)
    indirect = []
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS or model is user:
            continue
        for field in _foreign_keys(model):
            for lookup in owners.get(field.related_model, []):
                indirect.append(Relation(model, f"{field.name}__{lookup}"))
    return direct + indirect


def personal_querysets(person):
    """{model: queryset of its rows about `person`}, one queryset per model."""
    from dit_portal.models import AuditEntry

    by_model = {}
    for relation in relations():
        by_model.setdefault(relation.model, models.Q(pk__in=[]))
        by_model[relation.model] |= models.Q(**{relation.lookup: person})
    for model in apps.get_models():
        if getattr(model, "FOUND_BY_EMAIL", None) and person.email:
            by_model.setdefault(model, models.Q(pk__in=[]))
            by_model[model] |= models.Q(**{f"{model.FOUND_BY_EMAIL}__iexact": person.email})
    querysets = {model: model._default_manager.filter(query).distinct() for model, query in by_model.items()}
    about_account = models.Q(
        content_type=ContentType.objects.get_for_model(person, for_concrete_model=False), object_id=str(person.pk)
    )
    querysets[AuditEntry] = AuditEntry.objects.filter(models.Q(actor=person) | about_account)
    return querysets


def _file_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def _label(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _serialise(model, queryset):
    secret = SECRET_FIELDS.get((model._meta.app_label, model._meta.model_name), set())
    fields = [field.name for field in model._meta.concrete_fields if field.name not in secret and not field.primary_key]
    return json.loads(serializers.serialize("json", queryset.order_by("pk"), fields=fields))


def export_personal_data(person):
    """A zip of everything the portal holds about `person`: data.json (every row, by model)
    and files/ (their own uploads). Returns the bytes."""
    buffer = io.BytesIO()
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": _serialise(_user_model(), _user_model().objects.filter(pk=person.pk)),
        "records": {},
    }
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model, queryset in sorted(personal_querysets(person).items(), key=lambda item: _label(item[0])):
            rows = list(queryset.order_by("pk"))
            if not rows:
                continue
            data["records"][_label(model)] = _serialise(model, queryset)
            for row in rows:
                for field in _file_fields(model):
                    stored = getattr(row, field.name)
                    if not stored:
                        continue
                    name = f"files/{_label(model)}/{row.pk}-{field.name}-{stored.name.rsplit('/', 1)[-1]}"
                    try:
                        with stored.open("rb") as stream:
                            archive.writestr(name, stream.read())
                    except FileNotFoundError:
                        data["records"].setdefault("missing_files", []).append(name)
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr(
            "README.txt",
            "Everything the DIT portal holds about you: data.json lists every record by kind, "
            "files/ holds the files you uploaded.\n",
        )
    log_action(person, "members.user.data_exported", user=person)
    return buffer.getvalue()


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


def erase_person(person, *, by, reason):
    """Anonymise `person`: their account can no longer sign in or be recognised, their
    files are deleted and their free text blanked; rows stay, so the audit trail and
    certificate checks remain whole. One audit entry records who, why and how much."""
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
        blanked = 0
        for model, queryset in personal_querysets(person).items():
            keep_files = getattr(model, "KEEP_FILES_ON_ERASURE", False)
            file_fields = [] if keep_files else _file_fields(model)
            personal_fields = list(getattr(model, "PERSONAL_FIELDS", ()))
            if not (file_fields or personal_fields):
                continue
            ids = list(queryset.values_list("pk", flat=True))
            if not ids:
                continue
            for row in model._default_manager.filter(pk__in=ids).only("pk", *[f.name for f in file_fields]):
                for field in file_fields:
                    stored = getattr(row, field.name)
                    if stored:
                        files_to_delete.append((stored.storage, stored.name))
            updates = {field.name: "" for field in file_fields}
            updates.update(dict.fromkeys(personal_fields, ""))
            blanked += model._default_manager.filter(pk__in=ids).update(**updates)
        EmailAddress.objects.filter(user=person).delete()
        Authenticator.objects.filter(user=person).delete()
        person.email = f"erased-{person.pk}@erased.invalid"
        person.full_name = "Erased person"
        person.is_active = False
        person.set_unusable_password()
        person.save(update_fields=["email", "full_name", "is_active", "password"])
        person.groups.clear()
        person.user_permissions.clear()
        log_action(
            person,
            "members.user.erased",
            user=by,
            data={"reason": reason, "files_deleted": len(files_to_delete), "rows_blanked": blanked},
        )

        def delete_files():
            for storage, name in files_to_delete:
                storage.delete(name)

        transaction.on_commit(delete_files)
    return person
