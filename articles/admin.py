from django.contrib import admin
from django.urls import reverse
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from articles.models import Article
from portal.content.admin import ReviewedContentAdmin


@admin.register(Article)
class ArticleAdmin(ReviewedContentAdmin):
    list_display = ("title", "status", "published_version", "last_reviewed_at", "next_review_due", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("title",)
    # The editor with live preview (markdownx's admin widget: its JS and CSS come from static files).
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}

    def view_on_site(self, obj):
        # Staff land on the preview of the working copy; it links to the live page when there is one.
        return reverse("articles:preview", kwargs={"slug": obj.slug})
