"""Rendering certificates: our path (template, QR code, guarded URL fetcher, WeasyPrint)
against WeasyPrint rendering the very same HTML on its own. Goal: within 1.2x."""

import datetime
import time

import pytest
from weasyprint import HTML

from certificates.models import Certificate
from certificates.rendering import certificate_html, fonts_dir, render_certificate_pdf

COUNT = 100


@pytest.fixture
def certificates():
    return [
        Certificate(
            number=n + 1,
            holder_name=f"Holder Number {n}",
            title="5-Day DIT Training",
            description="5 days, 3 March 2026 to 7 March 2026",
            kind="course_completion",
            achieved_on=datetime.date(2026, 3, 7),
            issued_on=datetime.date(2026, 3, 9),
            verification_code=f"{n:032d}",
        )
        for n in range(COUNT)
    ]


def test_render_one_hundred_certificates(benchmark, certificates, report):
    html = [certificate_html(certificate) for certificate in certificates]
    base_url = fonts_dir().as_uri() + "/"
    render_certificate_pdf(certificates[0])  # load fonts and caches once, for both paths

    started = time.perf_counter()
    for page in html:
        HTML(string=page, base_url=base_url).write_pdf()
    direct = time.perf_counter() - started

    def ours():
        for certificate in certificates:
            render_certificate_pdf(certificate)

    benchmark.pedantic(ours, rounds=1, iterations=1)
    portal = benchmark.stats.stats.min
    ratio = portal / direct
    benchmark.extra_info.update({"direct_seconds": direct, "ratio": ratio})
    report(
        f"certificates: {COUNT} rendered in {portal:.2f} s by the portal, {direct:.2f} s by WeasyPrint "
        f"directly on the same HTML: ratio {ratio:.2f} (goal <= 1.2)"
    )
