"""Deployment checks of the portal's own settings, run by `manage.py check --deploy` (registered in apps.py)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

PROXY_WITHOUT_TRUSTED_COUNT = "portal.W001"
TRUSTED_COUNT_WITHOUT_PROXY = "portal.W002"
BASE_URL_NOT_HTTPS = "portal.W003"


@checks.register(checks.Tags.security, deploy=True)
def check_proxy_settings(app_configs, **kwargs):
    """Behind a TLS proxy, every request comes from the proxy's address: with no trusted proxy counted, rate limits
    and login lockouts count all patients and staff as one client. Without a proxy, a trusted count lets any
    client choose its own address with X-Forwarded-For."""
    behind_proxy = bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None))
    trusted = settings.RATELIMIT_TRUSTED_PROXY_COUNT
    if behind_proxy and not trusted:
        return [
            checks.Warning(
                "DJANGO_BEHIND_TLS_PROXY is on (SECURE_PROXY_SSL_HEADER is set) but RATELIMIT_TRUSTED_PROXY_COUNT "
                "is 0: every request seems to come from the proxy, so one client's wrong guesses block everyone.",
                hint="Set RATELIMIT_TRUSTED_PROXY_COUNT to the number of proxies in front of gunicorn (1 for one "
                "nginx) that append to X-Forwarded-For.",
                id=PROXY_WITHOUT_TRUSTED_COUNT,
            )
        ]
    if trusted and not behind_proxy:
        return [
            checks.Warning(
                f"RATELIMIT_TRUSTED_PROXY_COUNT is {trusted} but DJANGO_BEHIND_TLS_PROXY is off: without a proxy "
                "that sets X-Forwarded-For, clients pick the address rate limits count.",
                hint="Set DJANGO_BEHIND_TLS_PROXY=true if a proxy terminates TLS in front of gunicorn; otherwise "
                "set RATELIMIT_TRUSTED_PROXY_COUNT=0.",
                id=TRUSTED_COUNT_WITHOUT_PROXY,
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_base_url(app_configs, **kwargs):
    """Patient links are secrets: a link over plain http can be read on the way."""
    if urlsplit(settings.PORTAL_BASE_URL).scheme != "https":
        return [
            checks.Warning(
                f"PORTAL_BASE_URL ({settings.PORTAL_BASE_URL or 'empty'}) is not an https address: patient links "
                "sent by email or printed on cards would travel in the clear.",
                hint="Set PORTAL_BASE_URL to the portal's public https address, e.g. https://portal.example.org.",
                id=BASE_URL_NOT_HTTPS,
            )
        ]
    return []
