"""Uploads are checked the way each format is built: Office documents as packages (and
zip bombs refused), PDFs for active content, pictures re-encoded; files are stored for the
portal's user only, and each person has a storage quota. Every file here is a real one,
built in the test."""

import io
import os
import stat
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from dit_portal.files import EVIDENCE_KINDS, PNG, prepare_upload, private_storage, validate_upload
from tests import files


def upload(name, content):
    return SimpleUploadedFile(name, content)


def refusal(name, content, kinds=EVIDENCE_KINDS):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, content), kinds=kinds)
    return error.value


# Office documents ------------------------------------------------------------------------


def test_a_real_word_document_is_accepted():
    validate_upload(upload("certificate.docx", files.docx()))


def test_a_plain_zip_named_docx_is_refused():
    error = refusal("certificate.docx", files.plain_zip())
    assert error.code == "file_content"
    assert "is not a Word document" in error.messages[0]


def test_a_package_whose_main_part_is_not_a_word_document_is_refused():
    macro_enabled = "application/vnd.ms-word.document.macroEnabled.main+xml"
    assert refusal("certificate.docx", files.docx(main=macro_enabled)).code == "file_content"


def test_a_document_with_macros_is_refused():
    error = refusal("certificate.docx", files.docx(extra_parts={"word/vbaProject.bin": b"\x00" * 100}))
    assert error.code == "file_macros"


def zip_bomb(size):
    """A Word package with a part of `size` zero bytes, which packs into almost nothing."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(files.docx())) as source, zipfile.ZipFile(output, "w") as bomb:
        for member in source.infolist():
            bomb.writestr(member, source.read(member), compress_type=zipfile.ZIP_DEFLATED)
        padding = zipfile.ZipInfo("word/media/padding.bin")
        padding.compress_type = zipfile.ZIP_DEFLATED
        with bomb.open(padding, "w", force_zip64=True) as part:
            block = b"\x00" * (1024 * 1024)
            for _ in range(size // len(block)):
                part.write(block)
    return output.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings):
    bomb = zip_bomb(100 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024  # 100 MB packed into about 100 KB
    error = refusal("certificate.docx", bomb)
    assert error.code == "file_zip_bomb"


def test_an_unpacked_size_cap_holds_even_at_an_ordinary_ratio(settings):
    settings.OFFICE_MAX_UNPACKED_SIZE = 2048
    text = "A long certificate text. " * 400  # about 10 KB of text, packed a few times smaller
    assert refusal("certificate.docx", files.docx(text=text)).code == "file_zip_bomb"


# PDF -------------------------------------------------------------------------------------


def test_a_real_pdf_is_accepted():
    validate_upload(upload("certificate.pdf", files.pdf()))


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (files.pdf(javascript="app.alert('hello');"), "JavaScript"),
        (files.pdf(launch="calc.exe"), "an action that starts a program"),
        (files.pdf(attachment=("invoice.exe", b"MZ\x90\x00")), "embedded files"),
    ],
    ids=["javascript", "launch", "embedded-file"],
)
def test_a_pdf_with_active_content_is_refused(content, what):
    error = refusal("certificate.pdf", content)
    assert error.code == "file_active_content"
    assert what in error.messages[0]


def test_a_password_protected_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt(user_password="secret", algorithm="AES-128")
    output = io.BytesIO()
    writer.write(output)
    assert refusal("certificate.pdf", output.getvalue()).code == "file_encrypted"


def test_a_file_that_only_starts_like_a_pdf_is_refused():
    assert refusal("certificate.pdf", b"%PDF-1.7\n" + b"garbage " * 50).code == "file_content"


# Pictures --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "format"), [("photo.png", "PNG"), ("photo.jpg", "JPEG")])
def test_a_picture_is_re_encoded_so_appended_payloads_are_dropped(name, format):
    payload = b"PK\x03\x04<script>alert(1)</script>"
    sent = files.image(format=format, size=(64, 48)) + payload
    stored = prepare_upload(upload(name, sent))
    content = stored.read()
    assert payload not in content
    assert b"<script>" not in content
    picture = Image.open(io.BytesIO(content))
    assert picture.format == format and picture.size == (64, 48)
    assert stored.name == name


def test_a_broken_picture_is_refused():
    truncated = files.image(size=(200, 200))[:60]
    assert refusal("photo.png", truncated, kinds=(PNG,)).code == "file_content"


def test_a_picture_with_too_many_pixels_is_refused(settings):
    settings.IMAGE_MAX_PIXELS = 100
    assert refusal("photo.png", files.image(size=(20, 20)), kinds=(PNG,)).code == "image_too_large"


def test_other_files_are_stored_as_sent():
    sent = upload("certificate.pdf", files.pdf())
    assert prepare_upload(sent) is sent


# Storage ---------------------------------------------------------------------------------


def test_private_files_are_readable_by_the_portals_user_only():
    storage = private_storage()
    name = storage.save("evidence/x.pdf", upload("x.pdf", files.pdf()))
    path = storage.path(name)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
