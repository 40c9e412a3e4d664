"""The review workflow's writes, for articles and FAQ entries alike (docs/governance.md).

States of the *working copy* (ContentStatus) and who moves them:

    draft --submit--> in review --approve--> published            (publish_at empty or past)
                                 --approve--> approved, scheduled --publish_due--> published
          <--reject (with a note)-- in review / scheduled
    any --archive--> archived (patients stop seeing the page)
    editing a non-draft page (content_record_edit) or reverting to an old version -> draft

What patients see is the *live* copy (live_* fields), changed only by `_go_live` (an approval, or
publish_due for a scheduled one) and hidden by `withdrawn_at` (archive, expiry). Every approved
change is kept as a ContentVersion; its `published_at` says when patients started seeing it.

Who may take which step when is decided by portal.content.workflow (one table, also read by the admin's
buttons and forms); every step here asks it first, whoever calls. Besides: an approval needs a
"checked against" note and only goes through for exactly the text the reviewer looked at.
"""

import dataclasses

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from portal.content import teachback
from portal.content.models import ContentStatus, ContentVersion, reviewed_content_models
from portal.content.selectors import content_approved_hash, content_pending_version
from portal.content.signals import page_to_read_changed
from portal.content.workflow import ContentWorkflowError, approval_input_problems, content_check_step


def content_record_edit(*, content, by):
    """Call before saving an editor's change to `content` (the admin does). Returns the status the page had
    if the change sent it back to draft, else None.

    Only changes to what patients would read count (title, summary, body: the working hash). They make
    the working copy a draft again; what patients see stays the approved live version.
    """
    if content.pk is None:
        content.last_edited_by = by
        return None
    stored = type(content).objects.get(pk=content.pk)
    if stored.working_hash() == content.working_hash():
        return None
    _note_editors(stored, by)
    content.last_edited_by = by
    if content.status == ContentStatus.DRAFT:
        return None
    previous_status = content.status
    _back_to_draft(content)
    return previous_status


@transaction.atomic
def content_submit_for_review(*, content, by, now=None):
    _lock(content)
    content_check_step(content=content, user=by, name="submit")
    content.status = ContentStatus.IN_REVIEW
    content.submitted_by = by
    content.submitted_at = now or timezone.now()
    content.review_note = ""
    content.save()
    return content


@transaction.atomic
def content_reject(*, content, by, note, now=None):
    """Send a page in review (or approved and waiting for its publish time) back to draft, with a note."""
    _lock(content)
    content_check_step(content=content, user=by, name="reject")
    note = (note or "").strip()
    if not note:
        raise ContentWorkflowError("Say what needs to change, so the editor knows.")
    _back_to_draft(content)
    content.review_note = note
    content.save()
    return content


@transaction.atomic
def content_approve(
    *,
    content,
    by,
    checked_against,
    material_change=False,
    publish_at=None,
    expire_at=None,
    next_review_due=None,
    expected_hash=None,
    now=None,
):
    """A reviewer signs the working copy off. Returns the new ContentVersion, or None when nothing changed
    (approving an unchanged live page confirms its periodic review).

    With a future `publish_at` the approval is recorded now and the page waits in "approved, scheduled"
    until publish_due makes it live. `expected_hash` is the working hash the reviewer was shown: if the page
    changed since, nothing is approved.
    """
    now = now or timezone.now()
    _lock(content)
    content_check_step(content=content, user=by, name="approve")
    if expected_hash is not None and expected_hash != content.working_hash():
        raise ContentWorkflowError("The page changed while you were reviewing it. Look at the changes again.")
    problems = approval_input_problems(
        checked_against=checked_against,
        publish_at=publish_at,
        expire_at=expire_at,
        next_review_due=next_review_due,
        now=now,
    )
    if problems:
        raise ContentWorkflowError(problems[0].message)

    _record_approval(
        content,
        by=by,
        checked_against=checked_against.strip(),
        next_review_due=next_review_due,
        publish_at=publish_at,
        expire_at=expire_at,
        now=now,
    )
    version = _new_version(content, by=by, material_change=material_change, now=now)
    goes_live = version is not None or content.withdrawn_at is not None
    if goes_live and publish_at is not None and publish_at > now:
        content.status = ContentStatus.SCHEDULED
        content.save()
    else:
        _go_live(content, version, now=now)
    return version


