"""Home, search, the base layout and the error pages a patient may meet."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.defaults import server_error

from portal.content.tests.factories import make_article, make_entry, make_topic, make_user
from portal.content.tests.xss_corpus import find_executable_markup
from portal.reading.models import Treatment
from portal.search import SEARCH_MAX_LENGTH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    caches["pages"].clear()


@pytest.fixture
def content():
    article = make_article(
        title="What to expect on treatment day",
        slug="treatment-day",
        summary="How long you stay, and getting home.",
        body="## Getting home\n\nYou need a ride home. Do not drive until the next day after a restful sleep.",
        publish=True,
    )
    topic = make_topic(title="Spravato", slug="spravato")
    entry = make_entry(
        topic=topic,
        slug="observation",
        question="How long will I stay at the clinic?",
        answer="You stay for at least **2 hours** after each dose, so staff can check on you.",
        publish=True,
    )
    return article, topic, entry


def search(client, query):
    return client.get(reverse("search"), {"q": query})


# Home -----------------------------------------------------------------------------------------


def test_home_says_what_the_clinic_offers_and_links_to_articles_faq_and_search(client, content):
    Treatment.objects.create(name="Spravato (esketamine) nasal spray", slug="spravato")
    Treatment.objects.create(name="Retired treatment", slug="old", is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "offers Spravato (esketamine) nasal spray" in html
    assert "Retired treatment" not in html
    assert f'href="{reverse("articles:list")}"' in html
    assert f'href="{reverse("faq:index")}"' in html
    assert f'<form class="search-form" role="search" action="{reverse("search")}" method="get">' in html
    assert 'href="/articles/treatment-day/"' in html
    assert 'href="/faq/spravato/"' in html


def test_home_lists_only_published_content(client, content):
    make_article(title="Unpublished article", slug="draft")
    make_entry(topic=make_topic(title="Draft topic"), question="Draft?")
    html = client.get(reverse("home")).content.decode()
    assert "Unpublished article" not in html
    assert "Draft topic" not in html


def test_home_makes_the_same_queries_however_much_content(client, content, django_assert_num_queries):
    url = reverse("home")
    client.get(url)
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    for _ in range(10):
        make_article(publish=True)
        make_entry(topic=make_topic(), publish=True)
    caches["pages"].clear()
    with django_assert_num_queries(len(queries)):
        client.get(url)


# Search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected_title"),
    [
        ("treatment day", "What to expect on treatment day"),  # article title
        ("getting home", "What to expect on treatment day"),  # article summary and body heading
        ("RESTFUL SLEEP", "What to expect on treatment day"),  # article body, any case
        ("stay at the clinic", "How long will I stay at the clinic?"),  # question
        ("check on you", "How long will I stay at the clinic?"),  # answer
    ],
)
def test_search_finds_published_articles_and_questions_by_every_field(client, content, query, expected_title):
    response = search(client, query)
    assert response.status_code == 200
    titles = [
        str(result["title"]).replace("<mark>", "").replace("</mark>", "") for result in response.context["results"]
    ]
    assert expected_title in titles


def test_search_links_to_the_page_or_the_question(client, content):
    html = search(client, "2 hours").content.decode()
    assert 'href="/faq/spravato/#observation"' in html
    html = search(client, "ride home").content.decode()
    assert 'href="/articles/treatment-day/"' in html


def test_search_shows_what_matched_highlighted(client, content):
    html = search(client, "restful").content.decode()
    assert "after a <mark>restful</mark> sleep" in html
    html = search(client, "observation hours").content.decode()
    assert "No pages match" in html  # every word must match somewhere
    html = search(client, "hours stay").content.decode()
    assert "<mark>stay</mark>" in html and "<mark>hours</mark>" in html


def test_search_finds_other_forms_of_a_word_and_highlights_whole_words(client, content):
    html = search(client, "driving").content.decode()
    assert 'href="/articles/treatment-day/"' in html
    assert "Do not <mark>drive</mark> until" in html
    html = search(client, "doses").content.decode()
    assert "after each <mark>dose</mark>" in html


def test_search_matches_every_word_in_any_field(client, content):
    results = search(client, "ride sleep").context["results"]
    assert [result["url"] for result in results] == ["/articles/treatment-day/"]


def test_search_only_sees_the_live_text_never_drafts_or_unapproved_edits(client, content):
    article, topic, entry = content
    make_article(title="Secret zebra draft", body="zebra", slug="zebra")
    article.body = "An unapproved edit mentioning a giraffe."
    article.save()
    entry.answer = "An unapproved answer about a giraffe."
    entry.save()
    for query in ("zebra", "giraffe"):
        response = search(client, query)
        assert response.context["results"] == []
        assert "No pages match" in response.content.decode()
    assert search(client, "restful").context["results"]  # the live text still matches


def test_search_escapes_the_query_and_the_content(client):
    make_article(title="Tags <b>here</b>", body="Write <not a tag> & more", slug="tags", publish=True)
    html = search(client, "<b>").content.decode()
    assert "Tags <mark>&lt;b&gt;here</mark>&lt;/b&gt;" in html
    html = search(client, '<script>alert("x")</script>').content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("query", ["", "   ", "\x00", "\x00\x01\x7f"])
def test_empty_search_asks_for_words(client, query):
    response = search(client, query)
    assert response.status_code == 200
    assert "Type a word or two" in response.content.decode()


def test_search_ignores_control_characters_that_postgresql_refuses(client, content):
    response = search(client, "rest\x00ful")
    assert response.status_code == 200
    assert response.context["query"] == "restful"
    assert response.context["results"]


def test_too_long_search_gets_a_friendly_message(client, content):
    response = search(client, "a" * (SEARCH_MAX_LENGTH + 1))
    assert response.status_code == 200
    assert f"up to {SEARCH_MAX_LENGTH} characters" in response.content.decode()
    assert "results" not in response.context


def test_search_percent_and_underscore_are_literal(client, content):
    make_article(title="100% sure", body="Fully.", slug="sure", publish=True)
    assert [r["url"] for r in search(client, "%").context["results"]] == ["/articles/sure/"]
    assert search(client, "_").context["results"] == []


def test_search_makes_the_same_queries_however_many_results(client, content, django_assert_num_queries):
    with CaptureQueriesContext(connection) as queries:
        search(client, "the")
    for _ in range(10):
        make_article(body="the words", publish=True)
        make_entry(topic=make_topic(), answer="the answer", publish=True)
    with django_assert_num_queries(len(queries)):
        response = search(client, "the")
    assert len(response.context["results"]) >= 20


# Base layout ----------------------------------------------------------------------------------


class _Landmarks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html):
    parser = _Landmarks()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("url_name", ["home", "articles:list", "faq:index", "search"])
def test_every_page_has_the_base_layout(client, content, url_name):
    response = client.get(reverse(url_name))
    html = response.content.decode()
    tags = _tags(html)
    assert ("html", {"lang": "en"}) in tags
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in tags
    assert tags[[t for t, _ in tags].index("a")] == ("a", {"class": "skip-link", "href": "#main"})
    assert any(tag == "main" and attrs.get("id") == "main" for tag, attrs in tags)
    assert any(tag == "header" for tag, _ in tags) and any(tag == "footer" for tag, _ in tags)
    assert any(tag == "nav" and attrs.get("aria-label") == "Main" for tag, attrs in tags)
    assert ("link", {"rel": "stylesheet", "href": "/static/css/print.css", "media": "print"}) in tags
    assert html.count('aria-current="page"') == 1
    assert 'call or text <a href="tel:988">988</a>' in html


@pytest.mark.parametrize("url_name", ["home", "articles:list", "faq:index", "search"])
def test_pages_carry_the_content_security_policy_and_need_nothing_it_blocks(client, content, url_name):
    response = client.get(reverse(url_name))
    csp = {part.split()[0]: part.split()[1:] for part in response["Content-Security-Policy"].split("; ")}
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["style-src"] == ["'self'"]
    assert find_executable_markup(response.content.decode(), page=True) == []


def test_templates_have_no_inline_script_or_style():
    templates = list((Path(settings.BASE_DIR) / "templates").rglob("*.html"))
    assert templates
    for path in templates:
        text = path.read_text()
        assert "style=" not in text, path
        assert "<style" not in text, path
        for line in text.splitlines():
            if "<script" in line:
                assert "src=" in line and "></script>" in line, (path, line)


def test_stylesheet_sets_18px_body_text_and_print_styles_exist():
    css = (Path(settings.BASE_DIR) / "static/css/site.css").read_text()
    assert "font-size: 112.5%" in css  # 18px with the browser default of 16px
    assert ".visually-hidden" in css and ".button-secondary" in css and ".badge-not-ready" in css
    print_css = (Path(settings.BASE_DIR) / "static/css/print.css").read_text()
    assert ".site-nav" in print_css


# Error pages ----------------------------------------------------------------------------------


def test_404_page_is_plain_and_helpful(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Sorry, we cannot find that page" in html
    assert 'role="search"' in html
    assert '<html lang="en">' in html


def test_400_page_for_a_bad_host(client):
    response = client.get(reverse("home"), HTTP_HOST="evil.example.org")
    assert response.status_code == 400
    assert "Sorry, we could not understand that request" in response.content.decode()


def test_403_page_for_a_preview_a_patient_cannot_see(client):
    make_article(slug="draft")
    client.force_login(make_user(staff=False))
    response = client.get(reverse("articles:preview", kwargs={"slug": "draft"}))
    assert response.status_code == 403
    assert "Sorry, you cannot open this page" in response.content.decode()


def test_500_page_renders_without_a_request_context():
    # Django renders 500.html with no context processors: no clinic name, no request, no user.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, something went wrong on our side" in html
    assert '<a class="skip-link" href="#main">' in html
    assert render_to_string("500.html")  # and on its own


def test_csrf_failure_page_is_plain_language(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user(staff=True))
    response = strict.post(reverse("markdownx_markdownify"), {"content": "x"})
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/portal/treatmentsession/", "/admin/reading/treatmentsession/"),
        ("/admin/portal/patient/12/change/", "/admin/reading/patient/12/change/"),
        ("/admin/portal/contentversion/review-due/", "/admin/content/contentversion/review-due/"),
        ("/admin/portal/auditevent/?action=dashboard.view", "/admin/audit/auditevent/?action=dashboard.view"),
    ],
)
def test_admin_bookmarks_from_before_the_apps_moved_redirect_to_the_same_page(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_an_unknown_model_under_the_old_admin_prefix_is_a_404(client):
    assert client.get("/admin/portal/nosuchmodel/").status_code == 404
