"""Reads that views, exports and commands use: each a fixed number of queries, however much data.

Sessions come with their completion counts (SessionQuerySet.with_completion), items with their records,
pages and estimates (SessionItemQuerySet.with_state); page relations come from PAGE_FIELDS.
"""

import dataclasses
import datetime
import functools

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext

from portal.content.selectors import ShownVersion, base_language, page_text_for, page_texts_for
from portal.reading.models import (
    PAGE_FIELDS,
    InterfaceMessage,
    InterfaceResult,
    PatientQuestion,
    ReadingRecord,
    SessionItem,
    TreatmentSession,
    hash_token,
    page_bulky_fields,
    page_live_entries,
    page_relations,
)
from portal.reading.models.items import language_name

# Patient pages ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PageInLanguage:
    """A page to read as a patient of one language gets it: an article's text, or an FAQ topic's answers, each in
    that language when its translation is current, else in the source language with a note
    (portal.content.selectors.page_text_for). `language` and `translation_version` go into the reading record."""

    text: ShownVersion | None  # an article's text (None for a page of entries)
    entries: list  # an FAQ topic's answers (ShownVersions)
    language: str  # "es", "en", or "es+en" when part of it is in the source language
    translation_version: int | None  # an article read in translation: that translation's version
    heading: tuple = ("", "")  # a page of entries: its (title, intro) as shown

    @property
    def title(self):
        return self.text.title if self.text is not None else self.heading[0]

    @property
    def intro(self):
        return self.heading[1]


def patient_language(*, session: TreatmentSession) -> str:
    """The language a patient's pages are shown in: their preferred language."""
    return base_language(session.patient.preferred_language)


def page_in_language(*, page, language: str) -> PageInLanguage:
    entries = page_live_entries(page)
    if entries:
        texts = page_texts_for(contents=entries, language=language)
        translated = type(page).headings_in_language([page], language=language).get(page.pk)
        heading = translated or (page.page_title, getattr(page, "intro", ""))
        languages = list(
            dict.fromkeys([*(text.language for text in texts), language if translated else base_language(None)])
        )
        return PageInLanguage(None, texts, "+".join(languages), None, heading)
    text = page_text_for(content=page, language=language)
    return PageInLanguage(text, [], text.language, text.translation_version)


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


def patient_items(*, session: TreatmentSession, language: str | None = None) -> list[SessionItem]:
    """The session's items, titled in `language` (default: the patient's preferred language)."""
    items = list(SessionItem.objects.with_state().filter(session=session).order_by("position"))
    return _titles_in_language(items, language=language or patient_language(session=session))


def patient_item(*, session: TreatmentSession, pk: int, language: str | None = None) -> SessionItem | None:
    """An item of this session (any other id is None: patients see only their own pages)."""
    try:
        item = SessionItem.objects.with_state().get(session=session, pk=pk)
    except SessionItem.DoesNotExist:
        return None
    return _titles_in_language([item], language=language or patient_language(session=session))[0]


def _titles_in_language(items, *, language):
    """Give each item its page's title in `language` where the page's translation is current (the rule of
    page_text_for): one query per kind of translated page, none for a patient reading the source language."""
    by_model = {}
    for item in items:
        by_model.setdefault(type(item.page), []).append(item)
    for model, model_items in by_model.items():
        headings = model.headings_in_language([item.page for item in model_items], language=language)
        for item in model_items:
            item.title_in_language = headings.get(item.page.pk, (None,))[0]
    return items


# What a patient's item page shows of a page: its live text, title and versions, and what decides whether it is
# available. The rest (the working copy, review bookkeeping) is left out of the item page's query: with six
# tables joined, each column is a noticeable part of the cost of building the query.
_ITEM_PAGE_SHOWN = {"id", "status", "title", "slug", "intro", "live_title", "live_html", "live_toc", "live_word_count"}
_ITEM_PAGE_SHOWN |= {"published_version", "material_version", "content_hash", "withdrawn_at", "expire_at"}
_ITEM_PAGE_SHOWN |= {"live_summary", "live_reading_minutes"}  # the page's text as shown (page_in_language)


