"""The front desk in Chromium, with the keyboard and with JavaScript off: find, add and schedule a patient, the
link shown once, text it, reschedule and cancel from the list; axe-core finds no WCAG 2.2 AA violation."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import DESKTOP
from e2e.test_staff_flow import log_in
from portal.reading.models import OutgoingMessage, Patient, SessionStatus, TreatmentSession

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_front_desk_schedules_texts_reschedules_and_cancels(clinic, open_page, check_accessibility, javascript):
    page = open_page(viewport=DESKTOP, java_script_enabled=javascript).page
    log_in(page, clinic.front_desk, reverse("staff:frontdesk"))
    expect(page.get_by_role("heading", name="Front desk", level=1)).to_be_visible()
    problems = {}

    def sweep(label):
        if javascript and (violations := check_accessibility(page)):  # axe runs as a script
            problems[label] = violations

    sweep("front desk")
    page.get_by_label("Find a patient by reference or name").fill("NEW-0042")
    page.keyboard.press("Enter")
    expect(page.get_by_text("No patient found")).to_be_visible()
    sweep("front desk, nobody found")

    when = timezone.localtime() + datetime.timedelta(days=3)
    page.get_by_label("Clinic reference").fill("NEW-0042")
    page.get_by_label("Name or initials").fill("N. P.")
    page.get_by_label("Mobile number (optional, international form, e.g. +15550100100)").fill("+15550109999")
    page.get_by_label("Language of pages and messages").select_option("es")
    page.get_by_label("The patient agrees to text messages").check()
    page.get_by_label("Treatment").select_option(label=clinic.treatment.name)
    page.get_by_label("Date:", exact=True).fill(when.strftime("%Y-%m-%d"))
    page.get_by_label("Time:", exact=True).fill("10:30")
    page.get_by_role("button", name="Create the session and its link").click()
    expect(page.locator(".qr-code")).to_be_visible()
    sweep("new session with its link")
    session = TreatmentSession.objects.get(patient__reference="NEW-0042")
    assert Patient.objects.get(reference="NEW-0042").preferred_language == "es"

    page.get_by_role("button", name="Text the link to +15550109999").click()
    expect(page.get_by_text("The link is on its way to the patient.")).to_be_visible()
    assert OutgoingMessage.objects.filter(session=session, channel="sms", kind="link").count() == 1
    sweep("session after texting")

    page.goto(reverse("staff:frontdesk"))
    row = page.get_by_role("row").filter(has_text="NEW-0042")
    expect(row.get_by_text("Link by text waiting to be sent.")).to_be_visible()
    row.get_by_text("Reschedule").click()
    later = when + datetime.timedelta(days=1)
    row.get_by_label("New date").fill(later.strftime("%Y-%m-%d"))
    row.get_by_label("New time").fill("11:00")
    sweep("front desk, reschedule open")
    row.get_by_role("button", name="Move the session").click()
    expect(page.get_by_text("The session was moved")).to_be_visible()
    session.refresh_from_db()
    assert timezone.localtime(session.scheduled_at).strftime("%Y-%m-%d %H:%M") == later.strftime("%Y-%m-%d 11:00")

    row = page.get_by_role("row").filter(has_text="NEW-0042")
    row.locator("summary", has_text="Cancel").click()
    row.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_text("The session was cancelled")).to_be_visible()
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    sweep("front desk after cancelling")
    assert problems == {}, json.dumps(problems, indent=1)
