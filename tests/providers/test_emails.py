"""Every providers e-mail is a template pair: a subject, a text body and an HTML body."""

import pytest
from django.core import mail

from members import roles
from providers import services
from providers.enums import FeeKind
from tests.factories import UserFactory, staff_with_totp

from .factories import GOOD_ROWS, csv_file, report
from .test_application import application_data

pytestmark = pytest.mark.django_db


def test_each_providers_email_has_a_subject_text_and_html(provider, member, django_capture_on_commit_callbacks):
    director = staff_with_totp(roles.PROGRAMME_DIRECTOR)
    with django_capture_on_commit_callbacks(execute=True):
        application = services.submit_application(application_data(), applicant=UserFactory(), evidence=[])
        services.decide_application(application, approve=False, reason="Plan too thin.", by=director)
        services.invite_provider_user(provider, "new@lisbon.example", by=director)
        services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=director)
        completer_list = services.submit_completer_list(
            provider, delivery=report(provider, by=member), upload=csv_file(GOOD_ROWS), by=member
        )
        services.review_completer_list(completer_list, approve=True, by=director)
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "Application received: DIT provider licence for Instituto DIT Lisboa",
        "Your DIT provider licence application: refused",
        "You are invited to act for Lisbon DIT Institute on the DIT portal",
        f"Invoice {provider.invoices.get().display_number} from the DIT Centre: GBP 1000.00",
        "Your completer list has been approved",
    ]
    for message in mail.outbox:
        html, mime = message.alternatives[0]
        assert mime == "text/html"
        assert "Dear colleagues at" in message.body and "Dear colleagues at" in html
        assert "{{" not in message.body and "{%" not in html
    assert "Reason: Plan too thin." in mail.outbox[1].body
    assert "&lt;" not in mail.outbox[1].body
