"""The front desk, at /staff/: find or add a patient, schedule a session and hand out its link in one step;
today's and the coming days' sessions with their actions (new link, email, text, reschedule, cancel).

Works without JavaScript (plain forms and POSTs). Same rules as portal.reading.views.staff: patient-data
permission, never cached, every action audited once allowed and found; reads in selectors_outreach, writes in
services (cancel and reschedule only through session_cancel / session_reschedule)."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from portal.audit.services import audit_record
from portal.reading import selectors_outreach
from portal.reading.forms_frontdesk import PatientSearchForm, RescheduleForm, ScheduleForm, SendLinkForm
from portal.reading.models import Patient
from portal.reading.services import messages as message_services
from portal.reading.services import sessions as session_services
from portal.reading.views.staff import _render_session, _session, staff_view


def _frontdesk(request, *, schedule_form=None, status=200):
    search = PatientSearchForm(data=request.GET or None)
    found = []
    if search.is_valid() and search.cleaned_data["q"]:
        found = selectors_outreach.frontdesk_patients(query=search.cleaned_data["q"])
        audit_record(request=request, action="frontdesk.search", row_count=len(found))
    sessions = selectors_outreach.frontdesk_sessions()
    audit_record(request=request, action="frontdesk.view", row_count=len(sessions))
    context = {
        "search": search,
        "found": found,
        "schedule_form": schedule_form or ScheduleForm(),
        "sessions": sessions,
        "clinic_time_zone": settings.TIME_ZONE,
    }
    return render(request, "staff/frontdesk.html", context, status=status)


@require_safe
@staff_view
def frontdesk(request):
    return _frontdesk(request)


@require_POST
@staff_view
def frontdesk_schedule(request):
    """Create the session (and the patient, when new) with its link in one step; show the link once."""
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _frontdesk(request, schedule_form=form, status=400)
    with transaction.atomic():
        patient = form.cleaned_data["patient"] or Patient.objects.create(**form.new_patient_fields())
        session = session_services.session_create(
            patient=patient, treatment=form.cleaned_data["treatment"], scheduled_at=form.cleaned_data["scheduled_at"]
        )
        token = session_services.session_issue_link(session=session)
        message_services.messages_link_issued(session=session, token=token)
    audit_record(request=request, action="session.create", subject=f"session={session.pk}")
    audit_record(request=request, action="link.issue", subject=f"session={session.pk}")
    return _render_session(request, _session(session.pk), new_token=token)


@require_POST
@staff_view
def session_send_link(request, pk):
    """Queue the link by email or text: the one just shown (posted back), or a new one."""
    session = _session(pk)
    form = SendLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("The link could not be sent."))
        return redirect(reverse("staff:frontdesk"))
    channel, token = form.cleaned_data["channel"], form.cleaned_data["token"]
    try:
        with transaction.atomic():
            if not token:
                token = session_services.session_issue_link(session=session)
                message_services.messages_link_issued(session=session, token=token)
                audit_record(request=request, action="link.issue", subject=f"session={session.pk}")
            message_services.session_send_link(session=session, token=token, channel=channel)
    except message_services.MessageNotPossible as refusal:
        messages.error(request, str(refusal))
        return redirect(session if form.cleaned_data["token"] else reverse("staff:frontdesk"))
    audit_record(request=request, action=f"link.{channel}", subject=f"session={session.pk}")
    messages.success(request, gettext("The link is on its way to the patient."))
    return redirect(session if form.cleaned_data["token"] else reverse("staff:frontdesk"))


@require_POST
@staff_view
def session_reschedule(request, pk):
    session = _session(pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(reverse("staff:frontdesk"))
    session_services.session_reschedule(session=session, scheduled_at=form.cleaned_data["scheduled_at"])
    audit_record(request=request, action="session.reschedule", subject=f"session={session.pk}")
    messages.success(request, gettext("The session was moved; its link and reminders follow."))
    return redirect(reverse("staff:frontdesk"))


@require_POST
@staff_view
def session_cancel(request, pk):
    session = _session(pk)
    session_services.session_cancel(session=session)
    audit_record(request=request, action="session.cancel", subject=f"session={session.pk}")
    messages.success(request, gettext("The session was cancelled: its link and reminders are stopped."))
    return redirect(reverse("staff:frontdesk"))
