from django.contrib import admin
from django.urls import reverse
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from articles.models import Article, ArticleTranslation
from portal.content.admin import ReviewedContentAdmin
from portal.content.admin.translations import TranslatedSourceMixin, TranslationAdmin


@admin.register(Article)
class ArticleAdmin(TranslatedSourceMixin, ReviewedContentAdmin):
    translation_admin_name = "articles_articletranslation"
    list_display = ("title", "status", "published_version", "last_reviewed_at", "next_review_due", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("title",)
    # The editor with live preview (markdownx's admin widget: its JS and CSS come from static files).
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
    # The reviewer's diff carries the Markdown too ("Markdown source changes").

    def get_readonly_fields(self, request, obj=None):
        frozen = Article.frozen_fields if obj is not None and obj.is_frozen() else ()
        return (*super().get_readonly_fields(request, obj), *frozen)

    def get_prepopulated_fields(self, request, obj=None):
        # A read-only slug is not filled in from the title (and the admin cannot prepopulate a read-only field).
        return {} if obj is not None and obj.is_frozen() else super().get_prepopulated_fields(request, obj)

    def view_on_site(self, obj):
        # Staff land on the preview of the working copy; it links to the live page when there is one.
        return reverse("articles:preview", kwargs={"slug": obj.slug})


@admin.register(ArticleTranslation)
class ArticleTranslationAdmin(TranslationAdmin):
    """An article in another language, written with the same editor and preview, reviewed like the article."""

    list_display = ("title", "source", "language", "status", "published_version", "source_state_column")
    search_fields = ("title", "summary", "body", "source__title")
    fields = ("source", "language", "source_version", "title", "summary", "body")
    ordering = ("source__title", "language")
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}

    def view_on_site(self, obj):
        return reverse("articles:translation_preview", kwargs={"slug": obj.source.slug, "language": obj.language})
