"""Sanitized HTML read the way a reviewer compares it: lines of text, and the things words do not show.

`html_to_lines` gives the text patients read, one line per paragraph, list item, heading or table row, with
"[link: target]" and "[image: file, alt “…”]" written in. `markup_changes` names, one sentence each, what
changed that the words cannot show: link targets, images, hover text, formatting, headings, lists, tables.

The input is our own sanitized HTML (portal.content.markdown), read by a tokenizer (html.parser), never a tree
builder: nothing is moved around ("foster parenting") and entities are read as the characters patients see.
"""

import dataclasses
from collections import Counter
from html.parser import HTMLParser

# Tags after which (or, for <li>, before which) a new line of text starts.
_BLOCK_ENDS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "pre", "tr", "caption",
    "figcaption", "summary", "details", "table", "div",
}  # fmt: skip
_LINE_BREAKS = {"br", "hr"}
_VOID = {"br", "hr", "img", "wbr"}


@dataclasses.dataclass(frozen=True)
class Feature:
    """Something patients see or follow that the words alone do not show (see _describe)."""

    tag: str
    text: str
    attributes: tuple  # ((name, value), ...) that matter to patients, in a fixed order

    @property
    def kind(self):
        return _KINDS.get(self.tag, self.tag)


# What a reviewer is told an element is ("“Do not drive” is now struck through").
_KINDS = {
    "a": "a link", "abbr": "an abbreviation", "img": "an image", "table": "a table", "details": "a collapsed section",
    "strong": "bold", "b": "bold", "em": "in italics", "i": "in italics", "s": "struck through",
    "del": "struck through", "ins": "underlined", "mark": "highlighted", "sub": "subscript", "sup": "superscript",
    "code": "code", "kbd": "a key to press", "small": "small print", "blockquote": "a quotation",
    "pre": "preformatted", "ol": "a numbered list", "ul": "a bulleted list", "dt": "a defined term",
    "dd": "a definition", "caption": "a table caption", "figcaption": "a caption", "hr": "a horizontal line",
    **{f"h{level}": f"a heading (level {level})" for level in range(1, 7)},
}  # fmt: skip
# The attributes a patient sees or follows, by tag, with the name a reviewer is told.
_ATTRIBUTES = {
    "a": {"href": "target", "title": "hover text"},
    "abbr": {"title": "explanation"},
    "img": {"src": "file", "alt": "alt text", "title": "hover text", "width": "width", "height": "height"},
    "ol": {"start": "first number"},
}
# Elements whose target or hidden text matters even when the words around them were added or removed too.
_ALWAYS_NAMED = {"a", "abbr", "img", "details", "hr"}
_PAIRED_BY_TAG = {*_ATTRIBUTES, "table"}


class _Reader(HTMLParser):
    """One pass over sanitized HTML: its lines of text (see html_to_lines) and its Features."""

    def __init__(self, *, annotate):
        super().__init__(convert_charrefs=True)
        self.annotate = annotate
        self.parts, self.features = [], []
        # Open elements: [tag, attributes, [text], index in features]; the first one (never closed) is the page.
        self._open = [["", {}, [], None]]
        self._tables = []  # rows of the tables being read: [[(tag, colspan, rowspan, align), ...], ...]

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "li":
            self.parts.append("\n• ")
            self._separate()
        elif tag == "table":
            self._tables.append([])
        elif tag == "tr" and self._tables:
            self._tables[-1].append([])
        elif tag in ("td", "th") and self._tables and self._tables[-1]:
            span = (attrs.get("colspan", "1"), attrs.get("rowspan", "1"), attrs.get("align", ""))
            self._tables[-1][-1].append((tag, *span))
        if tag == "img":
            self._image(attrs)
        elif tag in _LINE_BREAKS:
            self.parts.append("\n")
            if tag == "hr":
                self.features.append(Feature("hr", "", ()))
        if tag in _KINDS and tag not in _VOID:
            self._open.append([tag, attrs, [], len(self.features)])
            self.features.append(None)  # filled in at the end tag, in document order

    def handle_endtag(self, tag):
        if tag in _KINDS and any(element[0] == tag for element in self._open):
            while True:
                element = self._open.pop()
                self._close(*element)
                if element[0] == tag:
                    break
        if tag in ("td", "th"):
            self.parts.append(" | ")
            self._separate()
        elif tag in _BLOCK_ENDS:
            self.parts.append("\n")
            self._separate()

    def handle_data(self, data):
        self.parts.append(data)
        for element in self._open:
            element[2].append(data)

    @property
    def text(self):
        """All the words of the page, separated by spaces only."""
        return " ".join("".join(self._open[0][2]).split())

    def _separate(self):
        """A new line of text is a new word in the text of the elements around it ("More" "Hidden text")."""
        for element in self._open:
            element[2].append(" ")

    def _image(self, attrs):
        feature = Feature("img", "", _kept(attrs, _ATTRIBUTES["img"]))
        self.features.append(feature)
        if self.annotate:
            alt = f"alt “{attrs['alt']}”" if attrs.get("alt") else "no alt text"
            self.handle_data(f" [image: {attrs.get('src', '')}, {alt}] ")  # its own word, whatever is around it

    def _close(self, tag, attrs, text, index):
        text = " ".join("".join(text).split())
        kept = _kept(attrs, _ATTRIBUTES.get(tag, {}))
        if tag == "table":
            kept = (("layout", _table_layout(self._tables.pop() if self._tables else [])),)
        self.features[index] = Feature(tag, text, kept)
        href = attrs.get("href", "")
        if tag == "a" and self.annotate and href and href not in (text, f"mailto:{text}"):
            self.parts.append(f" [link: {href}]")


