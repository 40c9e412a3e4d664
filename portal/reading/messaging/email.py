"""Email through Django's email backends (settings.EMAIL_BACKEND): a plain-text body and an HTML alternative."""

import smtplib
from email.utils import make_msgid

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME


class EmailError(Exception):
    """Not sent. `reason` in plain words (no address); `permanent` when trying again will not help."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def send_email(*, to: str, subject: str, text: str, html: str) -> str:
    """Send one email; return its Message-ID. Raises EmailError."""
    message_id = make_msgid(domain=DNS_NAME)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], connection=get_connection(), headers={"Message-ID": message_id}
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused:
        raise EmailError("The mail server refused the address.", permanent=True) from None
    except (smtplib.SMTPException, TimeoutError, OSError):
        raise EmailError("The mail server could not be reached or did not accept the message.") from None
    return str(message_id).strip("<>")[:100]
