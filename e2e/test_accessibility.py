"""axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on every public page, every patient page and the staff pages.

Each page is also checked for the portal's own rule of body text at 18 CSS pixels or more, which also
shows that the stylesheet loaded.
"""

import json
import secrets

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE
from e2e.test_staff_flow import log_in
from portal.reading.services.sessions import record_acknowledge, record_ask_question, record_open

pytestmark = pytest.mark.browser


def sweep(page, check_accessibility, label):
    """Violations on the current page, and whether its body text is at least 18px."""
    problems = {}
    violations = check_accessibility(page)
    if violations:
        problems[f"{label} axe"] = violations
    font_size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    if font_size < 18:
        problems[f"{label} body text"] = f"{font_size}px"
    return problems


def public_urls(clinic):
    return [
        ("home", reverse("home")),
        ("articles", reverse("articles:list")),
        ("article", clinic.article.get_absolute_url()),
        ("FAQ", reverse("faq:index")),
        ("FAQ topic", clinic.faq_topic.get_absolute_url()),
        ("search form", reverse("search")),
        ("search results", reverse("search") + "?q=ride+home"),
        ("search without results", reverse("search") + "?q=zzzzqqq"),
        ("page not found", "/articles/no-such-page/"),
        ("invalid patient link", reverse("patient:open", kwargs={"token": secrets.token_urlsafe(32)})),
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages_have_no_wcag_violations(clinic, open_page, check_accessibility, viewport):
    page = open_page(viewport=viewport).page
    problems = {}
    for label, url in public_urls(clinic):
        page.goto(url)
        problems |= sweep(page, check_accessibility, label)
    assert problems == {}, json.dumps(problems, indent=1)


def test_spanish_pages_have_no_wcag_violations(clinic, open_page, check_accessibility):
    """The /es/ public pages, and the patient's pages after switching to Spanish with the switch (no script)."""
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True).page
    problems = {}
    for label, url in public_urls(clinic):
        if not url.startswith("/p/"):
            page.goto("/es" + url)
            expect(page.locator("html")).to_have_attribute("lang", "es")
            problems |= sweep(page, check_accessibility, f"{label} (es)")
    page.goto(reverse("patient:open", kwargs={"token": clinic.token}))
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    problems |= sweep(page, check_accessibility, "reading list (es)")
    for item in clinic.items:
        page.goto(reverse("patient:item", kwargs={"pk": item.pk}))
        problems |= sweep(page, check_accessibility, f"item {item.position} (es)")
    page.get_by_role("button", name="Enviar mi pregunta").click()
    expect(page.locator(".errorlist")).to_have_text("Escriba su pregunta antes de enviarla.")
    problems |= sweep(page, check_accessibility, "question form error (es)")
    assert problems == {}, json.dumps(problems, indent=1)


def test_patient_pages_have_no_wcag_violations(clinic, open_page, check_accessibility):
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True).page
    problems = {}
    page.goto(reverse("patient:open", kwargs={"token": clinic.token}))
    problems |= sweep(page, check_accessibility, "reading list")
    for item in clinic.items:
        page.goto(reverse("patient:item", kwargs={"pk": item.pk}))
        problems |= sweep(page, check_accessibility, f"item {item.position}")

    # States after the patient acts: a question sent without text (the form error), a question sent,
    # a page acknowledged (the message on the reading list, the page marked done).
    page.goto(reverse("patient:item", kwargs={"pk": clinic.items[1].pk}))
    page.get_by_role("button", name="Send my question").click()
    expect(page.locator(".errorlist")).to_be_visible()
    problems |= sweep(page, check_accessibility, "question form error")
    page.get_by_label("I have a question about this").fill("Is it safe with my blood pressure tablets?")
    page.get_by_role("button", name="Send my question").click()
    expect(page.get_by_role("status")).to_be_visible()
    problems |= sweep(page, check_accessibility, "question sent")
    page.goto(reverse("patient:item", kwargs={"pk": clinic.items[0].pk}))
    page.get_by_role("button", name="I have read and understood this").click()
    expect(page.get_by_role("status")).to_be_visible()
    problems |= sweep(page, check_accessibility, "reading list after acknowledging")
    page.goto(reverse("patient:item", kwargs={"pk": clinic.items[0].pk}))
    problems |= sweep(page, check_accessibility, "acknowledged item")
    assert problems == {}, json.dumps(problems, indent=1)


def test_staff_pages_have_no_wcag_violations(clinic, open_page, check_accessibility):
    first, second, _ = clinic.items
    record_open(item=first)
    record_acknowledge(item=first)
    record_ask_question(item=second, text="Can I eat before the session?")

    page = open_page(viewport=DESKTOP).page
    log_in(page, clinic.front_desk, reverse("staff:dashboard"))
    problems = sweep(page, check_accessibility, "dashboard")
    page.goto(reverse("staff:dashboard") + "?from=2026-13-01")
    problems |= sweep(page, check_accessibility, "dashboard with a bad date")
    page.goto(reverse("staff:session", kwargs={"pk": clinic.session.pk}))
    problems |= sweep(page, check_accessibility, "session")
    page.get_by_role("button", name="Issue new link").click()
    expect(page.locator(".qr-code")).to_be_visible()
    problems |= sweep(page, check_accessibility, "session with a new link")
    page.goto(reverse("staff:questions"))
    problems |= sweep(page, check_accessibility, "questions")
    assert problems == {}, json.dumps(problems, indent=1)
