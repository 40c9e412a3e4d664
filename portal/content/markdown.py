"""The one Markdown renderer: python-markdown, then nh3 with an allow-list.

Used when content is saved (public pages store its output) and by the markdownx live preview
(MARKDOWNX_MARKDOWNIFY_FUNCTION), so what an editor previews is exactly what patients get.

Order matters: Markdown first, then nh3 on the whole HTML output (raw HTML typed by an editor
included), then only our own, fixed markup is added to the sanitized HTML: heading ids for the
table of contents and a scroll wrapper around tables. Nothing an editor types can choose an id,
a class, a style or an event handler.
"""

import html
import math
import re
from dataclasses import dataclass, field

import markdown
import nh3
from django.conf import settings
from django.utils.text import slugify

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "s", "small", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# python-markdown's own extensions, chosen one by one ("extra" would add attr_list, which lets
# editors set ids and attributes, and footnotes, whose links need ids we do not allow).
MARKDOWN_EXTENSIONS = ["abbr", "def_list", "fenced_code", "tables", "sane_lists"]

# Ids the page templates use themselves; a heading never takes one of them.
RESERVED_IDS = frozenset({"main", "top", "toc", "content", "search", "site-header", "site-footer"})

H1_RE = re.compile(r"<(/?)h1(?=[\s>])", re.I)
HEADING_RE = re.compile(r"<h([23])>(.*?)</h\1>", re.S)
TABLE_RE = re.compile(r"<table>.*?</table>", re.S)
TAG_RE = re.compile(r"<[^>]+>")
URL_IGNORED_RE = re.compile(r"[\t\n\r]")


@dataclass
class RenderedMarkdown:
    html: str
    toc: list = field(default_factory=list)  # [{"level": 2, "id": "...", "text": "..."}]
    text: str = ""

    @property
    def word_count(self):
        return len(self.text.split())

    @property
    def reading_minutes(self):
        return max(1, math.ceil(self.word_count / settings.READING_WORDS_PER_MINUTE))


def _markdown_to_html(source):
    md = markdown.Markdown(
        extensions=MARKDOWN_EXTENSIONS,
        # Column alignment as align="..." (kept by the sanitizer) rather than style="..." (removed).
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    # The page title is the only h1: a "# Heading" in the body becomes a section heading.
    return H1_RE.sub(r"<\1h2", md.convert(source or ""))


def _only_local_images(tag, attribute, value):
    # Images come from our own uploads: another site's image would tell it who reads which page
    # (and the Content-Security-Policy would block it anyway).
    if tag == "img" and attribute == "src":
        # As a browser reads it: tabs and newlines removed, spaces and controls trimmed; "//host"
        # and "/\\host" lead to another site.
        url = URL_IGNORED_RE.sub("", value).strip("".join(map(chr, range(0x21))))
        return url if url.startswith("/") and url[1:2] not in ("/", "\\") else None
    return value


def sanitize(raw_html):
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_only_local_images,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def html_to_text(clean_html):
    """Plain text of sanitized HTML, whitespace collapsed (search, word count, readability)."""
    text = html.unescape(nh3.clean(clean_html or "", tags=set()))
    return " ".join(text.split())


def _add_heading_ids(clean_html):
    """Give every h2/h3 a stable id from its text (unique on the page) and list them for the TOC."""
    toc = []
    used = set(RESERVED_IDS)

    def add_id(match):
        level, inner = match.group(1), match.group(2)
        text = " ".join(html.unescape(TAG_RE.sub("", inner)).split())
        base = slugify(text)[:80].strip("-") or "section"
        anchor, number = base, 1
        while anchor in used:
            number += 1
            anchor = f"{base}-{number}"
        used.add(anchor)
        toc.append({"level": int(level), "id": anchor, "text": text})
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    return HEADING_RE.sub(add_id, clean_html), toc


def _wrap_tables(clean_html):
    # A wide table scrolls inside its own box on a phone instead of widening the page; the box
    # can take keyboard focus so it can be scrolled without a mouse.
    return TABLE_RE.sub(
        lambda match: f'<div class="table-scroll" role="region" aria-label="Table" tabindex="0">{match.group(0)}</div>',
        clean_html,
    )


def render(source):
    """Markdown source -> sanitized HTML, its h2/h3 table of contents and its plain text."""
    clean_html = sanitize(_markdown_to_html(source))
    text = html_to_text(clean_html)
    with_ids, toc = _add_heading_ids(clean_html)
    return RenderedMarkdown(html=_wrap_tables(with_ids), toc=toc, text=text)


def render_markdown(source):
    """The markdownx preview entry point: same pipeline, HTML only."""
    return render(source).html
