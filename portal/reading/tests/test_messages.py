"""Outgoing messages: queued as rows in the cause's transaction, sent by the worker through a real SMTP server
(aiosmtpd on a loopback port), kept queued through an SMTP outage, each sent once with two workers."""

import email
import email.policy
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.reading.messaging.render import render_message
from portal.reading.messaging.sender import send_due_messages
from portal.reading.models import MessageChannel, MessageKind, MessageStatus, OutgoingMessage
from portal.reading.services.messages import message_queue, session_email_link
from portal.reading.services.sessions import session_cancel
from portal.reading.tests.factories import (
    in_days,
    make_patient,
    make_reading_article,
    make_session,
    make_staff,
    make_treatment,
)


@pytest.fixture(autouse=True)
def awake(settings):
    """No quiet hours, so tests send at the real time (the quiet-hours test sets them back)."""
    settings.MESSAGES_QUIET_HOURS_START = settings.MESSAGES_QUIET_HOURS_END = "00:00"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a loopback port, with Django's SMTP backend pointed at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    yield inbox
    controller.stop()


def patient_session(**patient_fields):
    patient_fields.setdefault("email", "jordan@example.org")
    patient = make_patient(display_name="Jordan Example", reference="MRN-778899", **patient_fields)
    treatment = make_treatment(make_reading_article(title="Esketamine nasal spray"))
    return make_session(patient=patient, treatment=treatment)


@pytest.mark.django_db
def test_link_email_goes_through_a_real_smtp_server_with_text_and_html_parts(smtp, settings):
    session, token = patient_session()
    message = session_email_link(session=session, token=token)
    assert message.status == MessageStatus.QUEUED and message.link_secret and token not in message.link_secret
    assert smtp.messages == []  # nothing is sent inside the request's transaction

    assert send_due_messages() == {"sent": 1}

    [(mail_from, rcpt_tos, content)] = smtp.messages
    assert mail_from == settings.DEFAULT_FROM_EMAIL and rcpt_tos == ["jordan@example.org"]
    parsed = email.message_from_bytes(content, policy=email.policy.default)
    assert parsed["To"] == "jordan@example.org"
    assert parsed["Subject"] == f"Pages to read before your visit to {settings.CLINIC_NAME}"
    assert parsed.get_content_type() == "multipart/alternative"
    link = settings.PORTAL_BASE_URL + reverse("patient:open", kwargs={"token": token})
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert link in text and f'href="{link}"' in html
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1 and message.sent_at
    assert message.provider_message_id and message.provider_message_id in parsed["Message-ID"]
    assert message.link_secret == ""  # the link is forgotten once sent


@pytest.mark.django_db
def test_an_smtp_outage_keeps_the_message_queued_and_the_request_fast(settings, smtp):
    settings.EMAIL_PORT = free_port()  # nobody listens there
    session, _ = patient_session()
    client = Client()
    client.force_login(make_staff())
    response = client.post(reverse("staff:issue_link", kwargs={"pk": session.pk}))
    token = response.context["email_form"].initial["token"]
    started = time.monotonic()
    response = client.post(reverse("staff:email_link", kwargs={"pk": session.pk}), {"token": token})
    assert response.status_code == 302 and time.monotonic() - started < 2

    assert send_due_messages() == {"queued": 1}
    message = OutgoingMessage.objects.get(session=session, kind=MessageKind.LINK)
    assert message.status == MessageStatus.QUEUED and message.attempts == 1
    assert message.last_error == "The mail server could not be reached or did not accept the message."
    assert message.due_at > timezone.now() and message.link_secret

    settings.EMAIL_PORT = smtp.port  # the mail server is back
    assert send_due_messages(now=message.due_at) == {"sent": 1}
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_messages_wait_out_the_quiet_hours(settings):
    settings.MESSAGES_QUIET_HOURS_START, settings.MESSAGES_QUIET_HOURS_END = "21:00", "08:00"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    session, token = patient_session()
    late = in_days(0, hour=22)
    message = message_queue(
        session=session, kind=MessageKind.LINK, channel=MessageChannel.EMAIL, token=token, due_at=late
    )
    assert send_due_messages(now=late) == {"queued": 1}
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.due_at == in_days(1, hour=8) and message.attempts == 0
    assert mail.outbox == []
    assert send_due_messages(now=in_days(1, hour=7)) == {}
    assert send_due_messages(now=in_days(1, hour=8)) == {"sent": 1} and len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_cancelled_session_sends_nothing_more(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    session, token = patient_session()
    message = session_email_link(session=session, token=token)
    session_cancel(session=session)
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED and message.link_secret == ""
    assert send_due_messages() == {} and mail.outbox == []


@pytest.mark.django_db
def test_a_replaced_link_is_never_sent(settings):
    from portal.reading.services.sessions import session_issue_link

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    session, token = patient_session()
    message = session_email_link(session=session, token=token)
    session_issue_link(session=session)
    assert send_due_messages() == {"cancelled": 1} and mail.outbox == []
    message.refresh_from_db()
    assert message.last_error == "The link was replaced or stopped."


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_send_each_message_exactly_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    treatment = make_treatment(make_reading_article())
    sessions = [make_session(patient=make_patient(email=f"p{n}@example.org"), treatment=treatment) for n in range(40)]
    for session, token in sessions:
        for _ in range(3):
            message_queue(
                session=session, kind=MessageKind.LINK, channel=MessageChannel.EMAIL, token=token, due_at=timezone.now()
            )
    results, barrier = [], threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(send_due_messages(limit=7))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.get("sent", 0) for result in results) == 120
    assert len(mail.outbox) == 120
    assert OutgoingMessage.objects.filter(status=MessageStatus.SENT).count() == 120
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 120


IDENTIFYING = ("Jordan", "Example", "MRN-778899", "Esketamine", "esketamine", "Spravato", "nasal")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("kind", ["link", "reminder"])
def test_no_message_template_carries_a_name_reference_or_treatment(kind, channel, language, settings):
    """Every template, rendered in every language: only clinic, pages to read, link, opt-out."""
    settings.CLINIC_NAME = "Riverside Clinic"
    link = "https://portal.example.org/p/open/TOKEN123/"
    rendered = render_message(kind=kind, channel=channel, link=link, language=language)
    for part in (rendered.subject, rendered.text, rendered.html):
        for word in IDENTIFYING:
            assert word not in part
    assert link in rendered.text and "Riverside Clinic" in rendered.text
    if channel == "sms":
        assert "STOP" in rendered.text
    else:
        assert rendered.subject and link in rendered.html


@pytest.mark.django_db
def test_message_templates_ignore_patient_data_even_when_it_is_in_their_context():
    """Rendered with the session, patient and treatment at hand, no template shows any of them."""
    session, _ = patient_session()
    folder = django_settings.BASE_DIR / "templates" / "messages"
    context = {"session": session, "patient": session.patient, "treatment": session.treatment, "link": "L"}
    names = sorted(path.name for path in folder.iterdir() if not path.name.startswith("_"))
    assert len(names) == 8
    for name in names:
        body = render_to_string(f"messages/{name}", context)
        for word in IDENTIFYING:
            assert word not in body, name
