"""Attacks: guessing patient links, reaching staff pages without logging in, secrets in the logs, a forged
X-Forwarded-Proto on a real gunicorn server."""

import itertools
import re
import secrets
from urllib.parse import quote_plus, urlencode

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from e2e import factories
from e2e.servers import GunicornServer, HttpClient, ServerDatabase, collect_static, prepare_database, production_env
from e2e.servers import run_django as run_in_server
from portal.reading.models import Patient, Treatment
from portal.reading.services.sessions import session_create, session_issue_link
from portal.reading.views.patient import SESSION_KEY

pytestmark = pytest.mark.slow

GUESSES = 1_000

# URLs anyone may open. Everything else in the URL configuration is for staff and must refuse anonymous users.
PUBLIC_URL_NAMES = {"home", "search", "healthz", "admin:login", "moved_admin_page"}
# "sms": the text provider's webhook, open to all but believed only when signed (portal/reading/views/sms.py).
PUBLIC_NAMESPACES = {"articles", "faq", "patient", "sms"}
STAFF_NAMESPACES = {"admin", "staff"}
MARKDOWNX_URL_NAMES = {"markdownx_markdownify", "markdownx_upload"}
# Staff previews of working copies live beside the public pages they preview.
PREVIEW_URL_NAMES = {
    "articles:preview",
    "articles:translation_preview",
    "faq:topic_preview",
    "faq:entry_preview",
    "faq:translation_preview",
}
# Sample values for URL parameters; the first that reverse() accepts is used.
SAMPLE_VALUES = ["1", "articles", "x"]


@pytest.fixture
def sessions_with_links(db):
    """50 sessions with working links, so that a guess has real tokens to hit."""
    treatment = Treatment.objects.create(name="Spravato", slug="spravato")
    tokens = []
    start = timezone.now() + timezone.timedelta(days=1)
    for number in range(50):
        patient = Patient.objects.create(reference=f"R{number:04d}", display_name=f"Patient {number}")
        session = session_create(patient=patient, treatment=treatment, scheduled_at=start)
        tokens.append(session_issue_link(session=session))
    return tokens


def test_a_thousand_random_link_tokens_from_one_client_open_nothing(client, sessions_with_links, server_log):
    guesses = [secrets.token_urlsafe(32) for _ in range(GUESSES)]
    assert not set(guesses) & set(sessions_with_links)
    statuses = []
    for token in guesses:
        response = client.get(reverse("patient:open", kwargs={"token": token}))
        statuses.append(response.status_code)
        assert SESSION_KEY not in client.session

    assert set(statuses) <= {404, 429}
    allowed = settings.PATIENT_LINK_MAX_BAD_TRIES
    assert statuses[:allowed] == [404] * allowed
    assert statuses[allowed:] == [429] * (GUESSES - allowed)
    # Once blocked, wrong links are refused from this address until the window ends; a real link still opens.
    assert client.get(reverse("patient:open", kwargs={"token": sessions_with_links[0]})).status_code == 302

    log = server_log.getvalue()
    assert "Not Found: /p/[redacted]" in log or "Wrong patient link" in log, "the guesses were not logged at all"
    leaked = [token for token in guesses if token in log]
    assert leaked == []


def test_a_real_link_from_another_address_still_works_while_one_client_is_blocked(client, sessions_with_links):
    for _ in range(settings.PATIENT_LINK_MAX_BAD_TRIES):
        client.get(reverse("patient:open", kwargs={"token": secrets.token_urlsafe(32)}))
    assert client.get(reverse("patient:open", kwargs={"token": secrets.token_urlsafe(32)})).status_code == 429

    other = Client(REMOTE_ADDR="192.0.2.44")
    response = other.get(reverse("patient:open", kwargs={"token": sessions_with_links[1]}))
    assert response.status_code == 302
    assert response["Location"] == reverse("patient:session")


def _walk(patterns, namespaces=(), routes=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, inner, (*routes, entry.pattern))
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield name, namespaces, (*routes, entry.pattern), entry


