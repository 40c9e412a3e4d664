"""portal.content.diff: word-by-word differences of the text patients read, escaped, with paragraphs kept."""

from portal.content import diff
from portal.content.markdown import render

ADDED = '<ins><span class="visually-hidden">Added: </span>'
REMOVED = '<del><span class="visually-hidden">Removed: </span>'


def rendered(markdown_source):
    return render(markdown_source).html


def test_words_added_and_removed_are_marked_and_counted():
    result = diff.text_diff("Esketamine is an NMDA enhancer.", "Esketamine is an NMDA receptor antagonist.")
    assert result.html == f"<p>Esketamine is an NMDA {REMOVED}enhancer</del> {ADDED}receptor antagonist</ins>.</p>"
    assert (result.added, result.removed, result.changed) == (2, 1, True)


def test_punctuation_next_to_a_word_does_not_make_the_word_look_changed():
    result = diff.text_diff("Do not drive.", "Do not drive today.")
    assert result.html == f"<p>Do not drive {ADDED}today</ins>.</p>"
    assert (result.added, result.removed) == (1, 0)


def test_a_changed_phrase_reads_as_one_removal_and_one_addition():
    result = diff.text_diff(
        "Do not drive on the day of treatment.",
        "Do not drive or use machines until the next day, after a restful sleep.",
    )
    assert result.html == (
        f"<p>Do not drive {REMOVED}on the day of treatment</del> "
        f"{ADDED}or use machines until the next day, after a restful sleep</ins>.</p>"
    )
    # Words that appear on both sides of the folded change ("the", "day") are not counted.
    assert (result.added, result.removed) == (9, 3)


def test_identical_texts_have_no_change():
    result = diff.html_diff(rendered("Same **text**."), rendered("Same **text**."))
    assert not result.changed
    assert (result.added, result.removed) == (0, 0)
    assert result.html == "<p>Same text.</p>"


def test_a_punctuation_change_alone_is_a_change():
    result = diff.text_diff("Hello, world", "Hello world")
    assert result.changed and (result.added, result.removed) == (0, 0)
    assert result.html == f"<p>Hello{REMOVED},</del> world</p>"


def test_markdown_syntax_never_reaches_the_reader():
    old = rendered("## Driving\n\nDo **not** drive.\n\n- Rest\n- Sleep")
    new = rendered("## Driving\n\nDo **not** drive today.\n\n- Rest\n- Sleep well")
    assert diff.html_diff(old, new).html == (
        f"<p>Driving</p><p>Do not drive {ADDED}today</ins>.</p><p>• Rest</p><p>• Sleep {ADDED}well</ins></p>"
    )


def test_paragraphs_list_items_and_table_rows_stay_on_their_own_lines():
    html = rendered(
        "First paragraph.\n\nSecond paragraph.\n\n- one\n- two\n\n| Dose | Time |\n|---|---|\n| 56 mg | 2 h |"
    )
    assert diff.html_to_lines(html) == [
        "First paragraph.",
        "Second paragraph.",
        "• one",
        "• two",
        "Dose | Time",
        "56 mg | 2 h",
    ]


def test_a_new_paragraph_is_one_added_block_and_a_removed_one_one_removed_block():
    added = diff.html_diff(rendered("One.\n\nTwo."), rendered("One.\n\nNew here.\n\nTwo."))
    assert added.html == f"<p>One.</p><p>{ADDED}New here.</ins></p><p>Two.</p>"
    assert (added.added, added.removed) == (2, 0)
    removed = diff.html_diff(rendered("One.\n\nTwo.\n\nThree."), rendered("One.\n\nThree."))
    assert removed.html == f"<p>One.</p><p>{REMOVED}Two.</del></p><p>Three.</p>"


def test_a_first_version_is_all_added():
    result = diff.html_diff("", rendered("Hi there."))
    assert result.html == f"<p>{ADDED}Hi there.</ins></p>"


def test_everything_is_escaped():
    result = diff.text_diff("<b>bold</b> & co", '<script>alert("x")</script> & co')
    assert "<script>" not in result.html and "<b>" not in result.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in result.html
    assert result.html.endswith("&amp; co</p>")


def test_entities_in_rendered_html_are_compared_as_the_characters_patients_see():
    assert diff.html_to_lines("<p>1 &lt; 2 &amp; 3</p>") == ["1 < 2 & 3"]
    assert "&lt;" in diff.html_diff("<p>1 &lt; 2</p>", "<p>1 &lt; 3</p>").html


def test_compare_diffs_title_summary_and_text():
    old = diff.Snapshot(title="Driving", summary="", html=rendered("No driving today."))
    new = diff.Snapshot(title="Driving after treatment", summary="Short version.", html=rendered("No driving today."))
    parts = diff.compare(old, new)
    assert [part.label for part in parts] == ["Title", "Summary", "Text"]
    assert [part.diff.changed for part in parts] == [True, True, False]
    assert [part.label for part in diff.compare(old, old)] == ["Title", "Text"]
