"""Production settings: `check --deploy` is clean, a missing secret key, mail server or public address stops start-up,
security headers are sent, static files are precompressed."""

import pytest

from portal.tests.django_subprocess import clean_env, production_env, run_django, run_manage


@pytest.mark.parametrize(
    "database",
    [{}, {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal"}],
    ids=["sqlite", "postgresql"],
)
def test_check_deploy_reports_nothing_with_production_settings(database):
    completed = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**database))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues (0 silenced)." in completed.stdout
    assert "WARNING" not in completed.stderr + completed.stdout


def test_check_deploy_would_notice_debug_left_on():
    # The same check fails when something is wrong: the test above can fail.
    completed = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_DEBUG="true"))
    assert completed.returncode != 0
    assert "security.W018" in completed.stderr + completed.stdout


@pytest.mark.parametrize("debug", [None, "false", "0"])
def test_production_refuses_to_start_without_a_secret_key(debug):
    completed = run_manage("check", env=clean_env(DJANGO_DEBUG=debug, DJANGO_ALLOWED_HOSTS="portal.example.org"))
    assert completed.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in completed.stderr
    assert "ImproperlyConfigured" in completed.stderr


def test_production_sends_security_headers_and_redirects_to_https(tmp_path):
    code = """
from django.test import Client
client = Client(HTTP_HOST="portal.example.org")
plain = client.get("/search/")
health = client.get("/healthz")
secure = client.get("/healthz", secure=True)
result = {
    "plain": [plain.status_code, plain.get("Location")],
    "health": health.status_code,
    "secure": secure.status_code,
    "headers": {name.lower(): value for name, value in secure.items()},
}
"""
    result = run_django(code, env=production_env(SQLITE_PATH=tmp_path / "portal.sqlite3"))
    assert result["plain"] == [301, "https://portal.example.org/search/"]
    assert result["health"] == 200  # a load balancer may check health over plain HTTP
    assert result["secure"] == 200
    headers = result["headers"]
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert "camera=(), " in headers["permissions-policy"]
    csp = headers["content-security-policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"DJANGO_EMAIL_HOST": None}, "DJANGO_EMAIL_HOST is not set"),
        ({"PORTAL_BASE_URL": None}, "PORTAL_BASE_URL is not set"),
        ({"PORTAL_BASE_URL": "portal.example.org"}, "PORTAL_BASE_URL must be an address like https://"),
        ({"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "prints or keeps mail"),
        ({"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}, "prints or keeps mail"),
    ],
    ids=["no-mail-server", "no-base-url", "base-url-without-scheme", "console-mail", "file-mail"],
)
def test_production_refuses_to_start_without_a_real_mail_server_and_its_public_address(missing, message):
    completed = run_manage("check", env=production_env(**missing))
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert "The portal cannot start in production" in completed.stderr
    assert message in completed.stderr


def test_every_missing_production_value_is_named_at_once():
    completed = run_manage("check", env=production_env(DJANGO_EMAIL_HOST=None, PORTAL_BASE_URL=None))
    assert "DJANGO_EMAIL_HOST is not set" in completed.stderr
    assert "PORTAL_BASE_URL is not set" in completed.stderr


def test_production_sends_mail_by_smtp_with_a_timeout():
    code = """
from django.conf import settings
from django.core.mail import get_connection
connection = get_connection()
result = {"backend": settings.EMAIL_BACKEND, "host": connection.host, "port": connection.port,
          "timeout": connection.timeout, "base_url": settings.PORTAL_BASE_URL}
"""
    result = run_django(code, env=production_env(PORTAL_BASE_URL="https://portal.example.org/"))
    assert result == {
        "backend": "django.core.mail.backends.smtp.EmailBackend",
        "host": "127.0.0.1",
        "port": 9,
        "timeout": 10,
        "base_url": "https://portal.example.org",
    }


def test_laptop_defaults_print_mail_and_link_to_the_laptop():
    code = """
from django.conf import settings
result = [settings.EMAIL_BACKEND, settings.PORTAL_BASE_URL]
"""
    result = run_django(code, env=clean_env(DJANGO_DEBUG="true"))
    assert result == ["django.core.mail.backends.console.EmailBackend", "http://127.0.0.1:8000"]


def test_collectstatic_writes_brotli_and_gzip_copies_of_the_stylesheets(tmp_path):
    try:
        import brotli
    except ImportError:
        pytest.fail("the Brotli package is missing: pip install -r requirements.txt")
    # Without the admin's and markdownx's files: compressing those takes seconds and proves nothing more.
    ignore = ["--ignore", "admin", "--ignore", "markdownx"]
    completed = run_manage(
        "collectstatic", "--noinput", "--verbosity", "0", *ignore, env=production_env(DJANGO_STATIC_ROOT=tmp_path)
    )
    assert completed.returncode == 0, completed.stderr
    stylesheets = sorted((tmp_path / "css").glob("site.*.css"))
    assert stylesheets, "no hashed copy of css/site.css was collected"
    for stylesheet in stylesheets:
        compressed = stylesheet.with_name(stylesheet.name + ".br")
        assert compressed.exists(), f"{compressed.name} is missing"
        assert brotli.decompress(compressed.read_bytes()) == stylesheet.read_bytes()
        assert stylesheet.with_name(stylesheet.name + ".gz").exists()
