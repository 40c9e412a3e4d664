"""What articles and FAQ entries share: Markdown source, rendered HTML, review workflow, live version.

Each content row holds two things:
- the *working copy* that editors change (title/body fields of the subclass, rendered into
  `body_html` at save for the staff preview), with its workflow `status`;
- the *live version* that patients see (`live_*` fields), copied from the working copy only when
  a reviewer approves it (portal.content.services). Editing a published page therefore
  never changes what patients see until the next approval.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.content import markdown, readability, teachback


class ContentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    # Approved, waiting for its publish_at time (publish_due makes it live).
    SCHEDULED = "scheduled", "Approved, scheduled"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ContentQuerySet(models.QuerySet):
    def published(self, now=None):
        """Pages patients may see: approved at least once, not archived or withdrawn, not expired."""
        now = now or timezone.now()
        return (
            self.filter(published_version__gt=0, withdrawn_at__isnull=True)
            .exclude(status=ContentStatus.ARCHIVED)
            .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
        )

    def available(self):
        """Pages to read that patients can be shown now (see PageToRead)."""
        return self.published()

    def due_to_publish(self, now=None):
        """Approved pages whose publish_at has come (portal.content.services.content_publish_due)."""
        now = now or timezone.now()
        return self.filter(status=ContentStatus.SCHEDULED, publish_at__lte=now)

    def due_to_expire(self, now=None):
        """Pages patients still count as live although their expire_at has passed."""
        now = now or timezone.now()
        return self.filter(published_version__gt=0, withdrawn_at__isnull=True, expire_at__lte=now)

    def review_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.published().filter(next_review_due__lt=today)

    def review_due_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.published().filter(
            next_review_due__gte=today, next_review_due__lte=today + timezone.timedelta(days=days)
        )


class ReviewedContent(models.Model):
    # Subclasses name their title and Markdown fields (Article: title/body, FAQ entry: question/answer).
    title_field = "title"
    body_field = "body"
    # False for text that is part of another page (an FAQ topic's heading): it is changed, never archived.
    withdrawable = True

    status = models.CharField(max_length=16, choices=ContentStatus.choices, default=ContentStatus.DRAFT)

    # Derived from the working copy at save (staff preview, readability shown to editors).
    body_html = models.TextField(blank=True, editable=False)
    toc = models.JSONField(default=list, blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_minutes = models.PositiveIntegerField(default=1, editable=False)
    readability_grade = models.FloatField(null=True, blank=True, editable=False)

    # Teach-back questions: part of the page's content (reviewed, versioned, diffed, translated with it).
    teach_back = models.TextField(
        _("teach-back questions"),
        blank=True,
        help_text=_(
            "0 to 3 questions patients answer after reading. One item per line: “? question”, “- wrong "
            "answer”, “+ the right answer” (exactly one), “= a one-sentence explanation”, “# the heading of the "
            "section that answers it” (one of this page's ## headings)."
        ),
    )

    # The live version patients see.
    live_title = models.CharField(max_length=300, blank=True, editable=False)
    live_html = models.TextField(blank=True, editable=False)
    live_text = models.TextField(blank=True, editable=False, help_text="Plain text of the live version, for search.")
    live_toc = models.JSONField(default=list, blank=True, editable=False)
    live_teach_back = models.JSONField(
        default=list, blank=True, editable=False, help_text="The live version's teach-back questions, parsed."
    )
    live_word_count = models.PositiveIntegerField(default=0, editable=False)
    live_reading_minutes = models.PositiveIntegerField(default=1, editable=False)
    published_version = models.PositiveIntegerField(default=0, editable=False)
    material_version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Latest version whose approval asked patients to re-read."
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When patients stopped seeing this page (archived or expired); cleared by the next approval.",
    )

    # Governance.
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="Publish automatically at this time once approved."
    )
    expire_at = models.DateTimeField(
        null=True, blank=True, help_text="Stop showing this page to patients at this time."
    )
    checked_against = models.CharField(
        max_length=200,
        blank=True,
        help_text="Source checked, e.g. 'SPRAVATO US Prescribing Information, rev. 01/2025'.",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    last_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_review_due = models.DateField(null=True, blank=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_note = models.TextField(blank=True, editable=False, help_text="Why a reviewer sent the page back to draft.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Everyone who changed the text since the last approval (four eyes); no column: rows of ContentEditor.
    editors_since_approval = GenericRelation("content.ContentEditor")

    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Rendered once here, when the source is saved; never per request.
        self.render_working_copy()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {
                "body_html", "toc", "word_count", "reading_minutes", "readability_grade",
            }  # fmt: skip
        super().save(*args, **kwargs)

    def clean(self):
        # ModelForms (the admin's) call this before save(): a source the renderer refuses, or content it
        # would not show to patients, becomes an error on the Markdown field instead of a 500 or a surprise.
        from django.core.exceptions import ValidationError

        super().clean()
        try:
            rendered = markdown.render(self.working_body)
        except markdown.MarkdownError as error:
            raise ValidationError({self.body_field: str(error)}) from error
        if rendered.problems:
            raise ValidationError({self.body_field: rendered.problems})
        try:
            teachback.parse(self.teach_back, sections=self.teach_back_sections(rendered.toc))
        except teachback.TeachBackError as error:
            raise ValidationError({"teach_back": error.messages}) from error

    @property
    def working_title(self):
        return getattr(self, self.title_field)

    @property
    def working_body(self):
        return getattr(self, self.body_field)

    @property
    def is_live(self):
        if self.published_version == 0 or self.status == ContentStatus.ARCHIVED or self.withdrawn_at is not None:
            return False
        return self.expire_at is None or self.expire_at > timezone.now()

    @property
    def has_unpublished_changes(self):
        """The working copy is not what patients see (or were last shown): nothing was published yet, or its
        text changed since. The one definition of "has changes" (approve page, new versions, notices)."""
        return self.published_version == 0 or self.working_hash() != self.content_hash

    @property
    def review_overdue(self):
        return self.next_review_due is not None and self.next_review_due < timezone.localdate()

    def working_hash(self):
        return content_hash(self.working_title, self.working_body, *self.teach_back_hash_parts())

    def teach_back_hash_parts(self):
        """What the teach-back questions add to the content hash: nothing when there are none (so the hash of a
        page without questions is what it always was), else their normalized source."""
        source = teachback.normalized(self.teach_back)
        return [f"teach-back:{source}"] if source else []

    def teach_back_sections(self, toc):
        """Headings a question may point at: {heading text: anchor id} of the rendered page; its title (the page's
        one h1) answers for the whole page (anchor "": the patient page links to the top of the text)."""
        return {self.working_title: "", **{entry["text"]: entry["id"] for entry in toc}}

    def parsed_teach_back(self, toc=None):
        """The working copy's questions, parsed (see portal.content.teachback); [] if they do not parse."""
        try:
            return teachback.parse(self.teach_back, sections=self.teach_back_sections(self.toc if toc is None else toc))
        except teachback.TeachBackError:
            return []

    def render_working_copy(self):
        rendered = markdown.render(self.working_body)
        self.body_html = rendered.html
        self.working_text = rendered.text  # not stored: copied to live_text on publish
        self.toc = rendered.toc
        self.word_count = rendered.word_count
        self.reading_minutes = rendered.reading_minutes
        self.readability_grade = readability.score(rendered.text, language=self.content_language)

    @property
    def content_language(self):
        """The language this text is written in (a translation says its own)."""
        return settings.LANGUAGE_CODE

    def page_to_read(self):
        """The page patients read this content on (an article itself; an FAQ entry's topic page)."""
        return self

    def live_change_applied(self, *, material_change):
        """What patients see of this content changed (portal.content.services calls it inside the transaction).
        Returns the page to read that carries it: the content itself here; an FAQ entry returns its topic."""
        return self

    def copy_working_copy_to_live(self):
        """Make the working copy what patients see (callers handle permission and versioning)."""
        self.render_working_copy()
        self.live_title = self.working_title
        self.live_html = self.body_html
        self.live_text = self.working_text
        self.live_toc = self.toc
        self.live_teach_back = self.parsed_teach_back()
        self.live_word_count = self.word_count
        self.live_reading_minutes = self.reading_minutes
        self.content_hash = self.working_hash()


