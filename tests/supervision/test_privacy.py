"""The ledger in a person's copy of their data, and what erasing them blanks."""

import io
import json
import zipfile

import pytest

from members import roles
from members.privacy import erase_person, export_personal_data
from supervision import selectors
from supervision.enums import SessionStatus
from tests.factories import UserFactory

from .factories import CaseFactory, CpdFactory, ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_the_ledger_is_in_the_persons_copy_of_their_data(practitioner, supervisor):
    case = CaseFactory(practitioner=practitioner, supervisor=supervisor, note="Referred in spring")
    SessionFactory(practitioner=practitioner, supervisor=supervisor)
    CpdFactory(person=practitioner)
    data = json.loads(zipfile.ZipFile(io.BytesIO(export_personal_data(practitioner))).read("data.json"))
    assert data["records"]["supervision.case"][0]["fields"]["code"] == case.code
    assert len(data["records"]["supervision.supervisionsession"]) == 1
    assert len(data["records"]["supervision.cpdrecord"]) == 1


def test_erasure_blanks_notes_keeps_confirmed_hours_and_unlists_the_supervisor(supervisor):
    coordinator = UserFactory(role=roles.COORDINATOR)
    practitioner = UserFactory()
    case = CaseFactory(practitioner=practitioner, supervisor=supervisor, note="Referred in spring")
    SessionFactory(practitioner=practitioner, supervisor=supervisor, status=SessionStatus.CONFIRMED, note="Good")
    listing = ListingFactory(supervisor=supervisor, display_name="Sam S.", note="Evenings")
    erase_person(practitioner, by=coordinator, reason="Their request")
    erase_person(supervisor, by=coordinator, reason="Their request")
    case.refresh_from_db()
    listing.refresh_from_db()
    assert case.note == "" and case.code  # the record stays, tied to the anonymised account
    assert selectors.confirmed_sessions(practitioner).get().note == ""
    assert (listing.display_name, listing.note) == ("", "")
    assert not selectors.listed_supervisors().exists()
