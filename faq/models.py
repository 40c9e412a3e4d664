from django.db import models
from django.urls import reverse
from markdownx.models import MarkdownxField

from portal.content.models import ContentQuerySet, PageToRead, ReviewedContent, content_hash


class FaqTopicQuerySet(models.QuerySet):
    def available(self):
        """Topics with at least one published question: a topic page patients can be shown."""
        return self.filter(pk__in=FaqEntry.objects.published().values("topic_id"))


class FaqTopic(PageToRead, models.Model):
    """A page of questions, e.g. "Spravato". Its entries are reviewed one by one; the topic keeps a
    version that rises whenever one of its entries is published, so reading records of a topic page
    can say which version was read."""

    page_kind = "faq_topic"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    intro = models.TextField(blank=True, help_text="Plain text shown above the questions.")
    position = models.PositiveIntegerField(default=0, help_text="Topics are listed by this number.")
    published_version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Rises whenever one of its entries is published, archived or expires."
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

    def live_entries(self):
        return self.entries.published().order_by("position", "pk")

    def refresh_live_state(self, *, material):
        """Called when one of its entries is published, archived or expired."""
        entries = list(self.live_entries().only("content_hash", "live_word_count"))
        self.published_version += 1
        if material:
            self.material_version = self.published_version
        self.content_hash = content_hash(*(entry.content_hash for entry in entries))
        self.live_word_count = sum(entry.live_word_count for entry in entries)
        self.save(update_fields=["published_version", "material_version", "content_hash", "live_word_count"])


class FaqEntry(ReviewedContent):
    title_field = "question"
    body_field = "answer"

    topic = models.ForeignKey(FaqTopic, on_delete=models.PROTECT, related_name="entries")
    question = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, help_text="Anchor of this question on its topic page.")
    answer = MarkdownxField()
    position = models.PositiveIntegerField(default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "position", "pk"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [models.UniqueConstraint(fields=["topic", "slug"], name="faq_entry_unique_slug_per_topic")]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return f"{self.topic.get_absolute_url()}#{self.slug}"

    def live_change_applied(self, *, material_change):
        """Patients read FAQ entries on their topic's page: that page's version moves with each entry's."""
        topic = FaqTopic.objects.select_for_update().get(pk=self.topic_id)
        topic.refresh_live_state(material=material_change)
        return topic
