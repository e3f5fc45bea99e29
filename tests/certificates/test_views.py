import pytest
from django.urls import reverse

from certificates import services
from tests.factories import UserFactory, staff_with_totp

pytestmark = pytest.mark.django_db


def test_holders_list_and_download_their_own_certificates(client, issue, holder):
    mine = issue(holder, title="5-Day DIT Training")
    other = issue(UserFactory(full_name="Olga Other"), title="CPD Day")
    client.force_login(holder)
    page = client.get(reverse("certificates:mine"))
    assert page.status_code == 200
    assert mine.display_number in page.text
    assert other.display_number not in page.text

    download = client.get(mine.get_download_url())
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{mine.display_number}.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert client.get(other.get_download_url()).status_code == 404


def test_the_members_area_links_to_the_certificates(client, holder):
    client.force_login(holder)
    assert reverse("certificates:mine") in client.get(reverse("members:home")).text


def test_an_empty_list_says_how_certificates_come(client, holder):
    client.force_login(holder)
    assert "You have no certificates yet" in client.get(reverse("certificates:mine")).text


def test_a_revoked_certificate_is_marked_and_offers_no_download(client, issue, holder, coordinator):
    certificate = issue(holder)
    services.revoke_certificate(certificate, by=coordinator, reason="Issued in error.")
    client.force_login(holder)
    page = client.get(reverse("certificates:mine"))
    assert "Revoked" in page.text
    assert certificate.get_download_url() not in page.text


def test_the_holder_cannot_download_a_revoked_certificates_pdf_staff_still_can(client, issue, holder, coordinator):
    certificate = issue(holder)
    services.revoke_certificate(certificate, by=coordinator, reason="Issued in error.")
    client.force_login(holder)
    response = client.get(certificate.get_download_url())
    assert response.status_code == 410
    assert "This certificate was revoked" in response.text
    assert not response.has_header("Content-Disposition")
    client.force_login(staff_with_totp())
    assert client.get(certificate.get_download_url()).status_code == 200


def test_staff_with_two_factor_download_anyones_certificate(client, issue, holder):
    certificate = issue(holder)
    client.force_login(staff_with_totp())
    assert client.get(certificate.get_download_url()).status_code == 200


def test_a_valid_certificate_shows_only_name_title_and_date(client, issue, holder):
    certificate = issue(holder, title="DIT for Complex Care", description="2 days", source_reference="Register 4")
    page = client.get(certificate.get_verification_path())
    assert page.status_code == 200
    assert "Valid." in page.text
    assert "Hana Holder" in page.text
    assert "DIT for Complex Care" in page.text
    assert certificate.achieved_on.strftime("%-d %B %Y") in page.text
    for private in (holder.email, "Register 4", certificate.display_number):
        assert private not in page.text
    assert page["X-Robots-Tag"] == "noindex"


def test_a_revoked_certificate_says_so(client, issue, holder, coordinator):
    certificate = issue(holder)
    services.revoke_certificate(certificate, by=coordinator, reason="Completion recorded in error.")
    page = client.get(certificate.get_verification_path())
    assert "Revoked." in page.text
    assert "Completion recorded in error." not in page.text


def test_unknown_codes_all_get_the_same_answer(client, issue, holder):
    certificate = issue(holder)
    near_miss = certificate.verification_code[:-1] + ("A" if certificate.verification_code[-1] != "A" else "B")
    answers = [
        client.get(reverse("certificates:verify", kwargs={"code": code})) for code in (near_miss, "qqqq", "x" * 32)
    ]
    assert {answer.status_code for answer in answers} == {404}
    bodies = {
        answer.text.replace(code, "") for answer, code in zip(answers, (near_miss, "qqqq", "x" * 32), strict=True)
    }
    assert len(bodies) == 1
    assert "Unknown code." in answers[0].text


def test_a_certificate_cannot_be_found_by_its_number(client, issue, holder):
    certificate = issue(holder)
    for guess in (str(certificate.number), certificate.display_number, str(certificate.pk)):
        assert client.get(reverse("certificates:verify", kwargs={"code": guess})).status_code == 404


def test_the_verification_form_leads_to_the_answer(client, issue, holder):
    certificate = issue(holder)
    response = client.get(reverse("certificates:verify_form"), {"code": f"  {certificate.verification_code} "})
    assert response.status_code == 302
    assert response["Location"] == certificate.get_verification_path()
    blank = client.get(reverse("certificates:verify_form"), {"code": ""})
    assert "This field is required" in blank.text


@pytest.mark.parametrize("typed", ["/", "abc/def", "code with spaces", "ab\u202ecd"])
def test_a_code_that_cannot_be_one_is_explained_not_a_server_error(client, typed):
    """Found by fuzzing: a "/" went into the verification address and broke it."""
    response = client.get(reverse("certificates:verify_form"), {"code": typed})
    assert response.status_code == 200
    assert "A verification code has only letters, digits, - and _" in response.text


def test_verification_is_rate_limited_per_address(client, settings, issue, holder):
    settings.CERTIFICATE_VERIFICATION_RATE = "3/m"
    certificate = issue(holder)
    codes = ["guess-one", "guess-two", "guess-three"]
    assert [client.get(reverse("certificates:verify", kwargs={"code": c})).status_code for c in codes] == [404] * 3
    limited = client.get(certificate.get_verification_path())
    assert limited.status_code == 429
    assert "Hana Holder" not in limited.text
    assert limited["Retry-After"] == "60"
    # Another address is not held back.
    assert client.get(certificate.get_verification_path(), REMOTE_ADDR="198.51.100.7").status_code == 200


def test_verification_refuses_other_methods(client, issue, holder):
    certificate = issue(holder)
    assert client.post(certificate.get_verification_path()).status_code == 405


def test_behind_the_proxy_the_limit_is_per_client_not_per_proxy(client, settings, issue, holder):
    settings.CERTIFICATE_VERIFICATION_RATE = "2/m"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    certificate = issue(holder)
    url = certificate.get_verification_path()
    for _ in range(2):
        assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200


def test_only_the_whole_code_finds_a_certificate_never_a_prefix(client, issue, holder):
    certificate = issue(holder)
    code = certificate.verification_code
    assert client.get(reverse("certificates:verify", kwargs={"code": code})).status_code == 200
    for prefix in (code[:-1], code[: len(code) // 2], code[:8]):
        answer = client.get(reverse("certificates:verify", kwargs={"code": prefix}))
        assert answer.status_code == 404 and holder.full_name not in answer.text
