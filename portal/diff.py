"""Word-by-word differences between two versions of a page, readable by people who do not read Markdown.

Both sides are compared as the text patients read (the rendered, sanitized HTML reduced to paragraphs
of words), not as Markdown source: a reviewer sees "words added" and "words removed", never `**` or
`##`. Paragraphs, list items and headings stay on their own lines. Every word is HTML-escaped; the
only markup in the result is our own <p>, <ins> and <del>.
"""

import dataclasses
import difflib
import html
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

BREAK = "\n"
# Tags after which (or, for <li>, before which) a new line of text starts.
_BLOCK_END_RE = re.compile(
    r"</(?:p|h[1-6]|li|dt|dd|blockquote|pre|tr|caption|figcaption|summary|details|table|div)>|<br\s*/?>|<hr\s*/?>",
    re.I,
)
_LIST_ITEM_RE = re.compile(r"<li(?:\s[^>]*)?>", re.I)
_CELL_END_RE = re.compile(r"</t[dh]>", re.I)
_TAG_RE = re.compile(r"<[^>]*>")


def html_to_lines(value):
    """Sanitized HTML (portal.markdown) -> its text, one line per paragraph, list item (marked "•"), heading or table row."""
    # Line breaks in the HTML source mean nothing; only the tags below start a new line.
    marked = _LIST_ITEM_RE.sub("\n• ", " ".join((value or "").split()))
    marked = _CELL_END_RE.sub(" | ", marked)
    marked = _BLOCK_END_RE.sub("\n", marked)
    # Tags are removed by pattern, not by an HTML parser: a parser would move the " | " put between table
    # cells out of the table ("foster parenting"). The input is our sanitized HTML; the output is escaped.
    text = html.unescape(_TAG_RE.sub("", marked))
    lines = (" ".join(line.split()).removesuffix(" |") for line in text.split("\n"))
    return [line for line in lines if line and line != "•"]


def _tokens(lines):
    tokens = []
    for number, line in enumerate(lines):
        if number:
            tokens.append(BREAK)
        tokens.extend(line.split())
    return tokens


@dataclasses.dataclass(frozen=True)
class WordDiff:
    html: str  # safe HTML: <p> per line, <ins>/<del> around changed words
    added: int
    removed: int

    @property
    def changed(self):
        return bool(self.added or self.removed)


def word_diff(old_lines, new_lines):
    """Compare two lists of lines (see html_to_lines) word by word."""
    old, new = _tokens(old_lines), _tokens(new_lines)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    marked = []  # (kind, token) with kind "same", "del" or "ins"
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            marked.extend(("same", token) for token in old[old_start:old_end])
            continue
        if tag in ("delete", "replace"):
            marked.extend(("del", token) for token in old[old_start:old_end])
        if tag in ("insert", "replace"):
            marked.extend(("ins", token) for token in new[new_start:new_end])
    added = sum(1 for kind, token in marked if kind == "ins" and token != BREAK)
    removed = sum(1 for kind, token in marked if kind == "del" and token != BREAK)
    return WordDiff(html=mark_safe(_render(marked)), added=added, removed=removed)  # noqa: S308 - escaped in _render


def text_diff(old_text, new_text):
    """Compare two single-line texts (a title, a summary)."""
    return word_diff([" ".join((old_text or "").split())], [" ".join((new_text or "").split())])


def html_diff(old_html, new_html):
    return word_diff(html_to_lines(old_html), html_to_lines(new_html))


def _render(marked):
    paragraphs, current = [], []
    for kind, token in marked:
        if token == BREAK:
            paragraphs.append(current)
            current = []
        else:
            current.append((kind, token))
    paragraphs.append(current)

    out = []
    for paragraph in paragraphs:
        if not paragraph:
            continue
        runs = []
        for kind, token in paragraph:
            if runs and runs[-1][0] == kind:
                runs[-1][1].append(token)
            else:
                runs.append((kind, [token]))
        out.append("<p>" + " ".join(_run_html(kind, words) for kind, words in runs) + "</p>")
    return "".join(out)


def _run_html(kind, words):
    text = escape(" ".join(words))
    if kind == "ins":
        return f'<ins><span class="visually-hidden">Added: </span>{text}</ins>'
    if kind == "del":
        return f'<del><span class="visually-hidden">Removed: </span>{text}</del>'
    return text


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What one version of a page says: title, optional summary, rendered HTML."""

    title: str
    html: str
    summary: str = ""


@dataclasses.dataclass(frozen=True)
class FieldDiff:
    label: str
    diff: WordDiff


def compare(old, new):
    """Title, summary (when either side has one) and text of two snapshots, each word-diffed."""
    parts = [FieldDiff("Title", text_diff(old.title, new.title))]
    if old.summary or new.summary:
        parts.append(FieldDiff("Summary", text_diff(old.summary, new.summary)))
    parts.append(FieldDiff("Text", html_diff(old.html, new.html)))
    return parts
