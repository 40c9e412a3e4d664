"""The one Markdown renderer: python-markdown, then nh3 with an allow-list.

Used when content is saved (public pages store its output) and by the markdownx live preview
(MARKDOWNX_MARKDOWNIFY_FUNCTION), so what an editor previews is exactly what patients get.
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
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

HEADING_RE = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)
TAG_RE = re.compile(r"<[^>]+>")


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


def _slugify_heading(value, separator):
    return slugify(value) or "section"


def _markdown_to_html(source):
    md = markdown.Markdown(
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={"toc": {"slugify": _slugify_heading, "permalink": False}},
        output_format="html",
    )
    return md.convert(source or "")


def sanitize(raw_html):
    # Headings keep their ids (for the table of contents); nothing else may carry one.
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render(source):
    """Markdown source -> sanitized HTML, its h2/h3 table of contents and its plain text."""
    clean_html = sanitize(_markdown_to_html(source))
    toc = [
        {"level": int(level), "id": anchor, "text": html.unescape(TAG_RE.sub("", inner)).strip()}
        for level, anchor, inner in HEADING_RE.findall(clean_html)
    ]
    text = html.unescape(nh3.clean(clean_html, tags=set()))
    return RenderedMarkdown(html=clean_html, toc=toc, text=" ".join(text.split()))


def render_markdown(source):
    """The markdownx preview entry point: same pipeline, HTML only."""
    return render(source).html
