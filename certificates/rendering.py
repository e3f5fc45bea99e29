"""A certificate's PDF: an HTML template rendered by WeasyPrint, A4 landscape.

Everything the page needs is on this machine: the fonts shipped in static/fonts, and the QR
code of the verification URL, inlined as an SVG data URI. The URL fetcher refuses every other
address, so rendering never reaches the network (a template that tried would fail loudly).
"""

import base64
import threading
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.template.loader import render_to_string
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would let a
# truncated picture through the upload checks (dit_portal/files.py). Certificates load no
# raster images, so Pillow's strict default is put back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATE = "certificates/certificate.html"


def fonts_dir():
    return Path(settings.BASE_DIR) / "static" / "fonts"


class RefusedFetch(FatalURLFetchingError):
    pass


class LocalFilesOnly(URLFetcher):
    """Data URIs and the shipped fonts; nothing else, and never the network."""

    def __init__(self, allowed_dir):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.allowed_dir = Path(allowed_dir).resolve()

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if path.is_relative_to(self.allowed_dir) and path.is_file():
                return super().fetch(url, headers)
        raise RefusedFetch(f"A certificate may load only its own fonts, not {url[:100]!r}.")


def qr_code_data_uri(text):
    """The QR code of `text` as an SVG data URI."""
    image = qrcode.make(
        text, image_factory=qrcode.image.svg.SvgPathImage, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def certificate_html(certificate):
    verification_url = certificate.get_verification_url()
    return render_to_string(
        TEMPLATE,
        {
            "certificate": certificate,
            "is_course": not certificate.is_credential,
            "verification_url": verification_url,
            "qr_code": qr_code_data_uri(verification_url),
        },
    )


_per_thread = threading.local()


def _font_config():
    """One FontConfiguration per thread: it keeps the @font-face fonts it has loaded, so each
    later certificate skips reading and registering them again (about a third of the time)."""
    if not hasattr(_per_thread, "font_config"):
        _per_thread.font_config = FontConfiguration()
    return _per_thread.font_config


def html_to_pdf(html):
    base_url = fonts_dir().as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=LocalFilesOnly(fonts_dir()))
    return document.write_pdf(font_config=_font_config())


def render_certificate_pdf(certificate):
    """The PDF of `certificate`, as bytes."""
    return html_to_pdf(certificate_html(certificate))
