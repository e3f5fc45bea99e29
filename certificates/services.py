"""Every state change of certificates: issuing, revoking, issuing a batch in the background.

Each public function runs in one transaction, locks the rows it changes, checks the state
against the one transition table in `enums.py`, saves with `update_fields`, writes one audit
entry, and leaves slow work (rendering the PDF, a batch's task) to after the commit. A
refusal raises CertificateError with a message meant for the person who asked.

A certificate number is taken from the locked `CertificateSequence` row in the same
transaction that saves the certificate: a rolled-back issue gives its number back, so the
numbers have no gaps, and two coordinators issuing at once wait for each other.
"""

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from dit_portal import openbadges
from dit_portal.audit import log_action
from dit_portal.degraded import log_degraded
from dit_portal.emails import send_templated_email

from .enums import BATCH_TRANSITIONS, FINISHED_BATCH_STATES, BatchStatus, CertificateKind, CertificateStatus
from .models import Certificate, CertificateSequence, IssueBatch
from .rendering import render_certificate_pdf

logger = logging.getLogger(__name__)

SEQUENCE = "certificates"
# A batch issues a certificate every second or so: one quiet for this long has no worker.
BATCH_STALL = datetime.timedelta(minutes=10)


class CertificateError(Exception):
    def __init__(self, message, *, already_issued=None):
        super().__init__(message)
        self.message = message
        self.already_issued = already_issued


def _next_number():
    sequence = CertificateSequence.objects.select_for_update().filter(name=SEQUENCE).first()
    if sequence is None:
        raise CertificateError("The certificate numbering has not been set up: run the migrations.")
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _source_key(source):
    if source is None:
        return None, ""
    return ContentType.objects.get_for_model(source, for_concrete_model=False), str(source.pk)


def valid_certificate_for(source):
    source_type, source_id = _source_key(source)
    return Certificate.objects.filter(
        source_type=source_type, source_id=source_id, status=CertificateStatus.VALID
    ).first()


def _check_request(holder, title, kind, achieved_on):
    if not (holder.full_name or "").strip():
        raise CertificateError(f"{holder.email} has no full name in their profile; certificates print it.")
    if not (title or "").strip():
        raise CertificateError("A certificate needs a title: the course or the credential.")
    if kind not in CertificateKind.values:
        raise CertificateError(f"Unknown kind of certificate: {kind!r}.")
    if not isinstance(achieved_on, datetime.date):
        raise CertificateError("A certificate needs the date the course was completed or the credential granted.")
    if achieved_on > timezone.localdate():
        raise CertificateError(f"The date {achieved_on:%-d %B %Y} is in the future.")


def issue_certificate(
    *, holder, title, kind, achieved_on, by=None, source=None, source_reference="", description="", batch=None
):
    """Issue the next-numbered certificate; its PDF is rendered and stored after the commit.

    With a `source` (an enrolment, a held credential), a source that already has a valid
    certificate is refused with `already_issued` set, so issuing again never duplicates."""
    _check_request(holder, title, kind, achieved_on)
    source_type, source_id = _source_key(source)
    try:
        with transaction.atomic():
            # Issues wait for each other here, so the check below sees every earlier one.
            number = _next_number()
            existing = valid_certificate_for(source) if source is not None else None
            if existing is not None:
                raise CertificateError(
                    f"{existing.holder_name} already holds certificate {existing.display_number} for this.",
                    already_issued=existing,
                )
            certificate = Certificate.objects.create(
                number=number,
                holder=holder,
                holder_name=holder.full_name.strip(),
                title=title.strip(),
                description=(description or "").strip(),
                kind=kind,
                achieved_on=achieved_on,
                source_type=source_type,
                source_id=source_id,
                source_reference=(source_reference or "").strip(),
                issued_by=by,
                batch=batch,
            )
            log_action(
                certificate,
                "certificates.certificate.issued",
                user=by,
                data={"number": certificate.number, "holder": holder.pk, "title": certificate.title, "kind": kind},
            )
            transaction.on_commit(lambda: store_pdf_quietly(certificate.pk), robust=True)
            _tell_holder(certificate, "issued")
    except IntegrityError as error:
        # Another issue for the same source committed between our check and our insert.
        existing = valid_certificate_for(source) if source is not None else None
        if existing is None:
            raise
        raise CertificateError(
            f"{existing.holder_name} already holds certificate {existing.display_number} for this.",
            already_issued=existing,
        ) from error
    return certificate


