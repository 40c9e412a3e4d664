"""Appointments from the clinic's EHR (HL7 v2 SIU, FHIR R4 Appointment) applied to sessions: one place for both.

`appointment_apply` takes an `AppointmentEvent` (what portal.reading.interop.hl7 and .fhir read from a message)
and creates, moves, cancels or marks no-show the one session of that appointment, through the session services
(session_create, session_reschedule, session_cancel: their signal re-plans reminders). Idempotent and ordered:
the session is keyed by (source system, appointment id) under a unique constraint and locked while it changes;
an event older than the last change applied (MSH-7, meta.lastUpdated) changes nothing; a replay changes
nothing. An appointment whose codes map to no treatment (AppointmentTypeMapping), or to more than one, is
ignored, never guessed.
"""

import dataclasses
import datetime
import enum

from django.db import IntegrityError, transaction
from django.db.models import Q

from portal.reading.interop.payload import payload_to_keep
from portal.reading.models import (
    AppointmentTypeMapping,
    InterfaceMessage,
    InterfaceResult,
    SessionStatus,
    TreatmentSession,
)
from portal.reading.services.patients import patient_upsert
from portal.reading.services.sessions import NOT_HELD, session_cancel, session_create, session_reschedule
from portal.reading.signals import session_imported


class AppointmentAction(enum.StrEnum):
    BOOK = "book"  # new or changed (S12, S13, S14; FHIR booked, arrived, …)
    CANCEL = "cancel"  # S15, S16, S17; FHIR cancelled, entered-in-error
    NO_SHOW = "no_show"  # S26; FHIR noshow


@dataclasses.dataclass(frozen=True)
class AppointmentEvent:
    source: str  # SessionSource: hl7 or fhir
    source_system: str
    external_id: str
    action: AppointmentAction
    scheduled_at: datetime.datetime | None
    source_time: datetime.datetime | None
    codes: tuple[tuple[str, str], ...]  # (system, code) in the order they are tried
    patient_reference: str
    display_name: str | None = None  # None: not stored (the clinic's choice), so left as it is
    email: str | None = None
    mobile_number: str | None = None


@dataclasses.dataclass(frozen=True)
class AppliedAppointment:
    result: str  # InterfaceResult
    session: TreatmentSession | None = None
    error: str = ""  # in our words, never the message's data


def appointment_treatment(*, codes) -> tuple[object | None, str]:
    """The one treatment these codes map to, or (None, why). Codes mapping to two treatments are not guessed."""
    if not codes:
        return None, "no appointment type or service code"
    query = Q()
    for system, code in codes:
        query |= Q(code=code, system__in=[system, ""])
    mappings = list(AppointmentTypeMapping.objects.filter(query, is_active=True).select_related("treatment"))
    treatments = {mapping.treatment_id: mapping.treatment for mapping in mappings}
    if not treatments:
        return None, "appointment type not mapped to a treatment"
    if len(treatments) > 1:
        return None, "appointment codes map to more than one treatment"
    return next(iter(treatments.values())), ""


def _locked_session(event):
    return (
        TreatmentSession.objects.select_for_update()
        .filter(source_system=event.source_system, external_id=event.external_id)
        .first()
    )


def _mark_applied(session, event):
    if event.source_time and (session.source_updated_at is None or event.source_time > session.source_updated_at):
        session.source_updated_at = event.source_time
        TreatmentSession.objects.filter(pk=session.pk).update(source_updated_at=event.source_time)


