"""The one Markdown renderer (portal.content.markdown): what it keeps, what it removes, what it adds."""

import markdownx.views
import pytest
from django.conf import settings

from portal.content import markdown
from portal.content.markdown import RESERVED_IDS, html_to_text, render, render_markdown
from portal.content.tests.factories import make_article


def test_headings_get_stable_ids_and_build_the_table_of_contents():
    rendered = render("## What to expect\n\ntext\n\n### Food & drink\n\nmore\n\n#### Small print\n")
    assert '<h2 id="what-to-expect">What to expect</h2>' in rendered.html
    assert '<h3 id="food-drink">Food &amp; drink</h3>' in rendered.html
    assert "<h4>Small print</h4>" in rendered.html  # only h2/h3 are in the contents
    assert rendered.toc == [
        {"level": 2, "id": "what-to-expect", "text": "What to expect"},
        {"level": 3, "id": "food-drink", "text": "Food & drink"},
    ]


def test_heading_ids_are_the_same_on_every_render():
    source = "## One\n\n## Two\n\n### One\n"
    assert render(source).html == render(source).html


def test_repeated_and_reserved_heading_ids_are_made_unique():
    rendered = render("## Notes\n\n## Notes\n\n## Main\n\n## Notes 2\n\n## !!!\n\n## ???\n")
    assert [entry["id"] for entry in rendered.toc] == [
        "notes",
        "notes-2",
        "main-2",
        "notes-2-2",
        "section",
        "section-2",
    ]
    assert "main" in RESERVED_IDS  # the skip link's target can never be taken by a heading


def test_heading_markup_is_kept_in_the_html_and_stripped_in_the_contents():
    rendered = render("## Before *your* `visit`")
    assert rendered.html == '<h2 id="before-your-visit">Before <em>your</em> <code>visit</code></h2>'
    assert rendered.toc[0]["text"] == "Before your visit"


def test_a_level_one_heading_in_the_body_becomes_a_section_heading():
    # The page title is the page's only h1.
    rendered = render("# Big heading\n\ntext")
    assert rendered.html.startswith('<h2 id="big-heading">Big heading</h2>')


def test_editors_cannot_set_ids_classes_or_styles():
    rendered = render('<h2 id="main" class="x" style="color:red">Raw</h2>\n\n<p id="skip" class="y">p</p>')
    assert '<h2 id="raw">Raw</h2>' in rendered.html
    assert "<p>p</p>" in rendered.html
    assert "class=" not in rendered.html.replace('class="table-scroll"', "")
    assert "style" not in rendered.html


def test_attribute_lists_are_not_markdown_here():
    rendered = render("## Title {: #main .big onclick=alert(1) }")
    assert "onclick" in rendered.text  # left as visible text, never as an attribute
    assert "<h2 id=" in rendered.html and 'id="main"' not in rendered.html


def test_tables_are_wrapped_for_scrolling_and_keep_alignment():
    rendered = render("| Time | What |\n|:----|-----:|\n| 0 h | Dose |\n")
    assert rendered.html.startswith('<div class="table-scroll" role="region" aria-label="Table" tabindex="0"><table>')
    assert rendered.html.endswith("</table></div>")
    assert '<th align="left">Time</th>' in rendered.html
    assert '<td align="right">Dose</td>' in rendered.html


def test_lists_definition_lists_code_and_quotes_are_kept():
    rendered = render("1. one\n2. two\n\n- a\n- b\n\nTerm\n: Definition\n\n> quoted\n\n```\ncode <b>\n```\n")
    for fragment in ("<ol>", "<li>two</li>", "<ul>", "<dl>", "<dt>Term</dt>", "<dd>Definition</dd>",
                     "<blockquote>", "<pre><code>code &lt;b&gt;"):  # fmt: skip
        assert fragment in rendered.html


def test_links_keep_safe_schemes_and_get_noopener():
    rendered = render("[site](https://example.org) [mail](mailto:a@example.org) [call](tel:+15550100) [bad](ftp://x)")
    assert '<a href="https://example.org" rel="noopener noreferrer">site</a>' in rendered.html
    assert 'href="mailto:a@example.org"' in rendered.html
    assert 'href="tel:+15550100"' in rendered.html
    assert "ftp:" not in rendered.html


def test_images_only_from_this_site():
    rendered = render(
        "![Room](/media/markdownx/room.png) ![Remote](https://tracker.example/p.png) ![Protocol](//evil.example/x.png)"
        ' <img src="/\\evil.example/x.png" alt="backslash"> ![Relative](room.png)'
    )
    assert '<img alt="Room" src="/media/markdownx/room.png">' in rendered.html
    for bad in ("tracker.example", "evil.example", 'src="room.png"'):
        assert bad not in rendered.html
    # The others are dropped with their alt text kept (an <img> without src would be invalid HTML).
    assert rendered.html == '<p><img alt="Room" src="/media/markdownx/room.png"> Remote Protocol backslash Relative</p>'


