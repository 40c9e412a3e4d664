"""portal.content.decorate: the markup we add to sanitized HTML (heading ids, table regions and captions)."""

import re
from pathlib import Path

import django.contrib.admin
import pytest
from django.conf import settings

from portal.content.decorate import RESERVED_IDS, HeadingIds, decorate
from portal.content.markdown import render

TEMPLATES = Path(settings.BASE_DIR) / "templates"
ADMIN_TEMPLATES = Path(django.contrib.admin.__file__).parent / "templates" / "admin"
# The Django admin pages that show content: the change form (markdownx preview), approve and version pages.
ADMIN_PAGES = ["base.html", "base_site.html", "change_form.html", "nav_sidebar.html", "color_theme_toggle.html"]
ID_RE = re.compile(r'(?<![\w-])id="([^"]*)"')
TEMPLATE_CODE_RE = re.compile(r"{{.*?}}|{%.*?%}")
# Ids made of a slug alone (FAQ entries on their topic page): no list can hold them.
SLUG_IDS = {"{{ entry.slug }}", "{{ anchor }}"}


def template_ids():
    files = [*TEMPLATES.rglob("*.html"), *(ADMIN_TEMPLATES / name for name in ADMIN_PAGES)]
    return {value for path in files if path.exists() for value in ID_RE.findall(path.read_text())}


def test_every_id_the_templates_write_is_reserved():
    literal, built = set(), set()
    for value in template_ids() - SLUG_IDS:
        (built if "{" in value else literal).add(value)
    assert {"respond", "main", "id_old"} <= literal  # the scan finds them
    assert [value for value in literal if HeadingIds().make(value) == value] == []
    for value in built:
        # `{% firstof field_id 'search-q' %}`: its default is a literal; the others take this shape.
        for default in re.findall(r"'([^']+)'", value):
            assert default in RESERVED_IDS
        sample = TEMPLATE_CODE_RE.sub("x1", value)
        if sample != "x1":
            assert HeadingIds().make(sample) != sample, value
    # Django form fields are id_<name> (the patient's question box is id_text).
    assert HeadingIds().make("id_text") != "id_text"


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Respond", "respond-2"),
        ("Reading", "reading-2"),
        ("Questions", "questions-2"),
        ("Content main", "content-main-2"),
        ("id_text", "section-id_text"),
        ("Item 3", "section-item-3"),
        ("Topic: side effects", "section-topic-side-effects"),
        ("The question", "the-question-2"),
        ("Help text", "help-text"),
    ],
)
def test_headings_never_take_an_id_of_the_page_around_them(heading, expected):
    assert render(f"## {heading}").toc[0]["id"] == expected


def test_headings_that_would_collide_after_their_prefix_still_get_unique_ids():
    ids = [entry["id"] for entry in render("## id_x\n\n## Section id_x\n\n## id_x\n").toc]
    assert ids == ["section-id_x", "section-id_x-2", "section-id_x-3"]


TABLE = "| Time | What |\n|---|---|\n| 0 h | Dose |\n"


def region(label):
    return f'<div class="table-scroll" role="region" aria-label="{label}" tabindex="0"><table>'


def test_a_table_is_named_after_the_heading_above_it_with_a_caption_for_screen_readers():
    rendered = render(f"## On the day\n\nText.\n\n{TABLE}")
    assert region("On the day") + '<caption class="visually-hidden">On the day</caption>' in rendered.html
    assert rendered.text == "On the day Text. Time What 0 h Dose"  # the hidden caption is not counted


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_table_line_becomes_the_caption(where):
    line = "Table: Doses *by* week & day"
    source = f"## Doses\n\n{line}\n\n{TABLE}" if where == "before" else f"## Doses\n\n{TABLE}\n{line}\n\nAfter."
    rendered = render(source)
    assert region("Doses by week &amp; day") + "<caption>Doses <em>by</em> week &amp; day</caption>" in rendered.html
    assert "Table:" not in rendered.html and "<p>Table" not in rendered.html
    assert rendered.text.count("Doses by week & day") == 1


def test_a_table_line_between_two_tables_captions_only_the_first():
    rendered = render(f"{TABLE}\nTable: First\n\n{TABLE}")
    assert rendered.html.count("<caption>First</caption>") == 1
    assert region("First") in rendered.html and region("Table") in rendered.html


def test_region_names_are_unique_on_the_page():
    rendered = render(f"## Doses\n\n{TABLE}\n{TABLE}\n{TABLE}\nNo heading above:\n\n{TABLE}")
    labels = re.findall(r'role="region" aria-label="([^"]*)"', rendered.html)
    assert labels == ["Doses", "Doses (2)", "Doses (3)", "Doses (4)"]
    assert len(set(re.findall(r'role="region" aria-label="([^"]*)"', render(TABLE + "\n" + TABLE).html))) == 2


def test_a_table_with_its_own_caption_keeps_it():
    rendered = render("<table><caption>Typed <b>caption</b></caption><tr><td>x</td></tr></table>")
    assert rendered.html.startswith(region("Typed caption") + "<caption>Typed <b>caption</b></caption>")
    assert rendered.html.count("<caption") == 1


def test_only_the_outer_table_of_nested_tables_is_wrapped():
    page = decorate(
        "<table><tbody><tr><td><table><tbody><tr><td>in</td></tr></tbody></table></td></tr></tbody></table>"
    )
    assert page.html.count("table-scroll") == 1
    assert page.html.endswith("</table></td></tr></tbody></table></div>")


def test_text_that_looks_like_markup_inside_attributes_and_text_stays_text():
    rendered = render(
        '<abbr title="<table> <h2>">x</abbr> &lt;table&gt; `<h2>`\n\n![a "<b>" & c](https://x.example/y.png)'
    )
    assert "table-scroll" not in rendered.html and " id=" not in rendered.html
    assert rendered.html.endswith("<p>a &quot;&lt;b&gt;&quot; &amp; c</p>")


def test_a_link_whose_address_was_refused_keeps_no_rel():
    assert render("[click](javascript:alert(1)) [ok](https://example.org)").html == (
        '<p><a>click</a> <a href="https://example.org" rel="noopener noreferrer">ok</a></p>'
    )
