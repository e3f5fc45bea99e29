"""Sending reminders exactly once, pausing them and choosing which optional ones to get.

The sweep (`send_due_reminders`) walks each rule's candidates a batch at a time. For a batch it
drops people who are paused or opted out and reminders already sent, renders each e-mail (the
rule's templates loaded once per sweep, dit_portal.emails.EmailTemplates), then
claims the reminders in one transaction: it inserts their rows with ON CONFLICT DO NOTHING
(the unique person + kind + period key decides who owns a reminder, whatever the number of
runs or workers) and takes back its own earlier failures with a conditional UPDATE. Only after
that transaction commits are the e-mails sent, over one connection to the mail server per batch
(opened again only after a failed send), each claimed row marked sent or failed right after
its own send (one UPDATE per reminder), so a worker killed mid-batch leaves at most the one
reminder it was sending in doubt. A failed send is claimed again by a later run; a claimed
row is never sent by anyone else, so a reminder goes out at most once. Rows left "being sent"
by a run that stopped are not sent again by the sweep: it reports them (a count in its
result, a log line, the admin's to-do list) for a coordinator to release. Reading a batch
costs the same few queries whatever its size.
"""

import datetime
import logging
import uuid
from collections import Counter

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import log_action
from dit_portal.emails import EmailTemplates

from .enums import ReminderStatus
from .models import Reminder, ReminderOptOut, ReminderPause
from .rules import RULES, optional_rules

BATCH_SIZE = 500
# A batch is sent within seconds of its claim: a row still being sent an hour later belongs
# to a run that stopped. Only a coordinator may release it (see release_stale_claims).
STALE_CLAIM = datetime.timedelta(hours=1)
logger = logging.getLogger(__name__)


class ReminderError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def send_due_reminders(*, today=None, rules=None, batch_size=BATCH_SIZE):
    """Send every reminder due today that was not sent before; returns counts by outcome:
    "due" (every reminder due today), then "held back" (paused or turned off), "sent before",
    "sent" and "failed" (what this run delivered, counted once the claims commit), and
    "rules failed" and "stale claims skipped" when there are any."""
    today = today or timezone.localdate()
    totals = Counter()
    for rule in rules or RULES:
        try:
            _sweep_rule(rule, today, batch_size, totals)
        except Exception:
            # One broken rule must not keep the others' reminders back; it is logged loudly.
            logger.exception("Reminder rule %s failed; the other rules ran.", rule.kind)
            totals["rules failed"] += 1
    stale = stale_claims().count()
    if stale:
        logger.warning(
            "%s reminder(s) were left being sent by a run that stopped and were skipped; "
            "a coordinator checks and releases them (admin: Reminders, status being sent).",
            stale,
        )
        totals["stale claims skipped"] = stale
    return totals


def stale_claims(now=None):
    """Reminders claimed by a run that stopped before marking them: never re-sent by a sweep."""
    now = now or timezone.now()
    return Reminder.objects.filter(status=ReminderStatus.CLAIMED, claimed_at__lt=now - STALE_CLAIM)


def _sweep_rule(rule, today, batch_size, totals):
    renderer = _Renderer(rule)
    last_pk = None
    while True:
        candidates = rule.candidates(today).order_by("pk")
        if last_pk is not None:
            candidates = candidates.filter(pk__gt=last_pk)
        rows = list(candidates[:batch_size])
        if not rows:
            return
        last_pk = rows[-1].pk
        _claim_and_send(rule, rule.build(rows, today), totals, today, renderer)
        if len(rows) < batch_size:
            return


