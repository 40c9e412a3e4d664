"""Patient links: trading the token for a browser session, links that do not work, the logs, leaving."""

import logging

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.content.tests.factories import make_user
from portal.reading.services.sessions import session_issue_link, session_revoke_link
from portal.reading.tests.factories import (
    CSRF_RE,
    beacon,
    end_link,
    in_days,
    make_session,
    make_treatment,
    open_link,
    page_form,
)

pytestmark = pytest.mark.django_db


def test_a_valid_link_starts_a_patient_session_and_redirects_to_a_url_without_the_token(reading, client):
    session, token, _ = reading
    client.get(reverse("home"))
    before = client.cookies.get("sessionid")

    response = client.get(reverse("patient:open", kwargs={"token": token}))

    assert response.status_code == 302
    assert response["Location"] == reverse("patient:session")
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert client.session["patient_session_id"] == session.pk


@pytest.mark.parametrize("case", ["unknown", "expired", "revoked", "replaced"])
def test_unknown_expired_revoked_and_replaced_links_get_the_same_friendly_404(reading, client, case):
    session, token, _ = reading
    if case == "unknown":
        token = "x" * 43
    elif case == "expired":
        session.link_expires_at = timezone.now() - timezone.timedelta(minutes=1)
        session.save()
    elif case == "revoked":
        session_revoke_link(session=session)
    else:
        session_issue_link(session=session)

    response = client.get(reverse("patient:open", kwargs={"token": token}))

    assert response.status_code == 404
    assert response["Referrer-Policy"] == "no-referrer"
    assert "please ask the clinic for a new link" in response.content.decode().lower()
    assert f'href="{response.context["clinic_phone_href"]}"' in response.content.decode()
    assert "patient_session_id" not in client.session


@pytest.mark.parametrize("action", ["revoke", "reissue", "expire"])
def test_ending_the_link_ends_browsers_that_already_opened_it(reading, patient, action):
    session = reading[0]
    assert patient.get(reverse("patient:session")).status_code == 200

    end_link(session, action)

    response = patient.get(reverse("patient:session"))
    assert response.status_code == 404
    assert "new link" in response.content.decode()


def test_patient_pages_without_a_link_session_get_the_friendly_404(reading, client):
    item = reading[2][0]
    for url in (reverse("patient:session"), reverse("patient:item", kwargs={"pk": item.pk})):
        response = client.get(url)
        assert response.status_code == 404
        assert "new link" in response.content.decode()


def test_a_bad_link_is_logged_without_its_token(client, caplog):
    token = "SecretGuess" + "A" * 32
    django_logger = logging.getLogger("django")
    # caplog's handler goes after the configured console handler, whose filter redacts the record.
    django_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO):
            response = client.get(reverse("patient:open", kwargs={"token": token}))
    finally:
        django_logger.removeHandler(caplog.handler)

    assert response.status_code == 404
    messages = [record.getMessage() for record in caplog.records]
    assert any("Not Found: /p/[redacted]" in message for message in messages), messages
    assert token not in caplog.text


def test_no_log_line_carries_a_token_or_a_patient_name_through_a_whole_visit(reading, caplog):
    session, token, items = reading
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG):
            client = Client(enforce_csrf_checks=True)
            open_link(client, token)
            client.get(reverse("patient:session"))
            form = page_form(client, items[0])
            csrf = form["csrfmiddlewaretoken"]
            beacon(client, items[0], csrf)
            beacon(client, items[0], csrf, seconds="-1")  # 400, logged as a bad request
            client.post(reverse("patient:question", kwargs={"pk": items[0].pk}), {"csrfmiddlewaretoken": csrf})
            client.post(reverse("patient:acknowledge", kwargs={"pk": items[0].pk}), form)
            client.get(reverse("patient:item", kwargs={"pk": 999_999}))
            staff = Client()
            staff.force_login(make_user(superuser=True))
            staff.get(reverse("staff:dashboard"))
            staff.get(reverse("staff:session", kwargs={"pk": session.pk}))
    finally:
        django_logger.removeHandler(caplog.handler)

    assert caplog.records, "expected at least the 400/404 lines"
    assert token not in caplog.text
    assert "Jordan Example" not in caplog.text
    assert session.patient.reference not in caplog.text


