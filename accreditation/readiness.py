"""Who is ready to accredit: the candidates (`selectors.candidates`) whom the requirements
engine finds ready today for at least one credential they may be ready for.

Running the engine over every candidate costs time in proportion to their number (about two
seconds for 1,400 candidates at real size), so the answer is kept as the last check, in the
cache: a scheduled job checks again every 15 minutes (`tasks.check_ready_to_accredit`), a
coordinator can ask for a check at once, and a grant checks that person again. The "ready now"
filter of the queue and the admin home's to-do line read the last check; the queue's rows
still run the engine live for the page shown, so what a coordinator grants is checked then.
"""

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import selectors
from .pathways import Records, checklist

CACHE_KEY = "accreditation:ready-to-accredit"
BATCH = 500


def ready_ids(candidates=None):
    """The ids of `candidates` (default: every candidate) ready today, evaluated `BATCH`
    people at a time with their rows read once per batch."""
    candidates = selectors.candidates() if candidates is None else candidates
    ready, batch = [], []
    for person in candidates.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(person)
        if len(batch) == BATCH:
            ready += _ready_in(batch)
            batch = []
    return ready + _ready_in(batch)


def _ready_in(people):
    if not people:
        return []
    selectors.mark_candidate_kinds(people)
    records = Records(people)
    return [
        person.pk
        for person in people
        if any(checklist(person, kind, records=records).all_met for kind in selectors.candidate_kinds(person))
    ]


def check_again():
    """Run the check over every candidate now and keep it: {"ids": [...], "checked_at": datetime}."""
    result = {"ids": ready_ids(), "checked_at": timezone.now()}
    cache.set(CACHE_KEY, result, timeout=None)
    return result


def last_check():
    """The last check, made now if there is none (a new cache, or Redis restarted)."""
    return cache.get(CACHE_KEY) or check_again()


def check_person_again(person_id):
    """Once the current transaction commits (a credential was granted), check one person
    again and update the last check: still ready for another credential, or no longer."""

    def update():
        result = cache.get(CACHE_KEY)
        if not result:
            return
        still = _ready_in(list(selectors.candidates().filter(pk=person_id)))
        ids = [pk for pk in result["ids"] if pk != person_id] + still
        cache.set(CACHE_KEY, {**result, "ids": ids}, timeout=None)

    transaction.on_commit(update)