def ensure_pdf(certificate):
    """The certificate's stored PDF, rendering and storing it first if it is missing."""
    if certificate.pdf:
        return certificate.pdf
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not locked.pdf:
            content = render_certificate_pdf(locked)
            locked.pdf.save(f"{locked.display_number}.pdf", ContentFile(content), save=False)
            locked.save(update_fields=["pdf"])
    certificate.pdf = locked.pdf
    return certificate.pdf


def store_pdf_quietly(certificate_id):
    """After an issue commits: render now; if that fails, the download renders it later."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return
    try:
        ensure_pdf(certificate)
    except Exception:
        logger.exception("Rendering certificate %s failed; it will be rendered on download.", certificate_id)


def revoke_certificate(certificate, *, by, reason):
    """Revoke a valid certificate; the verification page then says it is revoked."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Give the reason for revoking the certificate; the audit log keeps it.")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not certificate.can(CertificateStatus.REVOKED):
            raise CertificateError(f"Certificate {certificate.display_number} is already revoked.")
        certificate.status = CertificateStatus.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = by
        certificate.revocation_reason = reason
        certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
        openbadges.record_status(certificate, openbadges.State.REVOKED)
        log_action(
            certificate,
            "certificates.certificate.revoked",
            user=by,
            data={"number": certificate.number, "reason": reason},
        )
        _tell_holder(certificate, "revoked")
    return certificate


def signed_badge(certificate):
    """The valid `certificate` as a signed Open Badges 3.0 credential (VC-JWT); its
    achievement is defined on its public verification page. Raises SigningKeyMissing."""
    openbadges.signing_key()
    badge = openbadges.open_badge(
        source=certificate,
        state=openbadges.State.VALID if certificate.is_valid else openbadges.State.REVOKED,
        holder_name=certificate.holder_name,
        holder_email=certificate.holder.email,
        name=certificate.title,
        description=certificate.description or f"{certificate.title}: {certificate.get_kind_display().lower()}.",
        achievement=openbadges.achievement(
            achievement_id=f"{certificate.get_verification_url_absolute()}#achievement",
            name=certificate.title,
            description=certificate.description or certificate.title,
            criteria=f"{certificate.get_kind_display()} recorded by the Anna Freud Centre "
            f"(certificate {certificate.display_number}).",
            achievement_type="Certificate" if certificate.is_credential else "CertificateOfCompletion",
        ),
        valid_from=certificate.achieved_on,
    )
    return openbadges.sign(badge)


def _tell_holder(certificate, template):
    send_templated_email(
        f"certificates/emails/{template}",
        {
            "certificate": certificate,
            "mine_url": reverse("certificates:mine"),
            "verification_url": certificate.get_verification_url(),
        },
        to=certificate.holder.email,
    )


# Batches -------------------------------------------------------------------------------


def _request_from(achievement):
    source_type, source_id = _source_key(achievement.source)
    return {
        "holder": achievement.holder.pk,
        "title": achievement.title,
        "kind": achievement.kind,
        "achieved_on": achievement.achieved_on.isoformat(),
        "description": achievement.description,
        "source_type": source_type.pk,
        "source_id": source_id,
    }


def start_batch(achievements, *, title, by):
    """Queue the certificates of `achievements` to be issued by a background task."""
    achievements = list(achievements)
    if not achievements:
        raise CertificateError("There is nobody to certify in what you selected (no completed trainee).")

    with transaction.atomic():
        batch = IssueBatch.objects.create(
            title=title[:250],
            requested_by=by,
            requests=[_request_from(achievement) for achievement in achievements],
            total=len(achievements),
        )
        log_action(batch, "certificates.batch.queued", user=by, data={"total": batch.total})
        transaction.on_commit(lambda: _hand_to_worker(batch.pk))
    return batch


def _hand_to_worker(batch_id):
    """After the commit; with the broker down the batch stays queued, and shows as stuck
    (to resume) on the coordinators' to-do list instead of failing the request."""
    from .tasks import run_issue_batch

    try:
        run_issue_batch.delay(batch_id=batch_id)
    except Exception:
        log_degraded(
            "broker", "Issuing batch %s could not be handed to a worker; resume it when the broker is back.", batch_id
        )


def stuck_batches(now=None):
    """Batches no worker is moving: queued or running without progress for BATCH_STALL (the
    worker was killed, or the broker lost the task), or stopped by an error."""
    now = now or timezone.now()
    quiet = Q(progress_at__lt=now - BATCH_STALL) | Q(progress_at__isnull=True, created_at__lt=now - BATCH_STALL)
    return IssueBatch.objects.filter(
        Q(status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING]) & quiet | Q(status=BatchStatus.FAILED)
    )


