"""An editor writes an article with the live preview, a reviewer approves it, patients can read it (flow a)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from e2e.test_staff_flow import log_in

pytestmark = pytest.mark.browser

TITLE = "Getting home after your session"
SLUG = "getting-home-after-your-session"


def test_editor_writes_with_live_preview_reviewer_approves_and_it_is_published(clinic, open_page):
    # The editor writes the article; the preview follows the typing.
    editor_page = open_page().page
    log_in(editor_page, clinic.editor, reverse("admin:articles_article_add"))
    editor_page.get_by_label("Title").press_sequentially(TITLE)
    # Leaving the field fires "change", on which the admin's prepopulate fills the slug from the whole title (its
    # keyup handler, racing the typing, once left it at "getting-home-after" in CI).
    editor_page.get_by_label("Title").press("Tab")
    expect(editor_page.get_by_label("Slug")).to_have_value(SLUG)  # filled in from the title by the admin
    editor_page.get_by_label("Summary").fill("Plan your ride home before you come in.")
    body = editor_page.locator("textarea.markdownx-editor")
    preview = editor_page.locator(".markdownx-preview")
    body.press_sequentially("## Your ride home\n\nPlan a ride home before you come.")
    expect(preview.get_by_role("heading", name="Your ride home")).to_be_visible()
    expect(preview).to_contain_text("Plan a ride home before you come.", timeout=20_000)  # sandboxed render
    body.press_sequentially("\n\nDo **not** drive until the next day.")
    expect(preview.locator("strong")).to_have_text("not")
    expect(preview).to_contain_text("drive until the next day.", timeout=20_000)
    editor_page.get_by_role("button", name="Save and continue editing").click()
    expect(editor_page.locator(".messagelist")).to_contain_text("was added successfully")

    # Patients cannot see a draft.
    visitor_page = open_page().page
    assert visitor_page.goto(reverse("articles:detail", kwargs={"slug": SLUG})).status == 404

    editor_page.get_by_role("link", name="Submit for review").click()
    editor_page.get_by_role("button", name="Submit for review").click()
    article = Article.objects.get(slug=SLUG)
    assert article.status == "in_review"

    # A reviewer approves it.
    reviewer_page = open_page().page
    log_in(reviewer_page, clinic.reviewer, reverse("admin:articles_article_change", args=[article.pk]))
    reviewer_page.get_by_role("link", name="Review and approve").click()
    expect(reviewer_page.locator(".governance-preview")).to_contain_text("Plan a ride home before you come.")
    reviewer_page.get_by_label("Checked against").fill("SPRAVATO Medication Guide, rev. 01/2025")
    next_review = timezone.localdate() + datetime.timedelta(days=365)
    reviewer_page.get_by_label("Next review due").fill(next_review.isoformat())
    reviewer_page.get_by_role("button", name="Approve", exact=True).click()
    expect(reviewer_page.locator(".messagelist")).to_be_visible()
    article.refresh_from_db()
    assert article.status == "published"
    assert article.published_version == 1

    # It is on the public site at once, for visitors who had the article list cached.
    visitor_page.goto(reverse("articles:list"))
    visitor_page.get_by_role("link", name=TITLE).click()
    expect(visitor_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor_page.locator(".prose")).to_contain_text("Do not drive until the next day.")
    expect(visitor_page.locator(".prose strong")).to_have_text("not")
