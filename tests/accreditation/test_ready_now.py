"""Ready to accredit: the "ready now" filter keeps the people every requirement of whose
credential is met today; the unfiltered queue also lists people not ready yet."""

import pytest

from members import roles
from tests.factories import staff_with_totp

from .helpers import five_day_completer

pytestmark = pytest.mark.django_db


def test_ready_now_lists_only_people_with_every_requirement_met(client):
    ready, _, _ = five_day_completer()
    not_yet, _, _ = five_day_completer(hours=2)
    client.force_login(staff_with_totp(roles.COORDINATOR))

    everyone = client.get("/admin/accreditation/candidate/")
    assert {person.pk for person in everyone.context["cl"].result_list} == {ready.pk, not_yet.pk}

    now = client.get("/admin/accreditation/candidate/?ready=now")
    assert [person.pk for person in now.context["cl"].result_list] == [ready.pk]
    assert "Ready now (every requirement met)" in now.content.decode()
