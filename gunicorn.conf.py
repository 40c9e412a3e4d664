"""gunicorn settings for the portal: `gunicorn portal.wsgi -c gunicorn.conf.py`.

gunicorn's access log prints every request line, and a patient's first request carries the link
token in its path (/p/<token>/). Its access and error logs therefore go through the same redaction
as Django's (portal.logging.RedactTokensFilter): no token reaches a log file.
"""

import os
import sys
from pathlib import Path

from gunicorn.glogging import Logger

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal.logging import RedactTokensFilter  # noqa: E402 - needs the project directory on sys.path


class RedactingLogger(Logger):
    """gunicorn's logger with link tokens removed from access and error lines."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(existing, RedactTokensFilter) for existing in log.filters):
                log.addFilter(RedactTokensFilter())


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
logger_class = RedactingLogger
