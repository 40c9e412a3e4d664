"""Twilio's inbound-message webhook: a patient's "STOP" opts them out of texts, "START" back in.

Only requests signed with the account's auth token are believed (X-Twilio-Signature over the public URL, see
portal.reading.messaging.twilio_signature); anything else gets 403 and changes nothing. The reply is empty TwiML:
Twilio itself answers STOP and START with its standard texts."""

import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.reading.messaging.twilio_signature import twilio_signature_valid
from portal.reading.models import Patient
from portal.reading.services.messages import patient_opt_in_texts, patient_opt_out_texts

# Twilio's standard opt-out and opt-in keywords.
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"START", "YES", "UNSTOP"}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _patients_with_number(number):
    digits = re.sub(r"\D", "", number or "")
    if not digits:
        return Patient.objects.none()
    return Patient.objects.filter(mobile_number__in={number, f"+{digits}", digits})


@csrf_exempt
@require_POST
def twilio_inbound(request):
    params = {name: request.POST.get(name, "") for name in request.POST}
    url = settings.PORTAL_BASE_URL + request.get_full_path()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not twilio_signature_valid(auth_token=settings.TWILIO_AUTH_TOKEN, url=url, params=params, signature=signature):
        return HttpResponseForbidden("Bad signature.", content_type="text/plain")
    word = params.get("Body", "").strip().upper()
    for patient in _patients_with_number(params.get("From", "")):
        if word in STOP_WORDS:
            patient_opt_out_texts(patient=patient)
        elif word in START_WORDS:
            patient_opt_in_texts(patient=patient)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
