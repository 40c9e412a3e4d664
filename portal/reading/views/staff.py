"""Staff dashboard: who is ready for which session, each patient's reading records, questions, links, CSV.

Every view needs portal.view_patient_data (portal.permissions.patient_data_required: anonymous users
go to the login page, other staff get 403), is never cached, and writes an audit event.
The number of queries of each page is constant: sessions come with their completion counts
(SessionQuerySet.with_completion), items with their records and estimates (SessionItemQuerySet.with_state).
The CSV export is streamed; it adds one query per CSV_CHUNK_ROWS rows (that chunk's questions).
"""

import csv

import segno
from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from portal.audit.services import audit_record
from portal.permissions import patient_data_required
from portal.reading.forms import DateRangeForm, LinkEmailForm
from portal.reading.models import PatientQuestion, SessionItem, TreatmentSession
from portal.reading.services import sessions as session_services


def staff_view(view):
    return patient_data_required(never_cache(view))


def patient_link_url(token):
    return settings.PORTAL_BASE_URL + reverse("patient:open", kwargs={"token": token})


def _date_range(request):
    form = DateRangeForm(data=request.GET)
    return form, form.is_valid()


# Dashboard ------------------------------------------------------------------------------------------


SESSIONS_PER_PAGE = 50


class KnownCountPaginator(Paginator):
    """A paginator given its item count (the dashboard's totals query has it), so it runs no COUNT of its own."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


def _page_number(value):
    """The page asked for. Anything else (empty, text, 0, negative) means the first page; a number past the end
    shows the last page (Paginator.get_page)."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


@require_safe
@staff_view
def dashboard(request):
    """Sessions in a date range, SESSIONS_PER_PAGE to a page (a busy week has thousands), with totals for the
    whole range at the top. The same number of queries for any range and any page."""
    form, valid = _date_range(request)
    context = {"form": form, "valid": valid, "sessions": [], "range": None}
    if valid:
        start, end = form.bounds()
        in_range = TreatmentSession.objects.between(start, end)
        totals = in_range.completion_totals()
        # The paginator picks the page's ids (cheap); only those 50 sessions get their completion counted.
        ids = in_range.order_by("scheduled_at", "pk").values("pk")
        paginator = KnownCountPaginator(ids, SESSIONS_PER_PAGE, count=totals["total"])
        page = paginator.get_page(_page_number(request.GET.get("page")))
        sessions = list(
            TreatmentSession.objects.filter(pk__in=page.object_list)
            .with_completion()
            .select_related("patient", "treatment")
            .order_by("scheduled_at", "pk")
        )
        audit_record(
            request=request,
            action="dashboard.view",
            subject=f"page={page.number}",
            filters=form.as_filters(),
            row_count=len(sessions),
        )
        context |= {
            "sessions": sessions,
            "range": form.cleaned_data,
            "range_filters": form.as_filters(),
            "totals": totals | {"not_ready": totals["total"] - totals["ready"]},
            "page": page,
            "page_links": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        }
    return render(request, "staff/dashboard.html", context, status=200 if valid else 400)


# One session ----------------------------------------------------------------------------------------


def _session(pk):
    return get_object_or_404(TreatmentSession.objects.with_completion().select_related("patient", "treatment"), pk=pk)


def _session_items(session):
    return list(
        SessionItem.objects.with_state()
        .filter(session=session)
        .order_by("position")
        .prefetch_related(Prefetch("questions", queryset=PatientQuestion.objects.order_by("asked_at")))
    )