@transaction.atomic
def content_publish(*, content, by, material_change=False, now=None, checked_against=None):
    """Approve and publish the working copy at once, WITHOUT the workflow's checks (permission, four eyes,
    checked-against note): for trusted code such as demo data and test fixtures. People approve through
    content_approve (the admin's approve page). Publishing an unchanged live page does nothing new."""
    now = now or timezone.now()
    if content.pk is None:
        content.save()
    _record_approval(
        content,
        by=by,
        checked_against=content.checked_against if checked_against is None else checked_against,
        next_review_due=None,
        publish_at=None,
        expire_at=content.expire_at,
        now=now,
    )
    version = _new_version(content, by=by, material_change=material_change, now=now)
    _go_live(content, version, now=now)
    return content


@transaction.atomic
def content_archive(*, content, by, now=None):
    """Stop showing the page to patients (its versions stay). Editing and approving it again republishes it."""
    _lock(content)
    content_check_step(content=content, user=by, name="archive")
    _drop_pending_version(content)
    content.submitted_by = None
    content.submitted_at = None
    content.status = ContentStatus.ARCHIVED
    _withdraw(content, now=now or timezone.now())
    return content


@transaction.atomic
def content_revert_to_version(*, content, version, by):
    """Make an earlier published version the working copy again, as a new draft (it needs approval)."""
    _lock(content)
    content_check_step(content=content, user=by, name="revert")
    if (
        version.content_type_id != ContentType.objects.get_for_model(content).pk
        or version.object_id != content.pk
        or version.published_at is None
    ):
        raise ContentWorkflowError("That version does not belong to this page.")
    if version.content_hash != content.working_hash():
        _note_editors(content, by)
    setattr(content, content.title_field, version.title)
    setattr(content, content.body_field, version.body)
    content.teach_back = version.teach_back
    if any(field.name == "summary" for field in content._meta.concrete_fields):
        content.summary = version.summary
    if version.source_version is not None and hasattr(content, "source_version"):
        content.source_version = version.source_version  # a translation's text goes back with the source it translates
    _back_to_draft(content)
    content.last_edited_by = by
    content.save()
    return content


@dataclasses.dataclass
class DueOutcome:
    action: str  # "published", "expired" or "skipped"
    content: object
    detail: str = ""

    def __str__(self):
        label = f"{type(self.content)._meta.verbose_name} #{self.content.pk} “{self.content}”"
        return f"{self.action.capitalize()}: {label}" + (f" ({self.detail})" if self.detail else "")


def content_publish_due(*, now=None):
    """Publish approved pages whose publish_at has come and withdraw pages whose expire_at has passed.

    Safe to run from cron every minute, on several servers at once: each page is claimed by a conditional
    UPDATE inside its own transaction (on PostgreSQL a second worker waits for the row, then finds it
    claimed; SQLite serializes writers), so a page is published or expired exactly once.
    """
    now = now or timezone.now()
    outcomes = []
    for model in reviewed_content_models():
        for pk in model.objects.due_to_publish(now).order_by("publish_at", "pk").values_list("pk", flat=True):
            outcomes.extend(_publish_scheduled(model, pk, now=now))
        for pk in model.objects.due_to_expire(now).order_by("expire_at", "pk").values_list("pk", flat=True):
            outcomes.extend(_expire(model, pk, now=now))
    return outcomes


def _publish_scheduled(model, pk, *, now):
    try:
        with transaction.atomic():
            claimed = model.objects.filter(pk=pk).due_to_publish(now).update(status=ContentStatus.PUBLISHED)
            if not claimed:
                return []  # another worker published it
            content = model.objects.get(pk=pk)
            version = content_pending_version(content=content)
            _go_live(content, version, now=now)
    except ContentWorkflowError as error:
        # The working copy no longer matches what was approved (changed outside the admin): never publish it.
        with transaction.atomic():
            content = model.objects.select_for_update().get(pk=pk)
            _back_to_draft(content)
            content.review_note = f"Not published at its scheduled time: {error}"
            content.save()
        return [DueOutcome("skipped", content, str(error))]
    detail = f"version {version.version}" if version else "republished"
    return [DueOutcome("published", content, detail)]


def _expire(model, pk, *, now):
    with transaction.atomic():
        claimed = model.objects.filter(pk=pk).due_to_expire(now).update(withdrawn_at=now)
        if not claimed:
            return []
        content = model.objects.get(pk=pk)
        if content.status == ContentStatus.PUBLISHED:
            content.status = ContentStatus.ARCHIVED
        content.save()
        _after_live_change(content, material_change=False, now=now)
    return [DueOutcome("expired", content, f"expire at {timezone.localtime(content.expire_at):%Y-%m-%d %H:%M}")]


