"""Reminders: one per rule per session at the rule's time (out of quiet hours), none once the reading is done,
the session cancelled or the patient opted out; moved with the session."""

import datetime

import pytest
from django.core import mail

from portal.reading.messaging.sender import send_due_messages
from portal.reading.models import MessageChannel, MessageKind, MessageStatus, OutgoingMessage, ReminderRule
from portal.reading.services.messages import patient_opt_out_texts, reminders_plan
from portal.reading.services.sessions import session_cancel, session_reschedule
from portal.reading.tests.factories import (
    in_days,
    make_patient,
    make_reading_article,
    make_session,
    make_treatment,
    read_all,
)

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def backends(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "portal.reading.messaging.sms.LocmemSmsBackend"
    settings.MESSAGES_QUIET_HOURS_START, settings.MESSAGES_QUIET_HOURS_END = "21:00", "08:00"
    from portal.reading.messaging.sms import LocmemSmsBackend

    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend


def planned_session(*, days=5, hour=10, hours=(72, 24), **patient):
    treatment = make_treatment(make_reading_article(), make_reading_article())
    for value in hours:
        ReminderRule.objects.create(treatment=treatment, hours_before=value)
    patient.setdefault("email", "pat@example.org")
    session, token = make_session(
        treatment=treatment, patient=make_patient(**patient), scheduled_at=in_days(days, hour)
    )
    reminders_plan(session=session, token=token)
    return session, token


def reminders(session):
    return list(OutgoingMessage.objects.filter(session=session, kind=MessageKind.REMINDER).order_by("due_at"))


def test_one_reminder_per_rule_at_its_time_however_often_planned_or_run():
    session, token = planned_session()
    reminders_plan(session=session, token=token)
    reminders_plan(session=session)
    first, second = reminders(session)
    assert first.due_at == session.scheduled_at - 72 * HOUR and second.due_at == session.scheduled_at - 24 * HOUR
    assert first.channel == MessageChannel.EMAIL

    assert send_due_messages(now=first.due_at - HOUR) == {}
    assert send_due_messages(now=first.due_at) == {"sent": 1}
    assert send_due_messages(now=first.due_at + HOUR) == {}
    reminders_plan(session=session, token=token)  # a sent reminder is never planned again
    assert send_due_messages(now=second.due_at) == {"sent": 1}
    assert send_due_messages(now=second.due_at + HOUR) == {}
    assert len(mail.outbox) == 2 and all("reminder" in m.subject.lower() for m in mail.outbox)
    assert OutgoingMessage.objects.filter(session=session).count() == 2


def test_no_reminder_once_the_reading_is_done():
    session, _ = planned_session()
    read_all(session)
    first, _ = reminders(session)
    assert send_due_messages(now=first.due_at) == {"cancelled": 1}
    first.refresh_from_db()
    assert first.last_error == "The reading was already done." and mail.outbox == []


def test_no_reminder_after_the_session_is_cancelled():
    session, _ = planned_session()
    session_cancel(session=session)
    assert {m.status for m in reminders(session)} == {MessageStatus.CANCELLED}
    assert send_due_messages(now=session.scheduled_at - HOUR) == {} and mail.outbox == []


def test_texts_stop_after_the_patient_opts_out(backends):
    session, _ = planned_session(mobile_number="+15550102030", consents_to_texts=True)
    first, second = reminders(session)
    assert first.channel == MessageChannel.SMS
    assert send_due_messages(now=first.due_at) == {"sent": 1} and len(backends.outbox) == 1
    patient_opt_out_texts(patient=session.patient)
    second.refresh_from_db()
    assert second.status == MessageStatus.CANCELLED
    assert send_due_messages(now=second.due_at) == {} and len(backends.outbox) == 1


def test_a_reminder_due_at_night_waits_until_the_morning():
    session, _ = planned_session(days=5, hour=23, hours=(24,))  # 24 h before 23:00 is 23:00, in quiet hours
    [reminder] = reminders(session)
    assert reminder.due_at == in_days(5, 8)


def test_a_rescheduled_session_moves_its_reminders():
    session, _ = planned_session(days=5)
    session_reschedule(session=session, scheduled_at=in_days(8, 11))
    first, second = reminders(session)
    assert first.due_at == in_days(5, 11) and second.due_at == in_days(7, 11)
    assert {first.status, second.status} == {MessageStatus.QUEUED}


def test_rules_whose_time_has_passed_plan_nothing():
    session, _ = planned_session(days=2, hours=(72, 24))
    [reminder] = reminders(session)
    assert reminder.due_at == session.scheduled_at - 24 * HOUR


def test_rescheduling_or_cancelling_in_the_admin_moves_or_cancels_the_reminders(client):
    from django.urls import reverse

    from portal.reading.tests.factories import make_staff
    from portal.reading.tests.test_admin_sessions import inline_management

    session, _ = planned_session(days=5, hours=(24,))
    client.force_login(make_staff())
    items = list(session.items.order_by("position"))
    form = {
        **inline_management("items", total=len(items), initial=len(items)),
        **{f"items-{n}-id": item.pk for n, item in enumerate(items)},
        **{f"items-{n}-session": session.pk for n in range(len(items))},
    }
    url = reverse("admin:reading_treatmentsession_change", args=[session.pk])
    later = in_days(9, 10)
    when = {"scheduled_at_0": later.strftime("%Y-%m-%d"), "scheduled_at_1": later.strftime("%H:%M:%S")}
    assert client.post(url, {**when, "status": "scheduled", **form}).status_code == 302
    [reminder] = reminders(session)
    assert reminder.due_at == in_days(8, 10) and reminder.status == MessageStatus.QUEUED

    assert client.post(url, {**when, "status": "cancelled", **form}).status_code == 302
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.CANCELLED
