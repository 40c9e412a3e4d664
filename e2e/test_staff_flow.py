"""Clinic staff see a patient's progress and question on the dashboard and download the CSV (flow c)."""

import csv
import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from e2e import factories
from portal.reading.services.sessions import record_acknowledge, record_ask_question, record_open, record_progress

pytestmark = pytest.mark.browser

QUESTION = "Will I be able to work the next morning?"


def log_in(page, user, next_url):
    page.goto(f"{reverse('admin:login')}?next={next_url}")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_staff_see_progress_and_question_on_the_dashboard_and_download_the_csv(clinic, open_page, server_log):
    first, second, _third = clinic.items
    record_open(item=first)
    record_progress(item=first, client_id="e2e-report-0000000001", seconds=95, reached_end=True)
    record_acknowledge(item=first)
    record_open(item=second)
    record_ask_question(item=second, text=QUESTION)

    page = open_page().page
    log_in(page, clinic.front_desk, reverse("staff:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sessions")
    row = page.get_by_role("row").filter(has_text=factories.PATIENT_NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("1 of 3 done")
    expect(row).to_contain_text("Not ready")
    expect(row).to_contain_text("1 open")

    row.get_by_role("link", name=factories.PATIENT_NAME).click()
    expect(page.get_by_text(QUESTION)).to_be_visible()
    page.go_back()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), newline="", encoding="utf-8-sig") as file:
        rows = [row for row in csv.DictReader(io.StringIO(file.read())) if row["session_id"] == str(clinic.session.pk)]
    assert [row["item_position"] for row in rows] == ["1", "2", "3"]
    assert {row["patient_name"] for row in rows} == {factories.PATIENT_NAME}
    assert {row["patient_reference"] for row in rows} == {factories.PATIENT_REFERENCE}
    by_position = {row["item_position"]: row for row in rows}
    assert by_position["1"]["acknowledged_at"] != ""
    assert by_position["1"]["seconds_visible"] == "95"
    assert by_position["1"]["end_reached_at"] != ""
    assert by_position["2"]["acknowledged_at"] == ""
    assert by_position["2"]["questions"] == "1"
    assert QUESTION in by_position["2"]["question_texts"]
    assert by_position["3"]["opened_at"] == ""

    # The export and the pages showed patient data; the logs did not.
    log = server_log.getvalue()
    assert factories.PATIENT_NAME not in log
    assert clinic.token not in log