def session_timeline(session, items):
    """What happened, oldest first: (time, text) pairs from the session, its link and its items' records."""
    events = [(session.created_at, "Session created")]
    if session.link_issued_at:
        events.append((session.link_issued_at, "Current link issued"))
    if session.link_revoked_at:
        events.append((session.link_revoked_at, "Link revoked"))
    for item in items:
        record = item.reading_record
        if record is not None:
            if record.opened_at:
                events.append((record.opened_at, f"Opened “{item.title}”"))
            if record.end_reached_at:
                events.append((record.end_reached_at, f"Reached the end of “{item.title}”"))
            if record.acknowledged_at:
                events.append((record.acknowledged_at, f"Acknowledged “{item.title}”"))
        for question in item.questions.all():
            events.append((question.asked_at, f"Asked a question about “{item.title}”"))
            if question.answered_at:
                events.append((question.answered_at, f"Question about “{item.title}” marked answered"))
    return sorted(events, key=lambda event: event[0])


def link_qr_svg(link):
    """The link as an inline SVG QR code. segno writes presentation attributes only (no style=), which the
    Content-Security-Policy allows; the size comes from portal.css (viewBox, no width/height)."""
    return segno.make(link, error="m").svg_inline(omitsize=True, svgclass="qr-code", title="QR code of the link")


