"""Our own markup, added to sanitized HTML in one linear pass: heading ids, table regions and captions,
and the alt text of an image the sanitizer took the address from.

It works on nh3's output, which is canonical: tags in lower case, attribute values in double quotes with
<, >, & and " escaped, text with <, > and & escaped. So "<" always starts a tag, a tag ends at the first
">", and the text between tags can be copied as it is.
"""

import html
import re
from collections import Counter
from dataclasses import dataclass

from django.utils.text import slugify

TOKEN_RE = re.compile(r"<[^>]*>|[^<]+")
TAG_RE = re.compile(r"<(/?)([a-z][a-z0-9]*)")
ALT_RE = re.compile(r'\salt="([^"]*)"')
H1_RE = re.compile(r"<(/?)h1(?=[\s>])", re.I)
HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
TOC_HEADINGS = frozenset({"h2", "h3"})
CAPTION_LINE_RE = re.compile(r"^\s*table:\s*", re.I)  # "Table: Doses by week" (pandoc's caption syntax)
HIDDEN_CAPTION = '<caption class="visually-hidden">'
HIDDEN_CAPTION_RE = re.compile(f"{HIDDEN_CAPTION}[^<]*</caption>")  # its text is escaped: no tag inside

# Ids the page templates use (templates/, and the Django admin pages that show content); a heading
# never takes one of them. portal/content/tests/test_decorate.py checks this list against the templates.
RESERVED_IDS = frozenset({
    # templates/
    "main", "top", "toc", "content", "search", "search-q", "site-header", "site-footer", "welcome",
    "home-search", "offer", "read", "questions", "link-help", "not-found-search", "reading", "respond",
    "respond-heading", "question-help", "question-error", "new-link", "new-link-heading", "link-card",
    "link-controls-heading", "range-from", "range-from-error", "range-to", "range-to-error",
    "content-main", "content-review-module", "review-overdue", "review-due-soon",
    # templates of issue 13: teach-back, checklist, education record, insight
    "teach-back", "teach-back-heading", "teach-back-error", "checklist", "checklist-heading",
    "record-pages", "record-checklist", "record-questions", "record-views", "insight-ready", "insight-pages",
    # django.contrib.admin's base, change form and sidebar
    "branding", "container", "content-related", "content-start", "footer", "header", "logout-form",
    "nav-filter", "nav-sidebar", "toggle-nav-sidebar", "user-tools", "site-name", "icon-auto", "icon-moon", "icon-sun",
    "django-admin-form-add-constants",
})  # fmt: skip
# Ids the templates build: form fields (id_<name>, <auto_id>_helptext), the admin's <model>_form, session
# items (item-<pk>), FAQ topics (topic-<slug>), questions (<slug>-question), teach-back (tb-…) and checklist
# items. A heading whose id would start like one gets "section-" in front; one that would end like one gets a
# number after it.
RESERVED_PREFIX_RE = re.compile(r"^(?:id_|item-|topic-|tb-|checklist-|chart-|insight-)")  # the last four: issue 13
RESERVED_SUFFIX_RE = re.compile(r"(?:-question|_helptext|_form)$")


@dataclass
class Decorated:
    html: str
    toc: list  # [{"level": 2, "id": "...", "text": "..."}]
    dropped_images: int  # images shown as their alt text because they had no allowed address


class HeadingIds:
    """Unique, stable ids from heading text, in time linear in the number of headings (16,000 equal
    headings took 23 s with a counter restarted at 2 for each)."""

    def __init__(self):
        self.used = set()
        self.next_number = {}

    @staticmethod
    def reserved(anchor):
        return anchor in RESERVED_IDS or bool(RESERVED_SUFFIX_RE.search(anchor))

    def make(self, text):
        base = slugify(text)[:80].strip("-") or "section"
        if RESERVED_PREFIX_RE.match(base):
            base = f"section-{base}"
        anchor = base
        if anchor in self.used or self.reserved(anchor):
            # Each base's counter only goes up; a taken "<base>-<n>" can hold up one base only once.
            number = self.next_number.get(base, 2)
            while (anchor := f"{base}-{number}") in self.used or self.reserved(anchor):
                number += 1
            self.next_number[base] = number + 1
        self.used.add(anchor)
        return anchor


def _text(tokens):
    return " ".join(html.unescape("".join(token for token in tokens if not token.startswith("<"))).split())


