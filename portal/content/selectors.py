"""Reads of reviewed content (its versions, who changed it, the review schedule); writes are in services.py."""

import dataclasses
import datetime

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
