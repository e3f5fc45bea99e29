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

Files of up to MAX_ROWS rows are read and saved in batches of BATCH_SIZE people or rows, each
batch at a fixed number of queries whatever its size: the preview reads the batch's people
and their credentials with two `__in` queries; the import writes the batch's new accounts,
their e-mail addresses, the names given, the credentials, their history and the audit
entries with one bulk statement each. Each credential ends as `members.services.
record_credential` would leave a new one (the same events, dates, route, note and audit
entries); the rules it checks one by one are checked here for the whole file first.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import islice

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from dit_portal.audit import log_actions

from .enums import ONCE_ACCREDITED_STATES, CredentialKind, CredentialRoute, CredentialStatus
from .models import HeldCredential, User
from .services import TRAINER_DECISION, CredentialError, NewCredential, may_decide_credential, record_new_credentials

COLUMNS = ["email", "name", "credential", "status", "accredited_on", "route", "note"]
REQUIRED_COLUMNS = ["email", "credential", "status"]
MAX_ROWS = 10_000
BATCH_SIZE = 500
PREVIEW_ROWS = 500  # rows the preview page lists at most (every row is checked)
NAME_LENGTH = User._meta.get_field("full_name").max_length
EMAIL_LENGTH = User._meta.get_field("email").max_length
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
TOO_MANY_ROWS = (
    "The file has more than {limit:,} rows; the register is imported {limit:,} rows at a time. "
    "Split it into files of at most {limit:,} rows and import them one after another."
)


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
    # The people on the portal the rows name, by e-mail address (only pk, email, full_name read).
    people: dict = field(default_factory=dict, repr=False)

    @cached_property
    def ok(self):
        return not self.errors and self.rows and not any(row.errors for row in self.rows)

    @cached_property
    def rows_with_errors(self):
        return sum(1 for row in self.rows if row.errors)

    @cached_property
    def shown_rows(self):
        """The rows the preview page lists: every row of a file of up to PREVIEW_ROWS rows; of
        a longer one its first PREVIEW_ROWS rows with errors, or its first rows if none has any."""
        if len(self.rows) <= PREVIEW_ROWS:
            return self.rows
        return ([row for row in self.rows if row.errors] or self.rows)[:PREVIEW_ROWS]


def _choices(choices):
    """Each of `choices`' values and labels, lower-cased, to its value."""
    found = {}
    for value, label in choices.choices:
        found[value.lower()] = found[label.lower()] = value
    return found


KINDS, STATUSES, ROUTES = _choices(CredentialKind), _choices(CredentialStatus), _choices(CredentialRoute)


def _choice(choices, raw):
    """The value given its value or label, case-insensitively; "" if none."""
    return choices.get(raw.strip().lower(), "")


@lru_cache(maxsize=4096)  # a register repeats its dates
def _date(raw):
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _batches(items, size):
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def _read_row(number, values, *, may_decide, today):
    """The row on line `number` of the file, with the errors it shows on its own."""
    row = RegisterRow(line=number, email=values["email"].lower(), name=values["name"], note=values["note"])
    if len(row.name) > NAME_LENGTH:
        row.errors.append(f"The name is longer than {NAME_LENGTH} characters.")
    try:
        validate_email(row.email)
    except ValidationError:
        row.errors.append(f"“{values['email']}” is not an e-mail address.")
    else:
        if len(row.email) > EMAIL_LENGTH:
            row.errors.append(f"The e-mail address is longer than {EMAIL_LENGTH} characters.")
    row.kind = _choice(KINDS, values["credential"])
    if not row.kind:
        row.errors.append(f"Unknown credential “{values['credential']}”.")
    elif not may_decide(row.kind):
        row.errors.append(TRAINER_DECISION)
    row.status = _choice(STATUSES, values["status"])
    if not row.status:
        row.errors.append(f"Unknown status “{values['status']}”.")
    if values["route"]:
        row.route = _choice(ROUTES, values["route"])
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
    return row


