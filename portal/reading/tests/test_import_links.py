"""Sessions from the EHR's SIU feed get their link and reminders: sent once to a patient who can be reached,
moved with a reschedule, cancelled with the appointment; kept for the front desk when the patient cannot be."""

import datetime
import json
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from portal.demo.sessions import TREATMENT_SLUG
from portal.reading.interop.hl7 import hl7_receive
from portal.reading.messaging.sender import send_due_messages
from portal.reading.models import (
    AppointmentTypeMapping,
    MessageKind,
    MessageStatus,
    OutgoingMessage,
    ReminderRule,
    SessionStatus,
    Treatment,
    TreatmentSession,
)
from portal.reading.tests.factories import in_days, make_patient, make_session
from portal.reading.tests.interop_messages import TESTDATA, corepoint

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def mapped(treatment, settings):
    settings.TIME_ZONE = "America/New_York"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MESSAGES_QUIET_HOURS_START = settings.MESSAGES_QUIET_HOURS_END = "00:00"
    AppointmentTypeMapping.objects.create(system="", code="HLCK", treatment=treatment)
    for hours in (72, 24):
        ReminderRule.objects.create(treatment=treatment, hours_before=hours)
    return treatment


def hl7_time(moment):
    return timezone.localtime(moment).strftime("%Y%m%d%H%M")


def siu(event, control_id, *, sent_hours_ago, start):
    """The published appointment as event S12/S14/S15, sent `sent_hours_ago` and starting at `start`."""
    sent = timezone.now() - sent_hours_ago * HOUR
    return corepoint(event=event, control_id=control_id, time=hl7_time(sent), start=hl7_time(start))


def messages(kind=None, status=None):
    rows = OutgoingMessage.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("due_at"))


def link_in(email):
    return re.search(r"/p/[^/\s]+/", email.body).group(0)


def test_an_imported_session_sends_its_link_once_and_its_reminders_follow_the_feed(mapped):
    make_patient(reference="489671", email="pat@example.org")  # the front desk has the email; the feed does not
    start = in_days(6)
    assert hl7_receive(siu("S12", "C1", sent_hours_ago=3, start=start)).result == "created"
    session = TreatmentSession.objects.get()
    assert session.token_hash
    reminders = messages(MessageKind.REMINDER, MessageStatus.QUEUED)
    assert [m.due_at for m in reminders] == [start - 72 * HOUR, start - 24 * HOUR]

    send_due_messages()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["pat@example.org"]
    assert Client().get(link_in(mail.outbox[0])).status_code == 302  # the link opens the patient's pages

    moved = in_days(9, 14)
    assert hl7_receive(siu("S14", "C2", sent_hours_ago=2, start=moved)).result == "updated"
    reminders = messages(MessageKind.REMINDER, MessageStatus.QUEUED)
    assert [m.due_at for m in reminders] == [moved - 72 * HOUR, moved - 24 * HOUR]

    assert hl7_receive(siu("S12", "C1", sent_hours_ago=3, start=start)).result == "stale"
    send_due_messages()
    assert len(mail.outbox) == 1 and len(messages(MessageKind.LINK)) == 1

    assert hl7_receive(siu("S15", "C3", sent_hours_ago=1, start=moved)).result == "cancelled"
    assert TreatmentSession.objects.get().status == SessionStatus.CANCELLED
    assert messages(status=MessageStatus.QUEUED) == []
    assert len(messages(MessageKind.REMINDER, MessageStatus.CANCELLED)) == 2


def test_a_replayed_s12_and_a_second_engine_send_the_link_once(mapped):
    make_patient(reference="489671", email="pat@example.org")
    message = siu("S12", "C1", sent_hours_ago=1, start=in_days(6))
    hl7_receive(message)
    hl7_receive(message)
    hl7_receive(message.replace("|C1|", "|ENGINE2-1|"))
    send_due_messages()
    assert len(mail.outbox) == 1
    assert len(messages(MessageKind.LINK)) == 1 and len(messages(MessageKind.REMINDER)) == 2


