"""Run once per database by run.py, with DATABASE_URL set: make a session for each fixed
account (server-side, as a completed sign-in with its second factor would), fill in the
page paths, count each page's queries with the test client, and time one reminder sweep with
its delivery (see `time_reminder_sweep`). Prints one JSON object."""

import json
import os
import sys
import time

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dit_portal.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.load.pages import PAGES, SURNAME, SWEEP
    from certificates.models import Certificate
    from dit_portal.management.commands.generate_scale_data import ROLES, fixed_email
    from dit_portal.models import Page
    from members.models import User
    from providers.models import ProviderMembership
    from tests.clients import PortalClient
    from trainings.models import CourseRun

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host
    people = {role: User.objects.get(email=fixed_email(role)) for role in ROLES}
    # The signed-in layout page: the shortest published text page, so what it costs is the
    # site's layout for a signed-in person (menu, session, messages), not its content.
    shortest = min(Page.objects.filter(is_published=True).exclude(slug="home"), key=lambda page: len(page.body))
    values = {
        "run": CourseRun.objects.filter(status="open").order_by("pk").values_list("pk", flat=True).first(),
        "code": Certificate.objects.order_by("pk").values_list("verification_code", flat=True).first(),
        "provider": ProviderMembership.objects.get(user=people["provider"]).provider_id,
        "page": shortest.slug,
        "surname": SURNAME,
        "trainee_email": people["trainee"].email,
    }
    # What the cache kept from an earlier run (the last "ready now" check) is made again.
    from django.core.cache import cache

    from accreditation import readiness

    cache.delete(readiness.CACHE_KEY)
    clients = {"visitor": PortalClient()}
    for role, person in people.items():
        clients[role] = PortalClient()
        clients[role].force_login(person)
    pages, queries = {}, {}
    for name, (kind, role, template) in PAGES.items():
        path = template.format(**values)
        clients[role].get(path)  # warm: the first request fills caches
        with CaptureQueriesContext(connection) as captured:
            response = clients[role].get(path)
        if response.status_code != 200:
            sys.exit(f"{name}: {path} answered {response.status_code} for {role}")
        pages[name] = {"kind": kind, "role": role, "path": path}
        queries[name] = len(captured)
    sweep = time_reminder_sweep()
    print(
        json.dumps(
            {
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
                "sessions": {
                    role: client.cookies[settings.SESSION_COOKIE_NAME].value
                    for role, client in clients.items()
                    if role != "visitor"
                },
                "pages": pages,
                "queries": queries,
                "sweep": {"name": SWEEP, **sweep},
            }
        )
    )


def time_reminder_sweep():
    """One daily reminder sweep, timed from finding who is due to the last e-mail handed to the
    mail backend (local memory here, so the time is the portal's own), then rolled back so every
    run measures the same work. The sweep sends after its claims commit; inside the rolled-back
    transaction those after-commit deliveries are run in-process before the rollback (as the
    test suite runs them). Returns the seconds, the e-mails delivered and the sweep's counts."""
    from django.conf import settings
    from django.core import mail
    from django.db import transaction
    from django.test import TestCase

    from reminders.services import send_due_reminders

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    with transaction.atomic():
        started = time.perf_counter()
        with TestCase.captureOnCommitCallbacks(execute=True):
            outcome = send_due_reminders()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    delivered = len(mail.outbox)
    mail.outbox = []
    return {"seconds": seconds, "delivered": delivered, "outcome": dict(outcome)}


if __name__ == "__main__":
    main()
