"""Settings come from the environment, with safe laptop defaults and explicit production values."""

import pytest

from portal.tests.django_subprocess import PRODUCTION_REQUIRED, clean_env, production_env, run_django

READ_SETTINGS = """
from django.conf import settings
database = settings.DATABASES["default"]
result = {
    "debug": settings.DEBUG,
    "engine": database["ENGINE"],
    "name": str(database["NAME"]),
    "options": database.get("OPTIONS", {}),
    "conn_max_age": database.get("CONN_MAX_AGE"),
    "conn_health_checks": database.get("CONN_HEALTH_CHECKS"),
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "csrf_trusted_origins": settings.CSRF_TRUSTED_ORIGINS,
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "secret_key_length": len(settings.SECRET_KEY),
}
"""


def read_settings(env):
    return run_django(READ_SETTINGS, env=env)


def test_default_database_is_a_sqlite_file_that_keeps_concurrent_writes(tmp_path):
    result = read_settings(clean_env(DJANGO_DEBUG="true"))
    assert result["engine"] == "django.db.backends.sqlite3"
    assert result["name"].endswith("db.sqlite3")
    options = result["options"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]


def test_sqlite_connection_really_runs_in_wal_mode(tmp_path):
    code = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    timeout = cursor.fetchone()[0]
result = {"mode": mode, "timeout_ms": timeout}
"""
    result = run_django(code, env=clean_env(DJANGO_DEBUG="true", SQLITE_PATH=tmp_path / "wal.sqlite3"))
    assert result["mode"] == "wal"
    assert result["timeout_ms"] >= 20_000


def test_database_url_selects_postgresql_with_persistent_connections():
    result = read_settings(clean_env(DJANGO_DEBUG="true", DATABASE_URL="postgres://clinic@db.example.org:5432/portal"))
    assert result["engine"] == "django.db.backends.postgresql"
    assert result["name"] == "portal"
    assert result["conn_max_age"] > 0
    assert result["conn_health_checks"] is True


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("yes", True), ("false", False),
                                                 ("0", False), ("", False)])  # fmt: skip
def test_debug_comes_from_django_debug(value, expected):
    env = clean_env(DJANGO_DEBUG=value, DJANGO_SECRET_KEY="x" * 60, **PRODUCTION_REQUIRED)
    assert read_settings(env)["debug"] is expected


def test_hosts_and_trusted_origins_are_comma_separated_lists():
    result = read_settings(
        clean_env(
            DJANGO_DEBUG="true",
            DJANGO_ALLOWED_HOSTS="portal.example.org, www.portal.example.org",
            DJANGO_CSRF_TRUSTED_ORIGINS="https://portal.example.org",
        )
    )
    assert result["allowed_hosts"] == ["portal.example.org", "www.portal.example.org"]
    assert result["csrf_trusted_origins"] == ["https://portal.example.org"]


def test_laptop_defaults_allow_only_local_hosts():
    result = read_settings(clean_env(DJANGO_DEBUG="true"))
    assert result["allowed_hosts"] == ["localhost", "127.0.0.1", "[::1]"]
    assert result["staticfiles"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_production_uses_hashed_compressed_static_files_and_secure_cookies():
    result = read_settings(production_env())
    assert result["debug"] is False
    assert result["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert result["session_cookie_secure"] is True
    assert result["csrf_cookie_secure"] is True
    assert result["secret_key_length"] >= 50


def test_markdownx_settings_point_at_our_renderer_and_staff_endpoints(settings):
    from portal.content import uploads

    assert settings.MARKDOWNX_MARKDOWNIFY_FUNCTION == "portal.content.markdown.render_markdown"
    assert settings.MARKDOWNX_URLS_PATH.startswith("/staff/")
    assert settings.MARKDOWNX_UPLOAD_URLS_PATH.startswith("/staff/")
    assert uploads.ACCEPTED_FORMATS == {"JPEG": "jpg", "PNG": "png"}  # what the upload checker accepts
    assert 0 < settings.MARKDOWNX_UPLOAD_MAX_SIZE <= 10 * 1024 * 1024


READ_CACHES = """
from django.conf import settings
result = settings.CACHES
"""


def test_without_redis_url_the_shared_cache_is_the_database_cache():
    caches = run_django(READ_CACHES, env=clean_env(DJANGO_DEBUG="true"))
    assert caches["default"]["BACKEND"] == "portal.cache.DatabaseCache"
    assert caches["pages"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_redis_url_selects_redis_for_the_shared_cache_in_production():
    env = production_env(REDIS_URL="redis://cache.example.org:6379/2", DJANGO_CACHE_KEY_PREFIX="clinic-a")
    caches = run_django(READ_CACHES, env=env)
    assert caches["default"]["BACKEND"] == "portal.cache.RedisCache"
    assert caches["default"]["LOCATION"] == "redis://cache.example.org:6379/2"
    assert caches["default"]["KEY_PREFIX"] == "clinic-a"
    # Whole pages stay in each server's memory; only their generation is shared.
    assert caches["pages"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_redis_url_that_is_not_redis_is_refused_with_a_clear_message():
    with pytest.raises(AssertionError, match="REDIS_URL must be a redis://"):
        run_django(READ_CACHES, env=clean_env(DJANGO_DEBUG="true", REDIS_URL="http://127.0.0.1:6379/0"))
