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
from pypdf.generic import ArrayObject, NameObject

from dit_portal.files import DOCX, EVIDENCE_KINDS, PNG, XLSX, prepare_upload, private_storage, validate_upload
from tests import files
from tests.security.corpus import hostile_files


def upload(name, content):
    return SimpleUploadedFile(name, content)


def refusal(name, content, kinds=EVIDENCE_KINDS):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, content), kinds=kinds)
    return error.value


# Office documents ------------------------------------------------------------------------


def test_a_real_word_document_is_accepted():
    validate_upload(upload("certificate.docx", files.docx()))


@pytest.mark.parametrize(
    ("hostile", "name", "what"),
    [
        ("docx-remote-template", "thesis.docx", "a template attached from a web address"),
        ("docx-file-target", "thesis.docx", "a picture linked from outside"),
        ("docx-unc-hyperlink", "thesis.docx", "a link to a file on a network share"),
        ("xlsx-external-link", "completers.xlsx", "links to another workbook"),
    ],
)
def test_office_files_reaching_another_computer_are_refused_saying_why(hostile, name, what):
    content = next(item.content for item in hostile_files() if item.label == hostile)
    error = refusal(name, content, kinds=(DOCX, XLSX))
    assert error.code == "file_external"
    assert what in error.messages[0] and "opening it would reach another computer" in error.messages[0]


def test_a_word_document_with_web_and_mail_hyperlinks_is_accepted():
    relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
        'Target="https://www.annafreud.org/" TargetMode="External"/>'
        '<Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
        'Target="mailto:dit@example.org" TargetMode="External"/>'
        "</Relationships>"
    )
    validate_upload(upload("letter.docx", files.docx(extra_parts={"word/_rels/document.xml.rels": relationships})))


def test_a_relationships_part_with_a_dtd_is_refused():
    relationships = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><Relationships>&a;</Relationships>'
    error = refusal("letter.docx", files.docx(extra_parts={"word/_rels/document.xml.rels": relationships}))
    assert error.code == "file_content"


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


@pytest.mark.parametrize(
    "hostile", ["pdf-open-uri", "pdf-link-uri", "pdf-submit-form"], ids=["open-uri", "link-uri", "submit-form"]
)
def test_a_pdf_reaching_another_computer_is_refused_saying_why(hostile):
    content = next(item.content for item in hostile_files() if item.label == hostile)
    error = refusal("cv.pdf", content)
    assert error.code == "file_active_content"
    assert "web address" in error.messages[0]


def test_a_pdf_opening_at_a_page_is_accepted():
    writer = PdfWriter()
    page = writer.add_blank_page(width=100, height=100)
    writer._root_object[NameObject("/OpenAction")] = ArrayObject([page.indirect_reference, NameObject("/Fit")])
    output = io.BytesIO()
    writer.write(output)
    validate_upload(upload("certificate.pdf", output.getvalue()))


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


def _segments(jpeg):
    """The marker segments of a JPEG up to the image data: [(marker, payload)]."""
    segments, position = [], 2
    while position < len(jpeg):
        marker = jpeg[position + 1]
        length = int.from_bytes(jpeg[position + 2 : position + 4], "big")
        segments.append((marker, jpeg[position + 4 : position + 2 + length]))
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        position += 2 + length
    return segments


def test_a_jpeg_keeps_only_its_pixels_turned_upright_no_comment_exif_or_trailing_bytes():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90 degrees clockwise to show
    exif[0x010E] = "<?php system($_GET['c']); ?>"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(
        buffer, "JPEG", comment=b"<script>alert(1)</script>", exif=exif.tobytes(), icc_profile=b"\0" * 128
    )
    sent = buffer.getvalue() + b"<html>trailing</html>"
    assert {0xFE, 0xE1} <= {marker for marker, _ in _segments(sent)}  # the comment and EXIF are there
    content = prepare_upload(upload("photo.jpg", sent)).read()
    markers = {marker for marker, _ in _segments(content)}
    assert 0xFE not in markers  # no comment segment
    assert not markers & set(range(0xE1, 0xF0))  # no EXIF, XMP, ICC or other application segment
    assert content.endswith(b"\xff\xd9") and b"trailing" not in content
    for text in (b"<script", b"<?php", b"Exif"):
        assert text not in content
    picture = Image.open(io.BytesIO(content))
    assert picture.size == (48, 64)  # turned upright as its orientation said
    assert "comment" not in picture.info and not picture.getexif()


def test_a_png_keeps_no_text_chunks():
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, "PNG", pnginfo=text)
    content = prepare_upload(upload("photo.png", buffer.getvalue())).read()
    assert b"<script" not in content and b"tEXt" not in content


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


# A file name too long to be read ---------------------------------------------------------


def test_a_file_name_too_long_to_read_gets_a_page_saying_so(client, django_user_model):
    """362 Chinese characters pass the 1 KB Django allows a multipart part's headers: the form
    cannot be read at all, so the answer says which name to shorten instead of "bad request"."""
    from django.urls import reverse

    from accreditation.models import CaseStudySubmission
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    boundary = "PortalBoundary"
    name = "文" * 358 + ".pdf"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + files.pdf()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.generic(
        "POST",
        reverse("accreditation:case_study_upload"),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert "The file name is too long" in response.text
    assert "Rename the file to something shorter (at most 200 characters)" in response.text
    assert not CaseStudySubmission.objects.exists()
    assert "js/file_names" in client.get(reverse("home")).text  # warns at the field before sending
