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


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """The interface's .mo files, built from locale/ when missing or older than their .po (`make test` builds them
    too; this keeps a bare `pytest` right after a .po edit)."""
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    stale = [
        po
        for locale_dir in settings.LOCALE_PATHS
        for po in Path(locale_dir).glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command("compilemessages", verbosity=0, ignore_patterns=[".venv", "e2e", "node_modules"])


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A Spanish page leaves Spanish active in its thread (Django activates per request): tests start in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")
