"""The one Markdown renderer: python-markdown, then nh3 with an allow-list, in a child process bounded in time.

Used when content is saved (public pages store its output) and by the markdownx live preview
(MARKDOWNX_MARKDOWNIFY_FUNCTION), so what an editor previews is exactly what patients get.

Order matters: Markdown first, then nh3 on the whole HTML output (raw HTML typed by an editor
included), then only our own, fixed markup is added to the sanitized HTML (portal.content.decorate):
heading ids for the table of contents, a labelled scroll region and a caption for tables, and the alt
text in place of an image that does not come from our upload folder. Nothing an editor types can
choose an id, a class, a style or an event handler.

python-markdown is pure Python and some small inputs make it slow (runs of "[" are quadratic: 16 KB
took ~38 s) or overflow its recursion (a 3 KB tight definition list). A thread cannot be stopped, so
render() runs the pipeline in a child process (portal.content.sandbox: forked, kept warm, killed when late)
and gives up after CONTENT_MARKDOWN_RENDER_SECONDS; sources over CONTENT_MAX_MARKDOWN_BYTES are refused
before that.
Either way the caller gets a MarkdownError whose message tells the editor what to do.
"""

import html
import math
from dataclasses import dataclass, field

import markdown
import nh3
from django.conf import settings

from portal.content import decorate, sandbox, uploads
from portal.content.decorate import RESERVED_IDS  # noqa: F401 - part of this module's interface
from portal.phone import phone_href

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

# The child's HTML, text and contents may be this many times the source (abbreviations repeat their
# title at every use: 100 KB of source made 1.2 GB of HTML); more is refused unread.
MAX_OUTPUT_FACTOR = 40

TOO_LARGE_MESSAGE = "This text is {size}; a page can hold at most {limit}. Shorten it or split it into several pages."
FAILED_MESSAGES = {
    sandbox.TIMED_OUT: (
        "This text could not be rendered in time ({seconds} s). Simplify it: long runs of [ or ! brackets, "
        "lists inside lists or long definition lists without blank lines are the usual causes."
    ),
    sandbox.TOO_DEEP: (
        "This text is nested too deeply to be shown (lists or quotes inside one another, or a long "
        "definition list without blank lines between its entries). Simplify it."
    ),
    sandbox.TOO_BIG: (
        "This text grows too large once rendered (an abbreviation with a long title used many times?). Simplify it."
    ),
    sandbox.FAILED: "This text could not be rendered. Simplify it, or ask for help if it keeps happening.",
}


class MarkdownError(ValueError):
    """Markdown the renderer refuses, with a message for the editor who wrote it."""


@dataclass
class RenderedMarkdown:
    html: str
    toc: list = field(default_factory=list)  # [{"level": 2, "id": "...", "text": "..."}]
    text: str = ""
    # What the editor must know: content that is not shown to patients (e.g. images from elsewhere).
    problems: list = field(default_factory=list)

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
    return decorate.H1_RE.sub(r"<\1h2", md.convert(source or ""))


def sanitize(raw_html, *, image_prefix=None, refused_images=None):
    """nh3 with our allow-list. Images keep their src only when it is in the upload folder
    (`image_prefix`, default uploads.image_url_prefix()); refused addresses are appended to `refused_images`."""
    image_prefix = uploads.image_url_prefix() if image_prefix is None else image_prefix

    def only_uploaded_images(tag, attribute, value):
        # Another site's image would tell it who reads which page; an image address on this site
        # (an export, a patient link) would be fetched by every reader's browser, with their cookies.
        if tag == "img" and attribute == "src":
            url = uploads.uploaded_image_url(value, prefix=image_prefix)
            if url is None and refused_images is not None:
                refused_images.append(value)
            return url
        if tag == "a" and attribute == "href" and value.lower().startswith("tel:"):
            # "tel:(555) 010-0100" as editors type it: the digits only, as on every other page (valid HTML).
            return phone_href(value[4:]) or None
        return value

    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=only_uploaded_images,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def html_to_text(clean_html):
    """Plain text of sanitized HTML, whitespace collapsed (search, word count, readability)."""
    text = html.unescape(nh3.clean(clean_html or "", tags=set()))
    return " ".join(text.split())


def _images_problem(dropped, refused):
    if not dropped:
        return []
    addresses = ", ".join(f"“{address[:80]}”" for address in refused)
    one = dropped == 1
    return [
        f"{'1 image' if one else f'{dropped} images'}{f' ({addresses})' if addresses else ''} will not be shown, "
        f"only {'its' if one else 'their'} description: pages show only images uploaded with the editor’s image "
        f"button. Upload {'it' if one else 'them'} there, or remove {'it' if one else 'them'}."
    ]


def render_unbounded(source, *, image_prefix):
    """The whole pipeline in this process (render() runs it in a child). Returns a JSON-able dict."""
    refused_images = []
    clean_html = sanitize(_markdown_to_html(source), image_prefix=image_prefix, refused_images=refused_images)
    page = decorate.decorate(clean_html)
    return {
        "html": page.html,
        "toc": page.toc,
        "text": html_to_text(decorate.HIDDEN_CAPTION_RE.sub("", page.html)),  # as read: they repeat a heading
        "problems": _images_problem(page.dropped_images, refused_images),
    }


def source_size(source):
    """Size of a source as the limit counts it: UTF-8 bytes, with the browser's CRLF line ends as one."""
    return len((source or "").replace("\r\n", "\n").encode())


def _size_text(size, rounding):
    # The text's size rounded up and the limit rounded down, so that the two never read the same.
    return f"{size:,} bytes" if size < 10_000 else f"{rounding(size / 102.4) / 10:.1f} KB"


def check_size(source):
    """Raise MarkdownError when `source` is over CONTENT_MAX_MARKDOWN_BYTES."""
    limit = settings.CONTENT_MAX_MARKDOWN_BYTES
    size = source_size(source)
    if size > limit:
        sizes = {"size": _size_text(size, math.ceil), "limit": _size_text(limit, math.floor)}
        raise MarkdownError(TOO_LARGE_MESSAGE.format(**sizes))


def render(source):
    """Markdown source -> sanitized HTML, its h2/h3 table of contents, its plain text and its problems.

    Raises MarkdownError when the source is too large, or cannot be rendered within
    CONTENT_MARKDOWN_RENDER_SECONDS (or at all)."""
    source = source or ""
    if not source.strip():
        return RenderedMarkdown(html="")
    check_size(source)
    seconds = settings.CONTENT_MARKDOWN_RENDER_SECONDS
    outcome = sandbox.run(
        render_unbounded,
        source,
        image_prefix=uploads.image_url_prefix(),
        seconds=seconds,
        max_output_bytes=max(1024 * 1024, MAX_OUTPUT_FACTOR * source_size(source)),
    )
    if outcome.failure:
        raise MarkdownError(FAILED_MESSAGES[outcome.failure].format(seconds=f"{seconds:g}"))
    return RenderedMarkdown(**outcome.result)


def render_markdown(source):
    """The markdownx preview entry point: same pipeline, HTML only (raises MarkdownError like render())."""
    return render(source).html
