"""Attacks: guessing patient links, reaching staff pages without logging in, secrets in the logs."""

import itertools
import re
import secrets

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from e2e import factories
from portal.reading.models import Patient, Treatment
from portal.reading.services.sessions import session_create, session_issue_link
from portal.reading.views.patient import SESSION_KEY

pytestmark = pytest.mark.slow

GUESSES = 1_000

# URLs anyone may open. Everything else in the URL configuration is for staff and must refuse anonymous users.
PUBLIC_URL_NAMES = {"home", "search", "healthz", "admin:login"}
PUBLIC_NAMESPACES = {"articles", "faq", "patient"}
STAFF_NAMESPACES = {"admin", "staff"}
MARKDOWNX_URL_NAMES = {"markdownx_markdownify", "markdownx_upload"}
# Staff previews of working copies live beside the public pages they preview.
PREVIEW_URL_NAMES = {"articles:preview", "faq:topic_preview", "faq:entry_preview"}
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
