"""The PDF a holder downloads: what it says, and that its QR code leads to the verification page."""

import io
import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from certificates import rendering, services

pytestmark = pytest.mark.django_db


def pdf_bytes(certificate):
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as stored:
        return stored.read()


def page_image(pdf, folder, resolution=150):
    """The first page as an image, as a person would see it (poppler's pdftoppm)."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "poppler-utils (pdftoppm) is needed"
    source = folder / "certificate.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [pdftoppm, "-r", str(resolution), "-png", "-singlefile", str(source), str(folder / "page")], check=True
    )
    return Image.open(folder / "page.png")


def test_the_pdf_is_stored_after_issuing_and_names_the_holder_and_number(issue, holder, settings):
    settings.SITE_URL = "https://dit.example"
    certificate = issue(holder, title="DIT for Complex Care")
    reader = PdfReader(io.BytesIO(pdf_bytes(certificate)))
    [page] = reader.pages
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = " ".join(page.extract_text().split())
    assert "Hana Holder" in text
    assert certificate.display_number in text
    assert "DIT for Complex Care" in text
    assert certificate.get_verification_url() in text.replace(" ", "")


def test_the_qr_code_decodes_to_the_verification_url(issue, holder, settings, tmp_path):
    settings.SITE_URL = "https://dit.example"
    certificate = issue(holder)
    results = zxingcpp.read_barcodes(page_image(pdf_bytes(certificate), tmp_path))
    assert [result.text for result in results] == [
        f"https://dit.example/certificates/verify/{certificate.verification_code}/"
    ]


def test_rendering_refuses_any_network_address():
    html = '<html><body><img src="http://127.0.0.1:9/logo.png"><p>Hello</p></body></html>'
    with pytest.raises(rendering.RefusedFetch, match="may load only its own fonts"):
        rendering.html_to_pdf(html)


def test_rendering_refuses_local_files_outside_the_fonts(settings):
    html = f'<html><body><img src="{(settings.BASE_DIR / "manage.py").as_uri()}"></body></html>'
    with pytest.raises(rendering.RefusedFetch):
        rendering.html_to_pdf(html)


def test_the_shipped_fonts_are_embedded(issue, holder):
    reader = PdfReader(io.BytesIO(pdf_bytes(issue(holder))))
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    # The @font-face family loaded from static/fonts, not a system fallback.
    assert {name.split("+", 1)[1] for name in fonts} == {
        "Certificate-Serif",
        "Certificate-Serif-Bold",
        "Certificate-Serif-Italic",
    }


def test_a_missing_pdf_is_rendered_when_asked_for(issue, holder):
    certificate = issue(holder)
    certificate.pdf.delete(save=True)
    stored = services.ensure_pdf(certificate)
    assert stored.read(5) == b"%PDF-"


def test_under_make_run_the_qr_code_and_the_e_mail_link_are_absolute(issue, holder, settings, tmp_path):
    """`make run` leaves SITE_URL empty (DEBUG on): the links use the local address, never a bare path."""
    from django.core import mail

    settings.DEBUG = True
    settings.SITE_URL = ""
    certificate = issue(holder)
    expected = f"http://127.0.0.1:8000/certificates/verify/{certificate.verification_code}/"
    results = zxingcpp.read_barcodes(page_image(pdf_bytes(certificate), tmp_path))
    assert [result.text for result in results] == [expected]
    assert expected in mail.outbox[-1].body
