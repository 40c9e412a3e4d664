"""/healthz: 200 "ok" once the database (and Redis, when configured) answers, 503 when either cannot be reached."""

import pytest
from django.urls import reverse

from portal.tests.django_subprocess import clean_env, run_django

HEALTH_CHECK = """
from django.test import Client
response = Client().get("/healthz", HTTP_HOST="localhost")
result = {"status": response.status_code, "body": response.content.decode(), "cache": response.get("Cache-Control")}
"""


def test_healthz_answers_ok_after_a_database_query(db, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"
    assert "no-store" in response["Cache-Control"]


def test_healthz_is_not_a_form(db, client):
    assert client.post(reverse("healthz")).status_code == 405


def test_healthz_is_ok_with_a_reachable_database_in_a_fresh_process(tmp_path):
    result = run_django(HEALTH_CHECK, env=clean_env(DJANGO_DEBUG="true", SQLITE_PATH=tmp_path / "portal.sqlite3"))
    assert (result["status"], result["body"]) == (200, "ok")


@pytest.mark.parametrize(
    "database",
    [
        {"SQLITE_PATH": "/nonexistent-directory/portal.sqlite3"},  # the file cannot be opened
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:9/portal"},  # nothing listens on that port
    ],
    ids=["sqlite-file-unopenable", "postgresql-unreachable"],
)
def test_healthz_answers_503_when_the_database_cannot_be_reached(database):
    result = run_django(HEALTH_CHECK, env=clean_env(DJANGO_DEBUG="true", **database))
    assert result["status"] == 503
    assert result["body"] == "database unavailable"
    assert "no-store" in result["cache"]


def test_healthz_is_ok_when_the_configured_redis_answers(tmp_path):
    env = clean_env(DJANGO_DEBUG="true", SQLITE_PATH=tmp_path / "portal.sqlite3", REDIS_URL="redis://127.0.0.1:6379/1")
    result = run_django(HEALTH_CHECK, env=env)
    assert (result["status"], result["body"]) == (200, "ok")


def test_healthz_answers_503_when_the_configured_redis_cannot_be_reached(tmp_path):
    # Nothing listens on port 9: the app server must say so rather than fail on its first rate-limited request.
    env = clean_env(DJANGO_DEBUG="true", SQLITE_PATH=tmp_path / "portal.sqlite3", REDIS_URL="redis://127.0.0.1:9/0")
    result = run_django(HEALTH_CHECK, env=env)
    assert (result["status"], result["body"]) == (503, "shared cache unavailable")
    assert "no-store" in result["cache"]
