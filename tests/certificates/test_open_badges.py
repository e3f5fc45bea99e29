"""Signed Open Badges 3.0 credentials: checked here by a second, independent path (PyJWT
and jsonschema, with the keys and the status list fetched from the portal's public URLs),
never by the code that signed them (joserfc, in dit_portal.openbadges)."""

import base64
import datetime
import gzip
import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import jsonschema
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certificates.services import revoke_certificate
from dit_portal import openbadges
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "data" / "ob_v3p0_achievementcredential_schema.json").read_text())
STATES = {0: "valid", 1: "suspended", 2: "lapsed", 3: "revoked"}


def new_key_pem():
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )


def public_pem(private_pem):
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def independently_verified(client, token):
    """PyJWT checks the signature with the key the portal publishes under the token's kid."""
    published = jwt.PyJWKSet.from_dict(client.get(reverse("credentials:jwks")).json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(key for key in published.keys if key.key_id == kid)
    return jwt.decode(token, key=key.key, algorithms=["EdDSA"], options={"verify_aud": False})


def status_in_published_list(client, credential):
    """Read the credential's entry in the signed status list, as any verifier would."""
    entry = credential["credentialStatus"]
    listing = client.get(urlparse(entry["statusListCredential"]).path)
    assert listing["Content-Type"] == "application/vc+jwt"
    status_list = independently_verified(client, listing.content.decode())
    subject = status_list["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    encoded = subject["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 >= 131_072  # the specification's minimum
    size, index = subject["statusSize"], int(entry["statusListIndex"])
    value = 0
    for bit in range(index * size, index * size + size):
        value = value << 1 | (bits[bit // 8] >> (7 - bit % 8) & 1)
    messages = {int(message["status"], 16): message["message"] for message in subject["statusMessage"]}
    assert messages == STATES
    return messages[value]


@pytest.fixture
def practitioner(db):
    person = UserFactory(full_name="Priya Patel", email="priya@example.org")
    set_credential_status(
        person, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED, effective_on=datetime.date(2025, 3, 4)
    )
    return person


def download(client, person, kind=CredentialKind.PRACTITIONER):
    credential = person.credentials.get(kind=kind)
    client.force_login(person)
    response = client.get(reverse("register:credential_badge", kwargs={"pk": credential.pk}))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/vc+jwt"
    assert "attachment" in response["Content-Disposition"]
    return response.content.decode()


def test_a_held_credential_downloads_as_an_open_badge_that_verifies_independently(client, practitioner):
    token = download(client, practitioner)
    credential = independently_verified(client, token)
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["validFrom"] == "2025-03-04T00:00:00Z"
    assert credential["credentialSubject"]["name"] == "Priya Patel"
    assert "priya@example.org" not in token and "priya@example.org" not in json.dumps(credential)

    issuer = client.get(urlparse(credential["issuer"]["id"]).path).json()
    assert issuer["id"] == credential["issuer"]["id"] == credential["iss"]
    assert "Profile" in issuer["type"]
    achievement = credential["credentialSubject"]["achievement"]
    published = client.get(urlparse(achievement["id"]).path).json()
    assert published["name"] == achievement["name"] == "DIT Practitioner"
    assert status_in_published_list(client, credential) == "valid"


def test_the_credential_validates_against_the_open_badges_schema(client, practitioner):
    credential = independently_verified(client, download(client, practitioner))
    jsonschema.Draft201909Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(credential)


def test_the_schema_check_can_fail():
    broken = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft201909Validator(SCHEMA).validate(broken)


def test_a_tampered_credential_fails(client, practitioner):
    token = download(client, practitioner)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["name"] = "Mallory Mole"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged = f"{header}.{forged_payload}.{signature}"
    with pytest.raises(jwt.InvalidSignatureError):
        independently_verified(client, forged)
    assert openbadges.verify(forged).outcome == openbadges.NOT_OURS


def test_a_credential_signed_with_another_key_fails(client, practitioner):
    claims = independently_verified(client, download(client, practitioner))
    kid = openbadges.signing_key().kid
    other = serialization.load_pem_private_key(new_key_pem().encode(), password=None)
    forged = jwt.encode(claims, other, algorithm="EdDSA", headers={"kid": kid, "typ": "JWT"})
    with pytest.raises(jwt.InvalidSignatureError):
        independently_verified(client, forged)
    assert openbadges.verify(forged).outcome == openbadges.NOT_OURS


@pytest.mark.parametrize(
    "status,state",
    [
        (CredentialStatus.SUSPENDED, "suspended"),
        (CredentialStatus.LAPSED, "lapsed"),
        (CredentialStatus.REVOKED, "revoked"),
    ],
)
def test_the_status_list_marks_a_credential_that_no_longer_holds(client, practitioner, status, state):
    token = download(client, practitioner)
    credential = independently_verified(client, token)
    set_credential_status(practitioner, CredentialKind.PRACTITIONER, status, note="Test")
    assert status_in_published_list(client, credential) == state
    assert openbadges.verify(token).outcome == state


def test_a_reinstated_credential_is_valid_again(client, practitioner):
    token = download(client, practitioner)
    set_credential_status(practitioner, CredentialKind.PRACTITIONER, CredentialStatus.SUSPENDED)
    set_credential_status(practitioner, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
    assert status_in_published_list(client, independently_verified(client, token)) == "valid"
    assert openbadges.verify(token).is_valid


def test_a_credential_not_accredited_now_cannot_be_downloaded(client, practitioner):
    set_credential_status(practitioner, CredentialKind.PRACTITIONER, CredentialStatus.SUSPENDED)
    credential = practitioner.credentials.get()
    client.force_login(practitioner)
    assert client.get(reverse("register:credential_badge", kwargs={"pk": credential.pk})).status_code == 404


def test_without_a_signing_key_the_download_says_so(client, practitioner, settings):
    settings.CREDENTIAL_SIGNING_KEY = ""
    client.force_login(practitioner)
    credential = practitioner.credentials.get()
    response = client.get(reverse("register:credential_badge", kwargs={"pk": credential.pk}))
    assert response.status_code == 503
    assert "Signed credentials are not available yet" in response.text


def test_after_a_key_rotation_old_credentials_keep_verifying(client, practitioner, settings, tmp_path):
    old_pem = settings.CREDENTIAL_SIGNING_KEY
    old_token = download(client, practitioner)

    retired = tmp_path / "retired.pem"
    retired.write_bytes(public_pem(old_pem))
    new_pem_file = tmp_path / "signing.pem"
    new_pem_file.write_text(new_key_pem())
    settings.CREDENTIAL_SIGNING_KEY = ""
    settings.CREDENTIAL_SIGNING_KEY_FILE = str(new_pem_file)
    settings.CREDENTIAL_RETIRED_KEYS_FILE = str(retired)

    new_token = download(client, practitioner)
    assert jwt.get_unverified_header(new_token)["kid"] != jwt.get_unverified_header(old_token)["kid"]
    assert len(client.get(reverse("credentials:jwks")).json()["keys"]) == 2
    for token in (old_token, new_token):
        independently_verified(client, token)
        assert openbadges.verify(token).is_valid

    # Without the retired key published, the old credential no longer verifies.
    settings.CREDENTIAL_RETIRED_KEYS_FILE = ""
    assert openbadges.verify(old_token).outcome == openbadges.NOT_OURS


def test_the_published_keys_hold_no_private_part(client):
    keys = client.get(reverse("credentials:jwks")).json()["keys"]
    assert keys and all("d" not in key for key in keys)
    assert {key["kty"] for key in keys} == {"OKP"} and {key["crv"] for key in keys} == {"Ed25519"}


# Certificates ------------------------------------------------------------------------------


def test_a_certificate_downloads_as_an_open_badge_and_revocation_marks_it(client, issue, holder, coordinator):
    certificate = issue(holder)
    client.force_login(holder)
    response = client.get(reverse("certificates:open_badge", kwargs={"pk": certificate.pk}))
    assert response.status_code == 200
    token = response.content.decode()
    credential = independently_verified(client, token)
    jsonschema.Draft201909Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(credential)
    assert credential["name"] == "5-Day DIT Training"
    assert credential["credentialSubject"]["name"] == "Hana Holder"
    assert credential["credentialSubject"]["achievement"]["id"].startswith(certificate.get_verification_url_absolute())
    assert status_in_published_list(client, credential) == "valid"

    revoke_certificate(certificate, by=coordinator, reason="Issued in error")
    assert status_in_published_list(client, credential) == "revoked"
    # A revoked certificate is no longer offered.
    assert client.get(reverse("certificates:open_badge", kwargs={"pk": certificate.pk})).status_code == 404


def test_the_certificate_page_offers_linkedin_with_the_verification_address(client, issue, holder):
    certificate = issue(holder)
    client.force_login(holder)
    page = client.get(reverse("certificates:mine"))
    assert "Add to LinkedIn" in page.text
    query = parse_qs(urlparse(certificate.linkedin_url).query)
    assert urlparse(certificate.linkedin_url).netloc == "www.linkedin.com"
    assert query["certUrl"] == [certificate.get_verification_url_absolute()]
    assert query["name"] == ["5-Day DIT Training"]
    assert query["startTask"] == ["CERTIFICATION_NAME"]


# The verification page ---------------------------------------------------------------------


def test_the_verification_page_checks_a_pasted_or_uploaded_credential(client, practitioner):
    token = download(client, practitioner)
    client.logout()
    url = reverse("certificates:verify_form")
    pasted = client.post(url, {"credential": token})
    assert pasted.context["verdict"].is_valid
    assert "Valid." in pasted.text and "Priya Patel" in pasted.text

    uploaded = client.post(url, {"credential_file": SimpleUploadedFile("badge.jwt", token.encode())})
    assert uploaded.context["verdict"].is_valid

    set_credential_status(practitioner, CredentialKind.PRACTITIONER, CredentialStatus.REVOKED)
    assert "Revoked." in client.post(url, {"credential": token}).text


def test_the_verification_page_says_not_issued_by_the_centre(client, practitioner):
    token = download(client, practitioner)
    client.logout()
    url = reverse("certificates:verify_form")
    for text in ["not a credential", token[:-4] + "AAAA", json.dumps({"hello": "world"})]:
        response = client.post(url, {"credential": text})
        assert response.status_code == 200
        assert "Not issued by the Centre." in response.text
        assert not response.context["verdict"].is_valid


def test_the_verification_form_asks_for_one_credential(client):
    url = reverse("certificates:verify_form")
    assert "Paste the credential or upload its file." in client.post(url, {}).text
    both = client.post(url, {"credential": "a.b.c", "credential_file": SimpleUploadedFile("x.jwt", b"a.b.c")})
    assert "not both" in both.text
    binary = client.post(url, {"credential_file": SimpleUploadedFile("x.jwt", b"\xff\xfe\x00")})
    assert "it is not text" in binary.text


def test_a_credential_naming_another_issuer_is_not_ours(client, practitioner):
    claims = independently_verified(client, download(client, practitioner))
    claims["iss"] = claims["issuer"]["id"] = "https://example.com/issuer"
    forged = openbadges.sign({k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf", "iat")})
    verdict = openbadges.verify(forged)
    assert verdict.outcome == openbadges.NOT_OURS
    assert "issuer" in verdict.reason
