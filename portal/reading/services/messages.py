"""Messages to patients: the link by email (built from templates; nothing in it but the clinic, the session
time, the link and its expiry: no name, no treatment)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from portal.reading.links import patient_link_url
from portal.reading.models import TreatmentSession


def session_email_link(*, session: TreatmentSession, token: str) -> None:
    """Email the session's link (`token`, already checked to be its current one) to the patient's address, in the
    patient's preferred language."""
    context = {
        "session": session,
        "link": patient_link_url(token),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    with translation.override(session.patient.preferred_language):  # in the patient's language, dates too
        subject = " ".join(render_to_string("staff/link_email_subject.txt", context).split())
        message = render_to_string("staff/link_email.txt", context)
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[session.patient.email])
