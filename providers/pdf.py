"""Invoice PDFs by WeasyPrint. The fonts are shipped in static/fonts (DejaVu, with its
licence); the fetcher reads only those files, so rendering never touches the network.
WeasyPrint is imported when a PDF is made: it is slow to import and logs its progress."""

import logging
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"
ISSUER = "DIT training and accreditation\nAnna Freud Centre (AFC)\nLondon, United Kingdom"


def _local_fonts_only_fetcher():
    from weasyprint.urls import URLFetcher

    class LocalFontsOnly(URLFetcher):
        """Refuses every resource but the shipped fonts."""

        def __init__(self):
            super().__init__(allowed_protocols={"file"})

        def fetch(self, url, headers=None):
            path = Path(url.removeprefix("file://")).resolve()
            if not url.startswith("file://") or FONTS.resolve() not in path.parents:
                raise ValueError(f"Invoice PDFs load only the shipped fonts, not {url}")
            return super().fetch(url, headers)

    return LocalFontsOnly()


def invoice_pdf(invoice):
    from weasyprint import HTML

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    html = render_to_string(
        "providers/invoice_pdf.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.all(),
            "font_regular": (FONTS / "DejaVuSans.ttf").as_uri(),
            "font_bold": (FONTS / "DejaVuSans-Bold.ttf").as_uri(),
            "issuer": ISSUER,
        },
    )
    return HTML(string=html, base_url=FONTS.as_uri() + "/", url_fetcher=_local_fonts_only_fetcher()).write_pdf()
