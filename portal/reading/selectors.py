"""Reads that views, exports and commands use: each a fixed number of queries, however much data.

Sessions come with their completion counts (SessionQuerySet.with_completion), items with their records,
pages and estimates (SessionItemQuerySet.with_state); page relations come from PAGE_FIELDS.
"""

import dataclasses
import datetime
import functools

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils.functional import cached_property

from portal.reading.models import (
    PAGE_FIELDS,
    PatientQuestion,
    SessionItem,
    TreatmentSession,
    hash_token,
    page_bulky_fields,
    page_relations,
)

# Patient pages ----------------------------------------------------------------------------------------


def session_for_token(*, token: str) -> TreatmentSession | None:
    """The session whose link this token is, while the link works (found by the token's hash)."""
    return TreatmentSession.objects.with_valid_link().filter(token_hash=hash_token(token)).first()


def patient_session(*, session_id: int, link_hash: str) -> TreatmentSession | None:
    """The session a patient's browser holds, only while the link it came from still works."""
    return (
        TreatmentSession.objects.with_valid_link()
        .select_related("patient", "treatment")
        .filter(pk=session_id, token_hash=link_hash)
        .first()
    )


def patient_items(*, session: TreatmentSession) -> list[SessionItem]:
    return list(SessionItem.objects.with_state().filter(session=session).order_by("position"))


def patient_item(*, session: TreatmentSession, pk: int) -> SessionItem | None:
    """An item of this session (any other id is None: patients see only their own pages)."""
    try:
        return SessionItem.objects.with_state().get(session=session, pk=pk)
    except SessionItem.DoesNotExist:
        return None


# What a patient's item page shows of a page: its live text, title and versions, and what decides whether it is
# available. The rest (the working copy, review bookkeeping) is left out of the item page's query: with six
# tables joined, each column is a noticeable part of the cost of building the query.
_ITEM_PAGE_SHOWN = {"id", "status", "title", "slug", "intro", "live_title", "live_html", "live_toc", "live_word_count"}
_ITEM_PAGE_SHOWN |= {"published_version", "material_version", "content_hash", "withdrawn_at", "expire_at"}


@functools.cache
def _item_page_unused() -> tuple[str, ...]:
    return tuple(
        f"{field}__{model_field.name}"
        for field, label in PAGE_FIELDS.items()
        for model_field in apps.get_model(label)._meta.concrete_fields
        if model_field.name not in _ITEM_PAGE_SHOWN
    )


def patient_item_page(*, session_id: int, link_hash: str) -> list[SessionItem]:
    """The session's items in order, with state and pages, each with its session, patient and treatment, only
    while the link the browser holds still works: ONE query for what an item page shows (the item, its place
    in the list, the next one, the session), the link checked in it. Empty for an ended link (or a session
    with nothing to read)."""
    items = list(
        SessionItem.objects.with_state()
        .for_patient_link(session_id, link_hash)
        .select_related("session__patient", "session__treatment")
        .defer(*_item_page_unused())
        .order_by("position")
    )
    for item in items[1:]:
        item.session = items[0].session  # one session object for the page, as the other pages have
    return items


def beacon_item(*, session_id: int, link_hash: str, pk: int) -> SessionItem | None:
    """The item for a beacon report, checked against the browser's link in the same query."""
    try:
        return SessionItem.objects.for_patient_link(session_id, link_hash).get(pk=pk)
    except SessionItem.DoesNotExist:
        return None


# Staff: dashboard -------------------------------------------------------------------------------------


class KnownCountPaginator(Paginator):
    """A paginator given its item count (the dashboard's totals query has it), so it runs no COUNT of its own."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


@dataclasses.dataclass(frozen=True)
class DashboardPage:
    sessions: list[TreatmentSession]
    totals: dict
    page: Page
    page_links: list


def dashboard_page(
    *, start: datetime.datetime, end: datetime.datetime, page_number: int, per_page: int
) -> DashboardPage:
    """Sessions in [start, end), `per_page` to a page, with totals for the whole range. The same number of
    queries for any range and any page: the paginator picks the page's ids (cheap), and only those sessions
    get their completion counted."""
    in_range = TreatmentSession.objects.between(start, end)
    totals = in_range.completion_totals()
    ids = in_range.order_by("scheduled_at", "pk").values("pk")
    paginator = KnownCountPaginator(ids, per_page, count=totals["total"])
    page = paginator.get_page(page_number)
    sessions = list(
        TreatmentSession.objects.filter(pk__in=page.object_list)
        .with_completion()
        .select_related("patient", "treatment")
        .order_by("scheduled_at", "pk")
    )
    return DashboardPage(
        sessions=sessions,
        totals=totals | {"not_ready": totals["total"] - totals["ready"]},
        page=page,
        page_links=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
    )


# Staff: one session -----------------------------------------------------------------------------------


def staff_session(*, pk: int) -> TreatmentSession | None:
    return TreatmentSession.objects.with_completion().select_related("patient", "treatment").filter(pk=pk).first()


def session_items_with_questions(*, session: TreatmentSession) -> list[SessionItem]:
    """The session's items with records, pages and their questions (oldest first): three queries."""
    return list(
        SessionItem.objects.with_state()
        .filter(session=session)
        .order_by("position")
        .prefetch_related(Prefetch("questions", queryset=PatientQuestion.objects.order_by("asked_at")))
    )