def _sample_path(patterns, entry):
    """A concrete path that resolves to `entry`, its parameters filled with the first sample values that fit."""
    parameters = [name for pattern in patterns for name in pattern.regex.groupindex]
    for values in itertools.product(SAMPLE_VALUES, repeat=len(parameters)):
        chosen = iter(values)
        path = "/"
        for pattern in patterns:
            text = str(pattern).lstrip("^").rstrip("$").replace("\\", "")
            path += re.sub(
                r"<(?:\w+:)?\w+>|\(\?P<\w+>(?:[^()]|\([^()]*\))*\)", lambda _match, values=chosen: next(values), text
            )
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.func == entry.callback:
            return path
    return None


def staff_urls():
    """(name, sample path) of every URL that is not public, from the URL configuration itself."""
    found = []
    for name, namespaces, patterns, entry in _walk(get_resolver().url_patterns):
        top = namespaces[0] if namespaces else None
        if name is None and top is None:
            # Outside any namespace only Django's development media server has no name (uploaded images are public).
            assert "serve" in entry.lookup_str, f"unnamed URL pattern {patterns}"
            continue
        if name in PUBLIC_URL_NAMES or (top in PUBLIC_NAMESPACES and name not in PREVIEW_URL_NAMES):
            assert "preview" not in (name or ""), f"{name} looks like a staff preview: add it to PREVIEW_URL_NAMES"
            continue
        assert top in STAFF_NAMESPACES or name in MARKDOWNX_URL_NAMES | PREVIEW_URL_NAMES, (
            f"{name} is neither a public page nor a staff page: add it to one of the lists in this test"
        )
        path = _sample_path(patterns, entry)
        assert path is not None, f"no sample path for {name or entry.lookup_str} ({patterns})"
        found.append((name or entry.lookup_str, path))
    return found


def _refuses(client, method, path, hops=3):
    """Refused: 401/403/405, or redirected to the login page (possibly via other staff URLs, e.g. the admin's
    old-style object URL that redirects to the change page)."""
    response = getattr(client, method)(path)
    if response.status_code in (401, 403, 405):
        return True
    if response.status_code in (301, 302) and hops:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return True
        if location.startswith("/") and not location.startswith("//"):
            return _refuses(client, "get", location, hops - 1)
    return False


def test_the_url_enumeration_covers_the_staff_pages_and_markdownx(db):
    names = {name for name, _path in staff_urls()}
    expected = {"admin:index", "admin:articles_article_changelist", "staff:dashboard", "staff:sessions_csv"}
    assert expected | MARKDOWNX_URL_NAMES | PREVIEW_URL_NAMES <= names


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_staff_and_markdownx_url_refuses_anonymous_users(db, method):
    # CSRF checks are off in the test client: the refusal must come from the view's own permission check.
    client = Client()
    accepted = [(name, path) for name, path in staff_urls() if not _refuses(client, method, path)]
    assert accepted == []


def test_staff_pages_refuse_a_logged_in_user_who_is_not_staff(db):
    user = get_user_model().objects.create_user("visitor", password=factories.PASSWORD)
    client = Client()
    client.force_login(user)
    accepted = [
        (name, path) for name, path in staff_urls() if name != "admin:logout" and not _refuses(client, "get", path)
    ]
    assert accepted == []


# Real gunicorn servers (production settings, README's gunicorn.conf.py) ------------------------------------------

PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
# A log format with the bare query string, which a line filter alone could not place (gunicorn.conf.py's atoms).
QUERY_LOG_FORMAT = '--access-logformat "%(h)s \\"%(r)s\\" %(s)s q=%(q)s U=%(U)s \\"%(f)s\\""'


@pytest.fixture(scope="module")
def gunicorn_site(tmp_path_factory):
    """A migrated server database with factories.make_clinic() in it, collected static files, a log folder."""
    workdir = tmp_path_factory.mktemp("attacks")
    static_root = collect_static(workdir)
    database = ServerDatabase("attacks", workdir)
    database.create()
    env = production_env(database, static_root)
    prepare_database(env)
    clinic = run_in_server(
        env,
        "from e2e import factories\n"
        "clinic = factories.make_clinic()\n"
        "result = {'token': clinic.token, 'front_desk': clinic.front_desk.get_username()}",
    )
    yield {"database": database, "static_root": static_root, "workdir": workdir, **clinic}
    database.drop()


