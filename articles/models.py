from django.db import models
from django.urls import reverse
from django.utils import translation
from markdownx.models import MarkdownxField

from portal.content.frozen import FrozenOncePublished
from portal.content.models import PageToRead, ReviewedContent, TranslatedContent, content_hash


class Article(FrozenOncePublished, PageToRead, ReviewedContent):
    page_kind = "article"
    # Its address: in links patients were sent and pages they saved (portal.content.frozen).
    frozen_fields = ("slug",)

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The page's address. It is fixed once the article is first published, so that links patients "
        "were given keep working: to publish it under another address, write a new article and archive this one.",
    )
    summary = models.CharField(max_length=300, help_text="One or two plain sentences shown in lists and search.")
    body = MarkdownxField(help_text="Markdown. Use ## and ### headings: they build the table of contents.")
    live_summary = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def page_title(self):
        return self.live_title

    @property
    def is_available(self):
        return self.is_live

    @classmethod
    def headings_in_language(cls, pages, *, language):
        from portal.content.selectors import page_texts_for

        texts = page_texts_for(contents=pages, language=language)
        return {text.content.pk: (text.title, "") for text in texts if text.translation is not None}

    def working_hash(self):
        return content_hash(self.title, self.summary, self.body, *self.teach_back_hash_parts())

    def copy_working_copy_to_live(self):
        super().copy_working_copy_to_live()
        self.live_summary = self.summary


class ArticleTranslation(TranslatedContent):
    """An article in another language: reviewed like the article, shown on the article's page
    (portal.content.selectors.page_text_for)."""

    source = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="translations")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, help_text="One or two plain sentences shown in lists and search.")
    body = MarkdownxField(help_text="Markdown. Use ## and ### headings: they build the table of contents.")
    live_summary = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["source__title", "language"]
        verbose_name = "article translation"
        constraints = [
            models.UniqueConstraint(fields=["source", "language"], name="article_translation_unique_language")
        ]

    def __str__(self):
        return f"{self.title} ({self.language})"

    def get_absolute_url(self):
        with translation.override(self.language):
            return self.source.get_absolute_url()

    def hashed_parts(self):
        return (self.title, self.summary, self.body)

    def copy_working_copy_to_live(self):
        super().copy_working_copy_to_live()
        self.live_summary = self.summary
