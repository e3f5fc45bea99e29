"""Reading a completer list (CSV or XLSX) row by row, collecting every error before
anything is saved. Nothing here touches the database."""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from dit_portal.files import XLSX

from .enums import CompleterResult

# An .xlsx upload is checked as an Office package: its workbook part declared and present,
# no macros, no zip bomb, no links to other workbooks or data connections (dit_portal.files).
XLSX_WORKBOOK = XLSX

COLUMNS = ("name", "email", "profession", "registration", "result")
REQUIRED_COLUMNS = ("name", "email", "profession", "result")
MAX_ROWS = 2000
MAX_CELL_LENGTH = 200
# A cell starting with one of these runs as a formula when the list is opened in a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# An XLSX is a zip: refuse one that would inflate beyond these before openpyxl reads it.
MAX_XLSX_UNCOMPRESSED = 20 * 1024 * 1024
MAX_XLSX_RATIO = 100
RESULTS = {choice.value: choice for choice in CompleterResult} | {
    "passed": CompleterResult.COMPLETED,
    "did not complete": CompleterResult.NOT_COMPLETED,
}


@dataclass
class RowError:
    row: int | None  # the row number in the file (1 is the header); None for the whole file
    column: str
    message: str

    def __str__(self):
        where = f"Row {self.row}" if self.row else "File"
        if self.column:
            where += f", column “{self.column}”"
        return f"{where}: {self.message}"


@dataclass
class ParsedRow:
    row_number: int
    full_name: str
    email: str
    profession: str
    registration: str
    result: str


@dataclass
class ParseResult:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors and bool(self.rows)


def _csv_rows(upload):
    upload.seek(0)
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"The file is not UTF-8 text (a byte at position {error.start} cannot be read). "
            "Save it as “CSV UTF-8” and upload it again."
        ) from None
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise ValidationError(f"The CSV file is malformed: {error}.") from None


def _check_zip(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise ValidationError("The workbook is damaged or not an Excel .xlsx file.") from None
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if unpacked > MAX_XLSX_UNCOMPRESSED or unpacked / packed > MAX_XLSX_RATIO:
        raise ValidationError(
            "The workbook expands to far more data than a list of people needs; it was not opened. "
            "Save the list again as a plain workbook or as CSV."
        )


def _xlsx_rows(upload):
    from openpyxl import load_workbook

    _check_zip(upload)
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise ValidationError("The workbook could not be read; save it again as an Excel .xlsx file.") from None
    try:
        if not workbook.worksheets:
            raise ValidationError("The workbook has no sheet; put the list on its first sheet.")
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if value is None else str(value) for value in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _header_errors(header):
    names = [cell.strip().lower() for cell in header]
    while names and not names[-1]:
        names.pop()
    errors = []
    missing = [column for column in COLUMNS if column not in names]
    extra = [name or "(empty)" for name in names if name not in COLUMNS]
    repeated = sorted({name for name in names if names.count(name) > 1 and name in COLUMNS})
    if missing:
        errors.append(RowError(1, "", f"missing column(s): {', '.join(missing)}."))
    if extra:
        errors.append(RowError(1, "", f"unexpected column(s): {', '.join(extra)}."))
    if repeated:
        errors.append(RowError(1, "", f"column(s) given twice: {', '.join(repeated)}."))
    if errors:
        errors.append(RowError(1, "", f"The first row must name exactly these columns: {', '.join(COLUMNS)}."))
    return names, errors


def parse_completer_list(upload):
    """Every row of the list, or every error in it. Raises ValidationError for a file that
    cannot be read at all (encoding, damaged, zip bomb)."""
    extension = upload.name.rsplit(".", 1)[-1].lower()
    table = _xlsx_rows(upload) if extension == "xlsx" else _csv_rows(upload)
    result = ParseResult()
    table = [row for row in table if any(cell.strip() for cell in row)] if table else []
    if not table:
        result.errors.append(RowError(None, "", "The file is empty."))
        return result
    names, header_errors = _header_errors(table[0])
    # A header error does not hide the rows' errors: the columns that are there are checked
    # too, so that one round of corrections is enough.
    result.errors.extend(header_errors)
    present = [column for column in COLUMNS if column in names]
    if len(table) - 1 > MAX_ROWS:
        result.errors.append(RowError(None, "", f"The list has more than {MAX_ROWS} rows; split it."))
        return result
    seen_emails = {}
    for number, cells in enumerate(table[1:], start=2):
        if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
            result.errors.append(RowError(number, "", "has more cells than the header has columns."))
            continue
        values = {name: (cells[index].strip() if index < len(cells) else "") for index, name in enumerate(names)}
        values = {column: values.get(column, "") for column in COLUMNS} | values
        row_errors = []
        for column in present:
            value = values[column]
            if value.startswith(FORMULA_PREFIXES):
                row_errors.append(
                    RowError(number, column, "starts with = + - or @, which a spreadsheet would run as a formula.")
                )
            elif len(value) > MAX_CELL_LENGTH:
                row_errors.append(RowError(number, column, f"is longer than {MAX_CELL_LENGTH} characters."))
            elif column in REQUIRED_COLUMNS and not value:
                row_errors.append(RowError(number, column, "is empty."))
        email = values["email"].lower()
        if "email" in present and email and not any(error.column == "email" for error in row_errors):
            try:
                validate_email(email)
            except ValidationError:
                row_errors.append(RowError(number, "email", f"“{values['email']}” is not an e-mail address."))
            else:
                if email in seen_emails:
                    row_errors.append(RowError(number, "email", f"repeats row {seen_emails[email]} ({email})."))
                else:
                    seen_emails[email] = number
        result_value = RESULTS.get(values["result"].lower())
        if values["result"] and result_value is None and not any(e.column == "result" for e in row_errors):
            row_errors.append(
                RowError(
                    number, "result", f"“{values['result']}” is not a result; write “completed” or “not completed”."
                )
            )
        if row_errors:
            result.errors.extend(row_errors)
            continue
        if header_errors:
            continue
        result.rows.append(
            ParsedRow(
                row_number=number,
                full_name=values["name"],
                email=email,
                profession=values["profession"],
                registration=values["registration"],
                result=result_value,
            )
        )
    if header_errors:
        result.rows = []
    if not result.rows and not result.errors:
        result.errors.append(RowError(None, "", "The list has a header but no people."))
    return result
