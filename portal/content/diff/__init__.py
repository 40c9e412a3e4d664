"""Differences between two versions of a page, readable by people who do not read Markdown.

Three views, from the one a reviewer reads first:
- the text patients read (the rendered, sanitized HTML reduced to paragraphs of words), word by word: "words
  added" and "words removed", never `**` or `##`. Paragraphs, list items, headings and table rows stay on their
  own lines; where a link leads and what an image shows are written beside them ("988 [link: tel:988]");
- the changes words cannot show (`Changes.markup`): a link's target, an image, hover text, bold or struck-through
  words, a table's shape... named one by one, so an approval whose words are unchanged still says what it does;
- the Markdown source, line by line (`Changes.source`), one click away.

Everything is escaped: the only markup in the result is our own <p>, <ins> and <del>.
"""

import dataclasses
import difflib

from portal.content import teachback
from portal.content.diff.lines import html_to_lines, markup_changes
from portal.content.diff.words import WordDiff, html_diff, text_diff, word_diff
from portal.content.models import ContentVersion

__all__ = [
    "Changes", "FieldDiff", "Snapshot", "SourceDiff", "WordDiff", "compare", "html_diff", "html_to_lines",
    "live_snapshot", "markup_changes", "source_diff", "text_diff", "version_snapshot", "word_diff",
    "working_snapshot",
]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What one version of a page says: title, optional summary, rendered HTML, and (when known) its Markdown."""

    title: str
    html: str
    summary: str = ""
    markdown: str = ""
    teach_back: str = ""  # the teach-back questions' source (portal.content.teachback), normalized


@dataclasses.dataclass(frozen=True)
class FieldDiff:
    label: str
    diff: WordDiff


@dataclasses.dataclass(frozen=True)
class SourceLine:
    kind: str  # "del" or "ins"
    number: int  # its line number in the old ("del") or new ("ins") source
    text: str


@dataclasses.dataclass(frozen=True)
class SourceDiff:
    """The Markdown lines removed and added (no unchanged lines: the reviewer reads those as text above)."""

    lines: list
    added: int
    removed: int


def source_diff(old_source, new_source):
    old, new = _source_lines(old_source), _source_lines(new_source)
    lines = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            lines += [SourceLine("del", number, old[number - 1]) for number in range(i1 + 1, i2 + 1)]
            lines += [SourceLine("ins", number, new[number - 1]) for number in range(j1 + 1, j2 + 1)]
    return SourceDiff(
        lines=lines,
        added=sum(line.kind == "ins" for line in lines),
        removed=sum(line.kind == "del" for line in lines),
    )


def _source_lines(source):
    return [line.rstrip() for line in (source or "").replace("\r\n", "\n").strip("\n").split("\n")] if source else []


class Changes(list):
    """The FieldDiffs of compare() (title, summary, text), plus what the words cannot show:

    - `markup`: sentences naming each change of a link target, image, hover text, formatting or table shape;
    - `words_unchanged`: no word of the title, summary or text changed (then `markup` is all the approval does);
    - `source`: the SourceDiff of the Markdown, or None when a side's Markdown is not known.
    """

    def __init__(self, parts, *, markup, words_unchanged, source):
        super().__init__(parts)
        self.markup = markup
        self.words_unchanged = words_unchanged
        self.source = source

    @property
    def changed(self):
        """Anything a patient could see or follow, or the source, changed."""
        return any(part.diff.changed for part in self) or bool(self.markup) or bool(self.source and self.source.lines)


def compare(old, new):
    """Title, summary (when either side has one) and text of two Snapshots, each word-diffed, with the changes
    words cannot show (Changes)."""
    parts = [FieldDiff("Title", text_diff(old.title, new.title))]
    if old.summary or new.summary:
        parts.append(FieldDiff("Summary", text_diff(old.summary, new.summary)))
    parts.append(FieldDiff("Text", html_diff(old.html, new.html)))
    if old.teach_back or new.teach_back:
        parts.append(FieldDiff("Teach-back questions", _teach_back_diff(old.teach_back, new.teach_back)))
    words_unchanged = not any(part.diff.changed for part in parts if part.label != "Text") and (
        html_to_lines(old.html, annotate=False) == html_to_lines(new.html, annotate=False)
    )
    return Changes(
        parts,
        markup=markup_changes(old.html, new.html),
        words_unchanged=words_unchanged,
        source=source_diff(old.markdown, new.markdown) if old.markdown and new.markdown else None,
    )


def _teach_back_diff(old, new):
    """The questions line by line as paragraphs of words, so a changed answer shows as words added/removed."""
    return word_diff(old.split("\n") if old else [], new.split("\n") if new else [])


# Snapshots of reviewed content (portal.content.models.ReviewedContent) -------------------------------------


def live_snapshot(content):
    """What patients see now, with the Markdown it was approved from (its kept ContentVersion)."""
    source, teach_back = (
        ContentVersion.objects.for_content(content)
        .filter(version=content.published_version)
        .values_list("body", "teach_back")
        .first()
    ) or ("", "")
    return Snapshot(
        title=content.live_title,
        html=content.live_html,
        summary=getattr(content, "live_summary", ""),
        markdown=source or "",
        teach_back=teach_back,
    )


def working_snapshot(content):
    """The working copy, rendered now (as the preview shows it)."""
    content.render_working_copy()
    return Snapshot(
        title=content.working_title,
        html=content.body_html,
        summary=getattr(content, "summary", ""),
        markdown=content.working_body or "",
        teach_back=teachback.normalized(content.teach_back),
    )


def version_snapshot(version):
    """A kept ContentVersion."""
    return Snapshot(
        title=version.title,
        html=version.body_html,
        summary=version.summary,
        markdown=version.body,
        teach_back=version.teach_back,
    )