@functools.cache
def _item_page_unused() -> tuple[str, ...]:
    return tuple(
        f"{field}__{model_field.name}"
        for field, label in PAGE_FIELDS.items()
        for model_field in apps.get_model(label)._meta.concrete_fields
        if model_field.name not in _ITEM_PAGE_SHOWN
    )


def patient_item_page(*, session_id: int, link_hash: str, language: str | None = None) -> list[SessionItem]:
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
    if not items:
        return items
    return _titles_in_language(items, language=language or patient_language(session=items[0].session))


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
    _attach_languages_read(sessions)
    return DashboardPage(
        sessions=sessions,
        totals=totals | {"not_ready": totals["total"] - totals["ready"]},
        page=page,
        page_links=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
    )


def _attach_languages_read(sessions):
    """Each session's `languages_read`: the languages its pages were read in (from its reading records), one
    query for the whole page of sessions."""
    found = {}
    rows = (
        ReadingRecord.objects.filter(item__session__in=[session.pk for session in sessions])
        .exclude(language="")
        .values_list("item__session_id", "language")
        .distinct()
    )
    for session_id, language in rows:
        found.setdefault(session_id, set()).add(language)
    for session in sessions:
        session.languages_read = [language_name(code) for code in sorted(found.get(session.pk, ()))]


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
        events.append((session.link_issued_at, gettext("Current link issued")))
    if session.link_revoked_at:
        events.append((session.link_revoked_at, gettext("Link revoked")))
    for item in items:
        record = item.reading_record
        if record is not None:
            if record.opened_at:
                events.append((record.opened_at, gettext("Opened “%(title)s”") % {"title": item.title}))
            if record.end_reached_at:
                events.append(
                    (record.end_reached_at, gettext("Reached the end of “%(title)s”") % {"title": item.title})
                )
            if record.acknowledged_at:
                events.append((record.acknowledged_at, gettext("Acknowledged “%(title)s”") % {"title": item.title}))
        for question in item.questions.all():
            events.append((question.asked_at, gettext("Asked a question about “%(title)s”") % {"title": item.title}))
            if question.answered_at:
                events.append(
                    (
                        question.answered_at,
                        gettext("Question about “%(title)s” marked answered") % {"title": item.title},
                    )
                )
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
    "record__language", "record__translation_version",
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


# Appointments from the EHR (HL7 v2, FHIR) ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SessionSourceInfo:
    kind: str  # SessionSource label
    system: str
    external_id: str
    last_control_id: str  # the last HL7 message (MSH-10) or FHIR Appointment id that touched the session
    last_received_at: datetime.datetime | None


def session_source(*, session: TreatmentSession) -> SessionSourceInfo:
    """Where a session came from, and the last EHR message about it (one query; none for staff's sessions)."""
    last = None
    if session.external_id:
        last = (
            InterfaceMessage.objects.filter(session=session)
            .order_by("-received_at", "-pk")
            .values("control_id", "received_at")
            .first()
        )
    return SessionSourceInfo(
        kind=session.get_source_display(),
        system=session.source_system,
        external_id=session.external_id,
        last_control_id=last["control_id"] if last else "",
        last_received_at=last["received_at"] if last else None,
    )


def interface_counts(*, since: datetime.datetime) -> dict[str, int]:
    """Messages received since `since`, by what they did (ONE query): imported, updated, cancelled (with
    no-shows), rejected, ignored (unmapped or not for us, stale or replayed) and the total."""
    results = InterfaceResult
    counts = InterfaceMessage.objects.received_since(since).aggregate(
        imported=Count("pk", filter=Q(result=results.CREATED)),
        updated=Count("pk", filter=Q(result=results.UPDATED)),
        cancelled=Count("pk", filter=Q(result__in=[results.CANCELLED, results.NO_SHOW])),
        rejected=Count("pk", filter=Q(result=results.REJECTED)),
        ignored=Count("pk", filter=Q(result__in=[results.IGNORED, results.STALE, results.UNCHANGED])),
        total=Count("pk"),
    )
    return counts


def interface_counts_today(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """interface_counts since the start of today, in the clinic's time zone."""
    today = timezone.localtime(now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return interface_counts(since=today)
