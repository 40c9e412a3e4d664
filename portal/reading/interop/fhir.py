"""FHIR R4 Appointments (manage.py import_fhir_appointments): from a Bundle file, or a FHIR server's search
followed page by page through its `next` links, with a bearer token. Resources are validated with
fhir.resources 6.4 (FHIR 4.0.1 models).

    Appointment.id (+ the server)            -> the session's appointment key (one session per appointment)
    status booked, pending, arrived, checked-in, fulfilled -> created or moved to `start`
    status cancelled, entered-in-error       -> cancelled;  noshow -> no-show;  proposed, waitlist -> ignored
    serviceType[].coding, appointmentType.coding -> AppointmentTypeMapping (system URI, code)
    the Patient participant                  -> its identifier of FHIR_PATIENT_IDENTIFIER_SYSTEM (on the reference,
                                                or on the Patient the Bundle includes) = Patient.reference
    meta.lastUpdated                         -> ordering: an older version than the last one applied changes nothing

Names are kept as HL7_STORE_NAMES says (initials by default), telecom only with HL7_ACCEPT_CONTACT_DETAILS.
The bearer token is sent only to the server's own origin: a `next` link elsewhere is not followed.
"""

import dataclasses
import json
import logging
import urllib.parse
import urllib.request

import pydantic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from fhir.resources.appointment import Appointment
from fhir.resources.bundle import Bundle
from fhir.resources.patient import Patient as FhirPatient

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

STATUS_ACTIONS = {
    "booked": AppointmentAction.BOOK,
    "pending": AppointmentAction.BOOK,
    "arrived": AppointmentAction.BOOK,
    "checked-in": AppointmentAction.BOOK,
    "fulfilled": AppointmentAction.BOOK,
    "cancelled": AppointmentAction.CANCEL,
    "entered-in-error": AppointmentAction.CANCEL,
    "noshow": AppointmentAction.NO_SHOW,
}
NOT_YET = {"proposed", "waitlist"}
MAX_PAGES = 200


class FhirError(Exception):
    """The Bundle or the server's answer cannot be read (nothing of that page was applied)."""


@dataclasses.dataclass(frozen=True)
class Imported:
    appointment_id: str
    result: str
    error: str = ""


def _display_name(patient: FhirPatient | None, display: str) -> str | None:
    if settings.HL7_STORE_NAMES == "none":
        return None
    names = (patient.name or []) if patient else []
    name = next((n for n in names if n.use == "official"), names[0] if names else None)
    if name is not None:
        return stored_name(family=name.family or "", given=list(name.given or []))
    words = display.split()  # only the participant's display ("Peter James Chalmers")
    return stored_name(family=words[-1] if len(words) > 1 else "", given=words[:-1] or words)


def _identifier(identifiers) -> str:
    system = settings.FHIR_PATIENT_IDENTIFIER_SYSTEM
    for identifier in identifiers or []:
        if identifier.value and (not system or identifier.system == system):
            return identifier.value[:64]
    return ""


def _contact_details(patient: FhirPatient | None) -> tuple[str | None, str | None]:
    if not settings.HL7_ACCEPT_CONTACT_DETAILS or patient is None:
        return None, None
    email = mobile = None
    for telecom in patient.telecom or []:
        if telecom.system == "email" and email is None and telecom.value:
            try:
                validate_email(telecom.value)
                email = telecom.value
            except ValidationError:
                pass
        if telecom.system in ("phone", "sms") and telecom.use == "mobile" and mobile is None and telecom.value:
            digits = "".join(ch for ch in telecom.value if ch.isdigit())
            if 7 <= len(digits) <= 15:
                mobile = ("+" if telecom.value.strip().startswith("+") else "") + digits
    return email, mobile


def _codes(appointment: Appointment) -> tuple[tuple[str, str], ...]:
    concepts = list(appointment.serviceType or [])
    if appointment.appointmentType:
        concepts.append(appointment.appointmentType)
    codings = [coding for concept in concepts for coding in concept.coding or [] if coding.code]
    codes = [(coding.system or "", coding.code) for coding in codings]
    return tuple(dict.fromkeys(codes))


def appointment_event(appointment: Appointment, *, server: str, patients: dict) -> AppointmentEvent | str:
    """The event of one validated Appointment, or why it is not taken (a string)."""
    if appointment.status in NOT_YET:
        return f"status {appointment.status}: not booked yet"
    action = STATUS_ACTIONS.get(appointment.status)
    if action is None:
        return "unknown appointment status"
    participant = next(
        (
            p
            for p in appointment.participant or []
            if p.actor and ((p.actor.reference or "").startswith("Patient/") or p.actor.type == "Patient")
        ),
        None,
    )
    if participant is None:
        return "no Patient participant"
    actor = participant.actor
    patient = patients.get(actor.reference or "")
    reference = _identifier([actor.identifier] if actor.identifier else []) or (
        _identifier(patient.identifier) if patient else ""
    )
    if not reference:
        return "the patient has no identifier of the clinic's system"
    email, mobile = _contact_details(patient)
    last_updated = appointment.meta.lastUpdated if appointment.meta else None
    return AppointmentEvent(
        source=SessionSource.FHIR,
        source_system=server[:200],
        external_id=appointment.id[:100],
        action=action,
        scheduled_at=appointment.start,
        source_time=last_updated,
        codes=_codes(appointment),
        patient_reference=reference,
        display_name=_display_name(patient, actor.display or ""),
        email=email,
        mobile_number=mobile,
    )


