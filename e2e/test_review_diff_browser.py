"""In a real browser: an editor changes only where a phone link leads; the reviewer's approve page names it, shows
both numbers and opens the Markdown source in one click."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from e2e.test_staff_flow import log_in
from portal.content.services import content_publish

pytestmark = pytest.mark.browser

BODY = "## In a crisis\n\nCall or text [988](tel:988) at any time."


def test_the_reviewer_sees_a_changed_phone_link_and_its_markdown(clinic, open_page):
    article = clinic.article
    article.body = BODY
    content_publish(content=article, by=clinic.reviewer)

    editor = open_page().page
    log_in(editor, clinic.editor, reverse("admin:articles_article_change", args=[article.pk]))
    editor.locator("textarea.markdownx-editor").fill(BODY.replace("tel:988", "tel:5550100"))
    editor.get_by_role("button", name="Save and continue editing").click()
    expect(editor.locator(".messagelist").first).to_contain_text("Saved as a draft")
    editor.get_by_role("link", name="Submit for review").click()
    editor.get_by_role("button", name="Submit for review").click()
    expect(editor.locator(".messagelist").first).to_be_visible()

    reviewer = open_page().page
    log_in(reviewer, clinic.reviewer, reverse("admin:articles_article_approve", args=[article.pk]))
    changes = reviewer.locator(".diff-markup")
    expect(changes).to_contain_text("Link “988”: target changed from “tel:988” to “tel:5550100”")
    expect(changes).to_contain_text("The words patients read stay the same")
    expect(reviewer.locator(".diff-text del").filter(has_text="tel:988")).to_be_visible()
    expect(reviewer.locator(".diff-text ins").filter(has_text="tel:5550100")).to_be_visible()

    source = reviewer.locator(".diff-source-lines")
    expect(source).to_be_hidden()
    reviewer.get_by_text("Markdown source changes").click()
    expect(source).to_be_visible()
    expect(source).to_contain_text("+ 3: Call or text [988](tel:5550100) at any time.")
