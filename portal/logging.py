"""Logging filter that removes patient link tokens from every log line."""

import logging
import re

TOKEN_PATH_RE = re.compile(r"/p/[A-Za-z0-9_\-]+")


def redact(text):
    return TOKEN_PATH_RE.sub("/p/[redacted]", text)


class RedactTokensFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