def test_a_patient_who_cannot_be_reached_keeps_the_link_for_the_front_desk(mapped):
    hl7_receive(siu("S12", "C1", sent_hours_ago=1, start=in_days(6)))  # no email, no mobile number
    session = TreatmentSession.objects.get()
    assert session.token_hash and session.link_revoked_at is None
    assert messages() == []
    send_due_messages()
    assert mail.outbox == []


def test_during_quiet_hours_the_link_waits_for_their_end(mapped, settings):
    now = timezone.localtime()
    end = (now + 2 * HOUR).time().replace(second=0, microsecond=0)
    settings.MESSAGES_QUIET_HOURS_START = (now - HOUR).strftime("%H:%M")
    settings.MESSAGES_QUIET_HOURS_END = end.strftime("%H:%M")
    make_patient(reference="489671", email="pat@example.org")
    hl7_receive(siu("S12", "C1", sent_hours_ago=1, start=in_days(6)))
    (link,) = messages(MessageKind.LINK)
    assert link.due_at > timezone.now()
    assert timezone.localtime(link.due_at).time() == end
    send_due_messages()
    assert mail.outbox == []


def test_the_setting_off_leaves_imported_sessions_without_a_link(mapped, settings):
    settings.IMPORTED_SESSIONS_SEND_LINK = False
    make_patient(reference="489671", email="pat@example.org")
    hl7_receive(siu("S12", "C1", sent_hours_ago=1, start=in_days(6)))
    assert not TreatmentSession.objects.get().token_hash and messages() == []


def test_load_demo_gives_the_demo_treatment_reminders_once_and_names_the_front_desk(settings):
    settings.DEBUG = True  # load_demo only runs in development
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for _ in range(2):
        out = StringIO()
        call_command("load_demo", "--base-url", "http://portal.test", stdout=out)
        rules = Treatment.objects.get(slug=TREATMENT_SLUG).reminder_rules.filter(is_active=True)
        assert sorted(rules.values_list("hours_before", flat=True)) == [24, 72]
        assert "Front desk: http://portal.test/staff/\n" in out.getvalue()


def test_an_appointment_from_fhir_sends_its_link_too(mapped, settings, tmp_path):
    settings.FHIR_PATIENT_IDENTIFIER_SYSTEM = "urn:oid:1.2.36.146.595.217.0.1"
    AppointmentTypeMapping.objects.create(
        system="http://terminology.hl7.org/CodeSystem/v2-0276", code="FOLLOWUP", treatment=mapped
    )
    make_patient(reference="12345", email="pat@example.org")
    resource = json.loads((TESTDATA / "fhir" / "appointment-example.json").read_text())
    start = in_days(6)
    resource.update(start=start.isoformat(), end=(start + HOUR).isoformat())
    path = tmp_path / "bundle.json"
    patient = json.loads((TESTDATA / "fhir" / "patient-example.json").read_text())
    entries = [
        {"fullUrl": "http://ehr.example/fhir/Appointment/example", "resource": resource},
        {"fullUrl": "http://ehr.example/fhir/Patient/example", "resource": patient, "search": {"mode": "include"}},
    ]
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "searchset", "entry": entries}))
    call_command("import_fhir_appointments", str(path), "--system", "http://ehr.example/fhir")
    assert TreatmentSession.objects.get().scheduled_at == start
    send_due_messages()
    assert len(mail.outbox) == 1 and len(messages(MessageKind.REMINDER, MessageStatus.QUEUED)) == 2


def test_a_session_the_front_desk_made_keeps_its_link_when_the_feed_takes_it_over(mapped):
    start = in_days(6)
    patient = make_patient(reference="489671", email="pat@example.org")
    session, token = make_session(treatment=mapped, patient=patient, scheduled_at=start)
    assert hl7_receive(siu("S12", "C1", sent_hours_ago=1, start=start)).result == "created"
    assert TreatmentSession.objects.get().pk == session.pk and messages(MessageKind.LINK) == []
    assert Client().get(f"/p/{token}/").status_code == 302  # the link handed out still works
