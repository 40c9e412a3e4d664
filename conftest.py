"""Staff fixtures shared by the portal tests: people in the real groups (portal/migrations/0002_staff_groups)."""

import pytest

from portal.content.tests.governance_helpers import make_staff


@pytest.fixture
def editor(db):
    return make_staff("erin.editor", "Editor")


@pytest.fixture
def reviewer(db):
    return make_staff("rita.reviewer", "Clinical reviewer")


@pytest.fixture
def second_reviewer(db):
    """A reviewer other than `reviewer`, for approvals that need a fresh pair of eyes."""
    return make_staff("sam.reviewer", "Clinical reviewer")


@pytest.fixture(autouse=True)
def _empty_shared_cache():
    """Each test starts with an empty shared cache. The database cache empties with the test database; a Redis
    cache (REDIS_URL, a Redis database of the test run's own: this empties all of it) is emptied here."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    if isinstance(caches["default"], RedisCache):
        caches["default"].clear()
