"""Reads of reviewed content (its versions, who changed it, the review schedule); writes are in services.py."""

import dataclasses
import datetime
import enum

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from portal.content.models import ContentVersion


def content_versions(*, content) -> QuerySet:
    """Versions that reached patients, newest first."""
    return ContentVersion.objects.for_content(content).published().order_by("-version")


def content_pending_version(*, content) -> ContentVersion | None:
    """The approved version waiting for its publish time, if any."""
    return ContentVersion.objects.for_content(content).pending().order_by("-version").first()


def content_approved_hash(*, content) -> str | None:
    """The hash of the text last approved (published or waiting for its time), or None if none ever was."""
    return (
        ContentVersion.objects.for_content(content).order_by("-version").values_list("content_hash", flat=True).first()
    )


def content_material_version_at(*, content, version: int) -> int:
    """The material version of `content` as of its version `version`: the latest version up to it whose approval
    asked patients to re-read (0 if none)."""
    if version >= content.published_version:
        return content.material_version
    return (
        ContentVersion.objects.for_content(content)
        .filter(version__lte=version, material_change=True)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0
    )


def content_edited_since_approval_by(*, content, user) -> bool:
    """Whether `user` changed what patients would read of `content` since its last approval."""
    return content.pk is not None and content.editors_since_approval.filter(user_id=user.pk).exists()


@dataclasses.dataclass(frozen=True)
class ReviewDue:
    """Live pages whose clinical review is overdue, and those due within `soon_days`, earliest first."""

    overdue: list
    due_soon: list
    soon_days: int


def content_review_due(*, models, soon_days: int, today: datetime.date | None = None) -> ReviewDue:
    today = today or timezone.localdate()
    overdue, due_soon = [], []
    for model in models:
        pages = model.objects.select_related("approved_by")
        overdue += pages.review_overdue(today)
        due_soon += pages.review_due_within(soon_days, today)
    return ReviewDue(
        overdue=sorted(overdue, key=lambda page: page.next_review_due),
        due_soon=sorted(due_soon, key=lambda page: page.next_review_due),
        soon_days=soon_days,
    )


def content_review_due_counts(*, models, soon_days: int) -> dict:
    """How many live pages of `models` are overdue for review, and due within `soon_days` (two counts a model)."""
    return {
        "overdue": sum(model.objects.review_overdue().count() for model in models),
        "due_soon": sum(model.objects.review_due_within(soon_days).count() for model in models),
        "soon_days": soon_days,
    }


# Which text to show, in which language ------------------------------------------------------------------------


class Fallback(enum.StrEnum):
    """Why a page is shown in its source language although another was asked for."""

    NONE = ""
    MISSING = "missing"  # no published translation into that language
    OUT_OF_DATE = "out_of_date"  # the translation predates the source's latest material change


@dataclasses.dataclass(frozen=True)
class ShownVersion:
    """The version of a page a template renders: the live one (the source's or a translation's), or (preview) the
    working copy. `content` is always the source page; `translation` the translation shown, if any."""

    content: object
    title: str
    summary: str
    html: str
    toc: list
    reading_minutes: int
    is_preview: bool
    language: str = settings.LANGUAGE_CODE  # the language of this text
    translation: object = None
    fallback: Fallback = Fallback.NONE
    asked_language: str = settings.LANGUAGE_CODE

    @classmethod
    def live(cls, content, **extra):
        return cls(
            content=content,
            title=content.live_title,
            summary=getattr(content, "live_summary", ""),
            html=content.live_html,
            toc=content.live_toc,
            reading_minutes=content.live_reading_minutes,
            is_preview=False,
            language=content.content_language,
            **extra,
        )

    @classmethod
    def working(cls, content):
        return cls(
            content=content,
            title=content.working_title,
            summary=getattr(content, "summary", ""),
            html=content.body_html,
            toc=content.toc,
            reading_minutes=content.reading_minutes,
            is_preview=True,
            language=content.content_language,
        )

    @property
    def translation_version(self):
        return self.translation.published_version if self.translation is not None else None

    @property
    def needs_note(self):
        """Shown in the source language although the reader's language was asked for: say so (and why)."""
        return self.fallback != Fallback.NONE


def base_language(language):
    return (language or settings.LANGUAGE_CODE).split("-")[0].lower()


_UNSET = object()


def page_text_for(*, content, language, translation=_UNSET) -> ShownVersion:
    """THE rule for which text of a live page a reader of `language` gets:

    - the source language: the source's live version;
    - another language with a live translation made from the source's current material version (even if the
      source has a newer, non-material version: staff see that translation as "out of date"): the translation;
    - a translation behind a material change of the source: the source's live version, flagged OUT_OF_DATE so the
      page says so (never a safety text older than the source's material version without saying so);
    - no live translation: the source, flagged MISSING.

    `translation`: the content's live translation into `language` (or None) when the caller has read it already
    (page_texts_for does, for many pages in one query)."""
    language = base_language(language)
    if language == base_language(content.content_language) or not hasattr(content, "translations"):
        return ShownVersion.live(content, asked_language=language)
    if translation is _UNSET:
        translation = content.translations.published().filter(language=language).first()
    if translation is None:
        return ShownVersion.live(content, asked_language=language, fallback=Fallback.MISSING)
    translation.source = content  # no query for the source's versions below
    if translation.is_behind_material_change:
        return ShownVersion.live(content, asked_language=language, fallback=Fallback.OUT_OF_DATE)
    return dataclasses.replace(ShownVersion.live(translation), content=content, translation=translation,
                               asked_language=language)  # fmt: skip


def page_texts_for(*, contents, language) -> list[ShownVersion]:
    """page_text_for of each of `contents` (all of one model), their translations read in one query."""
    contents = list(contents)
    language = base_language(language)
    if not contents or language == base_language(contents[0].content_language):
        return [page_text_for(content=content, language=language) for content in contents]
    if not hasattr(contents[0], "translations"):
        return [page_text_for(content=content, language=language) for content in contents]
    model = type(contents[0]).translations.rel.related_model
    found = {
        row.source_id: row
        for row in model.objects.published().filter(language=language, source__in=[c.pk for c in contents])
    }
    return [
        page_text_for(content=content, language=language, translation=found.get(content.pk)) for content in contents
    ]
