"""Text messages: the Twilio adapter against a local HTTP server that checks the request as Twilio documents it,
sent by the worker; the inbound STOP webhook with valid and invalid signatures."""

import base64
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.urls import reverse

from portal.reading.messaging.sender import send_due_messages
from portal.reading.messaging.sms import SmsError, TwilioSmsBackend
from portal.reading.messaging.twilio_signature import twilio_signature
from portal.reading.models import MessageChannel, MessageStatus, OutgoingMessage
from portal.reading.services.messages import MessageNotPossible, session_send_link
from portal.reading.tests.factories import make_patient, make_session

SID, AUTH = "AC0123456789abcdef0123456789abcdef", "auth-token-for-tests"
pytestmark = pytest.mark.django_db


class FakeTwilio(BaseHTTPRequestHandler):
    """Answers like Twilio's Messages API, only for exactly the request its documentation describes."""

    requests: list = []
    status = 201

    def do_POST(self):  # noqa: N802 - http.server's hook name
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        FakeTwilio.requests.append(
            {"path": self.path, "headers": dict(self.headers), "form": dict(urllib.parse.parse_qsl(body))}
        )
        expected_auth = "Basic " + base64.b64encode(f"{SID}:{AUTH}".encode()).decode()
        ok = (
            self.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
            and self.headers["Authorization"] == expected_auth
            and self.headers["Content-Type"] == "application/x-www-form-urlencoded"
        )
        status = FakeTwilio.status if ok else 401
        payload = json.dumps(
            {"sid": "SM" + "f" * 32, "status": "queued"} if status == 201 else {"code": 20003}
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio(settings):
    FakeTwilio.requests, FakeTwilio.status = [], 201
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "portal.reading.messaging.sms.TwilioSmsBackend"
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = SID, AUTH
    settings.TWILIO_FROM_NUMBER, settings.TWILIO_MESSAGING_SERVICE_SID = "+15550001111", ""
    settings.MESSAGES_QUIET_HOURS_START = settings.MESSAGES_QUIET_HOURS_END = "00:00"
    yield FakeTwilio
    server.shutdown()
    server.server_close()


def texting_session(**fields):
    fields = {"mobile_number": "+15557654321", "consents_to_texts": True, **fields}
    return make_session(patient=make_patient(**fields))


def test_the_twilio_adapter_posts_the_documented_request(twilio):
    message_id = TwilioSmsBackend().send(to="+15557654321", body="Hello")
    assert message_id == "SM" + "f" * 32
    [request] = twilio.requests
    assert request["form"] == {"To": "+15557654321", "From": "+15550001111", "Body": "Hello"}


def test_the_twilio_adapter_can_send_through_a_messaging_service(twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "0" * 32
    TwilioSmsBackend().send(to="+15557654321", body="Hello")
    assert twilio.requests[0]["form"] == {"To": "+15557654321", "MessagingServiceSid": "MG" + "0" * 32, "Body": "Hello"}


def test_wrong_credentials_are_a_permanent_failure_and_a_server_error_a_retry(twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(SmsError) as refused:
        TwilioSmsBackend().send(to="+15557654321", body="Hello")
    assert refused.value.permanent and "+1555" not in refused.value.reason
    settings.TWILIO_AUTH_TOKEN = AUTH
    twilio.status = 503
    with pytest.raises(SmsError) as busy:
        TwilioSmsBackend().send(to="+15557654321", body="Hello")
    assert not busy.value.permanent


def test_the_worker_texts_the_link_in_the_patients_language(twilio, settings):
    session, token = texting_session(preferred_language="es")
    message = session_send_link(session=session, token=token, channel=MessageChannel.SMS)
    assert send_due_messages() == {"sent": 1}
    [request] = twilio.requests
    body = request["form"]["Body"]
    assert token in body and settings.CLINIC_NAME in body and "STOP" in body
    assert session.patient.display_name not in body and session.treatment.name not in body
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.provider_message_id == "SM" + "f" * 32


def test_a_patient_who_did_not_agree_to_texts_gets_none(twilio):
    session, token = texting_session(consents_to_texts=False)
    with pytest.raises(MessageNotPossible):
        session_send_link(session=session, token=token, channel=MessageChannel.SMS)


def signed_post(client, url_name, params, *, auth=AUTH, settings):
    path = reverse(url_name)
    signature = twilio_signature(auth_token=auth, url=settings.PORTAL_BASE_URL + path, params=params)
    return client.post(path, params, headers={"X-Twilio-Signature": signature})


def test_stop_with_a_valid_signature_opts_the_patient_out_and_cancels_queued_texts(twilio, settings):
    session, token = texting_session()
    message = session_send_link(session=session, token=token, channel=MessageChannel.SMS)
    params = {"From": "+15557654321", "To": "+15550001111", "Body": " Stop ", "MessageSid": "SM1"}
    response = signed_post(Client(), "sms:twilio_inbound", params, settings=settings)
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    session.patient.refresh_from_db()
    assert session.patient.texts_opted_out_at is not None
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    assert send_due_messages() == {} and twilio.requests == []
    with pytest.raises(MessageNotPossible):
        session_send_link(session=session, token=token, channel=MessageChannel.SMS)

    signed_post(Client(), "sms:twilio_inbound", params | {"Body": "START"}, settings=settings)
    session.patient.refresh_from_db()
    assert session.patient.texts_opted_out_at is None


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU=", "signed-with-another-token"])
def test_stop_without_a_valid_signature_changes_nothing(twilio, settings, signature):
    session, _ = texting_session()
    params = {"From": "+15557654321", "Body": "STOP"}
    path = reverse("sms:twilio_inbound")
    if signature == "signed-with-another-token":
        signature = twilio_signature(auth_token="other", url=settings.PORTAL_BASE_URL + path, params=params)
    response = Client().post(path, params, headers={"X-Twilio-Signature": signature} if signature else {})
    assert response.status_code == 403
    session.patient.refresh_from_db()
    assert session.patient.texts_opted_out_at is None


def test_a_signature_over_other_parameters_is_refused(twilio, settings):
    session, _ = texting_session()
    path = reverse("sms:twilio_inbound")
    signature = twilio_signature(auth_token=AUTH, url=settings.PORTAL_BASE_URL + path, params={"Body": "HELLO"})
    response = Client().post(path, {"From": "+15557654321", "Body": "STOP"}, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert not OutgoingMessage.objects.exists()


@pytest.mark.parametrize(
    ("sms", "message"),
    [
        ({"SMS_BACKEND": "portal.reading.messaging.sms.ConsoleSmsBackend"}, "which prints or keeps texts"),
        ({"SMS_BACKEND": "portal.reading.messaging.sms.TwilioSmsBackend"}, "set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN"),
    ],
    ids=["console", "twilio-without-credentials"],
)
def test_production_refuses_texts_that_would_be_printed_or_cannot_be_sent(sms, message):
    from portal.tests.django_subprocess import production_env, run_manage

    completed = run_manage("check", env=production_env(**sms))
    assert completed.returncode != 0 and message in completed.stderr


def test_production_with_twilio_configured_passes_the_deploy_check():
    from portal.tests.django_subprocess import production_env, run_manage

    env = production_env(
        SMS_BACKEND="portal.reading.messaging.sms.TwilioSmsBackend",
        TWILIO_ACCOUNT_SID=SID,
        TWILIO_AUTH_TOKEN=AUTH,
        TWILIO_FROM_NUMBER="+15550001111",
    )
    completed = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert completed.returncode == 0, completed.stderr
