from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from faq.models import FaqEntry, FaqTopic, FaqTopicHeading
from faq.selectors import faq_topic_headings_in
from portal.content.views import ContentVisibilityMixin


class FaqViewMixin(ContentVisibilityMixin):
    def topics(self):
        """Topics with their visible entries in order: two queries however many there are."""
        entries = self.visible(FaqEntry.objects.all()).order_by("position", "pk")
        if not self.preview:
            entries = entries.defer("answer", "body_html", "toc", "live_text")  # the working copy is not shown
        return FaqTopic.objects.prefetch_related(Prefetch("entries", queryset=entries, to_attr="visible_entries"))

    def shown_entries(self, topic):
        return self.shown_all(topic.visible_entries)

    def headings_in_language(self, topics):
        """Show each topic's title and introduction in the visitor's language where its translation is current
        (never in a preview, which shows the working copy)."""
        if self.preview:
            return
        found = faq_topic_headings_in(topics=topics, language=translation.get_language())
        for topic in topics:
            if topic.pk in found:
                topic.title, topic.intro = found[topic.pk]  # in memory only, for this page


class FaqIndexView(FaqViewMixin, ListView):
    """Every topic that has published questions, each with its questions."""

    template_name = "faq/index.html"
    context_object_name = "topics"

    def get_queryset(self):
        return self.topics()

    def get_context_data(self, **kwargs):
        self.headings_in_language([topic for topic in self.object_list if topic.visible_entries])
        kwargs["sections"] = [
            {"topic": topic, "entries": self.shown_entries(topic)}
            for topic in self.object_list
            if topic.visible_entries
        ]
        return super().get_context_data(**kwargs)


class FaqTopicView(FaqViewMixin, DetailView):
    """One topic page; for the public it exists only once at least one of its questions is published."""

    template_name = "faq/topic.html"
    context_object_name = "topic"

    def get_queryset(self):
        return self.topics()

    def get_object(self, queryset=None):
        topic = super().get_object(queryset)
        if not self.preview and not topic.visible_entries:
            raise Http404(_("This topic has no published questions."))
        self.headings_in_language([topic])
        if self.preview and (heading := FaqTopicHeading.objects.filter(topic=topic).first()):
            # The preview shows the heading's working copy (never saved to the topic: patients see the approved one).
            topic.title, topic.intro = heading.title, heading.intro
        return topic

    def get_context_data(self, **kwargs):
        entries = self.shown_entries(self.object)
        reviewed = [page.content.last_reviewed_at for page in entries if page.content.last_reviewed_at]
        kwargs["entries"] = entries
        kwargs["last_reviewed_at"] = max(reviewed, default=None)
        return super().get_context_data(**kwargs)


class FaqEntryPreviewView(FaqViewMixin, DetailView):
    """Staff preview of one FAQ entry's working copy (only exists as a preview)."""

    template_name = "faq/entry_preview.html"
    context_object_name = "entry"
    preview = True

    def get_object(self, queryset=None):
        return get_object_or_404(
            FaqEntry.objects.select_related("topic"), topic__slug=self.kwargs["topic"], slug=self.kwargs["slug"]
        )

    def get_context_data(self, **kwargs):
        kwargs["page"] = self.shown(self.object)
        return super().get_context_data(**kwargs)
