"""Text messages through a small backend interface, chosen by settings.SMS_BACKEND.

- ConsoleSmsBackend prints each text (local development; refused in production, it would print links).
- LocmemSmsBackend keeps them in `outbox` (tests and benchmarks in one process).
- TwilioSmsBackend posts to Twilio's Messages API:
  POST {TWILIO_API_BASE}/2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP basic auth (AccountSid,
  AuthToken), form fields To, Body and From (or MessagingServiceSid); the reply's JSON "sid" is the id.
"""

import base64
import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The text was not accepted. `reason` is in plain words and carries no number or text of the message;
    `permanent` says whether trying again can help."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class SmsDisabled(SmsError):
    def __init__(self):
        super().__init__("Text messages are not set up for this clinic.", permanent=True)


class BaseSmsBackend:
    def send(self, *, to: str, body: str) -> str:
        """Send `body` to the number `to` (E.164); return the provider's message id. Raises SmsError."""
        raise NotImplementedError


class DisabledSmsBackend(BaseSmsBackend):
    def send(self, *, to, body):
        raise SmsDisabled


class ConsoleSmsBackend(BaseSmsBackend):
    stream = None

    def send(self, *, to, body):
        message_id = f"console-{uuid.uuid4().hex}"
        stream = self.stream or sys.stdout
        stream.write(f"SMS to {to} ({message_id}):\n{body}\n{'-' * 40}\n")
        stream.flush()
        return message_id


class LocmemSmsBackend(BaseSmsBackend):
    outbox: list[dict] = []
    _lock = threading.Lock()

    def send(self, *, to, body):
        message_id = f"locmem-{uuid.uuid4().hex}"
        with self._lock:
            LocmemSmsBackend.outbox.append({"to": to, "body": body, "id": message_id})
        return message_id


class TwilioSmsBackend(BaseSmsBackend):
    def __init__(self):
        self.account_sid = settings.TWILIO_ACCOUNT_SID
        self.auth_token = settings.TWILIO_AUTH_TOKEN
        self.from_number = settings.TWILIO_FROM_NUMBER
        self.messaging_service_sid = settings.TWILIO_MESSAGING_SERVICE_SID
        self.base = settings.TWILIO_API_BASE

    def send(self, *, to, body):
        fields = {"To": to, "Body": body}
        if self.messaging_service_sid:
            fields["MessagingServiceSid"] = self.messaging_service_sid
        else:
            fields["From"] = self.from_number
        url = f"{self.base}/2010-04-01/Accounts/{urllib.parse.quote(self.account_sid)}/Messages.json"
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the configured https API base
            url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:  # noqa: S310
                reply = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            # 4xx: the request itself is refused (bad number, unsubscribed recipient): trying again will not help,
            # except 429 (too many requests).
            permanent = 400 <= error.code < 500 and error.code != 429
            raise SmsError(f"The text service refused the message (HTTP {error.code}).", permanent=permanent) from None
        except (urllib.error.URLError, TimeoutError, OSError):
            raise SmsError("The text service could not be reached.") from None
        except ValueError:
            raise SmsError("The text service sent an answer that could not be read.") from None
        sid = reply.get("sid") if isinstance(reply, dict) else None
        if not sid:
            raise SmsError("The text service sent no message id.")
        return str(sid)


def sms_backend() -> BaseSmsBackend:
    if not settings.SMS_BACKEND:
        return DisabledSmsBackend()
    return import_string(settings.SMS_BACKEND)()


def sms_enabled() -> bool:
    return bool(settings.SMS_BACKEND)
