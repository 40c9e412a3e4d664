"""Twilio's webhook signature (X-Twilio-Signature): base64 of HMAC-SHA1, keyed with the account's auth token,
over the full URL Twilio requested followed by each POST parameter's name and value, sorted by name."""

import base64
import hashlib
import hmac


def twilio_signature(*, auth_token: str, url: str, params: dict[str, str]) -> str:
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(*, auth_token: str, url: str, params: dict[str, str], signature: str) -> bool:
    if not auth_token or not signature:
        return False
    return hmac.compare_digest(twilio_signature(auth_token=auth_token, url=url, params=params), signature)
