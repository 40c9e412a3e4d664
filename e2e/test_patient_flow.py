"""A patient on a phone: opens the link, reads, acknowledges one page, asks about another (flow b).

Also: the same with the keyboard alone, and tap targets of at least 24 x 24 CSS pixels.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from e2e import factories
from e2e.conftest import PHONE
from portal.reading.models import PatientQuestion, ProgressReport, ReadingRecord

pytestmark = pytest.mark.browser

QUESTION = "Can my sister drive me home, or does it have to be a taxi?"


def wait_until(condition, timeout=10.0, message="condition"):
    """Poll the database (written by the live server in its own thread) until `condition()` is truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def record_of(item):
    return ReadingRecord.objects.filter(item=item).first()


def test_patient_on_a_phone_reads_acknowledges_and_asks_a_question(clinic, open_page, server_log):
    watch = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page = watch.page
    first, second = clinic.items[0], clinic.items[1]

    page.goto(f"/p/{clinic.token}/")
    expect(page).to_have_url(re.compile(r"/p/session/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Before your session")
    expect(page.get_by_text("0 of 3 done")).to_be_visible()

    # Page 1: read it, scroll to its end, say it was read and understood.
    page.get_by_role("link", name=clinic.article.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(clinic.article.title)
    # "Opened" is the page script's first report (a GET records nothing), so it arrives just after the page.
    wait_until(lambda: (r := record_of(first)) and r.opened_at, message="the opening report")
    page.wait_for_timeout(2500)  # visible reading time before the end comes into view
    page.locator("[data-progress-end]").scroll_into_view_if_needed()
    # The end-of-page report arrives at the server as soon as the end is in view.
    wait_until(lambda: record_of(first).end_reached_at, message="the end-of-page report")
    page.wait_for_timeout(1500)  # more reading time, reported when the page is left
    page.get_by_role("button", name="I have read and understood this").tap()
    expect(page).to_have_url(re.compile(r"/p/session/"))
    expect(page.get_by_role("status")).to_contain_text("is marked as read")
    expect(page.get_by_text("1 of 3 done")).to_be_visible()
    # Leaving page 1 sent its visible time (pagehide): a third report after the opening and the end-of-page
    # ones. Every report counted once.
    wait_until(lambda: ProgressReport.objects.filter(item=first).count() >= 3, message="the visible-time report")
    record = record_of(first)
    assert record.seconds_visible >= 2
    assert record.acknowledged_at is not None
    assert record.acknowledged_version == clinic.article.published_version
    reports = ProgressReport.objects.filter(item=first)
    assert record.seconds_visible == sum(report.seconds for report in reports)
    assert reports.filter(reached_end=True).count() == 1

    # Page 2: a question instead.
    page.get_by_role("link", name=clinic.second_article.title).click()
    page.get_by_label("I have a question about this").fill(QUESTION)
    page.get_by_role("button", name="Send my question").tap()
    expect(page.get_by_role("status")).to_contain_text("Your question has gone to the clinic team")
    question = PatientQuestion.objects.get(item=second)
    assert question.text == QUESTION
    assert record_of(second).acknowledged_at is None

    page.get_by_role("link", name="Back to your reading list").click()
    expect(page.get_by_text("1 of 3 done")).to_be_visible()

    log = server_log.getvalue()
    assert clinic.token not in log
    assert factories.PATIENT_NAME not in log
    assert factories.PATIENT_REFERENCE not in log


def test_patient_flow_works_with_the_keyboard_alone(clinic, open_page):
    page = open_page().page
    first = clinic.items[0]
    page.goto(f"/p/{clinic.token}/")

    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Skip to main content"
    _tab_to(page, clinic.article.title)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(clinic.article.title)

    _tab_to(page, "I have read and understood this")
    page.keyboard.press("Space")
    expect(page.get_by_text("1 of 3 done")).to_be_visible()
    wait_until(lambda: (r := record_of(first)) and r.acknowledged_at, message="the acknowledgement")

    # A question, typed and sent from the keyboard.
    _tab_to(page, clinic.second_article.title)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(clinic.second_article.title)
    _tab_to(page, "", tag="TEXTAREA")
    page.keyboard.type(QUESTION)
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Send my question"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your question has gone to the clinic team")
    assert PatientQuestion.objects.filter(item=clinic.items[1], text=QUESTION).exists()


def _focused(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName, text: (el.innerText || el.value || "").trim(),
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
                shadow: style.boxShadow !== "none",
            };
        }"""
    )


def _tab_to(page, text, tag=None, limit=60):
    """Press Tab until the focused element has `text` (and `tag`); each stop must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert focused["outline"] or focused["shadow"], f"no visible focus on {focused}"
        if focused["text"] == text and (tag is None or focused["tag"] == tag):
            return focused
    raise AssertionError(f"{text or tag!r} cannot be reached with Tab")


# Tap targets ------------------------------------------------------------------------------------------

TARGETS = """() => {
    const targets = document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary");
    const results = [];
    for (const el of targets) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;  // not rendered (e.g. the skip link off screen)
        const style = getComputedStyle(el);
        // WCAG 2.5.8 exception: a link inside a sentence, sized by the line height of the text around it.
        const parentText = (el.parentElement.innerText || "").replace(el.innerText || "", "").trim();
        const inline = el.tagName === "A" && style.display === "inline" && parentText.length > 0;
        results.push({
            tag: el.tagName, text: (el.innerText || el.value || el.name || "").trim().slice(0, 50),
            width: box.width, height: box.height, inline,
        });
    }
    return results;
}"""


def test_tap_targets_on_patient_pages_are_at_least_24_px(clinic, open_page):
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True).page
    page.goto(f"/p/{clinic.token}/")
    urls = [page.url] + [f"{page.url.split('/p/')[0]}/p/items/{item.pk}/" for item in clinic.items]
    small = []
    checked = 0
    for url in urls:
        page.goto(url)
        for target in page.evaluate(TARGETS):
            if target["inline"]:
                continue
            checked += 1
            if target["width"] < 24 or target["height"] < 24:
                small.append((url, target))
    assert checked >= 10
    assert small == []
