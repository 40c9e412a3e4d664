"""Production settings: `check --deploy` is clean, a missing secret key stops start-up, security headers are sent."""

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
    csp = headers["content-security-policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