def _claim_and_send(rule, dues, outcome, today, renderer):
    """Claim and, after the commit, send one batch's reminders; counts go into `outcome`."""
    dues = list({(due.person.pk, due.period_key): due for due in dues}.values())
    if not dues:
        return
    outcome["due"] += len(dues)
    people = {due.person.pk for due in dues}
    keys = {due.period_key for due in dues}
    held_back = set(
        ReminderPause.objects.filter(Q(until__isnull=True) | Q(until__gte=today), person_id__in=people).values_list(
            "person_id", flat=True
        )
    )
    if rule.optional:
        held_back |= set(
            ReminderOptOut.objects.filter(person_id__in=people, kind=rule.kind).values_list("person_id", flat=True)
        )
    sent = set(
        Reminder.objects.filter(
            kind=rule.kind, person_id__in=people, period_key__in=keys, status=ReminderStatus.SENT
        ).values_list("person_id", "period_key")
    )
    messages = {}
    for due in dues:
        key = (due.person.pk, due.period_key)
        if due.person.pk in held_back or not due.person.is_active:
            outcome["held back"] += 1
        elif key in sent:
            outcome["sent before"] += 1
        else:
            messages[key] = (due.person, renderer.render(due))
    if not messages:
        return

    token = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        Reminder.objects.bulk_create(
            [
                Reminder(
                    person=person,
                    kind=rule.kind,
                    period_key=period_key,
                    subject=message[0][:250],
                    claim_token=token,
                    claimed_at=now,
                )
                for (_, period_key), (person, message) in messages.items()
            ],
            ignore_conflicts=True,
        )
        pairs = Q()
        for person_id, period_key in messages:
            pairs |= Q(person_id=person_id, period_key=period_key)
        Reminder.objects.filter(pairs, kind=rule.kind, status=ReminderStatus.FAILED).update(
            status=ReminderStatus.CLAIMED, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
        transaction.on_commit(lambda: outcome.update(_deliver(token, messages)))


class _Renderer:
    """One rule's e-mail, its templates loaded when its first reminder is rendered in a sweep."""

    def __init__(self, rule):
        self.rule = rule
        self.templates = None
        self.preferences_url = None

    def render(self, due):
        if self.templates is None:
            self.templates = EmailTemplates(self.rule.template)
            self.preferences_url = reverse("reminders:preferences") if self.rule.optional else ""
        context = {
            "person": due.person,
            "rule": self.rule,
            "missing": due.missing,
            "fix_url": due.fix_url,
            "preferences_url": self.preferences_url,
            **due.context,
        }
        return self.templates.render(context)


def _deliver(token, messages):
    """Send what this run claimed, marking each reminder sent or failed right after its send."""
    outcome = Counter()
    claimed = list(
        Reminder.objects.filter(claim_token=token, status=ReminderStatus.CLAIMED)
        .order_by("pk")
        .values_list("pk", "person_id", "period_key")
    )
    # One connection for the batch: opened here, not by each send (a backend's send_messages
    # opens and closes a connection it did not find open, a new SMTP session per e-mail).
    connection = get_connection()
    try:
        for pk, person_id, period_key in claimed:
            person, (subject, text, html) = messages[(person_id, period_key)]
            message = EmailMultiAlternatives(subject=subject, body=text, to=[person.email], connection=connection)
            message.attach_alternative(html, "text/html")
            mine = Reminder.objects.filter(pk=pk, claim_token=token, status=ReminderStatus.CLAIMED)
            try:
                connection.open()  # a no-op while the connection is open
                message.send()
            except Exception as error:  # the mail server's refusal, whatever its kind
                # Not reused after a failure: the server may have dropped it; the next send reconnects.
                _close(connection)
                mine.update(status=ReminderStatus.FAILED, last_error=str(error)[:1000])
                outcome["failed"] += 1
            else:
                mine.update(status=ReminderStatus.SENT, sent_at=timezone.now(), last_error="")
                outcome["sent"] += 1
    finally:
        _close(connection)
    return outcome


def _close(connection):
    """Close the mail server connection; a server that fails to say goodbye changes nothing here."""
    try:
        connection.close()
    except Exception as error:
        logger.warning("Closing the mail server connection failed: %s", error)


def release_stale_claims(reminders, *, by, now=None):
    """Let the next run send reminders left *being sent* by a run that stopped.

    The portal cannot tell whether such a reminder went out before the run stopped, so it
    never re-sends one by itself; a coordinator who has checked (with the person, or the mail
    server's log) releases it here. Each becomes failed, which the next run claims again.
    Returns how many were released; refuses when none of `reminders` is stale."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = list(
            Reminder.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(
                pk__in=[reminder.pk for reminder in reminders],
                status=ReminderStatus.CLAIMED,
                claimed_at__lt=now - STALE_CLAIM,
            )
        )
        if not stale:
            raise ReminderError(
                "Only a reminder left being sent for over an hour can be sent again; "
                "sent and failed reminders, and those being sent now, are left as they are."
            )
        Reminder.objects.filter(pk__in=[reminder.pk for reminder in stale]).update(
            status=ReminderStatus.FAILED,
            last_error="Released by a coordinator: the run that claimed it stopped before marking it sent.",
        )
        for reminder in stale:
            log_action(
                reminder.person,
                "reminders.reminder.released",
                user=by,
                data={"kind": reminder.kind, "period_key": reminder.period_key, "claimed_at": reminder.claimed_at},
            )
    return len(stale)


# Pausing and preferences --------------------------------------------------------------


def pause_reminders(person, *, by, reason, until=None):
    """Hold back every reminder to `person`, until lifted or through `until` (a last day,
    today or later). A pause that has ended is replaced."""
    reason = (reason or "").strip()
    today = timezone.localdate()
    if not reason:
        raise ReminderError("Say why reminders are paused for this person.")
    if until is not None and until < today:
        raise ReminderError("A pause ends today or later: choose a later last day, or leave it empty.")
    with transaction.atomic():
        current = ReminderPause.objects.select_for_update().filter(person=person).first()
        if current is not None and current.holds_on(today):
            raise ReminderError(f"Reminders to {person} are already paused.")
        if current is not None:
            current.delete()
        pause = ReminderPause.objects.create(person=person, reason=reason, until=until, paused_by=by)
        log_action(person, "reminders.person.paused", user=by, data={"reason": reason, "until": until})
    return pause


def resume_reminders(pause, *, by):
    with transaction.atomic():
        pause = ReminderPause.objects.select_for_update().select_related("person").filter(pk=pause.pk).first()
        if pause is None:
            raise ReminderError("Reminders to this person are not paused.")
        person = pause.person
        pause.delete()
        log_action(person, "reminders.person.resumed", user=by, data={})
    return person


def set_reminder_choices(person, *, wanted_kinds, by):
    """Keep the optional reminders in `wanted_kinds`, turn the other optional ones off."""
    optional = {rule.kind for rule in optional_rules()}
    unknown = set(wanted_kinds) - optional
    if unknown:
        raise ReminderError(f"Not an optional reminder: {', '.join(sorted(unknown))}.")
    turned_off = optional - set(wanted_kinds)
    with transaction.atomic():
        before = set(ReminderOptOut.objects.filter(person=person).values_list("kind", flat=True))
        if before == turned_off:
            return False
        ReminderOptOut.objects.filter(person=person).exclude(kind__in=turned_off).delete()
        ReminderOptOut.objects.bulk_create(
            [ReminderOptOut(person=person, kind=kind) for kind in turned_off - before], ignore_conflicts=True
        )
        log_action(
            person,
            "reminders.person.choices_changed",
            user=by,
            data={"turned_off": sorted(turned_off - before), "turned_on": sorted(before - turned_off)},
        )
    return True
