"""Import of the existing credential register from CSV: read and check every row first
(`preview_register`), show each row's errors, and save nothing until a coordinator confirms;
then save every row in one transaction (`import_register`), or none.

Columns (header row required, in any order): email, name, credential, status,
accredited_on, route, note; name is optional. Credential, status and route take either the portal's value
("practitioner") or its label ("DIT Practitioner"); dates are YYYY-MM-DD or DD/MM/YYYY.
People are matched by e-mail address; someone unknown gets an account, named from the name
column, without a usable password, which they claim by resetting the password or logging in
by e-mailed code. A known person without a name on the portal is given the file's name; a
name they have already is kept.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from dit_portal.audit import log_action

from .enums import ONCE_ACCREDITED_STATES, CredentialKind, CredentialRoute, CredentialStatus
from .models import HeldCredential, User
from .services import TRAINER_DECISION, CredentialError, may_decide_credential, record_credential

COLUMNS = ["email", "name", "credential", "status", "accredited_on", "route", "note"]
REQUIRED_COLUMNS = ["email", "credential", "status"]
MAX_ROWS = 5000
NAME_LENGTH = User._meta.get_field("full_name").max_length
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


@dataclass
class RegisterRow:
    line: int
    email: str
    name: str = ""
    kind: str = ""
    status: str = ""
    accredited_on: datetime.date | None = None
    route: str = ""
    note: str = ""
    errors: list = field(default_factory=list)
    person_exists: bool = False

    @property
    def kind_label(self):
        return CredentialKind(self.kind).label if self.kind else ""

    @property
    def status_label(self):
        return CredentialStatus(self.status).label if self.status else ""

    @property
    def route_label(self):
        return CredentialRoute(self.route).label if self.route else ""


@dataclass
class RegisterPreview:
    rows: list
    errors: list  # errors about the file as a whole

    @property
    def ok(self):
        return not self.errors and self.rows and not any(row.errors for row in self.rows)

    @property
    def rows_with_errors(self):
        return sum(1 for row in self.rows if row.errors)


def _choice(choices, raw):
    """The value of `choices` given its value or label, case-insensitively; "" if none."""
    wanted = raw.strip().lower()
    for value, label in choices.choices:
        if wanted in (value.lower(), label.lower()):
            return value
    return ""


def _date(raw):
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    return None


def preview_register(text, *, by=None):
    """Read the CSV `text` and check every row; nothing is saved. Rows `by` may not decide
    (the AFC trainer credential, unless `by` is the Programme Director) are errors."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return RegisterPreview(
            [], [f"The file has no column {', '.join(missing)}. Expected columns: {', '.join(COLUMNS)}."]
        )
    reader.fieldnames = header
    rows, seen = [], {}
    today = timezone.localdate()
    for number, record in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            return RegisterPreview([], [f"The file has more than {MAX_ROWS} rows; split it."])
        values = {name: (record.get(name) or "").strip() for name in COLUMNS}
        if not any(values.values()):
            continue
        row = RegisterRow(line=number, email=values["email"].lower(), name=values["name"], note=values["note"])
        if len(row.name) > NAME_LENGTH:
            row.errors.append(f"The name is longer than {NAME_LENGTH} characters.")
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(f"“{values['email']}” is not an e-mail address.")
        row.kind = _choice(CredentialKind, values["credential"])
        if not row.kind:
            row.errors.append(f"Unknown credential “{values['credential']}”.")
        elif not may_decide_credential(by, row.kind):
            row.errors.append(TRAINER_DECISION)
        row.status = _choice(CredentialStatus, values["status"])
        if not row.status:
            row.errors.append(f"Unknown status “{values['status']}”.")
        if values["route"]:
            row.route = _choice(CredentialRoute, values["route"])
            if not row.route:
                row.errors.append(f"Unknown route “{values['route']}”.")
        else:
            row.route = CredentialRoute.IMPORTED
        if values["accredited_on"]:
            row.accredited_on = _date(values["accredited_on"])
            if row.accredited_on is None:
                row.errors.append(f"“{values['accredited_on']}” is not a date (use YYYY-MM-DD).")
            elif row.accredited_on > today:
                row.errors.append(f"The accreditation date {row.accredited_on:%-d %B %Y} is in the future.")
        if row.status in ONCE_ACCREDITED_STATES and not values["accredited_on"]:
            row.errors.append(
                "An accredited (or since lapsed, suspended or revoked) credential needs its accreditation date."
            )
        if row.status == CredentialStatus.IN_PROGRESS and row.accredited_on:
            row.errors.append("A credential in progress has no accreditation date.")
        key = (row.email, row.kind)
        if row.kind and key in seen:
            row.errors.append(f"The same person and credential are on line {seen[key]} already.")
        seen.setdefault(key, number)
        rows.append(row)
    if not rows:
        return RegisterPreview([], ["The file has no rows below its header."])
    emails = {row.email for row in rows}
    people = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    held = set(HeldCredential.objects.filter(holder__email__in=emails).values_list("holder__email", "kind"))
    for row in rows:
        row.person_exists = row.email in people
        if (row.email, row.kind) in held:
            row.errors.append(f"{row.email} already has a {row.kind_label} record; change it on its page instead.")
    return RegisterPreview(rows, [])


def import_register(text, *, by):
    """Check the file again and save every row in one transaction; returns (credentials
    recorded, people created). Raises CredentialError, saving nothing, if any row fails."""
    preview = preview_register(text, by=by)
    if not preview.ok:
        raise CredentialError("The file has errors; nothing was imported. Correct them and try again.")
    created_people = 0
    with transaction.atomic():
        for row in preview.rows:
            person = User.objects.filter(email=row.email).first()
            if person is None:
                person = User.objects.create_user(email=row.email, password=None, full_name=row.name)
                EmailAddress.objects.create(user=person, email=row.email, primary=True, verified=False)
                log_action(person, "members.user.created_by_import", user=by, data={"line": row.line})
                created_people += 1
            elif row.name and not person.full_name:
                person.full_name = row.name
                person.save(update_fields=["full_name"])
                log_action(
                    person, "members.user.named_by_import", user=by, data={"line": row.line, "full_name": row.name}
                )
            try:
                record_credential(
                    person,
                    row.kind,
                    status=row.status,
                    accredited_on=row.accredited_on,
                    route=row.route,
                    note=row.note or "Imported from the register.",
                    by=by,
                )
            except CredentialError as error:
                raise CredentialError(f"Line {row.line}: {error} Nothing was imported.") from error
    return len(preview.rows), created_people
