"""HL7 v2 SIU scheduling messages (2.3 to 2.5.1): parsed and validated with hl7apy, read into an AppointmentEvent,
applied, recorded and answered with an ACK (AA, or AE/AR with the reason).

    S12 new, S13 rescheduled, S14 modified  -> the session is created or moved
    S15 cancelled, S16 discontinued, S17 deleted -> cancelled (its link stops working)
    S26 no-show                              -> marked no-show

Fields read: MSH-3/4 (sender), MSH-7 (message time: an older message than the last one applied changes
nothing), MSH-9, MSH-10, MSH-12; SCH-1/SCH-2 (placer / filler appointment id; its EI-2 namespace, else the
sending facility, is the system that assigned it), SCH-11.4 start (or TQ1-7, AIS-4, AIG-8, AIL-6), SCH-7,
SCH-8, AIS-3, AIG-3, AIG-4, AIL-3, AIL-4 (codes mapped to a treatment); PID-3 (the identifier of
HL7_PATIENT_ID_AUTHORITY), PID-5 (as HL7_STORE_NAMES says), PID-13/14 (only with HL7_ACCEPT_CONTACT_DETAILS).

Nothing of a message is ever logged but its control id, type and result.
"""

import contextlib
import dataclasses
import datetime
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils import timezone
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_message

from portal.reading.interop.er7 import Er7, control_id_of, parse_dtm
from portal.reading.interop.names import stored_name
from portal.reading.models import InterfaceChannel, InterfaceResult, SessionSource
from portal.reading.services.appointments import (
    AppliedAppointment,
    AppointmentAction,
    AppointmentEvent,
    appointment_apply,
    interface_message_record,
)

logger = logging.getLogger("portal.reading.interop")

VALIDATED_SEGMENTS = {"MSH", "SCH", "TQ1", "PID", "AIS", "AIG", "AIL"}
SUPPORTED_VERSIONS = {"2.3", "2.3.1", "2.4", "2.5", "2.5.1"}
EVENT_ACTIONS = {
    "S12": AppointmentAction.BOOK,
    "S13": AppointmentAction.BOOK,
    "S14": AppointmentAction.BOOK,
    "S15": AppointmentAction.CANCEL,
    "S16": AppointmentAction.CANCEL,
    "S17": AppointmentAction.CANCEL,
    "S26": AppointmentAction.NO_SHOW,
}


