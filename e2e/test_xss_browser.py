"""The XSS corpus (portal/tests/xss_corpus.py) in a real browser: published, and typed into the admin preview.

The browser is the judge: a JavaScript dialog (alert, confirm, prompt), a script error or a
Content-Security-Policy violation on any of these pages fails the test (e2e/conftest.py watches every
page), and the DOM the browser built from the content must hold nothing executable after every element
in it has been hovered, focused, clicked (links excepted) and opened.

Each payload is published as its own FAQ answer, so that one payload cannot hide the next (a payload
that opens <style> or <textarea> would swallow everything after it, which is safe but would leave the
rest untested); the whole corpus is also published as one article, as an editor might paste it.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from e2e.factories import published_article, published_faq_topic
from e2e.test_staff_flow import log_in
from portal.content.tests.xss_corpus import PAYLOADS, find_executable_markup
from portal.reading.models import ReadingListItem
from portal.reading.services.sessions import session_create, session_issue_link

pytestmark = pytest.mark.browser

CORPUS = "\n\n".join(PAYLOADS)

# Everything an event handler could be waiting for, fired on every element of `container`.
PROVOKE = """(container) => {
    const events = ["mouseover", "mouseenter", "mousemove", "mousedown", "mouseup", "focus", "focusin",
                    "blur", "keydown", "input", "change", "toggle", "animationstart", "load", "error"];
    let count = 0;
    for (const el of document.querySelectorAll(container + " *")) {
        count += 1;
        for (const type of events) el.dispatchEvent(new Event(type, {bubbles: true}));
        if (el.focus) el.focus();
        if (el.tagName === "DETAILS") el.open = true;
        if (el.tagName !== "A" && el.click) el.click();  // links would leave the page
    }
    return count;
}"""


def provoke(page, container, hover_limit=60):
    """Real pointer hovers over the first elements, then every event on every element."""
    elements = page.locator(f"{container} *")
    for index in range(min(elements.count(), hover_limit)):
        element = elements.nth(index)
        if element.is_visible():
            element.hover(timeout=2000, force=True)
    count = page.evaluate(PROVOKE, container)
    page.wait_for_timeout(300)  # onerror / onload / ontoggle handlers fire asynchronously
    return count


def assert_nothing_ran(watch, html):
    assert find_executable_markup(html) == []
    assert watch.dialogs == []
    assert watch.page_errors == []
    assert watch.collect_csp_violations() == []


def test_the_xss_corpus_published_on_pages_runs_nothing(clinic, open_page):
    topic = published_faq_topic(
        title="Corpus",
        slug="corpus",
        entries=[(f"Payload {number}", payload) for number, payload in enumerate(PAYLOADS, start=1)],
        by=clinic.reviewer,
    )
    article = published_article(
        title="Corpus article", slug="corpus", summary="Every payload.", body=CORPUS, by=clinic.reviewer
    )

    # Anonymous visitors: the FAQ page with one answer per payload, and the article with all of them.
    watch = open_page()
    page = watch.page
    page.goto(topic.get_absolute_url())
    expect(page.locator("details.faq-entry")).to_have_count(len(PAYLOADS))
    assert provoke(page, "main") > len(PAYLOADS)
    assert_nothing_ran(watch, page.inner_html("main"))
    page.goto(article.get_absolute_url())
    provoke(page, "main")
    assert_nothing_ran(watch, page.inner_html("main"))

    # A patient reads the same content as pages of a session (another template, with the beacon script).
    ReadingListItem.objects.create(treatment=clinic.treatment, position=8, faq_topic=topic)
    ReadingListItem.objects.create(treatment=clinic.treatment, position=9, article=article)
    session = session_create(
        patient=clinic.patient,
        treatment=clinic.treatment,
        scheduled_at=clinic.session.scheduled_at + timezone.timedelta(days=1),
    )
    token = session_issue_link(session=session)
    patient = open_page()
    patient.page.goto(reverse("patient:open", kwargs={"token": token}))
    for item in session.items.filter(article=article) | session.items.filter(faq_topic=topic):
        patient.page.goto(reverse("patient:item", kwargs={"pk": item.pk}))
        expect(patient.page.get_by_role("heading", level=1)).to_have_text(item.title)
        provoke(patient.page, "#reading")  # the page's content; its own forms come after it
        assert_nothing_ran(patient, patient.page.inner_html("#reading"))


def wait_for_preview(page, editor, preview, marker):
    """Wait for the preview of what was typed. markdownx sends a request per pause in typing and shows each answer
    as it comes: the answer to an earlier keystroke (its sandboxed render slower, e.g. a cold child process) can
    land last and leave a stale preview. Typing one more space asks again, as an editor would."""
    for _ in range(2):
        try:
            expect(page.locator(preview)).to_contain_text(marker, timeout=10_000)
            return
        except AssertionError:
            editor.press("End")
            editor.press_sequentially(" ")
    expect(page.locator(preview)).to_contain_text(marker, timeout=20_000)


def test_the_xss_corpus_typed_into_the_admin_preview_runs_nothing(clinic, open_page):
    watch = open_page()
    page = watch.page
    log_in(page, clinic.editor, reverse("admin:articles_article_add"))
    editor = page.locator("textarea.markdownx-editor")
    preview = ".markdownx-preview"

    # Payloads typed key by key: markdownx previews what is typed after a pause.
    for number, payload in enumerate(
        ("<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "<svg onload=alert(1)>")
    ):
        editor.fill("")
        editor.press_sequentially(f"{payload}\n\nTyped {number}")
        wait_for_preview(page, editor, preview, f"Typed {number}")
        provoke(page, preview)
        assert_nothing_ran(watch, page.inner_html(preview))

    # The whole corpus pasted at once (the marker first: a payload that opens <style> hides what follows it).
    editor.fill("Pasted corpus\n\n" + CORPUS)
    expect(page.locator(preview)).to_contain_text("Pasted corpus", timeout=20_000)
    provoke(page, preview)
    assert_nothing_ran(watch, page.inner_html(preview))

    # Every payload on its own, through the widget's own endpoint and into the preview the way markdownx's
    # script puts it there (innerHTML), each in a box of its own, without waiting for the typing pause.
    rendered = page.evaluate(
        """async ([payloads, preview]) => {
            const target = document.querySelector(preview);
            target.replaceChildren();
            const rendered = [];
            for (const payload of payloads) {
                const body = new FormData();
                body.append("content", payload);
                body.append("csrfmiddlewaretoken", document.querySelector("[name=csrfmiddlewaretoken]").value);
                const response = await fetch("/staff/markdownx/markdownify/", {method: "POST", body});
                if (!response.ok) throw new Error("preview answered " + response.status);
                const box = document.createElement("div");
                box.innerHTML = await response.text();
                target.append(box);
                rendered.push(box.innerHTML);
            }
            return rendered;
        }""",
        [PAYLOADS, preview],
    )
    assert len(rendered) == len(PAYLOADS)
    assert provoke(page, preview) >= len(PAYLOADS)
    for html in rendered:
        assert_nothing_ran(watch, html)
