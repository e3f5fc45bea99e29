"""A certificate from both sides: the holder finds it in the members area and downloads the
PDF; anyone who scans its QR code sees that it is valid, and later that it was revoked."""

import datetime
import io

import zxingcpp
from playwright.sync_api import expect
from pypdf import PdfReader

from certificates import services
from certificates.enums import CertificateKind
from members import roles
from tests.certificates.test_pdf import page_image
from tests.factories import UserFactory

from .test_training_journey import log_in


def test_holder_downloads_and_a_stranger_checks_the_qr_code(page, browser, live_server, shot, tmp_path, settings):
    settings.SITE_URL = live_server.url
    holder = UserFactory(full_name="Hana Holder")
    certificate = services.issue_certificate(
        holder=holder,
        title="5-Day DIT Training",
        kind=CertificateKind.COURSE_COMPLETION,
        achieved_on=datetime.date(2026, 3, 7),
        description="5 days, 3 March 2026 to 7 March 2026",
    )

    page.goto("/members/")
    log_in(page, holder.email)
    page.get_by_role("link", name="Your certificates").click()
    expect(page.get_by_role("heading", name="Your certificates")).to_be_visible()
    expect(page.get_by_role("cell", name=certificate.display_number, exact=True)).to_be_visible()
    shot(page, "my-certificates")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download PDF of {certificate.display_number}").click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.display_number}.pdf"
    with open(download.path(), "rb") as downloaded:
        pdf = downloaded.read()
    assert "Hana Holder" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    # A stranger scans the QR code printed on it and opens the address.
    [code] = zxingcpp.read_barcodes(page_image(pdf, tmp_path))
    stranger = browser.new_page()
    stranger.goto(code.text)
    expect(stranger.get_by_text("Valid.")).to_be_visible()
    expect(stranger.get_by_text("Hana Holder")).to_be_visible()
    shot(stranger, "verified-valid")

    services.revoke_certificate(certificate, by=UserFactory(role=roles.COORDINATOR), reason="Issued in error.")
    stranger.reload()
    expect(stranger.get_by_text("Revoked.")).to_be_visible()
    expect(stranger.get_by_text("Issued in error.")).to_have_count(0)
    shot(stranger, "verified-revoked")
    stranger.close()
