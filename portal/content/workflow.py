"""The review workflow's one table of steps: which steps a user may take on a page now, and why not.

`content_available_steps(content=..., user=...)` answers for every step. The admin draws its buttons
from it and its one step view refuses what it refuses; ApproveForm validates with it; the services
enforce it (`content_check_step`) whoever calls them. A rule changes here, and only here.

Each step's rule is checked in order: the role (a refusal there means "not your job": the admin
answers 403), then the page's status, then the four-eyes rule (nobody approves a text they changed
since its last approval, or submitted).
"""

import dataclasses
import enum
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext

from portal.content.models import ContentStatus
from portal.content.selectors import content_edited_since_approval_by
from portal.permissions import can_approve_content, can_change_content


class ContentWorkflowError(Exception):
    """A workflow step that is not allowed; the message is meant for the person who tried it."""


class Refusal(enum.StrEnum):
    ROLE = "role"  # this user never takes this step (the admin answers 403)
    STATUS = "status"  # not in the page's present state
    FOUR_EYES = "four_eyes"  # this person took part in the change: someone else must


@dataclasses.dataclass(frozen=True)
class Step:
    """One step a user may or may not take on a page now."""

    name: str  # "submit", "approve", "reject", "archive", "revert"
    label: str  # what its button says
    allowed: bool
    reason: str = ""  # why it is refused, a sentence for the person who asked
    refused_by: Refusal | None = None
    needs_form: bool = False  # asks for input (approve, reject); else a plain confirmation

    @property
    def permitted(self):
        """The user's role may take this step at all (else the admin answers 403 and offers nothing)."""
        return self.refused_by != Refusal.ROLE


Check = Callable[[object, object], str | None]  # (content, user) -> why not, or None


@dataclasses.dataclass(frozen=True)
class Rule:
    """One row of the table: who may take a step (role), and when (status checks, four-eyes checks, in order)."""

    label: str | Callable[[object], str]
    role: Callable[[object, type], bool]  # (user, content model) -> may take the step at all
    role_refusal: str
    status_checks: tuple[Check, ...] = ()
    four_eyes_checks: tuple[Check, ...] = ()
    needs_form: bool = False

    def step(self, name, *, content, user):
        label = self.label(content) if callable(self.label) else self.label
        refusal = self.refusal(content=content, user=user)
        if refusal is None:
            return Step(name, label, allowed=True, needs_form=self.needs_form)
        kind, reason = refusal
        return Step(name, label, allowed=False, reason=reason, refused_by=kind, needs_form=self.needs_form)

    def refusal(self, *, content, user):
        if not self.role(user, type(content)):
            return Refusal.ROLE, self.role_refusal
        for kind, checks in ((Refusal.STATUS, self.status_checks), (Refusal.FOUR_EYES, self.four_eyes_checks)):
            for check in checks:
                reason = check(content, user)
                if reason:
                    return kind, reason
        return None


def _status_in(*statuses, refusal):
    def check(content, user):
        if content.status not in statuses:
            return refusal.format(status=content.get_status_display())
        return None

    return check


def _changes_submitted(content, user):
    if content.status == ContentStatus.PUBLISHED and content.has_unpublished_changes:
        return "This page has changes that have not been submitted for review."
    return None


def _not_the_last_editor(content, user):
    if content.last_edited_by_id is not None and content.last_edited_by_id == user.pk:
        return "You made the last change to this page, so another reviewer must approve it (four-eyes rule)."
    return None


def _not_the_submitter(content, user):
    if content.status == ContentStatus.IN_REVIEW and content.submitted_by_id == user.pk:
        return "You submitted this page for review, so another reviewer must approve it (four-eyes rule)."
    return None


def _no_change_since_approval(content, user):
    if content_edited_since_approval_by(content=content, user=user):
        return "You changed this page since its last approval, so another reviewer must approve it (four-eyes rule)."
    return None


def _translates_the_current_source(content, user):
    """A translation is approved only as a translation of its source's current material version: one made
    before the source's latest material change would give patients an older safety text."""
    if not hasattr(content, "source_version"):
        return None
    source = content.source
    if source.published_version == 0:
        return gettext("The source page is not published: it must be approved before its translation.")
    if content.source_version < source.material_version:
        return gettext(
            "This translation is of version %(base)s of the source, from before its material change in version "
            "%(material)s. Update the text to the current source and choose that version before approving it."
        ) % {"base": content.source_version, "material": source.material_version}
    return None


