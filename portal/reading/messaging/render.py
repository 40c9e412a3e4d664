"""What a message says, from templates/messages/, in the patient's language.

Only the clinic's name and phone number, "pages to read before your visit", the link and how to opt out:
no name, reference, treatment or diagnosis (a test renders every template with identifying data around it)."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from portal.phone import phone_href


@dataclass(frozen=True)
class Rendered:
    subject: str  # "" for a text
    text: str
    html: str  # "" for a text


def message_context(*, link: str) -> dict:
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_href": phone_href(settings.CLINIC_PHONE),
        "link": link,
    }


def render_message(*, kind: str, channel: str, link: str, language: str) -> Rendered:
    """Render the `kind` ("link", "reminder") message for `channel` ("email", "sms") in `language`."""
    context = message_context(link=link)
    with translation.override(language):
        if channel == "sms":
            return Rendered(subject="", text=render_to_string(f"messages/{kind}_sms.txt", context).strip(), html="")
        subject = " ".join(render_to_string(f"messages/{kind}_email_subject.txt", context).split())
        return Rendered(
            subject=subject,
            text=render_to_string(f"messages/{kind}_email.txt", context),
            html=render_to_string(f"messages/{kind}_email.html", context | {"language": language}),
        )
