"""The sessions CSV: its columns, one row per session item, formula-safe cells, streamed in chunks.

Items come from portal.reading.selectors.csv_items. Memory stays flat however long the export: rows are
made CSV_CHUNK_ROWS at a time (one query for each chunk's questions) and sent as they are made.
"""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone

CSV_COLUMNS = (
    "session_id", "scheduled_at", "session_status", "patient_reference", "patient_name", "treatment",
    "item_position", "item_title", "item_type", "required", "estimated_seconds", "current_material_version",
    "state", "done", "read_earlier_version", "read_quickly",
    "opened_at", "seconds_visible", "seconds_open_to_acknowledge", "reading_seconds", "measured_by",
    "end_reached_at", "acknowledged_at", "acknowledged_version", "content_version", "content_hash",
    "record_updated_at", "questions", "question_texts", "first_question_asked_at", "open_questions",
)  # fmt: skip
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_ROWS = 1000


def csv_safe(value):
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _local(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def csv_row(item):
    """The row of one item; needs the item's questions, oldest first, in `asked_questions` (see csv_items)."""
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


def csv_lines(items):
    """The CSV, line by line, CSV_CHUNK_ROWS items at a time."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for item in items.iterator(chunk_size=CSV_CHUNK_ROWS):
        yield writer.writerow(csv_row(item))


def csv_response(items, *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(items), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
