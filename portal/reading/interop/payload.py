"""A received message's payload after processing: dropped, or kept encrypted (INTERFACE_PAYLOAD_RETENTION)."""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    key = settings.INTERFACE_PAYLOAD_KEY
    if not key:  # a key of its own, derived from SECRET_KEY (which then must not change while payloads are kept)
        digest = hashlib.sha256(f"interface-payload:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key)


def payload_to_keep(text: str) -> bytes | None:
    """What to store of `text`: its Fernet token when the clinic keeps payloads encrypted, else nothing."""
    if settings.INTERFACE_PAYLOAD_RETENTION != "encrypt":
        return None
    return _fernet().encrypt(text.encode("utf-8"))


def payload_read(token: bytes) -> str:
    return _fernet().decrypt(bytes(token)).decode("utf-8")
