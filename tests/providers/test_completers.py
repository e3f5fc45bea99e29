"""Completer lists: every error of every row before anything is saved."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members import roles
from providers import services
from providers.enums import ReviewStatus
from providers.models import Completer, CompleterList
from tests.factories import UserFactory, staff_with_totp
from tests.security.corpus import CONTENT_TYPES_XLSX, _xlsx_with_external_link

from .factories import GOOD_ROWS, HEADER, ProviderFactory, csv_file, report, xlsx_bytes, xlsx_file

pytestmark = pytest.mark.django_db


def messages(error):
    return [str(row_error) for row_error in error.value.errors]


@pytest.fixture
def delivery(provider):
    return report(provider)


@pytest.mark.parametrize("make", [csv_file, xlsx_file])
def test_a_good_list_is_saved_with_every_row_awaiting_review(provider, member, delivery, make):
    completer_list = services.submit_completer_list(provider, delivery=delivery, upload=make(GOOD_ROWS), by=member)
    assert completer_list.review_status == ReviewStatus.SUBMITTED
    rows = list(completer_list.rows.values_list("full_name", "email", "result"))
    assert rows == [
        ("Ana Sousa", "ana.sousa@example.pt", "completed"),
        ("Rui Costa", "rui.costa@example.pt", "not completed"),
    ]
    assert all(row.person is None for row in completer_list.rows.all())


@pytest.mark.parametrize("make", [csv_file, xlsx_file])
def test_every_bad_row_is_reported_and_nothing_saved(provider, member, delivery, make):
    rows = [
        GOOD_ROWS[0],
        ["", "no-name@example.pt", "Nurse", "", "completed"],
        ["Bad Mail", "not-an-address", "Nurse", "", "completed"],
        ["Ana Again", "ANA.SOUSA@example.pt", "Nurse", "", "completed"],
        ['=HYPERLINK("http://evil")', "eve@example.pt", "Nurse", "", "completed"],
        ["Plus", "plus@example.pt", "+cmd", "", "completed"],
        ["At", "at@example.pt", "Nurse", "@SUM(A1)", "completed"],
        ["Minus", "minus@example.pt", "Nurse", "-2+3", "completed"],
        ["Odd", "odd@example.pt", "Nurse", "", "maybe"],
    ]
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(provider, delivery=delivery, upload=make(rows), by=member)
    assert messages(error) == [
        "Row 3, column “name”: is empty.",
        "Row 4, column “email”: “not-an-address” is not an e-mail address.",
        "Row 5, column “email”: repeats row 2 (ana.sousa@example.pt).",
        "Row 6, column “name”: starts with = + - or @, which a spreadsheet would run as a formula.",
        "Row 7, column “profession”: starts with = + - or @, which a spreadsheet would run as a formula.",
        "Row 8, column “registration”: starts with = + - or @, which a spreadsheet would run as a formula.",
        "Row 9, column “registration”: starts with = + - or @, which a spreadsheet would run as a formula.",
        "Row 10, column “result”: “maybe” is not a result; write “completed” or “not completed”.",
    ]
    assert "nothing was saved" in error.value.message
    assert not CompleterList.objects.exists()
    assert not Completer.objects.exists()


def test_a_real_formula_in_a_workbook_is_refused(provider, member, delivery):
    rows = [["Ana Sousa", "ana.sousa@example.pt", "=1+1", "", "completed"]]
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(provider, delivery=delivery, upload=xlsx_file(rows), by=member)
    assert "formula" in messages(error)[0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["name", "email", "profession", "result"], "missing column(s): registration."),
        (HEADER + ["notes"], "unexpected column(s): notes."),
        (["name", "email", "email", "profession", "registration", "result"], "column(s) given twice: email."),
    ],
)
def test_missing_extra_or_repeated_columns_are_named(provider, member, delivery, header, expected):
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(provider, delivery=delivery, upload=csv_file([], header=header), by=member)
    assert f"Row 1: {expected}" in messages(error)


def test_a_row_longer_than_the_header_is_refused(provider, member, delivery):
    rows = [GOOD_ROWS[0] + ["surplus"]]
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(provider, delivery=delivery, upload=csv_file(rows), by=member)
    assert messages(error) == ["Row 2: has more cells than the header has columns."]


def test_a_file_not_in_utf8_is_refused_with_a_clear_message(provider, member, delivery):
    upload = csv_file([["José Güell", "jose@example.es", "Psicólogo", "", "completed"]], encoding="latin-1")
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(provider, delivery=delivery, upload=upload, by=member)
    assert "not UTF-8 text" in error.value.message
    assert not CompleterList.objects.exists()


def test_utf8_with_a_byte_order_mark_is_read(provider, member, delivery):
    content = ("\ufeff" + ",".join(HEADER) + "\nJosé Güell,jose@example.es,Psicólogo,,completed\n").encode()
    upload = SimpleUploadedFile("excel.csv", content)
    completer_list = services.submit_completer_list(provider, delivery=delivery, upload=upload, by=member)
    assert completer_list.rows.get().full_name == "José Güell"


def test_an_empty_list_or_a_header_alone_is_refused(provider, member, delivery):
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(provider, delivery=delivery, upload=csv_file([]), by=member)
    assert messages(error) == ["File: The list has a header but no people."]


def test_a_workbook_that_inflates_hugely_is_refused_unopened(provider, member, delivery):
    """A zip bomb: a tiny file whose sheet expands to tens of megabytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XLSX)
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + "0" * (30 * 1024 * 1024) + "</a>")
    upload = SimpleUploadedFile("bomb.xlsx", buffer.getvalue())
    assert upload.size < 100_000
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(provider, delivery=delivery, upload=upload, by=member)
    assert "unpacks to far more than its size" in error.value.message


