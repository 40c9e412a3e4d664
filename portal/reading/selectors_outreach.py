"""Reads of the front desk and of message delivery: patients found at the desk, the coming days' sessions, and
what was sent (or not) for each session, in plain words. A fixed number of queries for any number of rows."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.reading.forms_frontdesk import MAX_RESULTS
from portal.reading.models import MessageStatus, OutgoingMessage, Patient, SessionStatus, TreatmentSession

FRONTDESK_DAYS = 7


@dataclass(frozen=True)
class Delivery:
    """One line of a session's delivery record: `state` is queued, sent, failed, cancelled or opted_out."""

    when: datetime.datetime
    state: str
    message: OutgoingMessage | None = None

    @property
    def reason(self):
        return self.message.last_error if self.message else ""


def frontdesk_patients(*, query: str) -> list[Patient]:
    query = query.strip()
    if not query:
        return []
    return list(
        Patient.objects.filter(
            Q(reference__iexact=query) | Q(reference__istartswith=query) | Q(display_name__icontains=query)
        )[:MAX_RESULTS]
    )


def frontdesk_sessions(*, now: datetime.datetime | None = None, days: int = FRONTDESK_DAYS) -> list[TreatmentSession]:
    """Today's and the coming days' scheduled sessions, with reading counts and delivery."""
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = list(
        TreatmentSession.objects.between(start, start + datetime.timedelta(days=days))
        .filter(status=SessionStatus.SCHEDULED)
        .select_related("patient", "treatment")
        .with_completion()
        .order_by("scheduled_at", "pk")
    )
    return delivery_attach(sessions)


def _deliveries(messages: QuerySet | list, patient: Patient) -> list[Delivery]:
    lines = [
        Delivery(when=message.sent_at or message.updated_at or message.due_at, state=message.status, message=message)
        for message in messages
        if message.status != MessageStatus.QUEUED or message.attempts
    ]
    lines += [
        Delivery(when=message.due_at, state=MessageStatus.QUEUED, message=message)
        for message in messages
        if message.status == MessageStatus.QUEUED and not message.attempts
    ]
    if patient.texts_opted_out_at:
        lines.append(Delivery(when=patient.texts_opted_out_at, state="opted_out"))
    return sorted(lines, key=lambda line: line.when)


def delivery_attach(sessions: list[TreatmentSession]) -> list[TreatmentSession]:
    """Set `session.delivery` (a list of Delivery) on each session, in one query."""
    by_session: dict[int, list[OutgoingMessage]] = {session.pk: [] for session in sessions}
    for message in OutgoingMessage.objects.filter(session_id__in=by_session).defer("link_secret").order_by("pk"):
        by_session[message.session_id].append(message)
    for session in sessions:
        session.delivery = _deliveries(by_session[session.pk], session.patient)
    return sessions


def session_delivery(*, session: TreatmentSession) -> list[Delivery]:
    messages = list(session.messages.defer("link_secret").order_by("pk"))
    return _deliveries(messages, session.patient)
