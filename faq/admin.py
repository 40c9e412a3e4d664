from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from faq.models import FaqEntry, FaqEntryTranslation, FaqTopic, FaqTopicHeading, FaqTopicHeadingTranslation
from faq.services import faq_topic_heading_for_change
from portal.content.admin import ReviewedContentAdmin
from portal.content.admin.translations import TranslatedSourceMixin, TranslationAdmin


class FrozenFieldsMixin:
    """Fields that say where patients find a page (and a topic's heading) are read-only once it was published
    (portal.content.frozen); their help text says why."""

    def get_readonly_fields(self, request, obj=None):
        frozen = self.model.frozen_fields if obj is not None and obj.is_frozen() else ()
        own = tuple(super().get_readonly_fields(request, obj))
        return own + tuple(name for name in frozen if name not in own)

    def get_prepopulated_fields(self, request, obj=None):
        # The admin cannot fill in a read-only slug from the title.
        return {} if obj is not None and obj.is_frozen() else super().get_prepopulated_fields(request, obj)


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
class FaqTopicAdmin(FrozenFieldsMixin, admin.ModelAdmin):
    list_display = ("title", "position", "published_version")
    list_editable = ("position",)
    search_fields = ("title", "intro")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("position", "title")
    inlines = [FaqEntryOrderInline]

    def get_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen():
            return ["title", "intro", "heading_review", "slug", "position"]
        return ["title", "slug", "intro", "position"]

    def get_readonly_fields(self, request, obj=None):
        extra = ("heading_review",) if obj is not None and obj.is_frozen() else ()
        return (*super().get_readonly_fields(request, obj), *extra)

    @admin.display(description="Change the title or introduction")
    def heading_review(self, obj):
        heading = FaqTopicHeading.objects.filter(topic=obj).first()
        state = f" (now: {heading.get_status_display().lower()})" if heading else ""
        return format_html(
            '<a href="{}">Change the title or introduction (reviewed)</a>{}<div class="help">Patients see the '
            "title and introduction above until a reviewer approves a change. Their translations are listed "
            "there too.</div>",
            reverse("admin:faq_faqtopic_heading", args=[obj.pk]),
            state,
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.heading_view)
        return [path("<path:object_id>/heading/", view, name="faq_faqtopic_heading"), *super().get_urls()]

    def heading_view(self, request, object_id):
        """To the topic's reviewed heading, made from what patients see on first use (no change for patients, so
        a plain link may make it)."""
        topic = get_object_or_404(FaqTopic, pk=object_id)
        if not self.has_change_permission(request, topic):
            return HttpResponseRedirect(reverse("admin:faq_faqtopic_change", args=[topic.pk]))
        if not topic.is_frozen():
            messages.info(request, "Nobody has seen this topic yet: change its title and introduction here.")
            return HttpResponseRedirect(reverse("admin:faq_faqtopic_change", args=[topic.pk]))
        heading = faq_topic_heading_for_change(topic=topic)
        return HttpResponseRedirect(reverse("admin:faq_faqtopicheading_change", args=[heading.pk]))

    def view_on_site(self, obj):
        return reverse("faq:topic_preview", kwargs={"slug": obj.slug})


@admin.register(FaqEntry)
class FaqEntryAdmin(FrozenFieldsMixin, TranslatedSourceMixin, ReviewedContentAdmin):
    translation_admin_name = "faq_faqentrytranslation"
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
    # The reviewer's diff carries the Markdown too ("Markdown source changes").

    def view_on_site(self, obj):
        return reverse("faq:entry_preview", kwargs={"topic": obj.topic.slug, "slug": obj.slug})


@admin.register(FaqTopicHeading)
class FaqTopicHeadingAdmin(TranslatedSourceMixin, ReviewedContentAdmin):
    """A topic's title and introduction once patients have seen them, through the review workflow. Made from the
    topic's page (FaqTopicAdmin.heading_view), never added here; who may change topics may change headings."""

    translation_admin_name = "faq_faqtopicheadingtranslation"
    list_display = ("title", "topic", "status", "published_version", "last_reviewed_at")
    list_select_related = ("topic",)
    search_fields = ("title", "intro", "topic__title")
    fields = ("topic_link", "title", "intro")
    readonly_fields = ("topic_link",)

    @admin.display(description="Topic")
    def topic_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:faq_faqtopic_change", args=[obj.topic_id]), obj.topic)

    def has_add_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("faq.view_faqtopic") or self.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("faq.change_faqtopic")

    def view_on_site(self, obj):
        return reverse("faq:topic_preview", kwargs={"slug": obj.topic.slug})


@admin.register(FaqEntryTranslation)
class FaqEntryTranslationAdmin(TranslationAdmin):
    """An FAQ entry in another language, written with the same editor and preview, reviewed like the entry."""

    list_display = ("question", "source", "language", "status", "published_version", "source_state_column")
    search_fields = ("question", "answer", "source__question")
    fields = ("source", "language", "source_version", "question", "answer")
    ordering = ("source__topic__position", "source__position", "language")
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}

    def view_on_site(self, obj):
        return reverse(
            "faq:translation_preview",
            kwargs={"topic": obj.source.topic.slug, "slug": obj.source.slug, "language": obj.language},
        )


@admin.register(FaqTopicHeadingTranslation)
class FaqTopicHeadingTranslationAdmin(TranslationAdmin):
    """A topic page's title and introduction in another language (added from the topic's reviewed heading)."""

    list_display = ("title", "source", "language", "status", "published_version", "source_state_column")
    search_fields = ("title", "intro", "source__title")
    fields = ("source", "language", "source_version", "title", "intro")
    ordering = ("source__topic__position", "language")

    def view_on_site(self, obj):
        with translation.override(obj.language):
            return obj.source.topic.get_absolute_url()