def session_timeline(*, session: TreatmentSession, items: list[SessionItem]) -> list[tuple[datetime.datetime, str]]:
    """What happened, oldest first: (time, text) pairs from the session, its link and its items' records
    (`items` from session_items_with_questions: no further query)."""
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


# Staff: questions -------------------------------------------------------------------------------------


def open_questions_page(*, page_number: int, per_page: int) -> Page:
    """Open questions, oldest first, `per_page` to a page, each with its session, patient and page."""
    questions = (
        PatientQuestion.objects.filter(answered_at__isnull=True)
        .select_related("item__session__patient", "item__session__treatment", *page_relations("item__"))
        .order_by("asked_at", "pk")
    )
    return Paginator(questions, per_page).get_page(page_number)


def staff_question(*, pk: int) -> PatientQuestion | None:
    return PatientQuestion.objects.select_related("item").filter(pk=pk).first()


# Staff: export ----------------------------------------------------------------------------------------

# What a CSV row needs of an item, as plain values (portal.reading.exports.csv_row): no model instances, which
# cost most of an export's time (14 s for 60,000 rows as objects, measured).
CSV_ITEM_VALUES = (
    "pk", "session_id", "position", "required", "current_material_version", *(f"{field}_id" for field in PAGE_FIELDS),
    "session__scheduled_at", "session__status", "session__patient__reference", "session__patient__display_name",
    "session__treatment__slug", "record__pk", "record__opened_at", "record__seconds_visible",
    "record__end_reached_at", "record__acknowledged_at", "record__acknowledged_version", "record__content_version",
    "record__content_hash", "record__updated_at", "is_done", "estimated_words",
    "record__teach_back_pending", "record__teach_back_needed_help", "session_ready",
)  # fmt: skip


def csv_items(*, start: datetime.datetime, end: datetime.datetime) -> QuerySet:
    """Every item of the sessions in [start, end), in session order, as dicts of CSV_ITEM_VALUES (one query;
    iterate it in chunks). Their pages and questions come from csv_pages and csv_questions, once per chunk."""
    not_ready = TreatmentSession.objects.between(start, end).not_ready().values("pk")
    return (
        SessionItem.objects.filter(session__scheduled_at__gte=start, session__scheduled_at__lt=end)
        .with_state()
        .annotate(session_ready=ExpressionWrapper(~Q(session_id__in=not_ready), output_field=BooleanField()))
        .order_by("session__scheduled_at", "session_id", "position")
        .values(*CSV_ITEM_VALUES)
    )


def csv_pages(*, keys: set[tuple[str, int]]) -> dict[tuple[str, int], object]:
    """{(page field, pk): page} without the pages' text: one query per kind of page."""
    pages = {}
    for field, label in PAGE_FIELDS.items():
        pks = {pk for key_field, pk in keys if key_field == field}
        if pks:
            model = apps.get_model(label)
            bulky = [name.split("__", 1)[1] for name in page_bulky_fields() if name.startswith(f"{field}__")]
            pages |= {(field, page.pk): page for page in model.objects.filter(pk__in=pks).defer(*bulky)}
    return pages


def csv_questions(*, item_ids: list[int]) -> dict[int, list[dict]]:
    """{item id: [question values, oldest first]} for these items: one query."""
    questions: dict[int, list[dict]] = {}
    for question in (
        PatientQuestion.objects.filter(item_id__in=item_ids)
        .order_by("asked_at", "pk")
        .values("item_id", "text", "asked_at", "answered_at")
    ):
        questions.setdefault(question["item_id"], []).append(question)
    return questions


def csv_item_count(*, start: datetime.datetime, end: datetime.datetime) -> int:
    return SessionItem.objects.filter(session__scheduled_at__gte=start, session__scheduled_at__lt=end).count()
