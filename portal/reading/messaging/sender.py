"""The worker's side: claim due messages atomically, check each is still wanted, send it once, record the outcome.

Claiming: on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED` picks rows no other worker holds and marks them with
this batch's id; elsewhere (SQLite) one conditional UPDATE ... WHERE status = 'queued' AND claimed_by = '' does
the same (SQLite runs one writing transaction at a time). A row is sent only by the batch whose id it carries, and
its outcome is written only while it still carries that id: a message goes out at most once, however many
workers run. A row left claimed by a worker that died mid-send is marked failed, not resent (the patient may
already have it; staff can send again)."""

import datetime
import logging
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from portal.reading.links import patient_link_url
from portal.reading.messaging.email import EmailError, send_email
from portal.reading.messaging.quiet_hours import is_quiet, next_allowed
from portal.reading.messaging.render import render_message
from portal.reading.messaging.secrets import open_token
from portal.reading.messaging.sms import SmsError, sms_backend
from portal.reading.models import (
    MessageChannel,
    MessageKind,
    MessageStatus,
    OutgoingMessage,
    SessionStatus,
    TreatmentSession,
    reading_pending_q,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
# A claim older than this belongs to a worker that stopped while sending (sends time out after seconds).
CLAIM_LEASE = datetime.timedelta(minutes=15)

# Plain-words reasons (shown to staff; no patient data). Marked for translation, translated where shown.
REASON_CANCELLED = gettext_noop("The session was cancelled.")
REASON_PAST = gettext_noop("The session time has passed.")
REASON_DONE = gettext_noop("The reading was already done.")
REASON_OPTED_OUT = gettext_noop("The patient opted out of text messages.")
REASON_NO_CONSENT = gettext_noop("The patient has no mobile number or did not agree to texts.")
REASON_NO_EMAIL = gettext_noop("The patient has no email address.")
REASON_LINK = gettext_noop("The link was replaced or stopped.")
REASON_INTERRUPTED = gettext_noop("Sending was interrupted; not sent again, so the patient never gets it twice.")


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before the next try after `attempts` failed ones: base, 2x, 4x ... capped."""
    seconds = settings.MESSAGES_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return datetime.timedelta(seconds=min(seconds, settings.MESSAGES_RETRY_MAX_SECONDS))


def claim_due(*, now: datetime.datetime, limit: int = BATCH_SIZE) -> list[OutgoingMessage]:
    batch = uuid.uuid4().hex
    with transaction.atomic():
        due = OutgoingMessage.objects.due(now).order_by("due_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            OutgoingMessage.objects.filter(pk__in=ids).update(claimed_by=batch, claimed_at=now)
        else:
            ids = list(due.values_list("pk", flat=True)[:limit])
            OutgoingMessage.objects.filter(pk__in=ids, status=MessageStatus.QUEUED, claimed_by="").update(
                claimed_by=batch, claimed_at=now
            )
    # Whether each session's reading is still pending comes with the batch: one query, not one per message.
    claimed = OutgoingMessage.objects.filter(claimed_by=batch).annotate(reading_pending=reading_pending_q())
    return list(claimed.select_related("session__patient").order_by("due_at", "pk"))


def _finish(message, **fields):
    """Write the outcome while this batch still holds the row; the claim is released."""
    if fields.get("status") in (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.CANCELLED):
        fields["link_secret"] = ""
    fields |= {"claimed_by": "", "claimed_at": None, "updated_at": timezone.now()}
    OutgoingMessage.objects.filter(pk=message.pk, claimed_by=message.claimed_by).update(**fields)


def _reading_pending(message: OutgoingMessage) -> bool:
    pending = getattr(message, "reading_pending", None)  # annotated by claim_due
    if pending is None:
        pending = TreatmentSession.objects.filter(reading_pending_q("pk"), pk=message.session_id).exists()
    return pending


def why_not_send(message: OutgoingMessage, now: datetime.datetime) -> str:
    """ "" if the message is still wanted now; otherwise the plain-words reason it is not."""
    session, patient = message.session, message.session.patient
    if session.status != SessionStatus.SCHEDULED:
        return REASON_CANCELLED
    if session.scheduled_at <= now:
        return REASON_PAST
    if message.channel == MessageChannel.SMS:
        if patient.texts_opted_out_at is not None:
            return REASON_OPTED_OUT
        if not (patient.mobile_number and patient.consents_to_texts):
            return REASON_NO_CONSENT
    elif not patient.email:
        return REASON_NO_EMAIL
    if message.kind == MessageKind.REMINDER and not _reading_pending(message):
        return REASON_DONE
    return ""


def deliver(message: OutgoingMessage, *, now: datetime.datetime) -> str:
    """Send one claimed message (or cancel, defer, retry it); returns its status afterwards."""
    from portal.reading.tasks import wake_sender_at

    if reason := why_not_send(message, now):
        _finish(message, status=MessageStatus.CANCELLED, last_error=reason)
        return MessageStatus.CANCELLED
    if is_quiet(now):
        later = next_allowed(now)
        _finish(message, due_at=later)
        wake_sender_at(later)
        return MessageStatus.QUEUED
    token = open_token(message.link_secret)
    if token is None or not message.session.link_matches(token):
        _finish(message, status=MessageStatus.CANCELLED, last_error=REASON_LINK)
        return MessageStatus.CANCELLED
    patient = message.session.patient
    rendered = render_message(
        kind=message.kind, channel=message.channel, link=patient_link_url(token), language=patient.preferred_language
    )
    attempts = message.attempts + 1
    try:
        if message.channel == MessageChannel.SMS:
            provider_id = sms_backend().send(to=patient.mobile_number, body=rendered.text)
        else:
            provider_id = send_email(to=patient.email, subject=rendered.subject, text=rendered.text, html=rendered.html)
    except (EmailError, SmsError) as error:
        logger.warning("message %s not sent (attempt %s): %s", message.pk, attempts, error.reason)
        if error.permanent or attempts >= settings.MESSAGES_MAX_ATTEMPTS:
            _finish(message, status=MessageStatus.FAILED, attempts=attempts, last_error=error.reason)
            return MessageStatus.FAILED
        retry_at = now + backoff(attempts)
        _finish(message, attempts=attempts, last_error=error.reason, due_at=retry_at)
        wake_sender_at(retry_at)
        return MessageStatus.QUEUED
    _finish(
        message,
        status=MessageStatus.SENT,
        attempts=attempts,
        sent_at=timezone.now(),
        provider_message_id=provider_id[:100],
        last_error="",
    )
    return MessageStatus.SENT


def fail_abandoned(*, now: datetime.datetime) -> int:
    """Rows claimed longer than CLAIM_LEASE ago: their worker stopped mid-send. Failed, never resent."""
    return OutgoingMessage.objects.filter(status=MessageStatus.QUEUED, claimed_at__lt=now - CLAIM_LEASE).update(
        status=MessageStatus.FAILED, last_error=REASON_INTERRUPTED, claimed_by="", claimed_at=None, link_secret=""
    )


def send_due_messages(*, now: datetime.datetime | None = None, limit: int = BATCH_SIZE) -> dict[str, int]:
    """Send every message due now, a batch at a time, until none is left; counts by outcome."""
    counts: dict[str, int] = {}
    fixed_now = now
    fail_abandoned(now=fixed_now or timezone.now())
    while True:
        moment = fixed_now or timezone.now()
        batch = claim_due(now=moment, limit=limit)
        if not batch:
            return counts
        for message in batch:
            status = deliver(message, now=moment)
            counts[status] = counts.get(status, 0) + 1
