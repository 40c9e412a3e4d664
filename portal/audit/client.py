"""The address of the client a request came from, as the audit log records it."""

from django.conf import settings

from portal.audit.values import fitted_ip


def client_ip(request):
    """The client's full address under the rate limit's trust rule (`portal.ratelimit.client_address`):
    behind N trusted reverse proxies (RATELIMIT_TRUSTED_PROXY_COUNT = N), the N-th address from the right
    of X-Forwarded-For, else REMOTE_ADDR. The rate limit counts IPv6 clients per /64; the log keeps the
    whole address. None when there is no valid address."""
    # Keep in step with portal.ratelimit.client_address (test_client.py checks they agree).
    trusted = settings.RATELIMIT_TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR", "")
    if trusted:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= trusted:
            address = forwarded[-trusted]
    return fitted_ip(address)
