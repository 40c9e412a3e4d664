from django.views.generic import DetailView, ListView

from articles.models import Article
from portal.content.views import ContentVisibilityMixin


class ArticleListView(ContentVisibilityMixin, ListView):
    """Every published article, by title: one query however many there are."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get_queryset(self):
        return (
            self.visible(Article.objects.all())
            .order_by("live_title", "pk")
            .only("slug", "live_title", "live_summary", "live_reading_minutes", "last_reviewed_at")
        )


class ArticleDetailView(ContentVisibilityMixin, DetailView):
    """One article: its live version for everyone, its working copy in the staff preview."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return self.visible(Article.objects.all())

    def get_context_data(self, **kwargs):
        kwargs["page"] = self.shown(self.object)
        return super().get_context_data(**kwargs)