class MessageRejected(Exception):
    """The message cannot be taken: `code` is the acknowledgment code (AE: its content; AR: not ours to read)."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclasses.dataclass(frozen=True)
class Received:
    """What one message did: the ACK to send back, and its record."""

    ack: str
    code: str  # AA, AE or AR
    control_id: str
    result: str


# Reading an SIU message into an event ------------------------------------------------------------------------


def _display_name(er7: Er7, pid) -> str | None:
    if settings.HL7_STORE_NAMES == "none":
        return None
    names = er7.repetitions(er7.field(pid, 5))
    if not names:
        return None
    family, given = er7.subcomponent(er7.component(names[0], 1), 1), er7.component(names[0], 2)
    return stored_name(family=family.title(), given=[given.title()])


def _patient_reference(er7: Er7, pid) -> str:
    authority = settings.HL7_PATIENT_ID_AUTHORITY
    for rep in er7.repetitions(er7.field(pid, 3)):
        identifier, assigner = er7.component(rep, 1), er7.component(rep, 4)
        names = {er7.subcomponent(assigner, 1), er7.subcomponent(assigner, 2)}
        if identifier and (not authority or authority in names):
            return identifier[:64]
    if authority:
        raise MessageRejected("AE", f"PID-3 has no patient identifier of the authority {authority}")
    raise MessageRejected("AE", "PID-3 has no patient identifier")


def _contact_details(er7: Er7, pid) -> tuple[str | None, str | None]:
    """(email, mobile number) from PID-13 (an email also from PID-14, where some senders put it), or
    (None, None) unless the clinic stores contact details. A mobile is a number of equipment type CP."""
    if not settings.HL7_ACCEPT_CONTACT_DETAILS:
        return None, None
    email = mobile = None
    home, business = er7.repetitions(er7.field(pid, 13)), er7.repetitions(er7.field(pid, 14))
    for rep in home + business:
        use, equipment = er7.component(rep, 2), er7.component(rep, 3)
        if email is None and (use == "NET" or equipment in ("Internet", "X.400")):
            candidate = er7.component(rep, 4)
            try:
                validate_email(candidate)
                email = candidate
            except ValidationError:
                pass
        if mobile is None and equipment == "CP" and rep in home:
            number = er7.component(rep, 1) or "".join(er7.component(rep, n) for n in (5, 6, 7))
            digits = re.sub(r"\D", "", number)
            if 7 <= len(digits) <= 15:
                mobile = ("+" if number.strip().startswith("+") or er7.component(rep, 5) else "") + digits
    return email, mobile


def _coded(er7: Er7, value: str) -> tuple[str, str] | None:
    """(system, code) of a CE/CWE value ("code^text^system"), or None without a code."""
    code = er7.component(value, 1)
    return (er7.component(value, 3), code) if code else None


def _codes(er7: Er7) -> tuple[tuple[str, str], ...]:
    sch = er7.all("SCH")[0]
    values = [er7.field(sch, 8), er7.field(sch, 7)]
    for name, numbers in (("AIS", (3,)), ("AIG", (3, 4)), ("AIL", (4,))):
        values += [er7.field(segment, n) for segment in er7.all(name) for n in numbers]
    codes = [coded for value in values if (coded := _coded(er7, value))]
    codes += [("", code) for segment in er7.all("AIL") if (code := er7.component(er7.field(segment, 3), 1))]
    return tuple(dict.fromkeys(codes))


def _start(er7: Er7) -> datetime.datetime | None:
    sch = er7.all("SCH")[0]
    candidates = [er7.component(er7.field(sch, 11), 4)]
    candidates += [er7.component(er7.field(tq1, 7), 1) for tq1 in er7.all("TQ1")]
    for name, number in (("AIS", 4), ("AIG", 8), ("AIL", 6)):
        candidates += [er7.component(er7.field(segment, number), 1) for segment in er7.all(name)]
    for value in candidates:
        if value and (moment := parse_dtm(value)):
            return moment
    return None


def _appointment_id(er7: Er7, msh) -> tuple[str, str]:
    """(assigning system, appointment id): the filler's id (SCH-2), else the placer's (SCH-1)."""
    sch = er7.all("SCH")[0]
    for value in (er7.field(sch, 2), er7.field(sch, 1)):
        identifier = er7.component(value, 1)
        if identifier:
            system = (
                er7.component(value, 2)
                or er7.component(value, 3)
                or er7.subcomponent(er7.field(msh, 4), 1)
                or er7.subcomponent(er7.field(msh, 3), 1)
            )
            return system[:200], identifier[:100]
    raise MessageRejected("AE", "SCH has no placer or filler appointment id")


def siu_event(er7: Er7, event_code: str) -> AppointmentEvent:
    """The appointment event of a validated SIU message (raises MessageRejected with AE when a field is missing)."""
    msh = er7.all("MSH")[0]
    if not er7.all("SCH"):
        raise MessageRejected("AE", "the message has no SCH segment")
    pids = er7.all("PID")
    if not pids:
        raise MessageRejected("AE", "the message has no PID segment")
    pid = pids[0]
    system, external_id = _appointment_id(er7, msh)
    email, mobile = _contact_details(er7, pid)
    return AppointmentEvent(
        source=SessionSource.HL7,
        source_system=system,
        external_id=external_id,
        action=EVENT_ACTIONS[event_code],
        scheduled_at=_start(er7),
        source_time=parse_dtm(er7.component(er7.field(msh, 7), 1)),
        codes=_codes(er7),
        patient_reference=_patient_reference(er7, pid),
        display_name=_display_name(er7, pid),
        email=email,
        mobile_number=mobile,
    )


def validated(text: str) -> tuple[Er7, str, str]:
    """(fields, message type, event code) of an SIU message whose segments we read hl7apy parses (their fields,
    components and data types, in the message's version); MessageRejected(AR) otherwise."""
    if not text.startswith("MSH") or len(text) < 8:
        raise MessageRejected("AR", "not an HL7 v2 message (no MSH segment)")
    er7 = Er7(text)
    msh = er7.all("MSH")[0]
    version = er7.component(er7.field(msh, 12), 1)
    if version not in SUPPORTED_VERSIONS:
        raise MessageRejected("AR", "unsupported HL7 version (2.3 to 2.5.1 are read)")
    try:
        # The segments the appointment is read from (parsing the rest, PV1 and its 50 fields, tripled the cost).
        read = "\r".join(segment for segment in er7.segments if segment[:3] in VALIDATED_SEGMENTS)
        parse_message(read, find_groups=False, validation_level=VALIDATION_LEVEL.TOLERANT)
    except (HL7apyException, ValueError, IndexError, KeyError, AttributeError, TypeError):
        raise MessageRejected("AR", "the message does not parse as HL7 v2") from None
    message_type = er7.field(msh, 9)
    kind, event_code = er7.component(message_type, 1), er7.component(message_type, 2)
    if not er7.field(msh, 10):
        raise MessageRejected("AR", "MSH-10 (message control id) is empty")
    if kind != "SIU" or event_code not in EVENT_ACTIONS:
        raise MessageRejected("AR", "unsupported message type (SIU S12-S17 and S26 are read)")
    return er7, f"{kind}^{event_code}", event_code


# Acknowledgments ---------------------------------------------------------------------------------------------


def build_ack(text: str, code: str, reason: str = "") -> str:
    """The ACK of a message (its sender and receiver swapped, its control id in MSA-2), as ER7 with \\r."""
    now = timezone.now().strftime("%Y%m%d%H%M%S%z")
    try:
        er7 = Er7(text) if text.startswith("MSH") and len(text) >= 8 else None
    except IndexError:
        er7 = None
    if er7 is None:
        er7 = Er7("MSH|^~\\&|")
        msh = None
    else:
        msh = er7.all("MSH")[0]
    f = er7.field_sep
    version = er7.component(er7.field(msh, 12), 1) if msh else ""
    version = version if version in SUPPORTED_VERSIONS else "2.5.1"
    event = er7.component(er7.field(msh, 9), 2) if msh else ""
    message_type = f"ACK{er7.component_sep}{event}" + (f"{er7.component_sep}ACK" if version >= "2.4" else "")
    control_id = er7.field(msh, 10) if msh else ""
    encoding = er7.component_sep + er7.repetition_sep + er7.escape + er7.subcomponent_sep
    header = [
        "MSH",
        encoding,
        er7.field(msh, 5),
        er7.field(msh, 6),
        er7.field(msh, 3),
        er7.field(msh, 4),
        now,
        "",
        message_type,
        f"ACK{control_id}"[:20] if control_id else f"ACK{now}",
        er7.field(msh, 11) or "P",
        version,
    ]
    msa = ["MSA", code, control_id, er7.escaped(reason)[:80]]
    return f.join(header) + "\r" + f.join(msa) + "\r"


# Receiving a message -----------------------------------------------------------------------------------------


def hl7_receive(text: str, *, writer_turn=contextlib.nullcontext) -> Received:
    """Read, apply and record one message; returns the ACK to send. Never raises for what a sender sends.
    `writer_turn()` is held while writing (the listener's threads take turns on SQLite)."""
    text = text.strip("\r\n\x0b\x1c ")
    control_id = control_id_of(text)
    message_type = sending_system = ""
    message_time = None

    def record(applied):
        with writer_turn():
            _record(applied)

    def _record(applied):
        interface_message_record(
            channel=InterfaceChannel.HL7,
            control_id=control_id,
            message_type=message_type,
            sending_system=sending_system,
            message_time=message_time,
            applied=applied,
            payload=text,
        )

    try:
        er7, message_type, event_code = validated(text)
        msh = er7.all("MSH")[0]
        sending_system = er7.subcomponent(er7.field(msh, 4), 1) or er7.subcomponent(er7.field(msh, 3), 1)
        message_time = parse_dtm(er7.component(er7.field(msh, 7), 1))
        event = siu_event(er7, event_code)
        with writer_turn(), transaction.atomic():
            applied = appointment_apply(event=event)
            _record(applied)
    except MessageRejected as rejected:
        applied = AppliedAppointment(InterfaceResult.REJECTED, error=rejected.reason)
        code = rejected.code
    except DatabaseError:  # e.g. the same patient and time as another session: nothing of it was saved
        applied = AppliedAppointment(InterfaceResult.REJECTED, error="the appointment could not be saved")
        code = "AE"
    else:  # recorded with what it did, in the same transaction
        code = "AE" if applied.result == InterfaceResult.REJECTED else "AA"
        return _received(text, code, applied, control_id, message_type)
    try:  # a refusal is kept too (nothing else of the message was saved)
        record(applied)
    except DatabaseError:
        logger.exception("HL7 control_id=%s: the refusal could not be recorded", control_id or "?")
    return _received(text, code, applied, control_id, message_type)


def _received(text, code, applied, control_id, message_type) -> Received:
    logger.info("HL7 %s control_id=%s %s %s", message_type or "?", control_id or "?", code, applied.result)
    ack = build_ack(text, code, applied.error)
    return Received(ack=ack, code=code, control_id=control_id, result=applied.result)
