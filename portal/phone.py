"""Phone numbers as links: one rule for the clinic's number on every page and for tel: links editors write."""

import re

_EXTENSION_RE = re.compile(r"\s*(?:ext\.?|extension|x)\s*(\d+)\s*$", re.IGNORECASE)


def phone_href(phone):
    """A valid `tel:` URL for a phone number as people write it: "(555) 010-0100" -> "tel:5550100100".

    Keeps a leading + and the digits only (spaces, dots, dashes and parentheses are not allowed in a tel: URL);
    a trailing extension ("ext. 12", "x12") becomes ";ext=12" (RFC 3966). "" when there is no number."""
    phone = (phone or "").strip()
    extension = _EXTENSION_RE.search(phone)
    if extension:
        phone = phone[: extension.start()]
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return ""
    plus = "+" if phone.startswith("+") else ""
    return f"tel:{plus}{digits}" + (f";ext={extension.group(1)}" if extension else "")
