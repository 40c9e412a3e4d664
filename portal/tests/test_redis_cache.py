"""The shared cache on Redis (REDIS_URL): portal.cache.RedisCache's counter and the page-cache generation's timing.

These run when the suite runs with REDIS_URL (.ci/run's third run); the 16-thread count in test_ratelimit.py
runs there against Redis too.
"""

import random
import threading
import time

import pytest
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from articles.models import Article
from portal.cache import RedisCache
from portal.content.services import content_publish
from portal.page_cache import current_generation

pytestmark = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache), reason="the shared cache is the database cache (no REDIS_URL)"
)


@pytest.fixture(autouse=True)
def _empty_page_cache():
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def test_a_counter_that_expires_while_it_is_counted_is_never_made_again_without_expiry():
    """Django's incr (EXISTS, then INCRBY) recreates a counter that expired in between, with no expiry: that
    address would stay blocked for ever. Counters set to expire within a millisecond are counted until some
    expire at the very moment of the incr; none may be left without an expiry."""
    client = cache._cache.get_client(write=True)
    key = cache.make_and_validate_key("expiring-counter")
    random.seed(10)
    missing = 0
    for _ in range(3000):
        client.set(key, 0, px=1)
        deadline = time.perf_counter() + random.uniform(0.0005, 0.0015)
        while time.perf_counter() < deadline:
            pass
        try:
            cache.incr("expiring-counter")
        except ValueError:
            missing += 1
        assert client.pttl(key) != -1, "a counter was left without an expiry"
    assert missing > 0, "no counter expired around its incr: the race was not exercised"
    client.delete(key)


def test_incr_counts_and_fails_for_a_missing_key_without_creating_it():
    with pytest.raises(ValueError):
        cache.incr("never-set")
    assert cache.get("never-set") is None
    cache.add("counter", 0, timeout=60)
    assert cache.incr("counter", 5) == 5
    assert cache.decr("counter", 2) == 3
    assert 0 < cache._cache.get_client().ttl(cache.make_and_validate_key("counter")) <= 60


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_page_generation_moves_again_when_a_publish_commits():
    """Outside the database, the generation a publish sets is seen by other servers before its commit: it must
    move once more at the commit."""
    with transaction.atomic():
        article = Article.objects.create(title="Before you come", slug="before-you-come", summary="s", body="b")
        content_publish(content=article, by=None)
        during = current_generation()
    assert current_generation() != during


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_read_by_another_server_during_a_publish_is_not_served_after_it():
    """Another app server (a thread with its own database connection) reads the article list while a publish
    is not yet committed; after the commit, the new article is on the list."""
    listed = Client().get(reverse("articles:list"))
    assert listed.status_code == 200
    seen_during = {}

    def other_server():
        try:
            seen_during["content"] = Client().get(reverse("articles:list")).content
        finally:
            connection.close()

    with transaction.atomic():
        article = Article.objects.create(title="Arriving early", slug="arriving-early", summary="s", body="b")
        content_publish(content=article, by=None)
        thread = threading.Thread(target=other_server)
        thread.start()
        thread.join()
    assert b"Arriving early" not in seen_during["content"]
    after = Client().get(reverse("articles:list"))
    assert b"Arriving early" in after.content