# Wrong links ----------------------------------------------------------------------------------------

ADDRESS = "203.0.113.80"


def wrong_link(client, number):
    return client.get(reverse("patient:open", kwargs={"token": f"wrong-{number:040d}"}), REMOTE_ADDR=ADDRESS)


def test_a_valid_link_opens_the_reading_list_after_25_wrong_tries_from_the_same_address(reading, client, settings):
    """Behind a proxy (or with a web page of hidden <img src=/p/random/> tags) one address is every patient:
    wrong tries must not lock out the valid links that come from it."""
    _, token, _ = reading
    statuses = [wrong_link(client, number).status_code for number in range(25)]
    allowed = settings.PATIENT_LINK_MAX_BAD_TRIES

    response = client.get(reverse("patient:open", kwargs={"token": token}), REMOTE_ADDR=ADDRESS)

    assert statuses == [404] * allowed + [429] * (25 - allowed)
    assert response.status_code == 302
    list_page = client.get(response["Location"], REMOTE_ADDR=ADDRESS)
    assert list_page.status_code == 200 and "Before your session on" in list_page.content.decode()
    assert wrong_link(client, 99).status_code == 429  # wrong tries are still slowed


# Leaving --------------------------------------------------------------------------------------------


def test_signing_out_forgets_the_link_on_this_device_but_the_link_still_works(reading, patient):
    token = CSRF_RE.search(patient.get(reverse("patient:session")).content.decode()).group(1)

    response = patient.post(reverse("patient:sign_out"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert patient.get(reverse("patient:session")).status_code == 404
    open_link(patient, reading[1])
    assert patient.get(reverse("patient:session")).status_code == 200


def sign_out(patient):
    token = CSRF_RE.search(patient.get(reverse("patient:session")).content.decode()).group(1)
    response = patient.post(reverse("patient:sign_out"), {"csrfmiddlewaretoken": token}, follow=True)
    assert response.redirect_chain == [(reverse("patient:signed_out"), 302)]
    return response


def test_the_page_after_leaving_says_the_link_still_works_from_history_and_offers_to_stop_it(reading, patient):
    response = sign_out(patient)

    html = response.content.decode()
    assert "Your link still works" in html and "history" in html
    assert f'action="{reverse("patient:stop_link")}"' in html and "Stop this link" in html
    assert response["Referrer-Policy"] == "same-origin" and "no-store" in response["Cache-Control"]
    assert patient.get(reverse("patient:session")).status_code == 404  # this device no longer holds it


def test_stopping_the_link_after_leaving_revokes_it_everywhere_and_is_audited_as_the_patients(reading, patient):
    session, token, _ = reading
    other_device = Client()
    open_link(other_device, token)
    html = sign_out(patient).content.decode()

    response = patient.post(
        reverse("patient:stop_link"), {"csrfmiddlewaretoken": CSRF_RE.search(html).group(1)}, follow=True
    )

    assert response.status_code == 200 and "Your link is stopped" in response.content.decode()
    assert "Stop this link" not in response.content.decode()
    session.refresh_from_db()
    assert session.link_revoked_at is not None
    assert patient.get(reverse("patient:open", kwargs={"token": token})).status_code == 404  # from history
    assert other_device.get(reverse("patient:session")).status_code == 404
    event = AuditEvent.objects.get()
    assert (event.action, event.subject, event.user, event.username) == (
        "link.revoke_by_patient",
        f"session={session.pk}",
        None,
        "",
    )
    # The clinic can issue a new one.
    open_link(Client(), session_issue_link(session=session))


def test_without_a_link_left_on_this_device_there_is_nothing_to_stop(reading, client):
    session = reading[0]
    page = client.get(reverse("patient:signed_out"))
    assert page.status_code == 200 and "Stop this link" not in page.content.decode()

    response = client.post(reverse("patient:stop_link"), follow=True)

    assert "There is no working link to stop on this device" in response.content.decode()
    session.refresh_from_db()
    assert session.link_revoked_at is None
    assert not AuditEvent.objects.exists()


def test_a_session_with_nothing_to_read_says_so(client):
    session, token = make_session(treatment=make_treatment(), scheduled_at=in_days(2))
    open_link(client, token)

    html = client.get(reverse("patient:session")).content.decode()

    assert "There is nothing to read for this session" in html