def _record(resource_id, server, message_time, applied, payload):
    interface_message_record(
        channel=InterfaceChannel.FHIR,
        control_id=resource_id,
        message_type="Appointment",
        sending_system=server,
        message_time=message_time,
        applied=applied,
        payload=payload,
    )


def _import_one(resource: dict, *, server: str, patients: dict) -> Imported:
    resource_id = str(resource.get("id") or "")[:64]
    payload = json.dumps(resource, sort_keys=True)
    try:
        appointment = Appointment.parse_obj(resource)
    except (pydantic.ValidationError, TypeError, ValueError):
        applied = AppliedAppointment(InterfaceResult.REJECTED, error="not a valid FHIR R4 Appointment")
        _record(resource_id, server, None, applied, payload)
        return Imported(resource_id, applied.result, applied.error)
    message_time = appointment.meta.lastUpdated if appointment.meta else None
    if not appointment.id:
        applied = AppliedAppointment(InterfaceResult.REJECTED, error="the Appointment has no id")
        _record(resource_id, server, message_time, applied, payload)
        return Imported(resource_id, applied.result, applied.error)
    event = appointment_event(appointment, server=server, patients=patients)
    if isinstance(event, str):
        result = InterfaceResult.IGNORED if event.startswith("status") else InterfaceResult.REJECTED
        applied = AppliedAppointment(result, error=event)
        _record(resource_id, server, message_time, applied, payload)
        return Imported(resource_id, applied.result, applied.error)
    try:
        with transaction.atomic():
            applied = appointment_apply(event=event)
            _record(resource_id, server, message_time, applied, payload)
    except DatabaseError:
        applied = AppliedAppointment(InterfaceResult.REJECTED, error="the appointment could not be saved")
        _record(resource_id, server, message_time, applied, payload)
    logger.info("FHIR Appointment id=%s %s", resource_id or "?", applied.result)
    return Imported(resource_id, applied.result, applied.error)


def bundle_import(data: dict, *, server: str) -> tuple[list[Imported], str | None]:
    """Apply every Appointment of one Bundle page; returns what each did and the page's `next` link."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise FhirError("not a FHIR Bundle")
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise FhirError("the Bundle's entry is not a list")
    try:
        bundle = Bundle.parse_obj({**data, "entry": []})  # the Bundle itself; each resource is validated alone
    except (pydantic.ValidationError, TypeError, ValueError):
        raise FhirError("not a valid FHIR R4 Bundle") from None
    patients = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
            try:
                patient = FhirPatient.parse_obj(resource)
            except (pydantic.ValidationError, TypeError, ValueError):
                continue
            patients[f"Patient/{patient.id}"] = patient
            if entry.get("fullUrl"):
                patients[entry["fullUrl"]] = patient
    imported = [
        _import_one(entry["resource"], server=server, patients=patients)
        for entry in entries
        if isinstance(entry, dict)
        and isinstance(entry.get("resource"), dict)
        and entry["resource"].get("resourceType") == "Appointment"
    ]
    next_link = next((link.url for link in bundle.link or [] if link.relation == "next"), None)
    return imported, next_link


def _same_origin(url: str, server: str) -> bool:
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(server)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def fetch_json(url: str, *, token: str, timeout: float = 30.0) -> dict:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FhirError("the FHIR server's address must be http(s)")
    request = urllib.request.Request(url, headers={"Accept": "application/fhir+json"})  # noqa: S310 - checked above
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s), checked above
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        raise FhirError(f"the FHIR server answered {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FhirError(f"the FHIR server could not be reached ({type(error).__name__})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FhirError("the FHIR server's answer is not JSON") from None


def search_url(server: str, *, since: str, service_types: list[str]) -> str:
    params = [("date", f"ge{since}"), ("_include", "Appointment:patient"), ("_count", "100")]
    if service_types:
        params.append(("service-type", ",".join(service_types)))
    return f"{server}/Appointment?{urllib.parse.urlencode(params)}"


def server_import(server: str, *, token: str, since: str, service_types: list[str], max_pages: int = MAX_PAGES):
    """Search the server and import page after page through the `next` links; yields each page's results."""
    url = search_url(server, since=since, service_types=service_types)
    for _ in range(max_pages):
        imported, url = bundle_import(fetch_json(url, token=token), server=server)
        yield imported
        if not url:
            return
        if not _same_origin(url, server):
            raise FhirError("a next link points to another server: not followed (the token stays with its server)")
    raise FhirError(f"more than {max_pages} pages: stopped")
