"""The address of the client a request came from, as the audit log records it."""

from portal.audit.values import fitted_ip
from portal.ratelimit import forwarded_client_address


def client_ip(request):
    """The client's full address under the rate limit's trust rule (RATELIMIT_TRUSTED_PROXY_COUNT); the rate
    limit counts IPv6 clients per /64, the log keeps the whole address. None when there is no valid address."""
    return fitted_ip(forwarded_client_address(request))
