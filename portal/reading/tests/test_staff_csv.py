"""The sessions CSV export through the staff view."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.reading.models import PatientQuestion, SessionItem
from portal.reading.services.sessions import (
    record_acknowledge,
    record_ask_question,
    record_open,
    record_progress,
)
from portal.reading.tests.factories import (
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