class _Page:
    def __init__(self, clean_html):
        self.tokens = TOKEN_RE.findall(clean_html)
        self.tags = [TAG_RE.match(token) for token in self.tokens]  # None for text
        self.ids = HeadingIds()
        self.toc = []
        self.labels = Counter()
        self.dropped_images = 0

    def name(self, index, closing=False):
        """The tag name of token `index` if it is an opening (or closing) tag, else ""."""
        tag = self.tags[index] if 0 <= index < len(self.tokens) else None
        return tag.group(2) if tag and bool(tag.group(1)) == closing else ""

    def close_of(self, index, name):
        """Index of the first </name> after `index` (the sanitizer's output always has one)."""
        end = index + 1
        while end < len(self.tokens) and self.name(end, closing=True) != name:
            end += 1
        return end

    def decorate(self):
        for index in range(len(self.tokens)):  # first, so that captions and headings get the alt text
            name = self.name(index)
            if name == "img" and ' src="' not in self.tokens[index]:
                self.drop_image(index)
            elif name == "a" and ' href="' not in self.tokens[index]:
                # A link whose address the sanitizer refused: plain text to the reader; rel without href
                # would be invalid HTML.
                self.tokens[index] = self.tokens[index].replace(' rel="noopener noreferrer"', "")
        last_heading, table_start, table_heading, depth = "", 0, "", 0
        for index in range(len(self.tokens)):
            name = self.name(index)
            if name in HEADINGS:
                last_heading = self.heading(index, name)
            elif name == "table":
                if depth == 0:
                    table_start, table_heading = index, last_heading
                depth += 1
            elif depth and self.name(index, closing=True) == "table":
                depth -= 1
                if depth == 0:
                    self.table(table_start, index, table_heading)
        return Decorated(html="".join(self.tokens), toc=self.toc, dropped_images=self.dropped_images)

    def drop_image(self, index):
        # The reader sees what the image was meant to show; the editor is told (markdown.render's problems).
        alt = ALT_RE.search(self.tokens[index])
        self.tokens[index], self.tags[index] = (alt.group(1) if alt else ""), None
        self.dropped_images += 1

    def heading(self, index, name):
        text = _text(self.tokens[index + 1 : self.close_of(index, name)])
        if name in TOC_HEADINGS:
            anchor = self.ids.make(text)
            self.tokens[index] = f'<{name} id="{anchor}">'
            self.toc.append({"level": int(name[1]), "id": anchor, "text": text})
        return text

    def table(self, start, end, heading):
        """A focusable scroll region named after the table, and a caption if the table has none: from a
        "Table: ..." paragraph just before or after it, or else (for screen readers only) the heading above."""
        caption_html = ""
        first = self.next_content(start, 1)
        if self.name(first) == "caption":
            label = _text(self.tokens[first + 1 : self.close_of(first, "caption")])
        elif line := self.caption_line(start, -1) or self.caption_line(end, 1):
            caption_html, label = f"<caption>{''.join(line)}</caption>", _text(line)
        elif heading:
            caption_html, label = f"{HIDDEN_CAPTION}{html.escape(heading)}</caption>", heading
        else:
            label = ""
        label = label or "Table"
        self.labels[label] += 1
        if self.labels[label] > 1:  # two regions with one name are one landmark to a screen reader
            label = f"{label} ({self.labels[label]})"
        self.tokens[start] = (
            f'<div class="table-scroll" role="region" aria-label="{html.escape(label)}" tabindex="0">'
            f"<table>{caption_html}"
        )
        self.tokens[end] = "</table></div>"

    def next_content(self, index, step):
        """The nearest token before (step -1) or after (step 1) `index` that is not blank text."""
        index += step
        while 0 <= index < len(self.tokens) and not self.tags[index] and not self.tokens[index].strip():
            index += step
        return index

    def caption_line(self, index, step):
        """The tokens of a "Table: ..." paragraph next to the table at `index`, without "Table:", after
        removing the paragraph; None if there is none."""
        edge = self.next_content(index, step)
        if step < 0:
            if self.name(edge, closing=True) != "p":
                return None
            opening, closing = edge - 1, edge
            while opening >= 0 and self.name(opening) != "p":
                opening -= 1
        else:
            if self.name(edge) != "p":
                return None
            opening, closing = edge, self.close_of(edge, "p")
        first = opening + 1
        if opening < 0 or self.tags[first] or not CAPTION_LINE_RE.match(self.tokens[first]):
            return None
        inner = [CAPTION_LINE_RE.sub("", self.tokens[first]), *self.tokens[first + 1 : closing]]
        if not _text(inner):
            return None
        for removed in range(opening, closing + 1):
            self.tokens[removed], self.tags[removed] = "", None
        return inner


def decorate(clean_html):
    """Heading ids and the contents (h2, h3), table regions and captions, alt text for dropped images."""
    return _Page(clean_html).decorate()
