"""Published or preview: the one place that decides which version of a content page is shown.

The public pages show only the live version (`live_*` fields) of content that is published.
The preview pages (a separate URL per page, `as_view(preview=True)`) show staff the working copy
of any article or FAQ entry, whatever its status, are never cached, and say clearly that this is
not what patients see.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView

from portal.content.selectors import ShownVersion, page_text_for, page_texts_for
from portal.permissions import can_preview_content, refusal


class ContentVisibilityMixin:
    """Mix into a generic view; `as_view(preview=True)` makes the staff preview of the same page."""

    preview = False

    def dispatch(self, request, *args, **kwargs):
        if self.preview and (refused := refusal(request, can_preview_content)):
            return refused
        return super().dispatch(request, *args, **kwargs)

    def visible(self, queryset):
        """Content rows this view may show: all of them in a preview, only published ones otherwise."""
        return queryset if self.preview else queryset.published()

    def shown(self, content):
        """The text to show: the working copy in a preview; else the live text in the visitor's language when
        its translation is current, or the source with a note (portal.content.selectors.page_text_for)."""
        if self.preview:
            return ShownVersion.working(content)
        return page_text_for(content=content, language=translation.get_language())

    def shown_all(self, contents):
        """shown() of several pages (an FAQ topic's questions), their translations read in one query."""
        if self.preview:
            return [ShownVersion.working(content) for content in contents]
        return page_texts_for(contents=contents, language=translation.get_language())

    def get_context_data(self, **kwargs):
        kwargs.setdefault("preview", self.preview)
        return super().get_context_data(**kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.preview:
            add_never_cache_headers(response)
        return response


class TranslationPreviewView(ContentVisibilityMixin, DetailView):
    """Staff preview of a translation's working copy, in its language. `lookups` maps URL keywords to the
    translation's fields, e.g. {"slug": "source__slug", "language": "language"}."""

    template_name = "content/translation_preview.html"
    context_object_name = "translation"
    preview = True
    lookups = {}

    def get_object(self, queryset=None):
        filters = {field: self.kwargs[name] for name, field in self.lookups.items()}
        return get_object_or_404(self.model.objects.select_related("source"), **filters)

    def get_context_data(self, **kwargs):
        opts = self.object._meta
        kwargs["page"] = ShownVersion.working(self.object)
        kwargs["admin_url"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.object.pk])
        return super().get_context_data(**kwargs)
