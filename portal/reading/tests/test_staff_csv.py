"""The sessions CSV export through the staff view."""

import collections
import csv
import datetime
import io

import pytest
from django.db.models.signals import post_init
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.reading.models import PatientQuestion, ReadingRecord, SessionItem
from portal.reading.services.sessions import (
    record_acknowledge,
    record_ask_question,
    record_open,
    record_progress,
)
from portal.reading.tests.factories import (
    count_queries,
    in_days,
    items_of,
    make_busy_sessions,
    make_patient,
    make_session,
    open_link,
)

pytestmark = pytest.mark.django_db


def test_the_csv_has_one_row_per_session_item_with_every_field_of_its_record(staff, treatment, client):
    session, token = make_session(treatment=treatment, scheduled_at=in_days(1))
    make_session(treatment=treatment, scheduled_at=in_days(30))  # outside the range
    open_link(client, token)
    items = items_of(session)
    opened = timezone.now() - datetime.timedelta(minutes=3)
    record_open(item=items[0], now=opened)
    record_progress(item=items[0], client_id="f" * 36, seconds=170, reached_end=True)
    record_acknowledge(item=items[0])
    record_ask_question(item=items[1], text='=HYPERLINK("http://evil.example")')
    day = timezone.localdate()

    response = staff.get(
        reverse("staff:sessions_csv"), {"from": day.isoformat(), "to": (day + datetime.timedelta(days=7)).isoformat()}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert len(rows) == 3
    first, second, third = rows
    assert first["session_id"] == str(session.pk)
    assert first["patient_reference"] == session.patient.reference
    assert first["item_title"] == "How it works" and first["item_type"] == "article"
    assert first["opened_at"] == timezone.localtime(opened).isoformat(timespec="seconds")
    assert first["seconds_visible"] == "170" and first["measured_by"] == "script"
    assert first["end_reached_at"] and first["acknowledged_at"]
    assert first["acknowledged_version"] == "1" and first["content_version"] == "1"
    assert first["content_hash"] == items[0].article.content_hash
    assert first["done"] == "True" and first["state"] == "done" and first["read_quickly"] == "False"
    assert second["question_texts"] == '\'=HYPERLINK("http://evil.example")'
    assert second["open_questions"] == "1" and second["done"] == "False"
    assert third["item_type"] == "faq_topic" and third["opened_at"] == "" and third["state"] == "not_started"
    assert AuditEvent.objects.get(action="sessions.csv").row_count == 3


def test_the_csv_is_streamed_in_chunks_and_still_has_every_row_with_its_own_questions(staff, treatment, monkeypatch):
    monkeypatch.setattr("portal.reading.exports.CSV_CHUNK_ROWS", 4)
    make_busy_sessions(treatment, 5)  # 15 items; each session's third item has a question of its own

    response = staff.get(reverse("staff:sessions_csv"))

    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    expected = list(
        SessionItem.objects.order_by("session__scheduled_at", "session_id", "position").values_list(
            "session_id", "position"
        )
    )
    assert [(int(row["session_id"]), int(row["item_position"])) for row in rows] == expected
    questions = {
        (question.item.session_id, question.item.position): question.text
        for question in PatientQuestion.objects.select_related("item")
    }
    assert len(questions) == 5
    for row in rows:
        assert row["question_texts"] == questions.get((int(row["session_id"]), int(row["item_position"])), "")
    assert AuditEvent.objects.get(action="sessions.csv").row_count == 15


def test_a_patient_name_starting_with_a_formula_is_neutralised_in_the_csv(staff, treatment):
    make_session(treatment=treatment, patient=make_patient(display_name="=cmd|' /C calc'!A0"))

    rows = list(csv.DictReader(io.StringIO(staff.get(reverse("staff:sessions_csv")).getvalue().decode())))

    assert {row["patient_name"] for row in rows} == {"'=cmd|' /C calc'!A0"}


def _export_rows(staff):
    return list(csv.DictReader(io.StringIO(staff.get(reverse("staff:sessions_csv")).getvalue().decode())))


def test_the_csv_columns_derived_by_rules_match_the_models_rules_for_every_item(staff, treatment):
    """The export reads plain values, not model instances; its derived cells still follow SessionItem's and
    ReadingRecord's properties: done, in progress, not started, read quickly, read an earlier version."""
    make_busy_sessions(treatment, 3)
    session, _ = make_session(treatment=treatment, scheduled_at=in_days(2))
    quick, changed, _ = items_of(session)
    record_open(item=quick)
    record_acknowledge(item=quick)  # at once and without a beacon: read quickly
    record_open(item=changed)
    record_acknowledge(item=changed)
    acknowledged = ReadingRecord.objects.get(item=changed).acknowledged_version
    SessionItem.objects.filter(pk=changed.pk).update(current_material_version=acknowledged + 1)  # changed since

    rows = {(int(row["session_id"]), int(row["item_position"])): row for row in _export_rows(staff)}

    items = SessionItem.objects.with_state().order_by("session_id", "position")
    assert len(rows) == len(items) == 12
    for item in items:
        row, record = rows[(item.session_id, item.position)], item.reading_record
        assert row["state"] == item.state.value
        assert row["done"] == str(item.is_done)
        assert row["read_earlier_version"] == str(item.read_earlier_version)
        assert row["read_quickly"] == str(item.read_quickly)
        assert row["estimated_seconds"] == str(item.estimated_seconds)
        assert row["item_title"] == item.title and row["item_type"] == item.page.page_kind
        if record is not None:
            assert row["reading_seconds"] == ("" if record.reading_seconds is None else str(record.reading_seconds))
            assert row["seconds_open_to_acknowledge"] == (
                "" if record.seconds_open_to_acknowledge is None else str(record.seconds_open_to_acknowledge)
            )
    assert rows[(session.pk, quick.position)]["read_quickly"] == "True"
    assert rows[(session.pk, changed.position)]["read_earlier_version"] == "True"
    assert rows[(session.pk, changed.position)]["state"] == "in_progress"


def test_the_csv_makes_no_model_instance_per_row_and_loads_each_page_once(staff, treatment, monkeypatch):
    """Model instances were most of an export's cost (60,000 rows: 14 s as objects, 2.5 s as values)."""
    monkeypatch.setattr("portal.reading.exports.CSV_CHUNK_ROWS", 4)
    make_busy_sessions(treatment, 4)  # 12 items in 3 chunks, 3 pages
    made = collections.Counter()

    def count(sender, **kwargs):
        made[sender._meta.label] += 1

    post_init.connect(count)
    try:
        rows = _export_rows(staff)
    finally:
        post_init.disconnect(count)

    assert len(rows) == 12
    assert made["reading.SessionItem"] == made["reading.ReadingRecord"] == made["reading.PatientQuestion"] == 0
    assert made["reading.TreatmentSession"] == made["reading.Patient"] == 0
    assert made["articles.Article"] + made["faq.FaqTopic"] == 3


def test_csv_queries_grow_by_one_per_chunk_of_rows_not_per_row_or_page(staff, treatment, monkeypatch):
    monkeypatch.setattr("portal.reading.exports.CSV_CHUNK_ROWS", 6)
    staff.get(reverse("staff:dashboard"))  # warm up the session and content types
    make_busy_sessions(treatment, 2)  # 6 items: 1 chunk
    small = count_queries(staff, reverse("staff:sessions_csv"))
    make_busy_sessions(treatment, 10)  # 36 items: 6 chunks

    large = count_queries(staff, reverse("staff:sessions_csv"))

    assert large - small == 5  # each further chunk: its questions
