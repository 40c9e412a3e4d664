"""Logging filter that keeps link tokens and what staff type into URLs out of every log line.

- Patient link tokens: /p/<token> becomes /p/[redacted].
- Query strings of staff URLs (/staff/..., /admin/...): names typed into the admin's search box, a
  dashboard's filters. They are dropped wherever such a URL appears in a line: a request line, or a full
  URL in a Referer that an access log prints.

Django's handlers (settings.LOGGING) and gunicorn's access and error logs (gunicorn.conf.py) use it.
"""

import logging
import re

TOKEN_PATH_RE = re.compile(r"/p/[A-Za-z0-9_\-]+")
# A staff path, then its query string up to the end of the URL (whitespace or a quote, as log formats put them).
STAFF_QUERY_RE = re.compile(r"(/(?:staff|admin)(?:/[^\s?\"'#]*)?)\?[^\s\"']*")
STAFF_PATH_RE = re.compile(r"/(?:staff|admin)(?:/|$)")
REDACTED_QUERY = "?[redacted]"


def is_staff_path(path):
    return bool(path) and STAFF_PATH_RE.match(path) is not None


def redact(text):
    text = TOKEN_PATH_RE.sub("/p/[redacted]", text)
    return STAFF_QUERY_RE.sub(lambda match: match.group(1) + REDACTED_QUERY, text)


class RedactTokensFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # A traceback can quote the URL too; formatters reuse exc_text when it is set.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
