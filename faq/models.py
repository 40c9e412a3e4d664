from django.db import models
from django.urls import reverse
from django.utils import translation
from markdownx.models import MarkdownxField

from portal.content.frozen import FrozenOncePublished
from portal.content.models import PageToRead, ReviewedContent, TranslatedContent, content_hash

TOPIC_HEADING_HELP = (
    "Shown to patients on the topic page and their reading lists. Once a question of this topic is published it "
    "changes only through review: use “Change the title or introduction (reviewed)” on the topic's page."
)


class FaqTopicQuerySet(models.QuerySet):
    def available(self):
        """Topics with at least one published question: a topic page patients can be shown."""
        return self.filter(pk__in=FaqEntry.objects.published().values("topic_id"))


class FaqTopic(FrozenOncePublished, PageToRead, models.Model):
    """A page of questions, e.g. "Spravato". Its entries are reviewed one by one; the topic keeps a
    version that rises whenever one of its entries (or its heading) is published, so reading records of a
    topic page can say which version was read.

    `title` and `intro` are what patients see. Until the topic is first shown (its first question published)
    editors set them on the topic; from then on they are frozen here and change only when a reviewer approves
    the topic's FaqTopicHeading (the same review workflow as every page). Its address (`slug`) is frozen too."""

    page_kind = "faq_topic"
    frozen_fields = ("slug", "title", "intro")

    title = models.CharField(max_length=200, help_text=TOPIC_HEADING_HELP)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The topic page's address. It is fixed once a question of the topic is published, so that links "
        "patients were given keep working.",
    )
    intro = models.TextField(blank=True, help_text="Plain text shown above the questions. " + TOPIC_HEADING_HELP)
    position = models.PositiveIntegerField(default=0, help_text="Topics are listed by this number.")
    published_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Rises whenever one of its entries is published, archived or expires, or its heading changes.",
    )
    material_version = models.PositiveIntegerField(default=0, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    live_word_count = models.PositiveIntegerField(default=0, editable=False)

    objects = FaqTopicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("faq:topic", kwargs={"slug": self.slug})

    @property
    def page_title(self):
        return self.title

    @property
    def is_available(self):
        return FaqTopic.objects.available().filter(pk=self.pk).exists()

    @classmethod
    def headings_in_language(cls, pages, *, language):
        from faq.selectors import faq_topic_headings_in

        return faq_topic_headings_in(topics=pages, language=language)

    def live_entries(self):
        return self.entries.published().order_by("position", "pk")

    @property
    def teach_back_questions(self):
        """Its live entries' teach-back questions, in the order the entries are shown."""
        return [question for entry in self.live_entries().only("live_teach_back") for question in entry.live_teach_back]

    def refresh_live_state(self, *, material):
        """Called when one of its entries is published, archived or expired, or its heading changed."""
        entries = list(self.live_entries().only("content_hash", "live_word_count"))
        self.published_version += 1
        if material:
            self.material_version = self.published_version
        self.content_hash = content_hash(self.title, self.intro, *(entry.content_hash for entry in entries))
        self.live_word_count = sum(entry.live_word_count for entry in entries)
        self.save(update_fields=["published_version", "material_version", "content_hash", "live_word_count"])


class FaqEntry(FrozenOncePublished, ReviewedContent):
    title_field = "question"
    body_field = "answer"
    # Where patients find it: its topic page and its anchor there (portal.content.frozen).
    frozen_fields = ("topic", "slug")

    topic = models.ForeignKey(
        FaqTopic,
        on_delete=models.PROTECT,
        related_name="entries",
        help_text="The page this question is on. It is fixed once the question is first published, so that links "
        "patients were given keep working: to ask it on another topic, write it there and archive this one.",
    )
    question = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        help_text="Anchor of this question on its topic page, fixed once the question is first published.",
    )
    answer = MarkdownxField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["topic", "position", "pk"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [models.UniqueConstraint(fields=["topic", "slug"], name="faq_entry_unique_slug_per_topic")]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return f"{self.topic.get_absolute_url()}#{self.slug}"

    def page_to_read(self):
        return self.topic
    def teach_back_sections(self, toc):
        """An entry's questions may point at the entry itself (its question, anchored by its slug) or its headings."""
        return {self.question: self.slug, **super().teach_back_sections(toc)}

    def live_change_applied(self, *, material_change):
        """Patients read FAQ entries on their topic's page: that page's version moves with each entry's."""
        topic = FaqTopic.objects.select_for_update().get(pk=self.topic_id)
        topic.refresh_live_state(material=material_change)
        return topic


class FaqTopicHeading(ReviewedContent):
    """The title and introduction of an FAQ topic page that patients have seen, reviewed like any page.

    Made from the topic's title and introduction the first time staff change them, as version 1: what patients
    already see (faq.services.faq_topic_heading_for_change). An approved version is copied to the topic
    (`title`, `intro`), whose page version rises. A heading is never withdrawn from patients: archiving or
    expiring it leaves the topic's title and introduction as last approved."""

    withdrawable = False

    title_field = "title"
    body_field = "intro"

    topic = models.OneToOneField(FaqTopic, on_delete=models.CASCADE, related_name="heading", editable=False)
    title = models.CharField(max_length=200, help_text="The topic page's title.")
    intro = models.TextField(blank=True, help_text="Plain text shown above the questions.")
    live_intro = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = "FAQ topic title and introduction"
        verbose_name_plural = "FAQ topic titles and introductions"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.topic.get_absolute_url()

    def copy_working_copy_to_live(self):
        super().copy_working_copy_to_live()
        self.live_intro = self.intro

    def page_to_read(self):
        return self.topic

    def live_change_applied(self, *, material_change):
        """An approved heading reaches the topic page (the only path that changes a published topic's heading)."""
        topic = FaqTopic.objects.select_for_update().get(pk=self.topic_id)
        if self.is_live and (topic.title, topic.intro) != (self.live_title, self.live_intro):
            # A queryset update: FaqTopic.save refuses to change a published topic's heading (FrozenOncePublished).
            FaqTopic.objects.filter(pk=topic.pk).update(title=self.live_title, intro=self.live_intro)
            topic.title, topic.intro = self.live_title, self.live_intro
            topic.refresh_live_state(material=material_change)
        return topic


class FaqEntryTranslation(TranslatedContent):
    """An FAQ entry in another language: reviewed like the entry, shown on its topic's page in that language
    (portal.content.selectors.page_text_for)."""

    title_field = "question"
    body_field = "answer"

    source = models.ForeignKey(FaqEntry, on_delete=models.PROTECT, related_name="translations")
    question = models.CharField(max_length=300)
    answer = MarkdownxField()

    class Meta:
        ordering = ["source__topic", "source__position", "language"]
        verbose_name = "FAQ entry translation"
        constraints = [
            models.UniqueConstraint(fields=["source", "language"], name="faq_entry_translation_unique_language")
        ]

    def __str__(self):
        return f"{self.question} ({self.language})"

    def get_absolute_url(self):
        with translation.override(self.language):
            return self.source.get_absolute_url()


class FaqTopicHeadingTranslation(TranslatedContent):
    """An FAQ topic page's title and introduction in another language, reviewed like the heading it translates
    (faq.selectors.faq_topic_headings_in)."""

    title_field = "title"
    body_field = "intro"

    source = models.ForeignKey(FaqTopicHeading, on_delete=models.PROTECT, related_name="translations")
    title = models.CharField(max_length=200, help_text="The topic page's title.")
    intro = models.TextField(blank=True, help_text="Plain text shown above the questions.")
    live_intro = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = "FAQ topic title translation"
        constraints = [
            models.UniqueConstraint(fields=["source", "language"], name="faq_topic_heading_translation_unique_language")
        ]

    def __str__(self):
        return f"{self.title} ({self.language})"

    def get_absolute_url(self):
        with translation.override(self.language):
            return self.source.get_absolute_url()

    def copy_working_copy_to_live(self):
        super().copy_working_copy_to_live()
        self.live_intro = self.intro