def _render_session(request, session, *, new_token=None):
    items = _session_items(session)
    context = {
        "session": session,
        "items": items,
        "questions": [(item, question) for item in items for question in item.questions.all()],
        "timeline": session_timeline(session, items),
        "read_quickly_percent": round(settings.READ_QUICKLY_FRACTION * 100),
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
    audit_record(request=request, action="link.issue", subject=f"session={session.pk}")
    return _render_session(request, session, new_token=token)


@require_POST
@staff_view
def session_revoke_link(request, pk):
    session = _session(pk)
    session_services.session_revoke_link(session=session)
    audit_record(request=request, action="link.revoke", subject=f"session={session.pk}")
    messages.success(request, "The link is revoked: it and every browser that opened it no longer work.")
    return redirect(session)


@require_POST
@staff_view
def session_email_link(request, pk):
    """Email the link just shown (posted back from the page) to the patient. Nothing in the email but the
    clinic, the session time, the link and its expiry: no name, no treatment."""
    session = _session(pk)
    form = LinkEmailForm(request.POST, session=session)
    if not form.is_valid():
        for error in form.non_field_errors() or ["The link could not be sent."]:
            messages.error(request, error)
        return redirect(session)
    link = patient_link_url(form.cleaned_data["token"])
    context = {
        "session": session,
        "link": link,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    send_mail(
        subject=f"Your reading before your appointment at {settings.CLINIC_NAME}",
        message=render_to_string("staff/link_email.txt", context),
        from_email=None,
        recipient_list=[session.patient.email],
    )
    audit_record(request=request, action="link.email", subject=f"session={session.pk}")
    messages.success(request, "The link was emailed to the patient.")
    return redirect(session)


# Questions ------------------------------------------------------------------------------------------


@require_safe
@staff_view
def questions(request):
    open_questions = list(
        PatientQuestion.objects.filter(answered_at__isnull=True)
        .select_related("item__session__patient", "item__session__treatment", "item__article", "item__faq_topic")
        .order_by("asked_at")
    )
    audit_record(request=request, action="questions.view", row_count=len(open_questions))
    return render(request, "staff/questions.html", {"questions": open_questions})


@require_POST
@staff_view
def question_answered(request, pk):
    question = get_object_or_404(PatientQuestion.objects.select_related("item"), pk=pk)
    if session_services.question_mark_answered(question=question, by=request.user):
        messages.success(request, "Question marked answered.")
    else:
        messages.info(request, "That question was already marked answered.")
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

CSV_COLUMNS = (
    "session_id", "scheduled_at", "session_status", "patient_reference", "patient_name", "treatment",
    "item_position", "item_title", "item_type", "required", "estimated_seconds", "current_material_version",
    "state", "done", "read_earlier_version", "read_quickly",
    "opened_at", "seconds_visible", "seconds_open_to_acknowledge", "reading_seconds", "measured_by",
    "end_reached_at", "acknowledged_at", "acknowledged_version", "content_version", "content_hash",
    "record_updated_at", "questions", "question_texts", "first_question_asked_at", "open_questions",
)  # fmt: skip
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _local(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def csv_row(item):
    """The row of one item; needs the item's questions, oldest first, in `asked_questions` (see sessions_csv)."""
    session, record = item.session, item.reading_record
    questions = item.asked_questions
    row = {
        "session_id": session.pk,
        "scheduled_at": _local(session.scheduled_at),
        "session_status": session.status,
        "patient_reference": session.patient.reference,
        "patient_name": session.patient.display_name,
        "treatment": session.treatment.slug,
        "item_position": item.position,
        "item_title": item.title,
        "item_type": item.page.page_kind,
        "required": item.required,
        "estimated_seconds": item.estimated_seconds,
        "current_material_version": item.current_material_version,
        "state": item.state.value,
        "done": item.is_done,
        "read_earlier_version": item.read_earlier_version,
        "read_quickly": item.read_quickly,
        "questions": len(questions),
        "question_texts": " | ".join(question.text for question in questions),
        "first_question_asked_at": _local(questions[0].asked_at) if questions else "",
        "open_questions": sum(1 for question in questions if question.answered_at is None),
    }
    if record is not None:
        row |= {
            "opened_at": _local(record.opened_at),
            "seconds_visible": record.seconds_visible,
            "seconds_open_to_acknowledge": record.seconds_open_to_acknowledge,
            "reading_seconds": record.reading_seconds,
            "measured_by": "script" if record.measured_by_script else ("form" if record.acknowledged_at else ""),
            "end_reached_at": _local(record.end_reached_at),
            "acknowledged_at": _local(record.acknowledged_at),
            "acknowledged_version": record.acknowledged_version,
            "content_version": record.content_version,
            "content_hash": record.content_hash,
            "record_updated_at": _local(record.updated_at),
        }
    return [csv_safe("" if row.get(column) is None else row.get(column, "")) for column in CSV_COLUMNS]


class _Echo:
    """A file-like object whose write() returns the line: csv.writer then makes lines for a streamed response."""

    def write(self, value):
        return value


# The pages' text and HTML: the CSV needs none of it, and each row would carry a copy.
CSV_DEFERRED_FIELDS = tuple(
    f"{relation}__{field}"
    for relation, fields in {
        "article": ("body", "body_html", "toc", "live_html", "live_text", "live_toc", "review_note"),
        "faq_topic": ("intro",),
    }.items()
    for field in fields
)
CSV_CHUNK_ROWS = 1000


def csv_lines(items):
    """The CSV, line by line. Rows come CSV_CHUNK_ROWS at a time (with their questions, one query per chunk),
    so memory stays flat however long the export is."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for item in items.iterator(chunk_size=CSV_CHUNK_ROWS):
        yield writer.writerow(csv_row(item))


@require_safe
@staff_view
def sessions_csv(request):
    """One row per session item in the date range, with every field of its reading record, streamed."""
    form, valid = _date_range(request)
    if not valid:
        errors = "; ".join(error for errors in form.errors.values() for error in errors)
        return HttpResponse(
            f"Bad date range: {errors} Use ?from=YYYY-MM-DD&to=YYYY-MM-DD.", status=400, content_type="text/plain"
        )
    start, end = form.bounds()
    items = SessionItem.objects.filter(session__scheduled_at__gte=start, session__scheduled_at__lt=end)
    filters = form.as_filters()
    # Recorded before the first row leaves, so an export cut short is in the audit log too.
    audit_record(request=request, action="sessions.csv", filters=filters, row_count=items.count())
    items = (
        items.with_state()
        .select_related("session__patient", "session__treatment")
        .defer(*CSV_DEFERRED_FIELDS)
        .prefetch_related(
            Prefetch("questions", queryset=PatientQuestion.objects.order_by("asked_at"), to_attr="asked_questions")
        )
        .order_by("session__scheduled_at", "session_id", "position")
    )
    response = StreamingHttpResponse(csv_lines(items), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sessions-{filters["from"]}-to-{filters["to"]}.csv"'
    return response