def preview_register(text, *, by=None, batch_size=None):
    """Read the CSV `text` and check every row; nothing is saved. Rows `by` may not decide
    (the AFC trainer credential, unless `by` is the Programme Director) are errors. The
    people and credentials on the portal are read `batch_size` e-mail addresses at a time,
    two queries a batch (and at most one for `by`'s roles)."""
    batch_size = batch_size or BATCH_SIZE
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return RegisterPreview(
            [], [f"The file has no column {', '.join(missing)}. Expected columns: {', '.join(COLUMNS)}."]
        )
    reader.fieldnames = header
    rows, seen, decisions = [], {}, {}
    today = timezone.localdate()

    def may_decide(kind):
        if kind not in decisions:
            decisions[kind] = may_decide_credential(by, kind)
        return decisions[kind]

    for number, record in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            return RegisterPreview([], [TOO_MANY_ROWS.format(limit=MAX_ROWS)])
        values = {name: (record.get(name) or "").strip() for name in COLUMNS}
        if not any(values.values()):
            continue
        row = _read_row(number, values, may_decide=may_decide, today=today)
        key = (row.email, row.kind)
        if row.kind and key in seen:
            row.errors.append(f"The same person and credential are on line {seen[key]} already.")
        seen.setdefault(key, number)
        rows.append(row)
    if not rows:
        return RegisterPreview([], ["The file has no rows below its header."])
    people, held = {}, set()
    for emails in _batches(dict.fromkeys(row.email for row in rows), batch_size):
        people.update(
            (person.email, person) for person in User.objects.filter(email__in=emails).only("email", "full_name")
        )
        held.update(HeldCredential.objects.filter(holder__email__in=emails).values_list("holder__email", "kind"))
    for row in rows:
        row.person_exists = row.email in people
        if (row.email, row.kind) in held:
            row.errors.append(f"{row.email} already has a {row.kind_label} record; change it on its page instead.")
    return RegisterPreview(rows, [], people)


def _lines(rows):
    first, last = rows[0].line, rows[-1].line
    return f"Line {first}" if first == last else f"Lines {first}–{last}"


def _save_batch(rows, people, *, by):
    """Save `rows`: accounts for the people not on the portal yet (`people`, by e-mail
    address, gains them), names for the nameless, then the credentials. Returns the number
    of accounts created."""
    created, named = [], []
    for row in rows:
        person = people.get(row.email)
        if person is None:
            person = people[row.email] = User(email=row.email, full_name=row.name)
            person.set_unusable_password()
            created.append((person, row))
        elif row.name and not person.full_name:
            person.full_name = row.name
            named.append((person, row))
    renamed = [person for person, _ in named if person.pk is not None]  # the new are saved with their name
    User.objects.bulk_create([person for person, _ in created])
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=person.pk, email=person.email, primary=True, verified=False) for person, _ in created]
    )
    if renamed:
        User.objects.bulk_update(renamed, ["full_name"])
    log_actions(
        [(person, "members.user.created_by_import", {"line": row.line}) for person, row in created]
        + [
            (person, "members.user.named_by_import", {"line": row.line, "full_name": row.name}) for person, row in named
        ],
        user=by,
    )
    record_new_credentials(
        [
            NewCredential(
                holder=people[row.email],
                kind=row.kind,
                status=row.status,
                accredited_on=row.accredited_on,
                route=row.route,
                note=row.note or "Imported from the register.",
            )
            for row in rows
        ],
        by=by,
    )
    return len(created)


def import_register(text, *, by, batch_size=None):
    """Check the file again and save every row in one transaction, `batch_size` rows a batch
    at a fixed number of queries each; returns (credentials recorded, people created).
    Raises CredentialError, saving nothing, if any row fails."""
    batch_size = batch_size or BATCH_SIZE
    created_people = 0
    with transaction.atomic():
        preview = preview_register(text, by=by, batch_size=batch_size)
        if not preview.ok:
            raise CredentialError("The file has errors; nothing was imported. Correct them and try again.")
        for rows in _batches(preview.rows, batch_size):
            try:
                created_people += _save_batch(rows, preview.people, by=by)
            except CredentialError as error:
                raise CredentialError(f"{_lines(rows)}: {error} Nothing was imported.") from error
            except IntegrityError as error:
                raise CredentialError(
                    f"{_lines(rows)}: someone else recorded an account or a credential for a person on "
                    f"{'them' if len(rows) > 1 else 'it'} while the file was being imported. Nothing was "
                    "imported; upload the file again to see what changed."
                ) from error
    return len(preview.rows), created_people
