from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from faq.models import FaqEntry, FaqTopic


def _topics_with_live_entries():
    entries = FaqEntry.objects.published().order_by("position", "pk")
    return FaqTopic.objects.prefetch_related(Prefetch("entries", queryset=entries, to_attr="published_entries"))


def faq_index(request):
    topics = [topic for topic in _topics_with_live_entries() if topic.published_entries]
    return render(request, "faq/index.html", {"topics": topics})


def faq_topic(request, slug):
    topic = get_object_or_404(_topics_with_live_entries(), slug=slug)
    return render(request, "faq/topic.html", {"topic": topic})
