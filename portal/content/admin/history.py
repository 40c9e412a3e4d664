"""The kept versions of one article or FAQ entry in the admin: the list, each version exactly as patients saw
it, and a word diff between any two of them or the working copy. (Reverting to one is a workflow step:
portal.content.admin.steps.)"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path

from portal.content import diff
from portal.content.admin.pages import ContentPagesMixin
from portal.content.selectors import content_pending_version, content_versions
from portal.content.workflow import content_step


class VersionPagesMixin(ContentPagesMixin):
    def version_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/versions/", wrap(self.versions_view), name=f"{prefix}_versions"),
            path("<path:object_id>/versions/compare/", wrap(self.compare_view), name=f"{prefix}_compare"),
            path("<path:object_id>/versions/<int:version>/", wrap(self.version_view), name=f"{prefix}_version"),
        ]

    def versions_view(self, request, object_id):
        obj = self._content(request, object_id)
        versions = list(content_versions(content=obj))
        for newer, older in zip(versions, [*versions[1:], None], strict=True):
            newer.detail_url = self.workflow_url("version", obj, version=newer.version)
            newer.previous_number = older.version if older else None
        return self._page(
            request,
            obj,
            "versions.html",
            "Versions",
            versions=versions,
            pending=content_pending_version(content=obj),
            compare_url=self.workflow_url("compare", obj),
            can_revert=content_step(content=obj, user=request.user, name="revert").allowed,
        )

    def version_view(self, request, object_id, version):
        obj = self._content(request, object_id)
        kept = get_object_or_404(content_versions(content=obj), version=version)
        return self._page(
            request,
            obj,
            "version.html",
            f"Version {kept.version}",
            version=kept,
            previous=content_versions(content=obj).filter(version__lt=kept.version).first(),
            compare_url=self.workflow_url("compare", obj),
            revert_url=self.workflow_url("revert", obj, version=kept.version),
            can_revert=content_step(content=obj, user=request.user, name="revert").allowed,
        )

    def compare_view(self, request, object_id):
        """?old=<version>&new=<version or "draft">: defaults compare the last two versions."""
        obj = self._content(request, object_id)
        versions = {kept.version: kept for kept in content_versions(content=obj)}
        choices = [(str(number), f"Version {number}") for number in sorted(versions)] + [("draft", "Working copy")]
        latest = max(versions, default=None)
        old_key = request.GET.get("old") or (str(latest - 1) if latest and latest > 1 else str(latest or ""))
        new_key = request.GET.get("new") or (str(latest) if latest and latest > 1 else "draft")
        old, new = _snapshot_for(obj, versions, old_key), _snapshot_for(obj, versions, new_key)
        if old is None or new is None:
            raise Http404("Choose two versions of this page to compare.")
        return self._page(
            request,
            obj,
            "compare.html",
            "Compare versions",
            choices=choices,
            old_key=old_key,
            new_key=new_key,
            old_label=dict(choices)[old_key],
            new_label=dict(choices)[new_key],
            changes=diff.compare(old, new),
        )


def _snapshot_for(content, versions, key):
    if key == "draft":
        return diff.working_snapshot(content)
    try:
        return diff.version_snapshot(versions[int(key)])
    except (KeyError, ValueError):
        return None
