"""Request bodies over the limit of their URL are refused with 413 before they are read."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from dit_portal.limits import BodyLimitUploadHandler, RequestBodyTooLarge
from tests.trainings.factories import CourseFactory, RequirementFactory, make_run, pdf_upload
from trainings.enums import EvidenceRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee():
    from tests.factories import UserFactory

    return UserFactory(full_name="Tamsin Trainee")


MB = 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def declared_post(client, url, length):
    """A POST declaring `length` bytes whose body fails the test if read."""
    return client.generic(
        "POST",
        url,
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadableBody()},
    )


def test_a_huge_post_to_the_contact_page_is_refused_unread_with_the_portals_page(client, settings):
    response = declared_post(client, reverse("contact"), 200 * MB)
    assert response.status_code == 413
    page = response.text
    assert "Too large to send" in page and "at most 2 MB" in page and "nothing was saved" in page
    assert '<a href="/">Go to the home page</a>' in page


def test_a_page_that_takes_files_allows_its_files_but_no_more(client, settings, trainee):
    run = make_run()
    url = reverse("trainings:apply", args=[run.pk])
    client.force_login(trainee)
    limit = 10 * settings.MAX_UPLOAD_SIZE + settings.REQUEST_BODY_LIMIT
    assert declared_post(client, url, limit + 1).status_code == 413
    # The contact page's limit is far below: what the apply page takes is not refused there.
    assert declared_post(client, reverse("contact"), settings.REQUEST_BODY_LIMIT + 1).status_code == 413


def test_an_application_with_its_evidence_still_goes_through(client, trainee):
    course = CourseFactory()
    requirement = RequirementFactory(course=course, question="Trained?", evidence=EvidenceRule.REQUIRED)
    run = make_run(course=course)
    client.force_login(trainee)
    response = client.post(
        reverse("trainings:apply", args=[run.pk]),
        {f"answer_{requirement.pk}": "yes", f"evidence_{requirement.pk}": pdf_upload()},
    )
    assert response.status_code == 302


def test_a_body_without_a_length_is_read_only_up_to_the_limit():
    """Chunked bodies carry no length: the upload handler stops at the limit."""
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("big.pdf", b"x" * (3 * MB))})
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    handler = BodyLimitUploadHandler(None, limit=2 * MB)
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    parser = MultiPartParser(meta, io.BytesIO(body), [handler, TemporaryFileUploadHandler()])
    with pytest.raises(RequestBodyTooLarge):
        parser.parse()
    small = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("small.pdf", b"x" * MB)})
    meta["CONTENT_LENGTH"] = str(len(small))
    parser = MultiPartParser(
        meta, io.BytesIO(small), [BodyLimitUploadHandler(None, 2 * MB), TemporaryFileUploadHandler()]
    )
    _post, files = parser.parse()
    assert files["file"].size == MB


def test_the_admin_takes_its_imports_and_no_more(client, settings):
    from tests.factories import staff_with_totp

    client.force_login(staff_with_totp())
    url = reverse("admin:portal_page_add")
    assert declared_post(client, url, settings.ADMIN_REQUEST_BODY_LIMIT + 1).status_code == 413
