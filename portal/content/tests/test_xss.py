"""No markup a staff member types can run script: on the published page, the FAQ page, the staff preview page
and the editor's live preview. Every payload of portal/tests/xss_corpus.py goes through each of them."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from portal.content.tests.factories import make_article, make_entry, make_topic, make_user
from portal.content.tests.xss_corpus import PAYLOADS, find_executable_markup

pytestmark = pytest.mark.django_db

PAYLOAD_IDS = [f"{index:02d}" for index in range(len(PAYLOADS))]
CONTENT_FIELD_PAYLOADS = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "</title><script>alert(1)</script>",
    "' onmouseover='alert(1)",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    caches["pages"].clear()


@pytest.fixture
def editor_client():
    editor = make_user(staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(editor)
    return client


def test_the_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 30
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    for needle in ("<script", "javascript:", "data:", "vbscript:", "&#", "<svg", "onerror", "style=", "noscript",
                   "{:", "]: "):  # fmt: skip
        assert any(needle.lower() in payload.lower() for payload in PAYLOADS), needle


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
        '<a href="vbscript:x">x</a>',
        '<p style="color:red">x</p>',
        "<iframe src=/x></iframe>",
        "<object></object>",
        "<embed>",
        "<svg></svg>",
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<img srcset="/a.png 1x, javascript:alert(1) 2x">',
        '<script src="/static/x.js"></script>',  # fine on a page, never inside content
    ],
)
def test_the_checker_finds_executable_markup(html):
    assert find_executable_markup(html) != []


def test_the_checker_accepts_a_page_own_static_script_and_ordinary_content():
    page = '<link rel="stylesheet" href="/static/css/site.css"><script src="/static/faq/faq.js" defer></script>'
    content = '<p><a href="https://example.org" rel="noopener">x</a> <img alt="" src="/media/a.png"></p>'
    assert find_executable_markup(page, page=True) == []
    assert find_executable_markup(content) == []


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_payload_is_harmless_on_the_published_article_page(client, payload):
    article = make_article(slug="xss", body=f"Before.\n\n{payload}\n\nAfter.", publish=True)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert find_executable_markup(response.content.decode(), page=True) == []
    assert find_executable_markup(article.live_html) == []


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_payload_is_harmless_on_the_published_faq_pages(client, payload):
    topic = make_topic(slug="xss")
    make_entry(topic=topic, answer=payload, publish=True)
    for url in (topic.get_absolute_url(), reverse("faq:index")):
        response = client.get(url)
        assert response.status_code == 200
        assert find_executable_markup(response.content.decode(), page=True) == []


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_payload_is_harmless_in_the_editor_live_preview(editor_client, payload):
    response = editor_client.post(reverse("markdownx_markdownify"), {"content": payload})
    assert response.status_code == 200
    assert find_executable_markup(response.content.decode()) == []


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_payload_is_harmless_on_the_staff_preview_page(editor_client, payload):
    make_article(slug="xss-draft", body=payload)
    response = editor_client.get(reverse("articles:preview", kwargs={"slug": "xss-draft"}))
    assert response.status_code == 200
    assert find_executable_markup(response.content.decode(), page=True) == []


@pytest.mark.parametrize("payload", CONTENT_FIELD_PAYLOADS)
def test_titles_summaries_and_questions_are_escaped_everywhere(client, editor_client, payload):
    article = make_article(slug="xss-title", title=payload, summary=payload, publish=True)
    topic = make_topic(slug="xss-topic", title=payload, intro=payload)
    entry = make_entry(topic=topic, slug="xss-q", question=payload, publish=True)
    urls = [
        reverse("home"),
        reverse("articles:list"),
        article.get_absolute_url(),
        reverse("faq:index"),
        topic.get_absolute_url(),
    ]
    for url in urls:
        caches["pages"].clear()
        html = client.get(url).content.decode()
        assert find_executable_markup(html, page=True) == [], url
    for query in ("alert", payload):
        html = client.get(reverse("search"), {"q": query}).content.decode()
        assert find_executable_markup(html, page=True) == [], query
    preview_urls = [
        reverse("articles:preview", kwargs={"slug": "xss-title"}),
        reverse("faq:topic_preview", kwargs={"slug": "xss-topic"}),
        reverse("faq:entry_preview", kwargs={"topic": "xss-topic", "slug": entry.slug}),
    ]
    for url in preview_urls:
        html = editor_client.get(url).content.decode()
        assert find_executable_markup(html, page=True) == [], url
