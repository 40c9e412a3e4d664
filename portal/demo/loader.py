"""What `manage.py load_demo` does, as functions the command and the tests call.

Demo pages go through the same review workflow as real ones (portal.content.services): the demo editor writes
and submits them, the demo reviewer approves them against the product label, so every change is a kept,
numbered version with both names on it.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from articles.models import Article, ArticleTranslation
from faq.models import FaqEntry, FaqEntryTranslation, FaqTopic, FaqTopicHeading, FaqTopicHeadingTranslation
from faq.services import BASELINE_NOTE
from portal.content.models import ContentStatus
from portal.content.services import (
    ContentWorkflowError,
    content_approve,
    content_record_edit,
    content_submit_for_review,
)
from portal.demo import (
    CONTENT_DIR,
    demo_article_translations,
    demo_articles,
    demo_faq_topics,
    demo_faq_translations,
)

EDITOR, REVIEWER, FRONT_DESK, ADMIN = "editor", "reviewer", "frontdesk", "admin"
# (user name, group); the admin is a superuser in no group.
DEMO_ACCOUNTS = (
    (EDITOR, "Editor"),
    (REVIEWER, "Clinical reviewer"),
    (FRONT_DESK, "Clinic staff"),
    (ADMIN, None),
)


# The FAQ entry (topic slug, entry slug) whose translation the demo shows staff as "out of date": on a new
# database the entry is first published without the last paragraph of its answer, translated from that version,
# then its full text is published as a NON-material edit. Staff see the translation out of date in the admin;
# patients still read it (it is not behind a material change, so no stale safety text is served as current).
DEMO_OUT_OF_DATE_ENTRY = ("your-visit", "what-to-bring")


class DemoSetupError(Exception):
    """The database is not ready for the demo (e.g. migrations that create the staff groups have not run)."""


@dataclass(frozen=True)
class DemoAccount:
    user: object
    password: str
    role: str


@dataclass(frozen=True)
class PageOutcome:
    kind: str  # "article" or "FAQ entry"
    label: str
    outcome: str  # created, updated, unchanged, kept
    version: int

    def describe(self):
        return {
            "created": f"published v{self.version}",
            "updated": f"source changed, published v{self.version}",
            "unchanged": f"unchanged (v{self.version})",
            "kept": "left as staff changed it in the admin"
            + (f" (live: v{self.version})" if self.version else " (not published)"),
        }[self.outcome]


@transaction.atomic
def demo_accounts_reset():
    """Create or update one staff account per role, each with a new random password (returned, never stored)."""
    groups = {}
    for _username, group_name in DEMO_ACCOUNTS:
        if group_name is None:
            continue
        try:
            groups[group_name] = Group.objects.get(name=group_name)
        except Group.DoesNotExist:
            raise DemoSetupError(
                f'The staff group "{group_name}" does not exist: run "manage.py migrate" first.'
            ) from None

    user_model = get_user_model()
    accounts = []
    for username, group_name in DEMO_ACCOUNTS:
        user, _created = user_model.objects.get_or_create(**{user_model.USERNAME_FIELD: username})
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.is_active = True
        user.is_staff = True
        user.is_superuser = group_name is None
        user.save()
        user.groups.set([groups[group_name]] if group_name else [])
        accounts.append(DemoAccount(user=user, password=password, role=group_name or "Superuser"))
    return accounts


@transaction.atomic
def demo_content_load(*, editor, reviewer):
    """Create and publish the demo articles and FAQ; bring pages up to date when their source file changed.

    A page someone changed in the admin (a pending draft, or a version edited by another user) is left alone.
    """
    outcomes = []
    later_edit = None
    for demo in demo_articles():
        article = Article.objects.filter(slug=demo.slug).first()
        if article is None:
            article = Article(slug=demo.slug)
        fields = {"title": demo.title, "summary": demo.summary, "body": demo.body, "teach_back": demo.teach_back}
        outcome = _sync(article, fields, checked_against=demo.checked_against, editor=editor, reviewer=reviewer)
        outcomes.append(PageOutcome("article", demo.title, outcome, article.published_version))

    for demo_topic in demo_faq_topics():
        topic, _created = FaqTopic.objects.get_or_create(
            slug=demo_topic.slug,
            defaults={"title": demo_topic.title, "intro": demo_topic.intro, "position": demo_topic.position},
        )
        for demo in demo_topic.entries:
            entry = FaqEntry.objects.filter(topic=topic, slug=demo.slug).first()
            if entry is None:
                # Order is set once: staff may reorder entries in the admin afterwards.
                entry = FaqEntry(topic=topic, slug=demo.slug, position=demo.position)
            fields = {"question": demo.question, "answer": demo.answer}
            if entry.pk is None and (topic.slug, demo.slug) == DEMO_OUT_OF_DATE_ENTRY:
                later_edit = (entry, dict(fields), demo_topic.checked_against)
                fields["answer"] = _earlier_answer(demo.answer)
            outcome = _sync(entry, fields, checked_against=demo_topic.checked_against, editor=editor, reviewer=reviewer)
            outcomes.append(
                PageOutcome("FAQ entry", f"{topic.title}: {demo.question}", outcome, entry.published_version)
            )
    outcomes += _load_translations(editor=editor, reviewer=reviewer)
    if later_edit is not None:
        entry, fields, checked_against = later_edit
        outcome = _sync(
            entry, fields, checked_against=checked_against, editor=editor, reviewer=reviewer, material_change=False
        )
        label = f"{entry.topic.title}: {fields['question']} (small edit after its translation)"
        outcomes.append(PageOutcome("FAQ entry", label, outcome, entry.published_version))
    return outcomes


def _earlier_answer(answer):
    """The demo's first version of an answer: without its last paragraph (what the later, small edit adds)."""
    paragraphs = answer.strip().split("\n\n")
    return "\n\n".join(paragraphs[:-1] or paragraphs) + "\n"


