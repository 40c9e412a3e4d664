"""A patient's name as the clinic chose to keep it (HL7_STORE_NAMES): initials (default), the full name, or none."""

from django.conf import settings


def stored_name(*, family: str, given: list[str]) -> str | None:
    """ "J.S." for John Smith (initials, the default), "John Smith" (full), or None (nothing kept: a patient's
    name already on file is left as it is)."""
    mode = settings.HL7_STORE_NAMES
    first = next((name for name in given if name), "")
    if mode == "none":
        return None
    if mode == "full":
        return " ".join(part for part in [*given, family] if part)[:120] or None
    return "".join(f"{name[0].upper()}." for name in (first, family) if name) or None
