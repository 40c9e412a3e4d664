"""The sessions CSV: its columns, one row per session item, formula-safe cells, streamed in chunks.

Items come from portal.reading.selectors.csv_items as plain values, not model instances (ten times faster);
the rules for state, "read an earlier version" and "read quickly" are still the models' own properties. Memory
stays flat however long the export: rows are made CSV_CHUNK_ROWS at a time and sent as they are made.
"""

import csv
import itertools

from django.http import StreamingHttpResponse
from django.utils import timezone

from portal.reading import selectors
from portal.reading.models import PAGE_FIELDS, ReadingRecord, SessionItem

CSV_COLUMNS = (
    "session_id", "scheduled_at", "session_status", "patient_reference", "patient_name", "treatment",
    "item_position", "item_title", "item_type", "required", "estimated_seconds", "current_material_version",
    "state", "done", "read_earlier_version", "read_quickly",
    "opened_at", "seconds_visible", "seconds_open_to_acknowledge", "reading_seconds", "measured_by",
    "end_reached_at", "acknowledged_at", "acknowledged_version", "content_version", "content_hash",
    "language_read", "translation_version",
    "record_updated_at", "questions", "question_texts", "first_question_asked_at", "open_questions",
    "teach_back_pending", "teach_back_needed_help", "session_ready",
)  # fmt: skip
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_ROWS = 1000


def csv_safe(value):
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _local(value, zone=None):
    """Clinic time, to the second; `zone` saves looking the current time zone up for every cell of an export."""
    return value.astimezone(zone or timezone.get_current_timezone()).isoformat(timespec="seconds") if value else ""


class _Record:
    """A reading record's values with ReadingRecord's own rules (the same properties, no model instance)."""

    __slots__ = ("opened_at", "seconds_visible", "acknowledged_at", "acknowledged_version")
    seconds_open_to_acknowledge = ReadingRecord.seconds_open_to_acknowledge
    measured_by_script = ReadingRecord.measured_by_script
    reading_seconds = ReadingRecord.reading_seconds

    def __init__(self, row):
        self.opened_at = row["record__opened_at"]
        self.seconds_visible = row["record__seconds_visible"]
        self.acknowledged_at = row["record__acknowledged_at"]
        self.acknowledged_version = row["record__acknowledged_version"]


class _Item:
    """An item's values with SessionItem's own rules for state, earlier version and quick reading."""

    __slots__ = ("is_done", "estimated_words", "reading_record", "current_material_version")
    estimated_seconds = SessionItem.estimated_seconds
    state = SessionItem.state
    read_earlier_version = SessionItem.read_earlier_version
    read_quickly = SessionItem.read_quickly

    def __init__(self, row):
        self.is_done = row["is_done"]
        self.estimated_words = row["estimated_words"]
        self.current_material_version = row["current_material_version"]
        self.reading_record = _Record(row) if row["record__pk"] is not None else None


def _page_key(row):
    return next((field, row[f"{field}_id"]) for field in PAGE_FIELDS if row[f"{field}_id"] is not None)


def csv_row(row, *, page, questions, zone=None):
    """The cells of one item: `row` from portal.reading.selectors.csv_items, its page, its questions (oldest
    first, as values). Only text cells can start with a formula: csv_safe sees those alone."""
    zone = zone or timezone.get_current_timezone()
    item = _Item(row)
    record = item.reading_record
    cells = {
        "session_id": row["session_id"],
        "scheduled_at": _local(row["session__scheduled_at"], zone),
        "session_status": row["session__status"],
        "patient_reference": csv_safe(row["session__patient__reference"]),
        "patient_name": csv_safe(row["session__patient__display_name"]),
        "treatment": csv_safe(row["session__treatment__slug"]),
        "item_position": row["position"],
        "item_title": csv_safe(page.page_title),
        "item_type": page.page_kind,
        "required": row["required"],
        "estimated_seconds": item.estimated_seconds,
        "current_material_version": row["current_material_version"],
        "state": item.state.value,
        "done": item.is_done,
        "read_earlier_version": item.read_earlier_version,
        "read_quickly": item.read_quickly,
        "questions": len(questions),
        "question_texts": csv_safe(" | ".join(question["text"] for question in questions)),
        "first_question_asked_at": _local(questions[0]["asked_at"], zone) if questions else "",
        "open_questions": sum(1 for question in questions if question["answered_at"] is None),
        # The session's readiness (SessionQuerySet.not_ready_q, the one definition), on each of its rows.
        "session_ready": row["session_ready"],
    }
    if record is not None:
        cells |= {
            "opened_at": _local(record.opened_at, zone),
            "seconds_visible": record.seconds_visible,
            "seconds_open_to_acknowledge": record.seconds_open_to_acknowledge,
            "reading_seconds": record.reading_seconds,
            "measured_by": "script" if record.measured_by_script else ("form" if record.acknowledged_at else ""),
            "end_reached_at": _local(row["record__end_reached_at"], zone),
            "acknowledged_at": _local(record.acknowledged_at, zone),
            "acknowledged_version": row["record__acknowledged_version"],
            "content_version": row["record__content_version"],
            "content_hash": csv_safe(row["record__content_hash"]),
            "language_read": row["record__language"],
            "translation_version": row["record__translation_version"],
            "record_updated_at": _local(row["record__updated_at"], zone),
            "teach_back_pending": row["record__teach_back_pending"],
            "teach_back_needed_help": row["record__teach_back_needed_help"],
        }
    return ["" if (value := cells.get(column)) is None else value for column in CSV_COLUMNS]


class _Echo:
    """A file-like object whose write() returns the line: csv.writer then makes lines for a streamed response."""

    def write(self, value):
        return value


def csv_lines(items):
    """The CSV, CSV_CHUNK_ROWS items at a time: for each chunk one query for its questions, and one per kind of
    page for pages not seen yet in earlier chunks (a reading list has a few, however many rows)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    pages, zone = {}, timezone.get_current_timezone()
    rows = items.iterator(chunk_size=CSV_CHUNK_ROWS)
    while chunk := list(itertools.islice(rows, CSV_CHUNK_ROWS)):
        keys = {_page_key(row) for row in chunk}
        pages |= selectors.csv_pages(keys=keys - pages.keys())
        questions = selectors.csv_questions(item_ids=[row["pk"] for row in chunk])
        yield "".join(
            writer.writerow(csv_row(row, page=pages[_page_key(row)], questions=questions.get(row["pk"], ()), zone=zone))
            for row in chunk
        )


def csv_response(items, *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(items), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