# Internals ------------------------------------------------------------------------------------------


def _lock(content):
    """Reload `content` in place, its row locked until the transaction ends (a no-op lock on SQLite,
    where writers are serialized anyway)."""
    content.refresh_from_db(from_queryset=type(content).objects.select_for_update())


def _note_editors(stored, by):
    """`by` is changing the text of `stored` (the page as it is before the change): they, and its last editor
    if that text was never approved, are among the people who changed it since its last approval."""
    editor_ids = {by.pk}
    if stored.last_edited_by_id is not None and stored.working_hash() != content_approved_hash(content=stored):
        editor_ids.add(stored.last_edited_by_id)
    for user_id in editor_ids:
        stored.editors_since_approval.get_or_create(user_id=user_id)


def _back_to_draft(content):
    """The working copy is a draft again: not submitted, and an approval waiting for its publish time is void."""
    _drop_pending_version(content)
    content.status = ContentStatus.DRAFT
    content.submitted_by = None
    content.submitted_at = None


def _drop_pending_version(content):
    """An approval that never reached patients is void once the page changes or is sent back."""
    ContentVersion.objects.for_content(content).pending().delete()


def _record_approval(content, *, by, checked_against, next_review_due, publish_at, expire_at, now):
    content.approved_by = by
    content.checked_against = checked_against
    content.last_reviewed_at = now
    content.next_review_due = next_review_due or (
        timezone.localdate(now) + timezone.timedelta(days=settings.CONTENT_REVIEW_INTERVAL_DAYS)
    )
    content.publish_at = publish_at
    content.expire_at = expire_at
    content.review_note = ""
    content.submitted_by = None
    content.submitted_at = None
    content.editors_since_approval.all().delete()  # the four-eyes rule starts afresh from this approval


def _new_version(content, *, by, material_change, now):
    """A ContentVersion of the working copy as approved now, or None when it is what patients already see."""
    if not content.has_unpublished_changes:
        return None
    content.render_working_copy()
    return ContentVersion.objects.create(
        content_type=ContentType.objects.get_for_model(content),
        object_id=content.pk,
        version=content.published_version + 1,
        title=content.working_title,
        summary=getattr(content, "summary", ""),
        body=content.working_body,
        body_html=content.body_html,
        teach_back=teachback.normalized(content.teach_back),
        content_hash=content.working_hash(),
        # Nobody has read a page that was never published: only a change of a live page can be material.
        material_change=bool(material_change and content.published_version > 0),
        source_version=getattr(content, "source_version", None),
        checked_against=content.checked_against,
        edited_by_name=content.last_edited_by.get_username() if content.last_edited_by else "",
        approved_by=by,
        approved_by_name=by.get_username() if by else "",
        approved_at=now,
    )


def _go_live(content, version, *, now):
    """Make `version` (approved from this working copy) what patients see; with no version, only un-withdraw."""
    live_changed = version is not None or content.withdrawn_at is not None
    if version is not None:
        content.copy_working_copy_to_live()
        if content.content_hash != version.content_hash:
            raise ContentWorkflowError("the page changed after it was approved")
        content.live_html = version.body_html  # exactly the HTML that was approved and is kept
        content.published_version = version.version
        if version.material_change:
            content.material_version = version.version
        content.published_at = now
        version.published_at = now
        version.save(update_fields=["published_at"])
    content.status = ContentStatus.PUBLISHED
    content.withdrawn_at = None
    content.save()
    if live_changed:
        _after_live_change(content, material_change=bool(version and version.material_change), now=now)


def _withdraw(content, *, now):
    was_visible = content.published_version > 0 and content.withdrawn_at is None
    if was_visible:
        content.withdrawn_at = now
    content.save()
    if was_visible:
        _after_live_change(content, material_change=False, now=now)


def _after_live_change(content, *, material_change, now):
    """Tell the page patients read this content on (an article itself, an FAQ entry's topic page) that its live
    version changed, then whoever keeps reading lists (portal.reading) through the `page_to_read_changed` signal."""
    page = content.live_change_applied(material_change=material_change)
    page_to_read_changed.send(sender=type(page), page=page, material_change=material_change, now=now)