def translation_languages():
    """The languages content can be translated into: every language of the site but the source's."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class TranslationQuerySet(ContentQuerySet):
    def for_language(self, language):
        return self.filter(language=language)

    def out_of_date(self):
        """Translations made from an older version of their source than the one patients see now."""
        return self.filter(live_source_version__lt=models.F("source__published_version"))

    def behind_material_change(self):
        """Out of date across a material change of the source: not shown to patients as current."""
        return self.filter(live_source_material_version__lt=models.F("source__material_version"))


class TranslatedContent(ReviewedContent):
    """A translation of a reviewed page (`source`, a ForeignKey the subclass declares) into `language`.

    It is clinical content of its own: written in the admin, reviewed by someone who did not write it, versioned
    and reverted like its source (the same workflow table). It records the source version it was made from:
    `source_version` in the working copy (the translator chooses it, the latest by default), copied on approval
    to `live_source_version` with the source's material version at that version (`live_source_material_version`).
    A later source version makes the live translation *out of date* (staff see it); a later MATERIAL version
    of the source makes it *behind a material change*: patients then get the source with a note
    (portal.content.selectors.page_text_for)."""

    language = models.CharField(max_length=8, choices=translation_languages)
    source_version = models.PositiveIntegerField(
        default=0, help_text="The published version of the source this text translates."
    )
    live_source_version = models.PositiveIntegerField(default=0, editable=False)
    live_source_material_version = models.PositiveIntegerField(default=0, editable=False)

    objects = TranslationQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def content_language(self):
        return self.language

    @property
    def is_out_of_date(self):
        """Live, and made from an older version of the source than patients of the source see now."""
        return self.published_version > 0 and self.live_source_version < self.source.published_version

    @property
    def is_behind_material_change(self):
        """Live, but made before the source's latest material change: not shown to patients as current."""
        return self.published_version > 0 and self.live_source_material_version < self.source.material_version

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        super().clean()
        if self.source_id is None:
            return
        source = self.source
        if source.published_version == 0:
            raise ValidationError(_("Publish the source page before translating it: a translation needs a version."))
        if not 1 <= self.source_version <= source.published_version:
            raise ValidationError(
                {
                    "source_version": _("Choose a published version of the source, 1 to %(latest)s.")
                    % {"latest": source.published_version}
                }
            )

    def working_hash(self):
        # The source version translated is part of what a reviewer signs off, and so are its own questions.
        return content_hash(*self.hashed_parts(), *self.teach_back_hash_parts(), f"source v{self.source_version}")

    def hashed_parts(self):
        return (self.working_title, self.working_body)

    def copy_working_copy_to_live(self):
        from portal.content.selectors import content_material_version_at

        super().copy_working_copy_to_live()
        self.live_source_version = self.source_version
        self.live_source_material_version = content_material_version_at(
            content=self.source, version=self.source_version
        )

    def live_change_applied(self, *, material_change):
        """Patients read a translation on its source's page (which keeps its own version)."""
        return self.source.page_to_read()


