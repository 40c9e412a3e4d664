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


# What a patient could see or follow besides the words --------------------------------------------------------


def test_link_targets_and_images_are_written_beside_their_text():
    html = rendered(
        "Call [988](tel:988) or [us](https://clinic.example/contact). ![The nasal spray](/media/markdownx/spray.png)"
    )
    assert diff.html_to_lines(html) == [
        "Call 988 [link: tel:988] or us [link: https://clinic.example/contact]. "
        "[image: /media/markdownx/spray.png, alt “The nasal spray”]"
    ]
    # A link whose text is its address says it once; the plain view (annotate=False) has the words only.
    assert diff.html_to_lines(rendered("<https://clinic.example>")) == ["https://clinic.example"]
    assert diff.html_to_lines(html, annotate=False) == ["Call 988 or us."]


def test_a_changed_link_target_shows_both_targets_in_the_text_diff():
    result = diff.html_diff(rendered("Call [988](tel:988) now."), rendered("Call [988](tel:5550100) now."))
    assert f"988 [link: {REMOVED}tel:988</del> {ADDED}tel:5550100</ins>]" in result.html
    assert result.changed


def test_changes_words_cannot_show_are_named_one_by_one():
    old = rendered(
        "Call [988](tel:988). ![Nasal spray](/media/markdownx/a.png)\n\nDo not drive.\n\n"
        "*[NMDA]: N-methyl-D-aspartate\n\n"
        "NMDA receptor.\n\n| Dose | Time |\n|---|---|\n| 56 mg | 2 h |\n\n- Rest\n- Sleep"
    )
    new = rendered(
        'Call [988](tel:5550100 "Our line"). ![Nasal spray device](/media/markdownx/b.png)\n\n<s>Do not drive.</s>\n\n'
        "*[NMDA]: N-methyl-D-glutamate\n\nNMDA receptor.\n\n| Dose | Time |\n|---|--:|\n| 56 mg | 2 h |\n\n"
        "1. Rest\n2. Sleep"
    )
    assert diff.markup_changes(old, new) == [
        "Link “988”: target changed from “tel:988” to “tel:5550100”; hover text changed from none to “Our line”",
        "Image: file changed from “/media/markdownx/a.png” to “/media/markdownx/b.png”; "
        "alt text changed from “Nasal spray” to “Nasal spray device”",
        "Abbreviation “NMDA”: explanation changed from “N-methyl-D-aspartate” to “N-methyl-D-glutamate”",
        "Table “Dose Time 56 mg 2 h”: layout changed from “2 rows × 2 columns; first row as headers” to "
        "“2 rows × 2 columns; first row as headers; columns aligned –, right”",
        "“Rest Sleep” is no longer a bulleted list",
        "“Do not drive.” is now struck through",
        "“Rest Sleep” is now a numbered list",
    ]
    assert diff.markup_changes(old, old) == []


def test_new_and_removed_links_images_and_hidden_sections_are_named_even_with_their_words():
    old = rendered("Intro.\n\n![Spray](/media/markdownx/a.png)")
    new = rendered(
        "Intro.\n\nSee [this site](https://elsewhere.example).\n\n<details><summary>More</summary>Hidden</details>"
    )
    assert diff.markup_changes(old, new) == [
        "Image removed (file “/media/markdownx/a.png”, alt text “Spray”)",
        "“this site” is now a link (target “https://elsewhere.example”)",
        "“More Hidden” is now a collapsed section",
    ]


def test_formatting_of_words_that_were_added_or_removed_is_not_named_again():
    # The words themselves show in the text diff; "no longer bold" would only repeat it.
    assert diff.markup_changes(rendered("Keep **this**."), rendered("Keep.")) == []
    assert diff.markup_changes(rendered("Keep."), rendered("Keep **that**.")) == []
    assert diff.markup_changes(rendered("Keep **this**."), rendered("Keep this.")) == ["“this” is no longer bold"]


def test_table_layout_names_headers_and_merged_cells():
    plain = "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"
    headers = '<table><tr><th>a</th><td colspan="2">b</td></tr><tr><th>c</th><td>d</td></tr></table>'
    assert diff.markup_changes(plain, headers) == [
        "Table “a b c d”: layout changed from “2 rows × 2 columns” to "
        "“2 rows × 3 columns; first column as headers; 1 merged cell”"
    ]


def test_the_markdown_source_diff_lists_changed_lines_with_their_numbers():
    result = diff.source_diff("## Driving\r\n\r\nCall 988.\r\n", "## Driving\n\nCall 911.\n\nNew line.")
    assert [(line.kind, line.number, line.text) for line in result.lines] == [
        ("del", 3, "Call 988."),
        ("ins", 3, "Call 911."),
        ("ins", 4, ""),
        ("ins", 5, "New line."),
    ]
    assert (result.added, result.removed) == (3, 1)
    assert diff.source_diff("Same.", "Same.\n").lines == []


def test_compare_says_when_only_what_words_cannot_show_changed():
    old = diff.Snapshot(title="Help", html=rendered("Call [988](tel:988)."), markdown="Call [988](tel:988).")
    new = diff.Snapshot(title="Help", html=rendered("Call [988](tel:911)."), markdown="Call [988](tel:911).")
    changes = diff.compare(old, new)
    assert changes.words_unchanged and changes.changed
    assert changes.markup == ["Link “988”: target changed from “tel:988” to “tel:911”"]
    assert [line.text for line in changes.source.lines] == ["Call [988](tel:988).", "Call [988](tel:911)."]
    # Without the Markdown of both sides there is no source diff; a changed word is not "words unchanged".
    worded = diff.compare(old, diff.Snapshot(title="Help", html=rendered("Ring [988](tel:988).")))
    assert worded.source is None and not worded.words_unchanged and worded.markup == []
