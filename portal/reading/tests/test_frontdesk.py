"""The front desk (/staff/): find or add a patient, schedule with the link in one step, send it, reschedule,
cancel; every action audited; bad input is a form error, never a 500."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.reading.messaging.sender import send_due_messages
from portal.reading.models import (
    MessageChannel,
    MessageKind,
    MessageStatus,
    OutgoingMessage,
    Patient,
    ReminderRule,
    SessionStatus,
    TreatmentSession,
)
from portal.reading.tests.factories import in_days, make_patient, make_session, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def backends(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "portal.reading.messaging.sms.LocmemSmsBackend"
    settings.MESSAGES_QUIET_HOURS_START = settings.MESSAGES_QUIET_HOURS_END = "00:00"


def schedule_data(treatment, when, **fields):
    return {
        "treatment": treatment.pk,
        "date": timezone.localtime(when).strftime("%Y-%m-%d"),
        "time": timezone.localtime(when).strftime("%H:%M"),
        **fields,
    }


def test_the_front_desk_is_for_clinic_staff_only(staff):
    assert staff.get(reverse("staff:frontdesk")).status_code == 200
    assert reverse("staff:frontdesk") == "/staff/" and reverse("staff:dashboard") == "/staff/sessions/"
    assert AuditEvent.objects.filter(action="frontdesk.view").count() == 1
    assert Client().get(reverse("staff:frontdesk")).status_code == 302
    editor = Client()
    editor.force_login(make_staff("Editor"))
    assert editor.get(reverse("staff:frontdesk")).status_code == 403


def test_finding_a_patient_by_reference_or_name(staff):
    make_patient(reference="MRN-1001", display_name="Avery Stone")
    make_patient(reference="MRN-2002", display_name="Blake Rivers")
    by_reference = staff.get(reverse("staff:frontdesk"), {"q": "mrn-10"}).content.decode()
    assert "Avery Stone" in by_reference and "Blake Rivers" not in by_reference
    by_name = staff.get(reverse("staff:frontdesk"), {"q": "rivers"}).content.decode()
    assert "Blake Rivers" in by_name and "Avery Stone" not in by_name
    assert AuditEvent.objects.filter(action="frontdesk.search").count() == 2


def test_scheduling_a_new_patient_shows_the_link_once_and_plans_reminders(staff, treatment):
    ReminderRule.objects.create(treatment=treatment, hours_before=24)
    when = in_days(4, 10)
    data = schedule_data(
        treatment,
        when,
        reference="MRN-3003",
        display_name="C. D.",
        email="cd@example.org",
        mobile_number="+15550102030",
        preferred_language="es",
        consents_to_texts="on",
    )
    response = staff.post(reverse("staff:schedule"), data)
    assert response.status_code == 200
    patient = Patient.objects.get(reference="MRN-3003")
    assert patient.preferred_language == "es" and patient.consents_to_texts
    session = TreatmentSession.objects.get(patient=patient)
    assert session.scheduled_at == when and session.items.count() == 3
    link = response.context["new_link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert session.link_matches(token) and link in response.content.decode()
    [reminder] = OutgoingMessage.objects.filter(session=session, kind=MessageKind.REMINDER)
    assert reminder.channel == MessageChannel.SMS and reminder.due_at == when - datetime.timedelta(hours=24)
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"session.create", "link.issue"}

    # Send text, from the panel that shows the link
    response = staff.post(reverse("staff:send_link", args=[session.pk]), {"channel": "sms", "token": token})
    assert response.status_code == 302
    assert send_due_messages() == {"sent": 1}
    from portal.reading.messaging.sms import LocmemSmsBackend

    assert token in LocmemSmsBackend.outbox[-1]["body"] and LocmemSmsBackend.outbox[-1]["to"] == "+15550102030"
    assert AuditEvent.objects.filter(action="link.sms").count() == 1
    page = staff.get(reverse("staff:session", args=[session.pk])).content.decode()
    assert "Link sent by text." in page and "Reminder by text planned." in page


def test_scheduling_a_found_patient(staff, treatment):
    patient = make_patient(reference="MRN-4004")
    response = staff.post(reverse("staff:schedule"), schedule_data(treatment, in_days(2), patient=patient.pk))
    assert response.status_code == 200
    assert TreatmentSession.objects.filter(patient=patient).count() == 1
    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    "fields, error",
    [
        ({}, "enter a new patient&#x27;s reference and name"),
        ({"reference": "MRN-5005", "display_name": "E"}, "A patient with this reference exists"),
        ({"reference": "X", "display_name": "Y", "mobile_number": "555"}, "international form"),
        ({"reference": "X", "display_name": "Y", "date": "2020-01-01"}, "Choose a time in the future"),
        ({"reference": "X", "display_name": "Y", "date": "not-a-date"}, "Enter a valid date"),
        ({"reference": "X", "display_name": "Y", "treatment": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_a_form_error(staff, treatment, fields, error):
    make_patient(reference="MRN-5005")
    response = staff.post(reverse("staff:schedule"), {**schedule_data(treatment, in_days(2)), **fields})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not TreatmentSession.objects.exists()


def test_email_a_new_link_from_the_list(staff, treatment):
    session, old_token = make_session(treatment=treatment, patient=make_patient(email="x@example.org"))
    page = staff.get(reverse("staff:frontdesk")).content.decode()
    assert reverse("staff:send_link", args=[session.pk]) in page
    response = staff.post(reverse("staff:send_link", args=[session.pk]), {"channel": "email"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert not session.link_matches(old_token)
    [message] = OutgoingMessage.objects.filter(session=session)
    assert message.channel == MessageChannel.EMAIL and message.status == MessageStatus.QUEUED


def test_a_text_to_a_patient_without_consent_is_refused_in_words(staff, treatment):
    session, _ = make_session(treatment=treatment, patient=make_patient(mobile_number="+15550102030"))
    response = staff.post(reverse("staff:send_link", args=[session.pk]), {"channel": "sms"}, follow=True)
    assert "did not agree to texts" in response.content.decode()
    assert not OutgoingMessage.objects.exists()


def test_reschedule_and_cancel_go_through_the_services(staff, treatment):
    ReminderRule.objects.create(treatment=treatment, hours_before=24)
    session, token = make_session(
        treatment=treatment, patient=make_patient(email="x@example.org"), scheduled_at=in_days(3)
    )
    from portal.reading.services.messages import reminders_plan

    reminders_plan(session=session, token=token)
    later = in_days(6, 9)
    response = staff.post(
        reverse("staff:reschedule", args=[session.pk]), {"date": later.strftime("%Y-%m-%d"), "time": "09:00"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.scheduled_at == later
    assert OutgoingMessage.objects.get(session=session).due_at == later - datetime.timedelta(hours=24)

    response = staff.post(reverse("staff:reschedule", args=[session.pk]), {"date": "yesterday", "time": "25:00"})
    assert response.status_code == 302  # a message, not a 500

    assert staff.post(reverse("staff:cancel", args=[session.pk])).status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and not session.link_matches(token)
    assert OutgoingMessage.objects.get(session=session).status == MessageStatus.CANCELLED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"session.reschedule", "session.cancel"} <= actions
    assert str(session.pk) not in staff.get(reverse("staff:frontdesk")).content.decode().split("Today and")[1]


def test_unknown_sessions_are_404(staff):
    for name in ("send_link", "reschedule", "cancel"):
        assert staff.post(reverse(f"staff:{name}", args=[999999])).status_code == 404


def test_the_dashboard_and_session_page_show_failed_delivery_in_plain_words(staff, treatment, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.MESSAGES_MAX_ATTEMPTS = "127.0.0.1", 9, 1
    session, token = make_session(treatment=treatment, patient=make_patient(email="x@example.org"))
    from portal.reading.services.messages import session_email_link

    session_email_link(session=session, token=token)
    assert send_due_messages() == {"failed": 1}
    expected = "Link by email failed: The mail server could not be reached or did not accept the message."
    assert expected in " ".join(staff.get(reverse("staff:session", args=[session.pk])).content.decode().split())
    dashboard = " ".join(staff.get(reverse("staff:dashboard")).content.decode().split())
    assert expected in dashboard
