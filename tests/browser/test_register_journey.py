"""The register and a signed credential from every side: a practitioner opts in and appears
on the register, downloads their credential as a signed Open Badge that verifies on its own
(PyJWT, the published keys); a coordinator suspends the credential in the admin; the register
drops the entry and the published status list marks the credential suspended."""

import base64
import gzip
import re
from pathlib import Path

import jwt
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status, update_profile
from tests.factories import UserFactory, current_totp_code

from .test_training_journey import log_in, textbox


def verified(request, token):
    keys = jwt.PyJWKSet.from_dict(request.get("/credentials/jwks.json").json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(key for key in keys.keys if key.key_id == kid)
    return jwt.decode(token, key=key.key, algorithms=["EdDSA"])


def published_state(request, credential):
    entry = credential["credentialStatus"]
    status_list = verified(request, request.get(entry["statusListCredential"]).text())["credentialSubject"]
    encoded = status_list["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    size, index = status_list["statusSize"], int(entry["statusListIndex"])
    value = 0
    for bit in range(index * size, index * size + size):
        value = value << 1 | (bits[bit // 8] >> (7 - bit % 8) & 1)
    return {int(m["status"], 16): m["message"] for m in status_list["statusMessage"]}[value]


def test_opt_in_register_download_suspend(page, browser, live_server, shot, settings):
    settings.SITE_URL = live_server.url
    practitioner = UserFactory(full_name="Priya Patel", email="priya@example.org")
    credential = set_credential_status(practitioner, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
    update_profile(practitioner, values={"region": "North West", "country": "GB"}, by=practitioner)
    coordinator = UserFactory(role=roles.COORDINATOR, full_name="Cora Coordinator")
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)

    visitor = browser.new_page(base_url=live_server.url)
    visitor.set_default_timeout(10_000)
    visitor.goto("/register/")
    expect(visitor.get_by_text("No one is listed on the register yet.")).to_be_visible()

    # The practitioner opts in on their profile.
    page.goto("/members/profile/")
    log_in(page, practitioner.email)
    page.get_by_label("List me on the public register").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile has been saved.")).to_be_visible()
    shot(page, "opted-in")

    # A visitor finds them, and an employer's check says "on the register".
    visitor.reload()
    row = visitor.get_by_role("row", name=re.compile("Priya Patel"))
    expect(row).to_contain_text("DIT Practitioner, accredited since")
    expect(row).to_contain_text("North West, United Kingdom")
    expect(visitor.get_by_text("priya@example.org")).to_have_count(0)
    visitor.get_by_label("Full name").fill("Priya Patel")
    visitor.get_by_label("Credential", exact=True).first.select_option(label="DIT Practitioner")
    visitor.get_by_role("button", name="Check").click()
    expect(visitor.get_by_role("status")).to_contain_text("On the register:")
    shot(visitor, "register-listed")

    # The practitioner downloads the credential; it verifies without the portal's code.
    page.goto("/members/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a signed Open Badge (DIT Practitioner)").click()
    token = Path(download_info.value.path()).read_text()
    claims = verified(visitor.request, token)
    assert claims["credentialSubject"]["name"] == "Priya Patel"
    assert "OpenBadgeCredential" in claims["type"]
    assert published_state(visitor.request, claims) == "valid"

    # Anyone may check it on the verification page.
    visitor.goto("/certificates/verify/")
    visitor.get_by_label("Paste the credential").fill(token)
    visitor.get_by_role("button", name="Check the credential").click()
    expect(visitor.locator("#credential-verdict")).to_contain_text("Valid.")
    shot(visitor, "credential-valid")

    # A coordinator suspends the credential in the admin.
    staff_context = browser.new_context(base_url=live_server.url)
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    staff.goto(f"/admin/members/heldcredential/{credential.pk}/status/")
    log_in(staff, coordinator.email)
    textbox(staff, "Code").fill(current_totp_code(secret))
    staff.get_by_role("button", name="Sign In").click()
    staff.get_by_label("New status").select_option(label="Suspended")
    staff.get_by_label("Why").fill("Fitness to practise review.")
    staff.get_by_role("button", name="Change status").click()
    expect(staff.get_by_text(re.compile("Suspended", re.I)).first).to_be_visible()
    shot(staff, "admin-suspended")
    staff_context.close()
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.SUSPENDED

    # The register drops the entry; the status list marks the credential suspended.
    visitor.goto("/register/")
    expect(visitor.get_by_text("Priya Patel")).to_have_count(0)
    expect(visitor.get_by_text("No one is listed on the register yet.")).to_be_visible()
    assert published_state(visitor.request, claims) == "suspended"
    visitor.goto("/certificates/verify/")
    visitor.get_by_label("Paste the credential").fill(token)
    visitor.get_by_role("button", name="Check the credential").click()
    expect(visitor.locator("#credential-verdict")).to_contain_text("Suspended.")
    shot(visitor, "credential-suspended")
    visitor.close()
