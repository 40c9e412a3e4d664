"""What the workflow and version pages of one article or FAQ entry share: their URLs, loading the page with
the admin's permission check, rendering under templates/admin/content/, reporting the outcome."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.content import readability


def max_grade():
    return settings.READABILITY_MAX_GRADE


def readability_scale(content):
    """The readability formula of the content's language (portal.content.readability)."""
    return readability.scale_for(content.content_language)


def is_hard_to_read(content):
    return readability_scale(content).is_hard(content.readability_grade)


def reading_phrase(content):
    """What the page reads at, e.g. "US school grade 9.1" or "Szigriszt-Pazos INFLESZ score 48.2"."""
    scale = readability_scale(content)
    if scale.higher_is_harder:
        return f"US school grade {content.readability_grade}"
    return _("%(scale)s %(score)s") % {"scale": scale.name, "score": content.readability_grade}


def limit_phrase(content):
    """Why it is flagged, e.g. "above 8" (a grade) or "below 55" (a score where higher is easier)."""
    scale = readability_scale(content)
    if scale.higher_is_harder:
        return f"above {max_grade()}"
    return _("below %(limit)s") % {"limit": f"{scale.limit:g}"}


def when(value):
    """A moment as the admin writes it (clinic time), or "now"."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "now"


class ContentPagesMixin:
    """For ModelAdmins of reviewed content (ReviewedContentAdmin)."""

    def workflow_url(self, step, obj, **kwargs):
        """URL of `obj`'s admin page `step`: "change", a workflow step ("approve", ...) or a version page."""
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{step}",
            kwargs={"object_id": obj.pk, **kwargs},
            current_app=self.admin_site.name,
        )

    def _change_url(self, obj):
        return self.workflow_url("change", obj)

    def _content(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with id {object_id}.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _page(self, request, obj, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/content/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": obj,
                "title": title,
                "subtitle": str(obj),
                "change_url": self._change_url(obj),
                "versions_url": self.workflow_url("versions", obj),
                "has_view_permission": self.has_view_permission(request, obj),
                "media": self.media,
                **context,
            },
        )

    def _done(self, request, obj, message, log=None):
        self.log_change(request, obj, log or message)
        messages.success(request, message)
        return HttpResponseRedirect(self._change_url(obj))

    def _refused(self, request, obj, reason):
        messages.error(request, reason)
        return HttpResponseRedirect(self._change_url(obj))
