"""The education record of a session for the chart (issue 13): a staff page, its PDF and the same record as a FHIR
R4 DocumentReference with the PDF attached. Made by portal.reading.record; the views check, audit and respond.

Each needs can_view_patient_data (patient_data_required), is never cached, and is audited once the session is
found (record.view / record.pdf / record.fhir, subject session=<pk>): the record lists those events, so the
chart shows who looked at it, including the look that made it.
"""

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.audit.services import audit_record
from portal.permissions import patient_data_required
from portal.reading import record as records
from portal.reading import selectors


def _record(request, pk, action):
    session = selectors.staff_session(pk=pk)
    if session is None:
        raise Http404("No such session.")
    audit_record(request=request, action=action, subject=records.record_subject(session))
    return records.education_record(session=session)


def _pdf(request, record):
    html = render_to_string("staff/record_document.html", {"record": record}, request=request)
    return records.record_pdf(html=html)


@require_safe
@patient_data_required
@never_cache
def record_page(request, pk):
    return render(request, "staff/record.html", {"record": _record(request, pk, "record.view")})


@require_safe
@patient_data_required
@never_cache
def record_pdf(request, pk):
    record = _record(request, pk, "record.pdf")
    response = HttpResponse(_pdf(request, record), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="education-record-session-{record.session.pk}.pdf"'
    return response


@require_safe
@patient_data_required
@never_cache
def record_fhir(request, pk):
    record = _record(request, pk, "record.fhir")
    resource = records.record_fhir(record=record, pdf=_pdf(request, record))
    response = HttpResponse(json.dumps(resource, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="education-record-session-{record.session.pk}.json"'
    return response