def test_a_workbook_linked_to_another_workbook_is_refused(provider, member, delivery):
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(
            provider,
            delivery=delivery,
            upload=SimpleUploadedFile("completers.xlsx", _xlsx_with_external_link()),
            by=member,
        )
    assert "links to another workbook" in error.value.message
    assert not CompleterList.objects.exists()


def test_a_renamed_file_is_refused_by_its_content(provider, member, delivery):
    upload = SimpleUploadedFile("completers.xlsx", b"name,email\nAna,ana@example.pt\n")
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(provider, delivery=delivery, upload=upload, by=member)
    assert "its content is not an Office document" in error.value.message


def test_a_damaged_workbook_is_refused(provider, member, delivery):
    content = xlsx_bytes(GOOD_ROWS)
    upload = SimpleUploadedFile("completers.xlsx", content[:200] + b"\x00" * 500 + content[700:])
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(provider, delivery=delivery, upload=upload, by=member)
    assert "workbook" in error.value.message


def test_approval_links_known_people_by_email_and_creates_the_others(provider, member, delivery):
    known = UserFactory(email="ana.sousa@example.pt", full_name="Ana Sousa")
    coordinator = staff_with_totp(roles.COORDINATOR)
    completer_list = services.submit_completer_list(provider, delivery=delivery, upload=csv_file(GOOD_ROWS), by=member)
    services.review_completer_list(completer_list, approve=True, by=coordinator)
    completer_list.refresh_from_db()
    assert completer_list.review_status == ReviewStatus.APPROVED
    ana, rui = completer_list.rows.order_by("row_number")
    assert ana.person == known
    assert rui.person.email == "rui.costa@example.pt"
    assert rui.person.full_name == "Rui Costa"
    assert not rui.person.has_usable_password()
    from members.models import User

    assert User.objects.filter(email="ana.sousa@example.pt").count() == 1


def test_people_do_not_enter_the_portal_before_approval_nor_when_returned(provider, member, delivery):
    from members.models import User

    coordinator = staff_with_totp(roles.COORDINATOR)
    completer_list = services.submit_completer_list(provider, delivery=delivery, upload=csv_file(GOOD_ROWS), by=member)
    assert not User.objects.filter(email="rui.costa@example.pt").exists()
    with pytest.raises(services.ProviderError, match="Say why"):
        services.review_completer_list(completer_list, approve=False, note="", by=coordinator)
    services.review_completer_list(completer_list, approve=False, note="Row 3 is a duplicate person.", by=coordinator)
    assert not User.objects.filter(email="rui.costa@example.pt").exists()
    with pytest.raises(services.ProviderError, match="already been reviewed"):
        services.review_completer_list(completer_list, approve=True, by=coordinator)


def test_the_service_refuses_a_list_for_another_providers_delivery(provider, member):
    other = ProviderFactory(name="Porto DIT Centre")
    theirs = report(other)
    with pytest.raises(services.ProviderError, match="Choose one of your own trainings"):
        services.submit_completer_list(provider, delivery=theirs, upload=csv_file(GOOD_ROWS), by=member)
    assert not CompleterList.objects.exists() and not Completer.objects.exists()


def test_a_header_error_does_not_hide_the_rows_errors(provider, member, delivery):
    """One round of corrections: a missing column and a bad e-mail in a row are both named."""
    header = ["name", "email", "profession", "result"]  # no registration column
    rows = [["Ana Sousa", "not-an-address", "Psychologist", "completed"], ["", "rui@example.pt", "Nurse", "maybe"]]
    with pytest.raises(services.ProviderError) as error:
        services.submit_completer_list(provider, delivery=delivery, upload=csv_file(rows, header=header), by=member)
    found = messages(error)
    assert "Row 1: missing column(s): registration." in found
    assert any(message.startswith("Row 2") and "not an e-mail address" in message for message in found), found
    assert any(message.startswith("Row 3") and "name" in message for message in found), found
    assert any(message.startswith("Row 3") and "“maybe” is not a result" in message for message in found), found
    assert not CompleterList.objects.exists()


def test_the_templates_to_download_have_the_columns_the_check_expects(provider, member, delivery, settings, client):
    from django.urls import reverse
    from openpyxl import load_workbook

    from providers.completers import COLUMNS, parse_completer_list

    folder = settings.BASE_DIR / "static" / "providers"
    csv = (folder / "completer-list-template.csv").read_bytes()
    workbook = load_workbook(folder / "completer-list-template.xlsx", read_only=True)
    assert list(next(workbook.active.iter_rows(values_only=True))) == list(COLUMNS)
    for name, content in (
        ("template.csv", csv),
        ("template.xlsx", (folder / "completer-list-template.xlsx").read_bytes()),
    ):
        parsed = parse_completer_list(SimpleUploadedFile(name, content))
        assert parsed.errors == [] and len(parsed.rows) == 1
    client.force_login(member)
    html = client.get(reverse("providers:upload_completers", kwargs={"provider_id": provider.pk})).text
    assert "providers/completer-list-template.csv" in html and "providers/completer-list-template.xlsx" in html
