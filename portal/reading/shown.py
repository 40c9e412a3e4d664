"""What a patient's page showed, and when: signed into the page's forms and beacon, so that a POST says which
version of the page the patient actually saw.

The item page's GET writes nothing (an image tag or a crawler can make a GET); the acknowledgement, the
question and the beacon carry this value back. The signature (SECRET_KEY, a salt of its own) means a browser
cannot claim a version or a time it was not shown, and the item id in it means it cannot be moved to
another page. The language of the text shown (and the translation's version, for an article read in
translation) is signed with it, so the reading record says which text the patient read.
"""

import dataclasses
import datetime

from django.core import signing
from django.utils import timezone

SALT = "portal.reading.shown"


@dataclasses.dataclass(frozen=True)
class PageShown:
    version: int
    content_hash: str
    at: datetime.datetime
    language: str = ""  # "en", "es", "es+en" (portal.reading.models.ReadingRecord.language); "" if unknown
    translation_version: int | None = None


def page_shown_now(page, now=None, *, language="", translation_version=None) -> PageShown:
    """The page as patients see it now (its live version), in `language`."""
    return PageShown(
        version=page.published_version,
        content_hash=page.content_hash,
        at=now or timezone.now(),
        language=language,
        translation_version=translation_version,
    )


def sign_shown(*, item, shown: PageShown) -> str:
    return signing.dumps(
        [
            item.pk,
            shown.version,
            shown.content_hash,
            shown.at.timestamp(),
            shown.language,
            shown.translation_version,
        ],
        salt=SALT,
    )


def read_shown(value, *, item) -> PageShown | None:
    """The PageShown signed into `value` for this item, or None (missing, forged, or for another item)."""
    try:
        values = signing.loads(value or "", salt=SALT)
        # Values signed before languages were recorded have four parts.
        item_pk, version, content_hash, timestamp, language, translation_version = [*values, "", None][:6]
        if item_pk != item.pk:
            return None
        at = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
        return PageShown(
            version=int(version),
            content_hash=str(content_hash),
            at=at,
            language=str(language or "")[:16],
            translation_version=int(translation_version) if translation_version is not None else None,
        )
    except (signing.BadSignature, TypeError, ValueError, OverflowError):
        return None