def _translated_teach_back(demo):
    """The translation's teach-back questions: teach_back/<language>/<source slug>.txt, if present."""
    path = CONTENT_DIR / "teach_back" / demo.language / f"{demo.source}.txt"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _load_translations(*, editor, reviewer):
    """The demo translations, after their sources. A translation whose text file changed is made from the
    source's current version; one whose text did not change keeps the version it was made from, so that a
    changed English page shows its translations out of date, as it would for real."""
    outcomes = []
    for demo in demo_article_translations():
        source = _source(Article.objects.filter(slug=demo.source), demo.source)
        translated = ArticleTranslation.objects.filter(source=source, language=demo.language).first()
        translated = translated or ArticleTranslation(source=source, language=demo.language)
        fields = {"title": demo.title, "summary": demo.summary, "body": demo.body}
        if teach_back := _translated_teach_back(demo):
            fields["teach_back"] = teach_back
        outcome = _sync(translated, fields, checked_against=demo.checked_against, editor=editor, reviewer=reviewer)
        outcomes.append(PageOutcome(f"article ({demo.language})", demo.title, outcome, translated.published_version))
    for demo_topic in demo_faq_translations():
        heading = _topic_heading(FaqTopic.objects.get(slug=demo_topic.source), editor=editor, reviewer=reviewer)
        translated = FaqTopicHeadingTranslation.objects.filter(source=heading, language=demo_topic.language).first()
        translated = translated or FaqTopicHeadingTranslation(source=heading, language=demo_topic.language)
        fields = {"title": demo_topic.title, "intro": demo_topic.intro}
        outcome = _sync(
            translated, fields, checked_against=demo_topic.checked_against, editor=editor, reviewer=reviewer
        )
        outcomes.append(
            PageOutcome(f"FAQ topic ({demo_topic.language})", demo_topic.title, outcome, translated.published_version)
        )
        for demo in demo_topic.entries:
            source = _source(
                FaqEntry.objects.filter(topic__slug=demo_topic.source, slug=demo.slug),
                f"{demo_topic.source}#{demo.slug}",
            )
            translated = FaqEntryTranslation.objects.filter(source=source, language=demo_topic.language).first()
            translated = translated or FaqEntryTranslation(source=source, language=demo_topic.language)
            fields = {"question": demo.question, "answer": demo.answer}
            outcome = _sync(
                translated, fields, checked_against=demo_topic.checked_against, editor=editor, reviewer=reviewer
            )
            label = f"{source.topic.title}: {demo.question}"
            outcomes.append(
                PageOutcome(f"FAQ entry ({demo_topic.language})", label, outcome, translated.published_version)
            )
    return outcomes


def _topic_heading(topic, *, editor, reviewer):
    """The topic's reviewed heading, which its translations translate: made by the demo editor and approved by the
    demo reviewer from what patients see (no change for them) when the topic has none yet."""
    heading = FaqTopicHeading.objects.filter(topic=topic).first()
    if heading is None:
        heading = FaqTopicHeading(topic=topic)
        fields = {"title": topic.title, "intro": topic.intro}
        _sync(heading, fields, checked_against=BASELINE_NOTE, editor=editor, reviewer=reviewer)
    return heading


def _source(queryset, name):
    source = queryset.first()
    if source is None or not source.published_version:
        raise DemoSetupError(f"The demo translation of “{name}” has no published source page.")
    return source


def _sync(content, fields, *, checked_against, editor, reviewer, material_change=True):
    """Bring `content` (new or existing) to `fields` through the review workflow, unless staff changed the page.

    The demo editor makes the change and submits it; the demo reviewer approves it (four eyes, checked against
    the label), exactly as people do in the admin.
    """
    is_new = content.pk is None
    if not is_new:
        if _changed_by_staff(content, editor=editor):
            return "kept"
        if content.content_hash == type(content)(**_identity(content), **fields).working_hash():
            return "unchanged"
    for name, value in fields.items():
        setattr(content, name, value)
    if hasattr(content, "source_version"):
        content.source_version = content.source.published_version  # a new text translates the current source
    try:
        content.clean()  # what the admin's form checks (e.g. teach-back questions pointing at a missing heading)
    except ValidationError as error:
        raise DemoSetupError(f"The demo page “{content}” is not valid: {'; '.join(error.messages)}") from error
    content_record_edit(content=content, by=editor)
    content.save()
    try:
        content_submit_for_review(content=content, by=editor)
        # A changed source asks patients of upcoming sessions to read the page again (no effect on a first version).
        content_approve(content=content, by=reviewer, checked_against=checked_against, material_change=material_change)
    except ContentWorkflowError as error:
        raise DemoSetupError(f"Could not publish the demo page “{content}”: {error}") from error
    return "created" if is_new else "updated"


def _identity(content):
    if isinstance(content, FaqTopicHeading):
        return {"topic": content.topic}
    if hasattr(content, "source_version"):
        return {"source": content.source, "language": content.language, "source_version": content.source_version}
    return {"topic": content.topic} if isinstance(content, FaqEntry) else {}


def _changed_by_staff(content, *, editor):
    """True when the page is not simply the published demo page: archived, withdrawn, in review, a pending
    draft, or last changed by someone other than the demo editor (including a page with this slug made by hand)."""
    return (
        content.status != ContentStatus.PUBLISHED
        or content.withdrawn_at is not None
        or content.has_unpublished_changes
        or content.last_edited_by_id != editor.pk
    )
