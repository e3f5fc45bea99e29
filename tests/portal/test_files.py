import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from dit_portal.files import (
    CSV,
    EVIDENCE_KINDS,
    PDF,
    private_file_response,
    private_storage,
    shown_name,
    validate_upload,
)
from tests.files import PDF_BYTES


def test_a_real_pdf_is_accepted():
    validate_upload(SimpleUploadedFile("certificate.pdf", PDF_BYTES))


def test_a_file_over_the_limit_is_refused_with_its_size(settings):
    settings.MAX_UPLOAD_SIZE = 1024
    upload = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2000)
    with pytest.raises(ValidationError) as error:
        validate_upload(upload)
    assert error.value.code == "file_too_large"
    assert "at most 1.0\xa0KB" in error.value.messages[0]


def test_a_wrong_extension_is_refused_naming_what_is_accepted():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("run.exe", b"MZ\x90\x00"), kinds=EVIDENCE_KINDS)
    assert error.value.code == "file_type"
    assert "PDF" in error.value.messages[0]


def test_content_must_match_the_extension():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("fake.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 50))
    assert error.value.code == "file_content"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("empty.pdf", b""))
    assert error.value.code == "file_empty"


def test_csv_must_be_text():
    validate_upload(SimpleUploadedFile("list.csv", b"name,email\nA,a@example.org\n"), kinds=(CSV,))
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("list.csv", b"\x00\x01binary"), kinds=(CSV,))


def test_private_files_are_sent_as_attachments_that_browsers_do_not_sniff(settings):
    storage = private_storage()
    name = storage.save("evidence/x.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))

    class FieldFile:
        def __init__(self, name):
            self.name = name
            self.storage = storage

        def open(self, mode):
            return storage.open(self.name, mode)

    response = private_file_response(FieldFile(name), "Registration certificate.pdf")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Registration certificate.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES

    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/_private/"
    accel = private_file_response(FieldFile(name), "x.pdf")
    assert accel["X-Accel-Redirect"] == f"/_private/{name}"
    assert accel.content == b""

    # A file that is gone answers 404 (the web server would too), never 500.
    storage.delete(name)
    for prefix in ("", "/_private/"):
        settings.PRIVATE_MEDIA_ACCEL_PREFIX = prefix
        with pytest.raises(Http404):
            private_file_response(FieldFile(name), "x.pdf")


def test_private_storage_lives_outside_the_web_roots(settings):
    from pathlib import Path

    location = Path(private_storage().location).resolve()
    assert Path(settings.STATIC_ROOT).resolve() not in location.parents
    assert PDF.mime == "application/pdf"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("certificate.pdf", "certificate.pdf"),
        ("../../etc/cron.d/evil.pdf", "evil.pdf"),
        ("C:\\Users\\ada\\My letter.pdf", "My letter.pdf"),
        ("invoice\u202egpj.pdf", "invoicegpj.pdf"),  # the right-to-left override is gone
        ("report\x00.pdf", "report.pdf"),
        ("  two   spaces\t.pdf ", "two spaces.pdf"),
        ("\u200b.pdf", "file.pdf"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_the_shown_name_has_no_folders_control_characters_or_excess(given, shown):
    assert shown_name(given) == shown
