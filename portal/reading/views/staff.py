"""Staff dashboard: who is ready for which session, each patient's reading records, questions, links, CSV.

Every view needs reading.view_patient_data (portal.permissions.patient_data_required: anonymous users
go to the login page, other staff get 403), is never cached, and writes an audit event once the
permission check and the lookup have passed (a refusal or an unknown id is not a look at patient data).
Reads come from portal.reading.selectors, writes go through portal.reading.services, the CSV is made by
portal.reading.exports: the views check input and choose the response.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from portal.audit.services import audit_record
from portal.permissions import patient_data_required
from portal.reading import exports, selectors, selectors_outreach
from portal.reading.forms import DateRangeForm, LinkEmailForm
from portal.reading.links import link_qr_svg, patient_link_url
from portal.reading.services import messages as message_services
from portal.reading.services import readiness
from portal.reading.services import sessions as session_services

SESSIONS_PER_PAGE = 50
QUESTIONS_PER_PAGE = 50


def staff_view(view):
    return patient_data_required(never_cache(view))


def _date_range(request):
    form = DateRangeForm(data=request.GET)
    return form, form.is_valid()


def _page_number(value):
    """The page asked for. Anything else (empty, text, 0, negative) means the first page; a number past the end
    shows the last page (Paginator.get_page)."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _page_context(page, paginator_links=None):
    links = paginator_links or list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return {"page": page, "page_links": links}


# Dashboard ------------------------------------------------------------------------------------------


@require_safe
@staff_view
def dashboard(request):
    """Sessions in a date range, SESSIONS_PER_PAGE to a page (a busy week has thousands), with totals for the
    whole range at the top. The same number of queries for any range and any page."""
    form, valid = _date_range(request)
    context = {"form": form, "valid": valid, "sessions": [], "range": None}
    context["import_counts"] = selectors.interface_counts_today()
    if valid:
        start, end = form.bounds()
        found = selectors.dashboard_page(
            start=start, end=end, page_number=_page_number(request.GET.get("page")), per_page=SESSIONS_PER_PAGE
        )
        audit_record(
            request=request,
            action="dashboard.view",
            subject=f"page={found.page.number}",
            filters=form.as_filters(),
            row_count=len(found.sessions),
        )
        summaries = readiness.checklist_summaries(sessions=found.sessions)
        for session in found.sessions:
            session.checklist_summary = summaries.get(session.pk, "")
        context |= {
            "sessions": selectors_outreach.delivery_attach(found.sessions),
            "range": form.cleaned_data,
            "range_filters": form.as_filters(),
            "totals": found.totals,
            **_page_context(found.page, found.page_links),
        }
    return render(request, "staff/dashboard.html", context, status=200 if valid else 400)


# One session ----------------------------------------------------------------------------------------


def _session(pk):
    session = selectors.staff_session(pk=pk)
    if session is None:
        raise Http404(_("No such session."))
    return session


def _render_session(request, session, *, new_token=None):
    items = selectors.session_items_with_questions(session=session)
    needed_help = readiness.needed_help_questions(items=items)
    for item in items:
        item.needed_help = needed_help.get(item.pk, [])
    context = {
        "checklist": readiness.session_checklist(session=session),
        "session": session,
        "items": items,
        "questions": [(item, question) for item in items for question in item.questions.all()],
        "timeline": selectors.session_timeline(session=session, items=items),
        "delivery": selectors_outreach.session_delivery(session=session),
        "read_quickly_percent": round(settings.READ_QUICKLY_FRACTION * 100),
        "session_source": selectors.session_source(session=session),
    }
    if new_token:
        link = patient_link_url(new_token)
        context |= {
            "new_link": link,
            "qr_svg": link_qr_svg(link),
            "email_form": LinkEmailForm(initial={"token": new_token}, session=session),
        }
    return render(request, "staff/session.html", context)


@require_safe
@staff_view
def session_detail(request, pk):
    session = _session(pk)
    audit_record(request=request, action="session.view", subject=f"session={session.pk}")
    return _render_session(request, session)


@require_POST
@staff_view
def session_issue_link(request, pk):
    """Revoke the current link and show a new one, once (only its hash is kept)."""
    session = _session(pk)
    token = session_services.session_issue_link(session=session)
    message_services.messages_link_issued(session=session, token=token)
    audit_record(request=request, action="link.issue", subject=f"session={session.pk}")
    return _render_session(request, session, new_token=token)


@require_POST
@staff_view
def session_revoke_link(request, pk):
    session = _session(pk)
    session_services.session_revoke_link(session=session)
    audit_record(request=request, action="link.revoke", subject=f"session={session.pk}")
    messages.success(request, _("The link is revoked: it and every browser that opened it no longer work."))
    return redirect(session)


@require_POST
@staff_view
def session_email_link(request, pk):
    """Email the link just shown (posted back from the page) to the patient (portal.reading.services.messages)."""
    session = _session(pk)
    form = LinkEmailForm(request.POST, session=session)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("The link could not be sent.")]:
            messages.error(request, error)
        return redirect(session)
    try:
        message_services.session_email_link(session=session, token=form.cleaned_data["token"])
    except message_services.MessageNotPossible as refusal:
        messages.error(request, str(refusal))
        return redirect(session)
    audit_record(request=request, action="link.email", subject=f"session={session.pk}")
    messages.success(request, gettext("The email with the link is on its way to the patient."))
    return redirect(session)


# Questions ------------------------------------------------------------------------------------------


@require_safe
@staff_view
def questions(request):
    """Open questions, oldest first, QUESTIONS_PER_PAGE to a page."""
    page = selectors.open_questions_page(page_number=_page_number(request.GET.get("page")), per_page=QUESTIONS_PER_PAGE)
    audit_record(
        request=request, action="questions.view", subject=f"page={page.number}", row_count=len(page.object_list)
    )
    return render(request, "staff/questions.html", {"questions": page.object_list, **_page_context(page)})


@require_POST
@staff_view
def question_answered(request, pk):
    question = selectors.staff_question(pk=pk)
    if question is None:
        raise Http404(_("No such question."))
    if session_services.question_mark_answered(question=question, by=request.user):
        messages.success(request, _("Question marked answered."))
    else:
        messages.info(request, _("That question was already marked answered."))
    audit_record(
        request=request,
        action="question.answered",
        subject=f"question={question.pk} session={question.item.session_id}",
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("staff:questions")
    return redirect(next_url)


# CSV export -----------------------------------------------------------------------------------------


@require_safe
@staff_view
def sessions_csv(request):
    """One row per session item in the date range, with every field of its reading record, streamed."""
    form, valid = _date_range(request)
    if not valid:
        errors = "; ".join(error for errors in form.errors.values() for error in errors)
        return HttpResponse(
            _("Bad date range: %(errors)s Use ?from=YYYY-MM-DD&to=YYYY-MM-DD.") % {"errors": errors},
            status=400,
            content_type="text/plain",
        )
    start, end = form.bounds()
    filters = form.as_filters()
    # Recorded before the first row leaves, so an export cut short is in the audit log too.
    row_count = selectors.csv_item_count(start=start, end=end)
    audit_record(request=request, action="sessions.csv", filters=filters, row_count=row_count)
    return exports.csv_response(
        selectors.csv_items(start=start, end=end), filename=f"sessions-{filters['from']}-to-{filters['to']}.csv"
    )