def reviewed_content_models():
    """Every concrete model that goes through the review workflow (articles, FAQ entries, ...)."""
    return [model for model in apps.get_models() if issubclass(model, ReviewedContent)]


class PageToRead:
    """What a reading list needs of a page patients are asked to read: an article, or an FAQ topic page.

    Implementers have the fields `published_version` (rises with each change patients see),
    `material_version` (the latest version patients must re-read), `content_hash` (of what is live) and
    `live_word_count`; their managers have `available()` (the pages patients can be shown now); they give
    `page_title`, `is_available` and `get_absolute_url()`."""

    page_kind = ""  # a short name for exports, e.g. "article"

    @property
    def page_title(self):
        raise NotImplementedError

    @property
    def is_available(self):
        """Patients can be shown the page now."""
        raise NotImplementedError

    @classmethod
    def headings_in_language(cls, pages, *, language) -> dict:
        """{page pk: (title, intro)} of those `pages` whose heading patients of `language` see in that language
        (a current translation); the others keep their own. A fixed number of queries however many pages."""
        return {}
    @property
    def teach_back_questions(self):
        """The live teach-back questions patients answer after reading (portal.content.teachback.parse's dicts)."""
        return list(getattr(self, "live_teach_back", None) or [])


def content_hash(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").replace("\r\n", "\n").strip().encode())
        digest.update(b"\x00")
    return digest.hexdigest()


class ContentVersionQuerySet(models.QuerySet):
    def for_content(self, content):
        return self.filter(content_type=ContentType.objects.get_for_model(content), object_id=content.pk)

    def published(self):
        """Versions that reached patients (an approval waiting for its publish time has none yet)."""
        return self.filter(published_at__isnull=False)

    def pending(self):
        return self.filter(published_at__isnull=True)


class ContentVersion(models.Model):
    """Every approved version of an article or FAQ entry, kept for ever: what a patient read.

    A row is written when a reviewer approves a change; `published_at` is set when it reaches patients
    (at once, or later by publish_due when the approval was scheduled).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    content = GenericForeignKey("content_type", "object_id")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    body_html = models.TextField()
    teach_back = models.TextField(blank=True, help_text="The teach-back questions' source, as approved.")
    content_hash = models.CharField(max_length=64)
    material_change = models.BooleanField(default=False)
    # A translation's version: the version of its source it translates (None for a source page).
    source_version = models.PositiveIntegerField(null=True, blank=True)
    checked_against = models.CharField(max_length=200, blank=True)
    edited_by_name = models.CharField(max_length=150, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_name = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True, help_text="When patients started seeing it.")

    objects = ContentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["content_type", "object_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "version"], name="content_version_unique")
        ]
        permissions = [("approve_content", "Can approve and publish articles and FAQ entries")]

    def __str__(self):
        return f"{self.title} v{self.version}"


class ContentEditorQuerySet(models.QuerySet):
    def for_content(self, content):
        return self.filter(content_type=ContentType.objects.get_for_model(content), object_id=content.pk)


class ContentEditor(models.Model):
    """Someone who changed what patients would read of a page (its working hash) since its last approval.

    The four-eyes rule (portal.content.workflow) refuses the approval to every one of them, not only to the
    last editor and the submitter. Rows are written by content_record_edit and revert, deleted on approval.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_edited_at = models.DateTimeField(default=timezone.now)

    objects = ContentEditorQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "user"], name="content_editor_unique")
        ]

    def __str__(self):
        return f"{self.user} changed {self.content_type.model} #{self.object_id}"
