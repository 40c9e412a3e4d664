"""Markup a staff member might type (by mistake or with intent) that must never run in a browser.

Reused by the HTML-level tests (portal/tests/test_xss.py) and by the browser tests (e2e/), so each
payload is plain Markdown source as an editor would type it. `find_executable_markup` parses HTML with
html.parser and lists everything that could run script or restyle the page.
"""

from html.parser import HTMLParser

PAYLOADS = [
    # Raw HTML script, frames, objects.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    "<body onload=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<style>@import "javascript:alert(1)"; body { display: none }</style>',
    "<form action=javascript:alert(1)><button>Send</button></form>",
    # Event handlers.
    "<img src=x onerror=alert(1)>",
    '<img src="x" OnError="alert(1)">',
    '<img src=x onerror="&#97;lert(1)">',
    "<details open ontoggle=alert(1)>x</details>",
    '<div onclick="alert(1)">click</div>',
    "<input autofocus onfocus=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    '<a href="https://example.org" onmouseover="alert(1)">hover</a>',
    "<abbr title=x onmouseover=alert(1)>x</abbr>",
    # javascript:, vbscript: and data: URLs in inline links and images.
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](x" onerror="alert(1))',
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    # ... in reference-style links and images.
    "[ref][1]\n\n[1]: javascript:alert(1)",
    "![ref][img]\n\n[img]: data:text/html,<script>alert(1)</script>",
    '[ref][x]\n\n[x]: &#106;avascript:alert(1) "title"',
    "[ref][v]\n\n[v]: VBScript:msgbox(1)",
    # Entity-encoded, mixed-case and whitespace-split schemes.
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[click](java&#09;script:alert(1))",
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href=" &#14;  javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="data:text/html;charset=utf-8,%3Cscript%3Ealert(1)%3C/script%3E">x</a>',
    '<img srcset="javascript:alert(1) 1x">',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    # SVG and MathML.
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    # Style attributes (restyling the page, overlays).
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<a href="#" style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</a>',
    # Mutation XSS (markup that changes meaning when parsed again).
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;">',
    "<!--><img src=x onerror=alert(1)>-->",
    '<template><script>alert(1)</script></template><textarea><img title="</textarea><img src=x onerror=alert(1)>">',
    # Markdown attribute lists and other extension syntax.
    '## Heading {: onclick="alert(1)" }',
    'A paragraph\n{: onmouseover="alert(1)" style="color:red" }',
    '[link](https://example.org){: onclick="alert(1)" }',
    "*[HTML]: <img src=x onerror=alert(1)>\n\nHTML",
    '<div markdown="1" onclick="alert(1)">*text*</div>',
    # Code samples must stay text.
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
]

# Elements that run script, embed other documents or restyle the page.
FORBIDDEN_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style",
    "base", "template", "noscript", "portal", "animate", "set", "handler", "xml",
})  # fmt: skip
# Elements a whole page may use itself (static scripts, stylesheets, forms) but content never may.
PAGE_CHROME_TAGS = frozenset({
    "script", "link", "meta", "form", "input", "button", "select", "option", "label", "textarea",
})  # fmt: skip
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "data", "background", "poster", "lowsrc",
    "dynsrc", "codebase", "cite", "longdesc", "ping", "manifest", "srcset", "content",
})  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")


def _normalised_url(value):
    # Browsers ignore ASCII whitespace and control characters inside a scheme and compare it
    # case-insensitively; html.parser has already decoded character references.
    return "".join(char for char in value if ord(char) > 0x20 and char != "\x7f").lower()


class _ExecutableMarkupFinder(HTMLParser):
    def __init__(self, *, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.problems = []

    def _page_chrome_allows(self, tag, attrs):
        """A full page has its own, fixed script/stylesheet/meta/search-form tags; content never may."""
        if not self.page:
            return False
        if tag == "script":
            return set(attrs) <= {"src", "defer", "type"} and (attrs.get("src") or "").startswith("/static/")
        if tag == "link" and attrs.get("rel") == "alternate":  # hreflang alternates load nothing
            return set(attrs) == {"rel", "hreflang", "href"} and attrs["href"].startswith(("http://", "https://"))
        if tag == "link":
            return attrs.get("rel") in {"stylesheet", "icon"} and (attrs.get("href") or "").startswith("/static/")
        if tag == "meta":
            return "http-equiv" not in attrs
        if tag == "form":
            return attrs.get("action", "").startswith("/") and not attrs.get("action", "").startswith("//")
        return tag in PAGE_CHROME_TAGS

    def handle_starttag(self, tag, attr_list):
        attrs = {name: value or "" for name, value in attr_list}
        if (tag in FORBIDDEN_TAGS or tag in PAGE_CHROME_TAGS) and not self._page_chrome_allows(tag, attrs):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            elif name in {"style", "srcdoc", "formaction"}:
                self.problems.append(f"<{tag} {name}=...> attribute")
            elif name in URL_ATTRIBUTES:
                candidates = [value] if name != "srcset" else [part.strip() for part in value.split(",")]
                for candidate in candidates:
                    url = _normalised_url(candidate)
                    # meta content="0;url=javascript:..." hides the scheme after a prefix.
                    url = url.split("url=", 1)[-1] if name == "content" else url
                    if url.startswith(DANGEROUS_SCHEMES):
                        self.problems.append(f"<{tag} {name}={candidate!r}> dangerous URL")

    handle_startendtag = handle_starttag


def find_executable_markup(html, *, page=False):
    """Everything in `html` that could run script or restyle the page ([] when it is safe).

    `page=True` for a whole page: its own stylesheet links, static scripts and search form are
    allowed; the same elements inside content are not (use page=False on a fragment).
    """
    finder = _ExecutableMarkupFinder(page=page)
    finder.feed(html)
    finder.close()
    return finder.problems
