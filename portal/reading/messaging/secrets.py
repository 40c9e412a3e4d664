"""The patient link a queued message will carry, encrypted at rest with a key derived from SECRET_KEY.

The portal otherwise keeps only the link token's hash; a message that goes out later (a reminder days before
the session) must still know the link. A database copy alone does not reveal it, and the row forgets it as soon
as the message is sent, has failed for good, or is cancelled."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet():
    key = hashlib.sha256(b"portal.reading.messaging.secrets:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal_token(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def open_token(sealed: str) -> str | None:
    """The token, or None when there is none or it cannot be read (e.g. SECRET_KEY changed)."""
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
