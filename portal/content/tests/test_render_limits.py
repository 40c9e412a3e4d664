"""portal.content.markdown.render on the inputs that stalled or crashed it: every one ends within the time
limit, as HTML or as a MarkdownError whose message tells the editor what to do; never as a RecursionError."""

import time
from pathlib import Path

import pytest
from django.conf import settings

from portal.content import decorate
from portal.content.markdown import MarkdownError, render

DEMO_ARTICLE = (Path(settings.BASE_DIR) / "portal/demo/articles/side-effects-and-safety.md").read_text()

# Before the change: 16 KB of "[" took ~38 s; the 3 KB definition list and 4 KB of "1. " raised
# RecursionError (a 500); 16,000 equal headings took ~46 s in the heading-id loop alone.
STALLING = {
    "16 KB of [": "[" * 16_000,
    "100 KB of '[ '": "[ " * 50_000,
    "a 100 KB abbreviation bomb": "*[a]: " + "x" * 40_000 + "\n\n" + "a " * 30_000,  # 1.2 GB of HTML
    "8 KB of '* '": "* " * 8_000 + "x",
}


def rendered_within_the_limit(source):
    started = time.monotonic()
    try:
        return render(source)
    finally:
        elapsed = time.monotonic() - started
        assert elapsed < settings.CONTENT_MARKDOWN_RENDER_SECONDS + 1.5, f"took {elapsed:.1f} s"


@pytest.mark.parametrize("source", STALLING.values(), ids=STALLING.keys())
def test_sources_that_stall_python_markdown_are_refused_in_time(source, settings):
    settings.CONTENT_MARKDOWN_RENDER_SECONDS = 1  # each takes 3 s or more (16 KB of "[": 38 s)
    with pytest.raises(MarkdownError) as refused:
        rendered_within_the_limit(source)
    assert "could not be rendered in time" in str(refused.value) or "too large" in str(refused.value)
    assert "Simplify it" in str(refused.value)


def test_a_3_kb_tight_definition_list_renders():
    rendered = rendered_within_the_limit("Term\n: Definition\n" * 170)
    assert rendered.html.count("<dt>Term</dt>") == 170


def test_4_kb_of_nested_list_markers_render():
    rendered = rendered_within_the_limit("1. " * 1_333)
    assert rendered.html.startswith("<ol>\n<li>\n<ol>")


def test_lists_nested_deeper_than_the_renderer_goes_get_a_clear_message(settings):
    settings.CONTENT_MARKDOWN_RENDER_SECONDS = 10  # this test is about the message, not the clock (busy machines)
    with pytest.raises(MarkdownError, match="nested too deeply"):
        rendered_within_the_limit("1. " * 5_000)


def test_16000_equal_headings_get_unique_ids_in_linear_time():
    clean_html = "<h2>Same</h2>\n" * 16_000
    started = time.monotonic()
    page = decorate.decorate(clean_html)
    assert time.monotonic() - started < 2  # 46 s with the counter restarted at 2 for every heading
    ids = [entry["id"] for entry in page.toc]
    assert ids[:3] == ["same", "same-2", "same-3"] and ids[-1] == "same-16000"
    assert len(set(ids)) == 16_000
    rendered = rendered_within_the_limit("## Same\n\n" * 11_000)  # 99 KB: through the whole renderer
    assert len(rendered.toc) == 11_000


def test_a_source_over_the_size_limit_is_refused_before_rendering(settings):
    settings.CONTENT_MAX_MARKDOWN_BYTES = 1000
    render("é" * 500)  # 1000 bytes: at the limit
    started = time.monotonic()
    with pytest.raises(MarkdownError) as refused:
        render("é" * 501)
    assert time.monotonic() - started < 0.1
    assert str(refused.value) == (
        "This text is 1,002 bytes; a page can hold at most 1,000 bytes. Shorten it or split it into several pages."
    )


def test_line_ends_count_once_whatever_the_browser_sends(settings):
    settings.CONTENT_MAX_MARKDOWN_BYTES = 10
    assert render("a\r\nb\r\nc\r\nd\r\ne").text == "a b c d e"  # 9 bytes once CRLF counts as one


def test_the_default_limits():
    assert settings.CONTENT_MAX_MARKDOWN_BYTES == 100 * 1024
    assert settings.CONTENT_MARKDOWN_RENDER_SECONDS == 3


def test_the_time_limit_is_a_setting(settings):
    settings.CONTENT_MARKDOWN_RENDER_SECONDS = 0.5
    started = time.monotonic()
    with pytest.raises(MarkdownError, match=r"in time \(0.5 s\)"):
        render("[" * 16_000)
    assert time.monotonic() - started < 1.5


def test_ordinary_pages_render_as_before_up_to_the_limit():
    long_page = (DEMO_ARTICLE + "\n\n") * (settings.CONTENT_MAX_MARKDOWN_BYTES // (len(DEMO_ARTICLE) + 2))
    assert len(long_page.encode()) <= settings.CONTENT_MAX_MARKDOWN_BYTES
    rendered = rendered_within_the_limit(long_page)
    assert rendered.problems == []
    assert rendered.html.count('<div class="table-scroll"') == long_page.count("| --- | --- |")
