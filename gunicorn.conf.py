"""gunicorn settings for the portal: `gunicorn portal.wsgi -c gunicorn.conf.py`.

gunicorn's access log prints every request line and Referer, and a patient's first request carries the link
token in its path (/p/<token>/), a staff search the names typed in its query string. Its access and error logs
therefore go through the same redaction as Django's (portal.logging.RedactTokensFilter).

gunicorn believes X-Forwarded-Proto (and the other scheme and forwarding headers) from the addresses in
`forwarded_allow_ips`, 127.0.0.1 and ::1 by default, whatever Django's settings say: a client on the same host
could then pass for https. It is pinned here to what DJANGO_BEHIND_TLS_PROXY says: nobody unless the portal
runs behind a proxy; then the proxy's addresses (FORWARDED_ALLOW_IPS, default the local host, where README's
nginx runs).
"""

import os
import sys
from pathlib import Path

from gunicorn.glogging import Logger

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal.logging import REDACTED_QUERY, RedactTokensFilter, is_staff_path  # noqa: E402 - needs sys.path


class RedactingLogger(Logger):
    """gunicorn's logger with link tokens and staff query strings removed from access and error lines."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(existing, RedactTokensFilter) for existing in log.filters):
                log.addFilter(RedactTokensFilter())

    def atoms(self, resp, req, environ, request_time):
        # The filter sees whole lines; a log format with the bare query string (%(q)s) needs it done here.
        atoms = super().atoms(resp, req, environ, request_time)
        if is_staff_path(environ.get("PATH_INFO")) and environ.get("QUERY_STRING"):
            atoms["q"] = atoms["{query_string}e"] = REDACTED_QUERY[1:]
        return atoms


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
logger_class = RedactingLogger
# Read as portal/settings.py reads it (not imported: the settings refuse to load without production values).
behind_tls_proxy = os.environ.get("DJANGO_BEHIND_TLS_PROXY", "").strip().lower() in {"1", "true", "yes", "on"}
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1") if behind_tls_proxy else ""