@pytest.mark.parametrize(
    "address",
    [
        "/staff/sessions.csv?date=2026-01-01",  # every staff reader's browser would run the export
        "/p/abcdefghijklmnop/",
        "/admin/logout/",
        "/media/other/x.png",
        "/media/markdownx/../../staff/sessions.csv",
        "/media/markdownx/%2e%2e/%2e%2e/staff/sessions.csv",
        "/media/markdownx/..\\..\\staff/sessions.csv",
        "/media/markdownx/./x.png",
        "/media/markdownx/x.png?export=1",
        "/media/markdownx/x.png#top",
        "/media/markdownx/",
        "/media/markdownxx/x.png",
        "https://portal.example.org/media/markdownx/x.png",
        "//portal.example.org/media/markdownx/x.png",
        "media/markdownx/x.png",
    ],
)
def test_images_only_from_the_upload_folder(address):
    rendered = render(f"![Export]({address})")
    assert rendered.html == "<p>Export</p>"
    assert len(rendered.problems) == 1
    assert "1 image" in rendered.problems[0] and "will not be shown" in rendered.problems[0]
    assert "image button" in rendered.problems[0]


def test_uploaded_images_are_kept_and_raise_no_problem():
    rendered = render("![A](/media/markdownx/0a1b.png) ![B](/media/markdownx/2026/photo_x7.jpg)")
    assert rendered.html == (
        '<p><img alt="A" src="/media/markdownx/0a1b.png"> <img alt="B" src="/media/markdownx/2026/photo_x7.jpg"></p>'
    )
    assert rendered.problems == []


def test_the_upload_folder_follows_media_url_and_markdownx_media_path(settings):
    settings.MEDIA_URL = "/files/"
    settings.MARKDOWNX_MEDIA_PATH = "pictures/"
    rendered = render("![New](/files/pictures/a.png) ![Old](/media/markdownx/a.png)")
    assert rendered.html == '<p><img alt="New" src="/files/pictures/a.png"> Old</p>'


def test_problems_name_the_refused_addresses_and_count_images_without_one():
    rendered = render('![One](/staff/sessions.csv) ![Two](javascript:alert(1)) <img alt="Three">')
    assert rendered.html == "<p>One Two Three</p>"
    assert rendered.problems == [
        "3 images (“/staff/sessions.csv”) will not be shown, only their description: pages show only images "
        "uploaded with the editor’s image button. Upload them there, or remove them."
    ]


def test_text_word_count_and_reading_time():
    rendered = render("## Heading\n\nOne two &amp; three.\n\n| a | b |\n|---|---|\n| c | d |")
    assert rendered.text == "Heading One two & three. a b c d"
    assert rendered.word_count == 9
    assert rendered.reading_minutes == 1
    long = render(" ".join(["word"] * (settings.READING_WORDS_PER_MINUTE * 2 + 1)))
    assert long.reading_minutes == 3


def test_empty_source_renders_empty():
    rendered = render("")
    assert (rendered.html, rendered.toc, rendered.text, rendered.reading_minutes) == ("", [], "", 1)


def test_html_to_text_decodes_entities_and_drops_tags():
    assert html_to_text("<p>A &amp; B</p>\n<ul><li>c</li></ul>") == "A & B c"


def test_markdownx_preview_uses_this_renderer():
    assert settings.MARKDOWNX_MARKDOWNIFY_FUNCTION == "portal.content.markdown.render_markdown"
    assert markdownx.views.markdownify_func is markdown.render_markdown
    assert render_markdown("<script>x</script>## H") == render("<script>x</script>## H").html


@pytest.mark.django_db
def test_article_html_is_rendered_when_saved_and_copied_to_live_on_publish():
    from portal.content.services import content_publish

    article = make_article(body="## First\n\nFirst words.")
    assert article.body_html.startswith('<h2 id="first">')
    assert article.live_html == "" and article.live_text == ""
    content_publish(content=article, by=None)
    article.refresh_from_db()
    assert article.live_html == article.body_html
    assert article.live_toc == [{"level": 2, "id": "first", "text": "First"}]
    assert article.live_text == "First First words."
    article.body = "## Second\n\nSecond words."
    article.save()
    article.refresh_from_db()
    assert "Second" in article.body_html
    assert "Second" not in article.live_html and "Second" not in article.live_text


def test_tel_links_as_editors_type_them_become_valid_digits_only_links():
    html = markdown.render("Call [(555) 010-0100](tel:(555) 010-0100) or text [988](tel:988).").html
    assert 'href="tel:5550100100"' in html
    assert 'href="tel:988"' in html
    assert "tel:(555)" not in html
