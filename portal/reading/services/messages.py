"""Messages to patients, as rows: the link by email or text, reminders before the session, opting out of texts.

Each is queued in the same transaction as what caused it (with the wake-up of a worker, also a row), never sent
inside a web request: the worker (portal.reading.messaging.sender) sends it. What a message says comes from
templates/messages/ (clinic, "pages to read before your visit", the link, how to opt out: no name, no
treatment)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.reading.messaging.quiet_hours import next_allowed
from portal.reading.messaging.secrets import seal_token
from portal.reading.messaging.sender import REASON_LINK, REASON_OPTED_OUT, REASON_PAST
from portal.reading.messaging.sms import sms_enabled
from portal.reading.models import (
    MessageChannel,
    MessageKind,
    MessageStatus,
    OutgoingMessage,
    Patient,
    TreatmentSession,
)
from portal.reading.services.sessions import session_issue_link
from portal.reading.tasks import wake_sender_at


class MessageNotPossible(Exception):
    """The patient cannot be reached on that channel (no address, no consent, opted out, texts not set up)."""


def patient_can_text(patient: Patient) -> bool:
    return bool(patient.mobile_number and patient.consents_to_texts and patient.texts_opted_out_at is None)


def _check_channel(patient: Patient, channel: str) -> None:
    if channel == MessageChannel.EMAIL:
        if not patient.email:
            raise MessageNotPossible(_("The patient has no email address."))
    elif channel == MessageChannel.SMS:
        if not sms_enabled():
            raise MessageNotPossible(_("Text messages are not set up for this clinic."))
        if patient.texts_opted_out_at is not None:
            raise MessageNotPossible(_("The patient opted out of text messages."))
        if not (patient.mobile_number and patient.consents_to_texts):
            raise MessageNotPossible(_("The patient has no mobile number or did not agree to texts."))
    else:
        raise MessageNotPossible(_("Unknown channel."))


@transaction.atomic
def message_queue(
    *, session: TreatmentSession, kind: str, channel: str, token: str, due_at: datetime.datetime, rule=None
) -> OutgoingMessage:
    """Queue one message (and a worker's wake-up at its due time) in the caller's transaction."""
    message = OutgoingMessage.objects.create(
        session=session, kind=kind, channel=channel, due_at=due_at, rule=rule, link_secret=seal_token(token)
    )
    wake_sender_at(due_at)
    return message


@transaction.atomic
def session_send_link(
    *, session: TreatmentSession, token: str, channel: str, now: datetime.datetime | None = None
) -> OutgoingMessage:
    """Queue the link (`token`, the session's current one) by email or text, due now. Raises MessageNotPossible."""
    _check_channel(session.patient, channel)
    if not session.link_matches(token):
        raise MessageNotPossible(_("That link is no longer the session's link: issue a new one."))
    return message_queue(
        session=session, kind=MessageKind.LINK, channel=channel, token=token, due_at=now or timezone.now()
    )


def session_email_link(*, session: TreatmentSession, token: str) -> OutgoingMessage:
    """Queue the link by email (the staff session page's "Email the link")."""
    return session_send_link(session=session, token=token, channel=MessageChannel.EMAIL)


def reminder_channel(patient: Patient) -> str | None:
    """Reminders go by text when the patient can get texts, else by email, else not at all."""
    if sms_enabled() and patient_can_text(patient):
        return MessageChannel.SMS
    if patient.email:
        return MessageChannel.EMAIL
    return None


def _reminder_due(session, rule, now):
    due = next_allowed(session.scheduled_at - datetime.timedelta(hours=rule.hours_before))
    return due if now < due < session.scheduled_at else None


@transaction.atomic
def reminders_plan(
    *, session: TreatmentSession, token: str | None = None, now: datetime.datetime | None = None
) -> list[OutgoingMessage]:
    """Plan the session's reminders from its treatment's active rules: one row per rule (the unique constraint),
    due at the rule's time moved out of quiet hours. Queued rows get the new time (and `token`, when given: a new
    link); a rule whose time has passed, or that already sent, plans nothing. Without `token`, the link is taken
    from a queued row of the session; with none, nothing can be planned. Returns the queued reminders."""
    now = now or timezone.now()
    queued = {m.rule_id: m for m in session.messages.filter(kind=MessageKind.REMINDER).select_for_update()}
    if token is None:
        secret = next((m.link_secret for m in queued.values() if m.link_secret), "")
        if not secret:
            secret = (
                session.messages.filter(status=MessageStatus.QUEUED)
                .exclude(link_secret="")
                .values_list("link_secret", flat=True)
                .first()
                or ""
            )
    else:
        secret = seal_token(token)
    channel = reminder_channel(session.patient)
    planned = []
    for rule in session.treatment.reminder_rules.filter(is_active=True):
        due = _reminder_due(session, rule, now)
        existing = queued.get(rule.pk)
        if existing is not None and existing.status != MessageStatus.QUEUED:
            continue  # sent, failed or cancelled for good: at most one per rule per session
        if due is None or channel is None or not secret:
            if existing is not None:
                OutgoingMessage.objects.filter(pk=existing.pk, claimed_by="").update(
                    status=MessageStatus.CANCELLED, link_secret="", last_error=REASON_PAST
                )
            continue
        if existing is None:
            message = OutgoingMessage.objects.create(
                session=session, kind=MessageKind.REMINDER, channel=channel, rule=rule, due_at=due, link_secret=secret
            )
        else:
            OutgoingMessage.objects.filter(pk=existing.pk).update(due_at=due, channel=channel, link_secret=secret)
            message = existing
        wake_sender_at(due)
        planned.append(message)
    return planned


@transaction.atomic
def session_link_deliver(*, session: TreatmentSession, now: datetime.datetime | None = None) -> OutgoingMessage | None:
    """Give a session that has no link yet (one made from the EHR's feed) its link: issued, then queued to the
    patient on the reminder channel (text, else email), due now or at the end of quiet hours, with the session's
    reminders planned. A patient who cannot be reached (or a session already past) gets nothing queued: the
    session keeps its link for the front desk to hand out. A session that has a link already (one the front desk
    made, taken over by the feed) is left as it is: that link may be printed. Returns the queued link message, or
    None."""
    now = now or timezone.now()
    if session.token_hash and session.link_revoked_at is None:
        return None
    token = session_issue_link(session=session)
    channel = reminder_channel(session.patient)
    if channel is None or session.scheduled_at <= now:
        return None
    message = message_queue(
        session=session, kind=MessageKind.LINK, channel=channel, token=token, due_at=next_allowed(now)
    )
    reminders_plan(session=session, token=token, now=now)
    return message


def messages_link_issued(*, session: TreatmentSession, token: str) -> None:
    """A new link replaces the old one: queued messages carrying the old link are cancelled, reminders re-planned
    with the new one."""
    with transaction.atomic():
        session.messages.filter(status=MessageStatus.QUEUED, kind=MessageKind.LINK, claimed_by="").update(
            status=MessageStatus.CANCELLED, link_secret="", last_error=REASON_LINK
        )
        reminders_plan(session=session, token=token)


def messages_cancel(*, session: TreatmentSession, reason: str) -> int:
    """Cancel every message of the session not sent yet (a row a worker holds right now is left to it: the worker
    re-checks the session before sending)."""
    return session.messages.filter(status=MessageStatus.QUEUED, claimed_by="").update(
        status=MessageStatus.CANCELLED, link_secret="", last_error=reason, updated_at=timezone.now()
    )


@transaction.atomic
def patient_opt_out_texts(*, patient: Patient, now: datetime.datetime | None = None) -> None:
    """The patient replied STOP: no more texts (queued ones are cancelled); the first time is kept."""
    now = now or timezone.now()
    Patient.objects.filter(pk=patient.pk, texts_opted_out_at__isnull=True).update(texts_opted_out_at=now)
    OutgoingMessage.objects.filter(
        session__patient=patient, channel=MessageChannel.SMS, status=MessageStatus.QUEUED, claimed_by=""
    ).update(status=MessageStatus.CANCELLED, link_secret="", last_error=REASON_OPTED_OUT)


def patient_opt_in_texts(*, patient: Patient) -> None:
    """The patient replied START: texts may be sent again."""
    Patient.objects.filter(pk=patient.pk).update(texts_opted_out_at=None)