def _kept(attrs, names):
    return tuple((label, attrs[name]) for name, label in names.items() if attrs.get(name))


def _table_layout(rows):
    """e.g. "3 rows × 2 columns, header row, 1 merged cell, aligned left, right"."""
    columns = max((sum(int(cell[1] or 1) for cell in row) for row in rows), default=0)
    layout = [f"{len(rows)} row{'s' * (len(rows) != 1)} × {columns} column{'s' * (columns != 1)}"]
    if headers := _headers(rows):
        layout.append(headers)
    merged = sum(1 for row in rows for cell in row if cell[1] not in ("", "1") or cell[2] not in ("", "1"))
    if merged:
        layout.append(f"{merged} merged cell{'s' * (merged != 1)}")
    aligned = [cell[3] or "–" for cell in rows[0]] if rows else []
    if any(align != "–" for align in aligned):
        layout.append(f"columns aligned {', '.join(aligned)}")
    return "; ".join(layout)


def _headers(rows):
    cells = {(r, c) for r, row in enumerate(rows) for c, cell in enumerate(row) if cell[0] == "th"}
    first_row = {(0, c) for c in range(len(rows[0]))} if rows else set()
    first_column = {(r, 0) for r, row in enumerate(rows) if row}
    named = {
        frozenset(first_row): "first row as headers",
        frozenset(first_column): "first column as headers",
        frozenset(first_row | first_column): "first row and column as headers",
    }
    if not cells or frozenset(cells) in named:
        return named.get(frozenset(cells), "")
    return f"header cells at {', '.join(f'row {r + 1} column {c + 1}' for r, c in sorted(cells))}"


def _read(value, *, annotate):
    reader = _Reader(annotate=annotate)
    # Line breaks in the HTML source mean nothing (only the tags above start a new line).
    reader.feed(" ".join((value or "").split()))
    reader.close()
    return reader


def html_to_lines(value, *, annotate=True):
    """Sanitized HTML (portal.content.markdown) -> its text: one line per paragraph, list item (marked "•"),
    heading or table row (cells separated by "|"). With `annotate`, each link is followed by "[link: target]"
    (unless its text is its target) and each image is written "[image: file, alt “…”]"."""
    text = "".join(_read(value, annotate=annotate).parts)
    lines = (" ".join(line.split()).removesuffix(" |") for line in text.split("\n"))
    return [line for line in lines if line and line != "•"]


def markup_changes(old_html, new_html):
    """What changed that the words do not show, one sentence each: link targets, images, hover text,
    formatting, headings, lists, tables. Compared as multisets, so a paragraph moved elsewhere is no change."""
    old_reader, new_reader = _read(old_html, annotate=False), _read(new_html, annotate=False)
    old_features, new_features = old_reader.features, new_reader.features
    removed = list((Counter(old_features) - Counter(new_features)).elements())
    added = list((Counter(new_features) - Counter(old_features)).elements())
    old_text, new_text = old_reader.text, new_reader.text
    notes = []
    for before in list(removed):
        # The same element with other attributes: the same tag around the same words, or (for elements that
        # have attributes: links, images, tables) the same tag around other words.
        after = next((f for f in added if (f.tag, f.text) == (before.tag, before.text)), None)
        if after is None and before.tag in _PAIRED_BY_TAG:
            after = next((f for f in added if f.tag == before.tag), None)
        if after is not None:
            removed.remove(before)
            added.remove(after)
            notes.extend(_describe_change(before, after))
    notes += [_describe(f, "removed") for f in removed if f.tag in _ALWAYS_NAMED or (f.text and f.text in new_text)]
    notes += [_describe(f, "added") for f in added if f.tag in _ALWAYS_NAMED or (f.text and f.text in old_text)]
    return notes


def _quoted(text, limit=80):
    text = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return f"“{text}”"


def _subject(feature):
    noun = feature.kind.removeprefix("a ").removeprefix("an ").capitalize()
    return f"{noun} {_quoted(feature.text)}" if feature.text else noun


def _attributes_text(feature):
    return ", ".join(f"{name} {_quoted(value)}" for name, value in feature.attributes)


def _describe_change(before, after):
    old, new = dict(before.attributes), dict(after.attributes)
    changes = [
        f"{name} changed from {_quoted(old[name]) if name in old else 'none'} to "
        f"{_quoted(new[name]) if name in new else 'none'}"
        for name in dict.fromkeys([*old, *new])
        if old.get(name) != new.get(name)
    ]
    return [f"{_subject(after)}: {'; '.join(changes)}"] if changes else []  # only its words changed: shown above


def _describe(feature, how):
    details = f" ({_attributes_text(feature)})" if feature.attributes else ""
    if feature.text:
        state = "is now" if how == "added" else "is no longer"
        return f"{_quoted(feature.text)} {state} {feature.kind}{details}"
    return f"{_subject(feature)} {how}{details}"