def resume_batch(batch, *, by):
    """A coordinator restarts a stuck batch: a worker issues what is still missing. Safe even
    if the old worker is alive after all: a source is certified once whoever gets there first."""
    with transaction.atomic():
        locked = stuck_batches().select_for_update().filter(pk=batch.pk).first()
        if locked is None:
            raise CertificateError(
                f"“{batch}” is not stuck: only a batch stopped by an error, or one without progress for "
                f"{int(BATCH_STALL.total_seconds() // 60)} minutes, can be resumed."
            )
        locked.progress_at = timezone.now()
        locked.save(update_fields=["progress_at"])
        log_action(
            locked,
            "certificates.batch.resumed",
            user=by,
            data={"status": locked.status, "issued": _issued_count(locked.pk), "total": locked.total},
        )
        transaction.on_commit(lambda: _hand_to_worker(locked.pk))
    return locked


def _issued_count(batch_id):
    return Certificate.objects.filter(batch_id=batch_id).count()


def _set_batch_status(batch_id, status, **fields):
    with transaction.atomic():
        batch = IssueBatch.objects.select_for_update().get(pk=batch_id)
        if status not in BATCH_TRANSITIONS[batch.status]:
            return None
        batch.status = status
        for name, value in fields.items():
            setattr(batch, name, value)
        batch.save(update_fields=["status", *fields])
        return batch


def run_batch(batch_id):
    """Issue each certificate of the batch, recording progress as it goes. Safe to run again
    (a redelivered task, a resumed batch): a finished batch is left alone, a source already
    certified is not certified twice, and "issued" is counted from the batch's certificates,
    so a second run never resets or inflates it."""
    from members.models import User

    batch = _set_batch_status(
        batch_id,
        BatchStatus.RUNNING,
        started_at=timezone.now(),
        progress_at=timezone.now(),
        skipped=0,
        failed=0,
        problems=[],
    )
    if batch is None:
        return None
    holders = User.objects.in_bulk([request["holder"] for request in batch.requests])
    types = {ct.pk: ct for ct in ContentType.objects.filter(pk__in={r["source_type"] for r in batch.requests})}
    try:
        for request in batch.requests:
            outcome, problem = _issue_one(batch, request, holders, types)
            progress = {"issued": _issued_count(batch.pk), "progress_at": timezone.now()}
            if outcome != "issued":
                progress[outcome] = F(outcome) + 1
            IssueBatch.objects.filter(pk=batch.pk).update(**progress)
            if problem:
                batch.refresh_from_db(fields=["problems"])
                batch.problems.append(problem)
                IssueBatch.objects.filter(pk=batch.pk).update(problems=batch.problems)
    except Exception as error:
        _set_batch_status(batch.pk, BatchStatus.FAILED, finished_at=timezone.now(), issued=_issued_count(batch.pk))
        log_action(batch, "certificates.batch.failed", user=batch.requested_by, data={"error": str(error)})
        raise
    batch = _set_batch_status(batch.pk, BatchStatus.DONE, finished_at=timezone.now(), issued=_issued_count(batch.pk))
    log_action(
        batch,
        "certificates.batch.done",
        user=batch.requested_by,
        data={"issued": batch.issued, "skipped": batch.skipped, "failed": batch.failed},
    )
    return batch


def _issue_one(batch, request, holders, types):
    holder = holders.get(request["holder"])
    source_type = types.get(request["source_type"])
    source = None
    if source_type is not None:
        source = source_type.get_all_objects_for_this_type().filter(pk=request["source_id"]).first()
    if holder is None or source is None:
        return "failed", f"{request['title']}: the person or the record is gone."
    try:
        issue_certificate(
            holder=holder,
            title=request["title"],
            kind=request["kind"],
            achieved_on=datetime.date.fromisoformat(request["achieved_on"]),
            description=request.get("description", ""),
            source=source,
            by=batch.requested_by,
            batch=batch,
        )
    except CertificateError as error:
        if error.already_issued is not None:
            # Issued by this very batch on an earlier run (redelivered, resumed): issued.
            return ("issued" if error.already_issued.batch_id == batch.pk else "skipped"), None
        return "failed", f"{holder}: {error.message}"
    return "issued", None


def batch_is_finished(batch):
    return batch.status in FINISHED_BATCH_STATES
