"""Issue 13 in Chromium: a patient who misreads the food rule is shown the explanation and the section before the
page counts, answers right after reading it; the checklist's "Not yet" reaches the staff queue; axe finds nothing
on the new patient and staff pages."""

import json
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE
from e2e.test_accessibility import sweep
from e2e.test_staff_flow import log_in
from portal.content.services import content_publish
from portal.reading.models import ChecklistItem, PatientQuestion, TreatmentSession

pytestmark = pytest.mark.browser

QUESTIONS = """? When do you stop eating before your session?
- 10 minutes before
+ 2 hours before
= Food close to the dose can make you feel sick, so stop eating 2 hours before.
# Before you come
"""


@pytest.fixture
def quiz(clinic):
    article = clinic.article
    article.teach_back = QUESTIONS
    content_publish(content=article, by=clinic.reviewer)  # not material: the session's item stays as it is
    ChecklistItem.objects.create(
        treatment=clinic.treatment,
        text="I have a ride home.",
        short_label="ride home",
        approved_text="I have a ride home.",
        approved_short_label="ride home",
    )
    return clinic


def test_a_wrong_answer_shows_the_section_then_a_right_one_completes_the_page_and_not_yet_reaches_staff(
    quiz, open_page, check_accessibility
):
    clinic = quiz
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True).page
    problems = {}
    page.goto(f"/p/{clinic.token}/")
    page.get_by_role("link", name=clinic.article.title).click()
    page.get_by_role("button", name="I have read and understood this").tap()
    # Not done yet: the page asks its question.
    expect(page.get_by_role("group", name="When do you stop eating before your session?")).to_be_visible()
    problems |= sweep(page, check_accessibility, "teach-back question")
    page.get_by_label("10 minutes before").check()
    page.get_by_role("button", name="Check my answers").tap()

    expect(page.get_by_text("Not quite: you chose “10 minutes before”.")).to_be_visible()
    expect(page.get_by_text("so stop eating 2 hours before.")).to_be_visible()
    problems |= sweep(page, check_accessibility, "teach-back wrong answer")
    page.get_by_role("link", name="Read “Before you come” again").tap()
    expect(page).to_have_url(re.compile(r"#before-you-come$"))
    expect(page.get_by_role("heading", name="Before you come")).to_be_in_viewport()
    record = clinic.items[0].record
    record.refresh_from_db()
    assert record.teach_back_pending

    page.get_by_label("2 hours before").check()
    page.get_by_role("button", name="Check my answers").tap()
    expect(page).to_have_url(re.compile(r"/p/session/"))
    expect(page.get_by_role("status")).to_contain_text("is done")
    record.refresh_from_db()
    assert not record.teach_back_pending and not record.teach_back_needed_help

    # The treatment-day checklist: "Not yet, I need help".
    expect(page.get_by_role("heading", name="Your treatment-day checklist")).to_be_visible()
    problems |= sweep(page, check_accessibility, "checklist")
    page.get_by_role("group", name="I have a ride home.").get_by_role("button", name="Not yet, I need help").tap()
    expect(page.get_by_role("status")).to_contain_text("The clinic team will contact you")
    expect(page.get_by_text("You said: Not yet, I need help")).to_be_visible()
    assert PatientQuestion.objects.filter(text__contains="I have a ride home.").count() == 1

    staff = open_page(viewport=DESKTOP).page
    log_in(staff, clinic.front_desk, reverse("staff:questions"))
    expect(staff.get_by_text("Treatment-day checklist: I need help with “I have a ride home.”")).to_be_visible()
    staff.goto(reverse("staff:dashboard"))
    expect(staff.get_by_text("checklist 0 of 1 — no ride home yet")).to_be_visible()
    problems |= sweep(staff, check_accessibility, "dashboard with checklist")
    staff.goto(reverse("staff:session", kwargs={"pk": clinic.session.pk}))
    problems |= sweep(staff, check_accessibility, "session with checklist")
    staff.get_by_role("link", name="Education record for the chart").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Patient education record")
    expect(staff.get_by_text("2 hours before").first).to_be_visible()
    problems |= sweep(staff, check_accessibility, "education record")
    staff.goto(reverse("staff:insight"))
    expect(staff.get_by_role("heading", name="Sessions ready on time, per week")).to_be_visible()
    problems |= sweep(staff, check_accessibility, "insight")
    editor = open_page(viewport=DESKTOP).page
    url = reverse("staff:insight_questions", args=["articles", "article", clinic.article.pk])
    log_in(editor, clinic.editor, url)
    expect(editor.get_by_text("1 needed a second try")).to_be_visible()
    problems |= sweep(editor, check_accessibility, "insight for editors")
    assert not TreatmentSession.objects.with_completion().get(pk=clinic.session.pk).is_ready
    assert problems == {}, json.dumps(problems, indent=1)