def _can_be_withdrawn(content, user):
    if not content.withdrawable:
        return "This text cannot be taken away from patients on its own: change it and approve the change instead."
    return None


def _approve_label(content):
    return "Review and approve" if content.status == ContentStatus.IN_REVIEW else "Confirm review"


def _approver(user, model):
    return can_approve_content(user)


_APPROVERS_ONLY = "You do not have permission to approve, send back or archive content."
_EDITORS_ONLY = "You do not have permission to change this page."

RULES = {
    "submit": Rule(
        label="Submit for review",
        role=can_change_content,
        role_refusal=_EDITORS_ONLY,
        status_checks=(
            _status_in(
                ContentStatus.DRAFT,
                ContentStatus.ARCHIVED,
                refusal="Only drafts and archived pages can be submitted for review; this one is “{status}”.",
            ),
        ),
    ),
    "approve": Rule(
        label=_approve_label,
        role=_approver,
        role_refusal="You do not have permission to approve content.",
        status_checks=(
            _changes_submitted,
            _status_in(
                ContentStatus.IN_REVIEW,
                ContentStatus.PUBLISHED,
                refusal="Only pages in review can be approved; this one is “{status}”.",
            ),
            _translates_the_current_source,
        ),
        four_eyes_checks=(_not_the_last_editor, _not_the_submitter, _no_change_since_approval),
        needs_form=True,
    ),
    "reject": Rule(
        label="Send back to draft",
        role=_approver,
        role_refusal=_APPROVERS_ONLY,
        status_checks=(
            _status_in(
                ContentStatus.IN_REVIEW,
                ContentStatus.SCHEDULED,
                refusal="Only pages in review or scheduled can be sent back; this one is “{status}”.",
            ),
        ),
        needs_form=True,
    ),
    "archive": Rule(
        label="Archive",
        role=_approver,
        role_refusal=_APPROVERS_ONLY,
        status_checks=(
            _can_be_withdrawn,
            _status_in(
                ContentStatus.DRAFT,
                ContentStatus.IN_REVIEW,
                ContentStatus.SCHEDULED,
                ContentStatus.PUBLISHED,
                refusal="This page is archived already.",
            ),
        ),
    ),
    # Which version is the service's argument; any page state may go back to an earlier text, as a draft.
    "revert": Rule(label="Revert to this version", role=can_change_content, role_refusal=_EDITORS_ONLY),
}
STEP_NAMES = tuple(RULES)


def content_available_steps(*, content, user) -> list[Step]:
    """Every workflow step, in button order, each saying whether `user` may take it on `content` now."""
    return [rule.step(name, content=content, user=user) for name, rule in RULES.items()]


def content_step(*, content, user, name: str) -> Step:
    return RULES[name].step(name, content=content, user=user)


def content_check_step(*, content, user, name: str) -> None:
    """Raise ContentWorkflowError with the reason when `user` may not take step `name` on `content` now."""
    refusal = RULES[name].refusal(content=content, user=user)
    if refusal is not None:
        raise ContentWorkflowError(refusal[1])


def content_step_permitted(*, model, user, name: str) -> bool:
    """Whether `user`'s role takes step `name` on pages of `model` at all (e.g. to offer a bulk action)."""
    return RULES[name].role(user, model)


# The reviewer's input to an approval ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InputProblem:
    field: str
    message: str  # on its own, e.g. raised by the service
    field_message: str  # beside the form field it is about


def approval_input_problems(*, checked_against, publish_at, expire_at, next_review_due, now=None):
    """What is wrong with an approval's input (ApproveForm shows these, content_approve refuses them)."""
    now = now or timezone.now()
    problems = []
    if not (checked_against or "").strip():
        problems.append(
            InputProblem(
                "checked_against",
                "Say what you checked the page against (source and revision).",
                "Say what you checked the page against (source and revision).",
            )
        )
    starts = max(publish_at, now) if publish_at else now
    if expire_at is not None and expire_at <= starts:
        problems.append(
            InputProblem(
                "expire_at",
                "“Expire at” must be after the page is published.",
                "Choose a time after the page is published.",
            )
        )
    if next_review_due is not None and next_review_due <= timezone.localdate(now):
        problems.append(
            InputProblem(
                "next_review_due", "The next review date must be in the future.", "Choose a date in the future."
            )
        )
    return problems
