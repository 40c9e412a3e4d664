"""Whole-page cache for anonymous visitors of the public pages (home, articles, FAQ).

Public pages are the same for every visitor without a session, so their finished HTML is kept in a
per-process local-memory cache (the "pages" cache alias) and served without running the view,
the template or the middleware below this one. A hit costs one small query: reading the page
*generation* from the shared database cache (the "default" alias), which every app server sees.

Any save or delete of content (a publish, an archive, an edit of an FAQ topic) sets a new, never-used
generation (see `connect_signals`), so every app server's cached pages stop matching at once: no stale
page is served after a publish, on any server. The generation is written through the same database
connection as the change, inside the same transaction: other servers see the new generation exactly
when they can see the new content, and a change that is rolled back takes its new generation with it.
A shared cache outside the database (Redis, REDIS_URL) is not part of the transaction: the new generation
is seen by other servers before the commit, and one of them could render the old content and keep it
under that generation. So there the generation moves again once the change commits (a change rolled
back costs a cache miss, nothing more).
Pages also expire from the local cache after the "pages" alias's TIMEOUT, which bounds how long a
page whose content expires by time alone (`expire_at`) can linger.

What is never cached:
- requests carrying a session cookie (logged-in staff, patients holding a link session) or a
  messages cookie: their pages may differ from an anonymous visitor's;
- anything but GET, URLs outside PAGE_CACHE_URL_NAMES (patient pages, the dashboard, the admin);
- responses that are not 200, that set a cookie (e.g. a CSRF token for a form on the page) or that
  say `Cache-Control: private / no-cache / no-store`.

Responses that only say `Vary: Cookie` are cached: they were rendered for a request without a
session cookie and are only served to requests without one, which is exactly what that Vary asks.
"""

import functools
import hashlib
import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation

GENERATION_KEY = "page_cache:generation"
CACHEABLE_URL_NAMES = frozenset({"home", "articles:list", "articles:detail", "faq:index", "faq:topic"})
_UNCACHEABLE_CACHE_CONTROL = ("private", "no-cache", "no-store")
_STORED_HEADERS_SKIP = {"set-cookie", "content-length"}


def _shared_cache():
    return caches["default"]


def _pages_cache():
    return caches["pages"]


def current_generation():
    """The shared generation number (one query); a fresh one is made if the entry is missing."""
    shared = _shared_cache()
    generation = shared.get(GENERATION_KEY)
    if generation is None:
        shared.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = shared.get(GENERATION_KEY)
    return generation


def invalidate_public_pages(**kwargs):
    """Give every app server's cached public pages a new generation, so none of them match any more.

    Also the receiver of the content models' post_save and post_delete signals."""
    _new_generation()
    if not isinstance(_shared_cache(), DatabaseCache):
        transaction.on_commit(_new_generation)  # and again after the commit (see the module docstring)


def _new_generation():
    _shared_cache().set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def connect_signals():
    """Invalidate on every save or delete of content shown on public pages (called from PortalConfig.ready)."""
    from django.apps import apps

    senders = [*apps.get_app_config("articles").get_models(), *apps.get_app_config("faq").get_models()]
    senders.append(apps.get_model("reading", "Treatment"))
    for sender in senders:
        uid = f"page_cache:{sender._meta.label}"
        post_save.connect(invalidate_public_pages, sender=sender, dispatch_uid=uid + ":save")
        post_delete.connect(invalidate_public_pages, sender=sender, dispatch_uid=uid + ":delete")


@functools.lru_cache(maxsize=4096)
def _path_is_cacheable(path_info):
    """Whether the URL is one of the public pages; remembered per path (resolving is a good part of a hit's cost)."""
    try:
        # This middleware runs before LocaleMiddleware: resolve /es/… with its own language (i18n_patterns).
        with translation.override(_path_language(path_info)):
            return resolve(path_info).view_name in CACHEABLE_URL_NAMES
    except Resolver404:
        return False


def _path_language(path_info):
    """The language a public page is shown in: its URL's prefix (/es/…), or the default language without one."""
    return translation.get_language_from_path(path_info) or settings.LANGUAGE_CODE


def _forget_paths(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _path_is_cacheable.cache_clear()


setting_changed.connect(_forget_paths, dispatch_uid="page_cache:forget_paths")


def _request_is_cacheable(request):
    if request.method != "GET":
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    return _path_is_cacheable(request.path_info)


def _page_key(generation, request):
    """A short key: the cache checks every character of a key (a long URL made that a noticeable cost).

    Keyed by language too: the URL decides it today, and the key stays right if a language ever comes from
    elsewhere (the language switch's links, hreflang alternates and <html lang> are part of the page)."""
    url = hashlib.blake2b(request.build_absolute_uri().encode(), digest_size=16).hexdigest()
    return f"{generation}:{_path_language(request.path_info)}:{url}"


def _response_is_cacheable(response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in _UNCACHEABLE_CACHE_CONTROL)


class PublicPageCacheMiddleware:
    """Serve and store whole public pages for visitors without a session (see the module docstring).

    Place it right after WhiteNoiseMiddleware: a hit then skips sessions, CSRF, authentication and
    the view; the stored response already carries the headers the later middleware added (CSP).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_is_cacheable(request):
            return self.get_response(request)
        # Read the generation before rendering: a page rendered from data older than a publish is
        # stored under the generation that publish replaces.
        key = _page_key(current_generation(), request)
        stored = _pages_cache().get(key)
        if stored is not None:
            content, headers = stored
            return HttpResponse(content, headers=headers)
        response = self.get_response(request)
        if _response_is_cacheable(response):
            headers = {name: value for name, value in response.items() if name.lower() not in _STORED_HEADERS_SKIP}
            _pages_cache().set(key, (response.content, headers))
        return response