def start_server(site, name, **settings_env):
    env = production_env(site["database"], site["static_root"], **settings_env)
    return GunicornServer(env, log_dir=site["workdir"], name=name).start()


def staff_search_paths(base_url):
    query = urlencode({"q": factories.PATIENT_NAME})
    return f"/admin/reading/patient/?{query}", f"{base_url}/staff/sessions/?{query}&from=2026-01-01"


def assert_log_holds_no_secret(log, token):
    assert "?[redacted]" in log, "no staff request with a query string was logged"
    for secret in (token, *factories.PATIENT_NAME.split(), quote_plus(factories.PATIENT_NAME)):
        assert secret not in log
    assert "Traceback" not in log


def test_without_a_proxy_gunicorn_ignores_x_forwarded_proto_from_the_same_host(gunicorn_site):
    """A client on the portal's own host (gunicorn trusts 127.0.0.1 by default) must not pass for https: with
    DJANGO_BEHIND_TLS_PROXY off, forwarded_allow_ips is empty. Also: the default access log format keeps neither
    staff query strings (request line and Referer) nor link tokens."""
    server = start_server(gunicorn_site, "no-proxy", DJANGO_SECURE_SSL_REDIRECT="true")
    try:
        client = HttpClient(server.url)
        status, headers, _ = client.get("/search/", headers={"X-Forwarded-Proto": "https"})
        assert status == 301
        assert headers["Location"] == f"https://127.0.0.1:{server.port}/search/"
        search, referer = staff_search_paths(f"http://127.0.0.1:{server.port}")
        assert client.get(search, headers={"Referer": referer})[0] == 301
        assert client.get(f"/p/{gunicorn_site['token']}/")[0] == 301
    finally:
        server.stop()
    log = server.log_text()
    assert '"GET /admin/reading/patient/?[redacted] HTTP/1.1" 301' in log
    assert "/staff/sessions/?[redacted]" in log
    assert "/p/[redacted]/" in log
    assert_log_holds_no_secret(log, gunicorn_site["token"])


def test_behind_the_readme_proxy_a_staff_search_leaves_no_name_in_gunicorns_log(gunicorn_site):
    """README's production set-up (DJANGO_BEHIND_TLS_PROXY, one trusted proxy): the proxy's X-Forwarded-Proto is
    believed, staff log in and search for a patient by name; the log holds neither the name nor the query, even
    in a log format that prints the bare query string."""
    server = start_server(
        gunicorn_site,
        "readme-proxy",
        DJANGO_SECURE_SSL_REDIRECT="true",
        DJANGO_BEHIND_TLS_PROXY="true",
        RATELIMIT_TRUSTED_PROXY_COUNT="1",
        GUNICORN_CMD_ARGS=QUERY_LOG_FORMAT,
    )
    origin = f"https://127.0.0.1:{server.port}"
    try:
        staff = HttpClient(server.url)
        assert staff.get("/search/")[0] == 301  # plain http without the proxy's header is redirected
        assert staff.get("/search/", headers=PROXY_HEADERS)[0] == 200
        staff.get("/admin/login/", headers=PROXY_HEADERS)
        status, headers, _ = staff.post(
            "/admin/login/",
            {"username": gunicorn_site["front_desk"], "password": factories.PASSWORD, "next": "/admin/"},
            headers={**PROXY_HEADERS, "Referer": f"{origin}/admin/login/"},
        )
        assert (status, headers["Location"]) == (302, "/admin/"), "the front desk could not log in"
        search, referer = staff_search_paths(origin)
        status, _, page = staff.get(search, headers={**PROXY_HEADERS, "Referer": referer})
        assert status == 200
        assert factories.PATIENT_REFERENCE.encode() in page  # the search found the patient
    finally:
        server.stop()
    log = server.log_text()
    assert "q=[redacted] U=/admin/reading/patient/" in log
    assert_log_holds_no_secret(log, gunicorn_site["token"])
