"""The middleware stack: security headers on every response (portal.middleware.SecurityHeadersMiddleware) and
compressed HTML (Django's GZipMiddleware, placed below WhiteNoise and above the page cache)."""

import gzip

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from portal.middleware import permissions_policy_header
from portal.reading.tests.factories import make_session, make_staff

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture(autouse=True)
def _empty_page_cache():
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _static_files_from_the_app_folders(settings):
    # As `runserver` does; in production WhiteNoise serves collectstatic's output, ahead of the same middleware.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def assert_security_headers(response):
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/search/?q=spravato",
        "/healthz",
        "/static/css/site.css",  # answered by WhiteNoise, above most middleware
        "/static/img/favicon.svg",
        "/articles/no-such-article/",  # 404 page
        "/p/not-a-real-token/",  # a patient link refused
        "/admin/",  # a redirect to the login page
        "/staff/",
    ],
)
def test_every_response_carries_permissions_policy_and_cross_origin_resource_policy(client, url):
    response = client.get(url)
    expected = 404 if "no-such" in url or "not-a-real" in url else 302 if url in ("/admin/", "/staff/") else 200
    assert response.status_code == expected
    assert_security_headers(response)


def test_a_page_served_from_the_whole_page_cache_carries_them_too(client):
    client.get(reverse("home"))
    hit = client.get(reverse("home"))
    assert hit.templates == []  # from the page cache
    assert_security_headers(hit)


def test_a_permissions_policy_is_written_as_browsers_read_it():
    assert permissions_policy_header({"camera": [], "fullscreen": ["self"]}) == "camera=(), fullscreen=(self)"


def test_html_is_gzipped_for_clients_that_accept_it_and_plain_for_the_others(client):
    plain = client.get(reverse("search"), {"q": "spravato"})
    compressed = client.get(reverse("search"), {"q": "spravato"}, **GZIP)

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content).startswith(b"<!doctype html>")
    assert len(compressed.content) < len(plain.content)


def test_cached_public_pages_are_kept_plain_and_served_in_the_encoding_each_client_accepts(client):
    first = client.get(reverse("home"), **GZIP)
    plain_hit = Client().get(reverse("home"))
    compressed_hit = Client().get(reverse("home"), **GZIP)

    assert first["Content-Encoding"] == "gzip"
    assert plain_hit.templates == [] and compressed_hit.templates == []
    assert "Content-Encoding" not in plain_hit
    assert plain_hit.content.startswith(b"<!doctype html>")
    assert compressed_hit["Content-Encoding"] == "gzip"
    # Random padding against BREACH: the same page compresses to a different length each time.
    assert gzip.decompress(compressed_hit.content) == gzip.decompress(first.content) == plain_hit.content


def test_static_files_are_left_to_whitenoise_and_not_compressed_on_the_fly(client):
    """WhiteNoise serves the precompressed copies collectstatic writes (test_deploy.py); here, from the app folders,
    it has none, and GZipMiddleware below it must not compress files on every request instead."""
    response = client.get("/static/css/site.css", **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert int(response["Content-Length"]) > 0


def test_the_staff_csv_is_still_streamed_when_compressed():
    session, _ = make_session()
    staff = Client()
    staff.force_login(make_staff("Clinic staff"))
    day = session.scheduled_at.date().isoformat()
    params = {"from": day, "to": day}

    plain = staff.get(reverse("staff:sessions_csv"), params)
    compressed = staff.get(reverse("staff:sessions_csv"), params, **GZIP)

    assert compressed.streaming
    assert compressed["Content-Encoding"] == "gzip"
    assert compressed["Content-Type"] == "text/csv; charset=utf-8"
    assert gzip.decompress(b"".join(compressed.streaming_content)) == b"".join(plain.streaming_content)
