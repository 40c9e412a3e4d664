"""A session's staff page: its records and timeline, its link (issue, revoke, email, card), the whole flow."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.content.services import content_publish
from portal.reading.messaging.sender import send_due_messages
from portal.reading.services.sessions import (
    record_acknowledge,
    record_ask_question,
    record_open,
    record_progress,
    session_issue_link,
)
from portal.reading.tests.factories import (
    items_of,
    make_patient,
    make_session,
    open_link,
    page_form,
    read_all,
)

pytestmark = pytest.mark.django_db


def test_the_session_page_shows_each_items_record_and_a_timeline(staff, treatment):
    session, _ = make_session(treatment=treatment)
    slow, quick, untouched = items_of(session)
    opened = timezone.now() - datetime.timedelta(seconds=40)
    record_open(item=slow, now=opened)
    record_progress(item=slow, client_id="a" * 36, seconds=25, reached_end=True)
    record_acknowledge(item=slow, now=opened + datetime.timedelta(seconds=40))  # 25 s of ~300 s: read quickly
    record_open(item=quick)
    record_ask_question(item=quick, text="Can I eat before?")

    response = staff.get(reverse("staff:session", kwargs={"pk": session.pk}))

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert session.patient.display_name in html
    assert "25 s" in html and "visible, measured" in html
    assert "Read quickly" in html
    assert "(acknowledged v1)" in html
    assert "Can I eat before?" in html
    assert "0 of 3 required pages done" not in html and "1 of 3 required pages done" in html
    timeline = [what for _, what in response.context["timeline"]]
    assert "Session created" in timeline and "Current link issued" in timeline
    assert "Opened “How it works”" in timeline and "Acknowledged “How it works”" in timeline
    assert "Asked a question about “Treatment day”" in timeline
    times = [when for when, _ in response.context["timeline"]]
    assert times == sorted(times)
    event = AuditEvent.objects.get(action="session.view")
    assert event.subject == f"session={session.pk}"


def test_a_page_changed_materially_after_it_was_read_is_shown_as_an_earlier_version(staff, treatment):
    session, _ = make_session(treatment=treatment)
    items = read_all(session)
    article = items[0].article
    article.body += "\n\nNew: do not drive until the next day."
    article.save()
    content_publish(content=article, by=None, material_change=True)

    response = staff.get(reverse("staff:session", kwargs={"pk": session.pk}))

    assert "Read an earlier version" in response.content.decode()
    assert "Not ready" in response.content.decode()
    dashboard = staff.get(reverse("staff:dashboard")).content.decode()
    assert "2 of 3 done" in dashboard


def test_a_missing_session_is_404(staff):
    assert staff.get(reverse("staff:session", kwargs={"pk": 999_999})).status_code == 404


# Links ----------------------------------------------------------------------------------------------


def test_issuing_a_new_link_shows_it_once_with_a_qr_card_and_stops_the_old_link(staff, client, treatment, settings):
    session, old_token = make_session(treatment=treatment)

    response = staff.post(reverse("staff:issue_link", kwargs={"pk": session.pk}))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    link = response.context["new_link"]
    assert link.startswith(settings.PORTAL_BASE_URL + "/p/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    html = response.content.decode()
    assert f'value="{link}" readonly' in html
    assert "data-copy-target" in html and "js/copy.js" in html
    assert re.search(r'<svg viewBox="[^"]+" class="qr-code"><title>', html) and "style=" not in html
    assert "<script>" not in html
    session.refresh_from_db()
    assert session.link_matches(token) and not session.link_matches(old_token)
    assert AuditEvent.objects.filter(action="link.issue", subject=f"session={session.pk}").count() == 1
    # The session page afterwards does not show it again.
    assert token not in staff.get(reverse("staff:session", kwargs={"pk": session.pk})).content.decode()


def test_revoking_the_link_stops_it(staff, client, treatment):
    session, token = make_session(treatment=treatment)

    response = staff.post(reverse("staff:revoke_link", kwargs={"pk": session.pk}))

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.link_revoked_at is not None
    assert client.get(reverse("patient:open", kwargs={"token": token})).status_code == 404
    assert AuditEvent.objects.filter(action="link.revoke").count() == 1


def test_emailing_the_link_sends_only_what_the_patient_needs(staff, treatment, settings):
    settings.MESSAGES_QUIET_HOURS_START = settings.MESSAGES_QUIET_HOURS_END = "00:00"
    patient = make_patient(display_name="Robin Private", email="robin@example.org")
    session, _ = make_session(treatment=treatment, patient=patient)
    link = staff.post(reverse("staff:issue_link", kwargs={"pk": session.pk})).context["new_link"]
    token = link.rstrip("/").rsplit("/", 1)[1]

    response = staff.post(reverse("staff:email_link", kwargs={"pk": session.pk}), {"token": token})

    assert response.status_code == 302
    assert mail.outbox == []  # queued, sent by the worker
    send_due_messages()
    [message] = mail.outbox
    assert message.to == ["robin@example.org"]
    assert link in message.body
    assert "Robin" not in message.body + message.subject
    assert treatment.name not in message.body + message.subject
    assert patient.reference not in message.body + message.subject
    assert AuditEvent.objects.filter(action="link.email").count() == 1


def test_an_old_or_forged_link_is_not_emailed(staff, treatment):
    session, old_token = make_session(treatment=treatment, patient=make_patient(email="robin@example.org"))
    session_issue_link(session=session)

    for token in (old_token, "forged-token"):
        response = staff.post(reverse("staff:email_link", kwargs={"pk": session.pk}), {"token": token}, follow=True)
        assert "no longer current" in response.content.decode()
    assert mail.outbox == []


def test_a_patient_without_email_gets_no_email_button(staff, treatment):
    session, _ = make_session(treatment=treatment, patient=make_patient(email=""))

    html = staff.post(reverse("staff:issue_link", kwargs={"pk": session.pk})).content.decode()

    assert "No email address on file" in html
    assert reverse("staff:email_link", kwargs={"pk": session.pk}) not in html


def test_the_printed_card_is_the_only_thing_the_print_stylesheet_shows(staff, treatment):
    session, _ = make_session(treatment=treatment)
    html = staff.post(reverse("staff:issue_link", kwargs={"pk": session.pk})).content.decode()

    assert re.search(r'<body class="[^"]*has-link-card', html)
    assert 'class="link-card"' in html
    from django.contrib.staticfiles import finders

    with open(finders.find("css/portal.css"), encoding="utf-8") as handle:
        stylesheet = handle.read()
    assert ".has-link-card * { visibility: hidden; }" in stylesheet
    assert ".has-link-card .link-card, .has-link-card .link-card * { visibility: visible; }" in stylesheet


# The whole flow -------------------------------------------------------------------------------------


def test_reading_and_acknowledging_every_page_turns_the_session_ready(staff, client, treatment):
    session, token = make_session(treatment=treatment)
    open_link(client, token)
    for item in items_of(session):
        client.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), page_form(client, item))

    dashboard = staff.get(reverse("staff:dashboard"))

    [shown] = dashboard.context["sessions"]
    assert shown.is_ready and (shown.items_done, shown.items_total) == (3, 3)
    assert "3 of 3 done" in dashboard.content.decode()
