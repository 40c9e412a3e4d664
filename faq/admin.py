from django.contrib import admin
from django.urls import reverse
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from faq.models import FaqEntry, FaqTopic
from portal.content.admin import ReviewedContentAdmin


class FaqEntryOrderInline(admin.TabularInline):
    """The topic's questions in page order; only their position is edited here."""

    model = FaqEntry
    fields = ("position", "question", "status", "published_version")
    readonly_fields = ("question", "status", "published_version")
    ordering = ("position", "pk")
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "question (order on the page)"
    verbose_name_plural = "questions, in page order (edit a question to change its text)"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FaqTopic)
class FaqTopicAdmin(admin.ModelAdmin):
    list_display = ("title", "position", "published_version")
    list_editable = ("position",)
    search_fields = ("title", "intro")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("position", "title")
    inlines = [FaqEntryOrderInline]

    def view_on_site(self, obj):
        return reverse("faq:topic_preview", kwargs={"slug": obj.slug})


@admin.register(FaqEntry)
class FaqEntryAdmin(ReviewedContentAdmin):
    list_display = (
        "question",
        "topic",
        "position",
        "status",
        "published_version",
        "last_reviewed_at",
        "next_review_due",
    )
    list_display_links = ("question",)
    list_editable = ("position",)
    list_filter = ("status", "topic")
    list_select_related = ("topic",)
    search_fields = ("question", "answer")
    prepopulated_fields = {"slug": ("question",)}
    ordering = ("topic__position", "topic__title", "position", "pk")
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}

    def view_on_site(self, obj):
        return reverse("faq:entry_preview", kwargs={"topic": obj.topic.slug, "slug": obj.slug})