def _create(event, treatment):
    """The new session of this appointment (with its reading list and patient), or the one a concurrent
    message about the same appointment made first (the unique constraint decides). A session the front desk
    already made for this patient, treatment and time is taken over rather than doubled."""
    patient, _ = patient_upsert(
        reference=event.patient_reference,
        display_name=event.display_name,
        email=event.email,
        mobile_number=event.mobile_number,
    )
    source = {
        "source": event.source,
        "source_system": event.source_system,
        "external_id": event.external_id,
        "source_updated_at": event.source_time,
    }
    try:
        with transaction.atomic():
            session = TreatmentSession.objects.filter(
                patient=patient, treatment=treatment, scheduled_at=event.scheduled_at, external_id=""
            ).first() or session_create(patient=patient, treatment=treatment, scheduled_at=event.scheduled_at)
            TreatmentSession.objects.filter(pk=session.pk).update(**source)
    except IntegrityError:
        session = _locked_session(event)
        if session is None:  # the same patient, treatment and time belongs to another appointment
            return AppliedAppointment(InterfaceResult.REJECTED, error="another appointment has this patient and time")
        return AppliedAppointment(InterfaceResult.UNCHANGED, session)
    session.refresh_from_db()
    session_imported.send(sender=TreatmentSession, session=session, source=event.source)
    return AppliedAppointment(InterfaceResult.CREATED, session)


@transaction.atomic
def appointment_apply(*, event: AppointmentEvent) -> AppliedAppointment:
    """Apply one EHR appointment event; returns what it did (InterfaceResult) and the session it touched."""
    session = _locked_session(event)
    stale = session is not None and event.source_time and session.source_updated_at
    if stale and event.source_time < session.source_updated_at:
        return AppliedAppointment(InterfaceResult.STALE, session, "a later change was applied already")
    if event.action in (AppointmentAction.CANCEL, AppointmentAction.NO_SHOW):
        if session is None:
            return AppliedAppointment(InterfaceResult.IGNORED, error="no session for this appointment")
        status = SessionStatus.NO_SHOW if event.action == AppointmentAction.NO_SHOW else SessionStatus.CANCELLED
        _mark_applied(session, event)
        if session.status == status:
            return AppliedAppointment(InterfaceResult.UNCHANGED, session)
        session_cancel(session=session, status=status)
        return AppliedAppointment(
            InterfaceResult.NO_SHOW if status == SessionStatus.NO_SHOW else InterfaceResult.CANCELLED, session
        )
    if event.scheduled_at is None:
        return AppliedAppointment(InterfaceResult.REJECTED, session, "no appointment start time")
    if session is None:
        treatment, why = appointment_treatment(codes=event.codes)
        if treatment is None:
            return AppliedAppointment(InterfaceResult.IGNORED, error=why)
        return _create(event, treatment)
    _mark_applied(session, event)
    if session.status in NOT_HELD:
        return AppliedAppointment(InterfaceResult.UNCHANGED, session, "the session was cancelled")
    patient_upsert(
        reference=session.patient.reference,
        display_name=event.display_name,
        email=event.email,
        mobile_number=event.mobile_number,
    )
    if session.scheduled_at == event.scheduled_at:
        return AppliedAppointment(InterfaceResult.UNCHANGED, session)
    session_reschedule(session=session, scheduled_at=event.scheduled_at)
    return AppliedAppointment(InterfaceResult.UPDATED, session)


def interface_message_record(
    *,
    channel: str,
    control_id: str,
    message_type: str,
    sending_system: str,
    message_time: datetime.datetime | None,
    applied: AppliedAppointment,
    payload: str,
) -> InterfaceMessage:
    """Keep the record of one message received (for INTERFACE_MESSAGE_RETENTION_DAYS): what it was, what it did,
    the session it touched; its payload only encrypted, and only when the clinic chose to keep payloads."""
    return InterfaceMessage.objects.create(
        channel=channel,
        control_id=control_id[:64],
        message_type=message_type[:32],
        sending_system=sending_system[:200],
        message_time=message_time,
        result=applied.result,
        error=applied.error[:200],
        session=applied.session,
        payload_encrypted=payload_to_keep(payload),
    )


def interface_messages_purge(*, days: int, now: datetime.datetime | None = None) -> int:
    """Delete the records (and kept payloads) of messages received more than `days` days ago; returns how many."""
    deleted, _ = InterfaceMessage.objects.older_than(days, now=now).delete()
    return deleted
