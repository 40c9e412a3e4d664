"""The whole-page cache for anonymous visitors (portal.page_cache)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from faq.models import FaqEntry, FaqTopic
from portal.content.services import content_archive, content_publish
from portal.page_cache import PublicPageCacheMiddleware, current_generation


@pytest.fixture(autouse=True)
def _empty_page_cache():
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture
def article(db):
    article = Article.objects.create(
        title="What to expect", slug="what-to-expect", summary="Your first session.", body="First version."
    )
    content_publish(content=article, by=None)
    return article


@pytest.fixture
def reviewer(db):
    user = get_user_model().objects.create_user("reviewer", password="a-long-test-password", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="approve_content"))
    return user


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("editor", password="a-long-test-password", is_staff=True)


def _served_from_cache(response, queries):
    """A hit renders no template and makes one query, on the shared cache table (the generation); none at all
    when the shared cache is Redis (REDIS_URL)."""
    if not isinstance(caches["default"], DatabaseCache):
        return response.templates == [] and len(queries) == 0
    return response.templates == [] and len(queries) == 1 and "portal_cache" in queries.captured_queries[0]["sql"]


def test_second_anonymous_visit_of_an_article_is_served_with_one_query(client, article):
    url = article.get_absolute_url()
    first = client.get(url)
    assert first.templates
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert _served_from_cache(second, queries)
    assert second.status_code == 200
    assert second.content == first.content
    assert b"First version." in second.content


def test_cached_page_keeps_the_security_headers(client, article):
    url = article.get_absolute_url()
    first = client.get(url)
    second = client.get(url)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Type"):
        assert second[header] == first[header]


@pytest.mark.parametrize("url_name", ["home", "articles:list", "faq:index"])
def test_public_list_pages_are_cached(client, article, url_name):
    url = reverse(url_name)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert _served_from_cache(response, queries)


def test_publishing_a_new_version_shows_it_at_once(client, article):
    url = article.get_absolute_url()
    assert b"First version." in client.get(url).content
    article.body = "Second version."
    content_publish(content=article, by=None)
    page = client.get(url).content
    assert b"Second version." in page
    assert b"First version." not in page


def test_editing_the_working_copy_does_not_change_the_public_page(client, article):
    url = article.get_absolute_url()
    client.get(url)
    article.body = "Unapproved draft."
    article.save()
    assert b"Unapproved draft." not in client.get(url).content


def test_archiving_an_article_removes_it_at_once(client, article, reviewer):
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200
    content_archive(content=article, by=reviewer)
    assert client.get(url).status_code == 404


def test_publishing_an_faq_entry_refreshes_the_topic_page(client, db):
    topic = FaqTopic.objects.create(title="Spravato", slug="spravato")
    entry = FaqEntry.objects.create(topic=topic, question="Can I drive home?", slug="driving", answer="No.")
    content_publish(content=entry, by=None)
    url = topic.get_absolute_url()
    assert b"Can I drive home?" in client.get(url).content
    entry.question = "Can I drive myself home after a session?"
    content_publish(content=entry, by=None)
    assert b"Can I drive myself home after a session?" in client.get(url).content


@pytest.mark.skipif(
    not isinstance(caches["default"], DatabaseCache),
    reason="a Redis cache is outside the transaction (portal/tests/test_redis_cache.py covers that case)",
)
def test_a_change_that_is_rolled_back_keeps_the_cached_pages(client, article):
    url = article.get_absolute_url()
    client.get(url)
    before = current_generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        article.body = "Never committed."
        content_publish(content=article, by=None)
        assert current_generation() != before  # this transaction sees its own change at once
        raise RuntimeError
    assert current_generation() == before
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert _served_from_cache(response, queries)


def test_logged_in_staff_are_never_served_or_stored(client, article, staff_user):
    url = article.get_absolute_url()
    client.force_login(staff_user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert not _served_from_cache(response, queries)
    assert len(caches["pages"]._cache) == 0


def test_requests_with_a_session_cookie_bypass_the_cache(client, article):
    url = article.get_absolute_url()
    client.get(url)
    client.cookies["sessionid"] = "not-a-real-session"
    response = client.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert not _served_from_cache(response, queries)


def test_query_strings_are_cached_separately(client, article):
    url = article.get_absolute_url()
    client.get(url)
    client.get(url + "?utm_source=card")
    assert len(caches["pages"]._cache) == 2


def test_pages_outside_the_public_set_are_not_cached(client, db):
    client.get(reverse("healthz"))
    client.get(reverse("admin:login"))
    assert len(caches["pages"]._cache) == 0


def test_post_requests_are_not_cached(client, article):
    client.post(article.get_absolute_url())
    assert len(caches["pages"]._cache) == 0


def _middleware_calls(response_factory):
    calls = []

    def view(request):
        calls.append(request)
        return response_factory()

    return PublicPageCacheMiddleware(view), calls


@pytest.mark.parametrize(
    "response_factory",
    [
        pytest.param(lambda: HttpResponse("missing", status=404), id="not-found"),
        pytest.param(lambda: HttpResponse("moved", status=302, headers={"Location": "/"}), id="redirect"),
        pytest.param(lambda: _with_cookie(HttpResponse("form page")), id="set-cookie"),
        pytest.param(lambda: HttpResponse("preview", headers={"Cache-Control": "private"}), id="private"),
        pytest.param(lambda: HttpResponse("preview", headers={"Cache-Control": "no-cache, no-store"}), id="no-store"),
    ],
)
def test_responses_that_are_not_plain_200_pages_are_not_stored(db, response_factory):
    middleware, calls = _middleware_calls(response_factory)
    request_factory = RequestFactory()
    middleware(request_factory.get(reverse("home")))
    middleware(request_factory.get(reverse("home")))
    assert len(calls) == 2


def test_a_plain_200_page_is_stored_by_the_middleware(db):
    middleware, calls = _middleware_calls(lambda: HttpResponse("home page"))
    request_factory = RequestFactory()
    first = middleware(request_factory.get(reverse("home")))
    second = middleware(request_factory.get(reverse("home")))
    assert len(calls) == 1
    assert second.content == first.content == b"home page"


def _with_cookie(response):
    response.set_cookie("csrftoken", "x")
    return response
