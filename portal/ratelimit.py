"""Per-address limit on wrong patient-link guesses, counted in the shared cache; the client address and the
windowed counter that the admin login's lockout (portal.auth) counts with too.

A fixed window per client address: the first wrong guess starts a window of
PATIENT_LINK_BAD_TRY_WINDOW_SECONDS; once PATIENT_LINK_MAX_BAD_TRIES wrong guesses are counted in
it, every wrong link from that address gets 429 until the window ends; a valid link always opens
(portal.reading.views.patient looks the token up first). Counting uses `cache.add`
(creates the counter only if missing) and `cache.incr`, both atomic on the shared database cache
(portal.cache.DatabaseCache), so concurrent requests on several app servers are all counted.
IPv6 clients are counted per /64 network, since one host usually holds a whole /64.
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache

KEY_PREFIX = "ratelimit:patient-link"


def forwarded_client_address(request):
    """The address the request came from, as sent. Behind N trusted reverse proxies
    (RATELIMIT_TRUSTED_PROXY_COUNT = N), the N-th address from the right of X-Forwarded-For; otherwise
    REMOTE_ADDR (never a header a client can forge). The audit log records it (portal.audit.client)."""
    trusted = settings.RATELIMIT_TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR", "")
    if trusted:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= trusted:
            address = forwarded[-trusted]
    return address


def client_address(request):
    """The client as rate limits count it: its address, IPv6 clients per /64 network."""
    try:
        parsed = ipaddress.ip_address(forwarded_client_address(request))
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _key(request):
    return f"{KEY_PREFIX}:{client_address(request)}"


def bad_tries(request):
    return cache.get(_key(request), 0)


def link_guessing_blocked(request):
    """True once this address has made PATIENT_LINK_MAX_BAD_TRIES wrong guesses in the current window."""
    return bad_tries(request) >= settings.PATIENT_LINK_MAX_BAD_TRIES


def count_in_window(key: str, window: int) -> int:
    """Add one to the counter `key`; the first count starts a window of `window` seconds, at whose end the
    counter disappears. Returns the count so far in the window (atomic: concurrent counts all add up)."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr: this count starts a new one
        cache.add(key, 0, timeout=window)
        return cache.incr(key)


def count_bad_try(request):
    """Count one wrong guess; returns the count in the current window."""
    return count_in_window(_key(request), settings.PATIENT_LINK_BAD_TRY_WINDOW_SECONDS)
