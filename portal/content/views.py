"""Published or preview: the one place that decides which version of a content page is shown.

The public pages show only the live version (`live_*` fields) of content that is published.
The preview pages (a separate URL per page, `as_view(preview=True)`) show staff the working copy
of any article or FAQ entry, whatever its status, are never cached, and say clearly that this is
not what patients see.
"""

from dataclasses import dataclass

from django.utils.cache import add_never_cache_headers

from portal.permissions import can_preview_content, refusal


@dataclass(frozen=True)
class ShownVersion:
    """The version of a page a template renders: the live one, or (preview) the working copy."""

    content: object
    title: str
    summary: str
    html: str
    toc: list
    reading_minutes: int
    is_preview: bool

    @classmethod
    def live(cls, content):
        return cls(
            content=content,
            title=content.live_title,
            summary=getattr(content, "live_summary", ""),
            html=content.live_html,
            toc=content.live_toc,
            reading_minutes=content.live_reading_minutes,
            is_preview=False,
        )

    @classmethod
    def working(cls, content):
        return cls(
            content=content,
            title=content.working_title,
            summary=getattr(content, "summary", ""),
            html=content.body_html,
            toc=content.toc,
            reading_minutes=content.reading_minutes,
            is_preview=True,
        )


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
        return ShownVersion.working(content) if self.preview else ShownVersion.live(content)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("preview", self.preview)
        return super().get_context_data(**kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.preview:
            add_never_cache_headers(response)
        return response
