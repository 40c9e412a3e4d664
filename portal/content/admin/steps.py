"""The workflow steps in the admin: ONE view serves them all, keyed by the step's name.

The view asks portal.content.workflow whether the user may take the step (not their role: 403; not now:
the page says why and offers nothing to submit), then shows the step's page (a confirmation, or a form
when the step needs one) and, on POST, performs it through its service and reports the outcome: a
refusal found on POST is told where that step reports failures (a form's page, else the change page).
What differs between steps is in the small StepPage table at the end: template, form, service, messages.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path

from portal.content import diff
from portal.content.admin.pages import ContentPagesMixin, is_hard_to_read, limit_phrase, when
from portal.content.forms import ApproveForm, RejectForm
from portal.content.models import ContentStatus
from portal.content.selectors import content_versions
from portal.content.services import (
    ContentWorkflowError,
    content_approve,
    content_archive,
    content_reject,
    content_revert_to_version,
    content_submit_for_review,
)
from portal.content.workflow import content_step

# Where each step's page is, below the page's admin URL; its URL name is <app>_<model>_<step>.
STEP_ROUTES = {
    "submit": "<path:object_id>/submit/",
    "approve": "<path:object_id>/approve/",
    "reject": "<path:object_id>/reject/",
    "archive": "<path:object_id>/archive/",
    "revert": "<path:object_id>/versions/<int:version>/revert/",
}
# Steps with a button on the change page (reverting is offered on each version's page).
CHANGE_PAGE_STEPS = ("submit", "approve", "reject", "archive")


class StepViewsMixin(ContentPagesMixin):
    def step_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view(self.step_view)
        return [path(route, view, {"step_name": name}, name=f"{prefix}_{name}") for name, route in STEP_ROUTES.items()]

    def step_view(self, request, object_id, step_name, **arguments):
        obj = self._content(request, object_id)
        step = content_step(content=obj, user=request.user, name=step_name)
        if not step.permitted:
            raise PermissionDenied
        page = STEP_PAGES[step_name]
        target = page.target(obj, **arguments)
        posted = request.method == "POST"
        form = page.form(request, obj, data=request.POST if posted and step.allowed else None)
        if posted and not step.allowed and not step.needs_form:
            return self._refused(request, obj, step.reason)
        if posted and step.allowed and (form is None or form.is_valid()):
            try:
                result = page.perform(content=obj, by=request.user, form=form, target=target)
            except ContentWorkflowError as error:
                if not step.needs_form:
                    return self._refused(request, obj, str(error))
                form.add_error(None, str(error))  # e.g. the page changed while the reviewer looked
            else:
                return self._done(request, obj, *page.done(obj, result, target))
        # GET, an invalid form, or a step refused now: the page, saying why when refused.
        return self._page(
            request,
            obj,
            page.template,
            page.heading(step, target),
            step=step,
            problem=step.reason,
            form=form,
            **page.context(obj, target, step),
        )


class StepPage:
    """How the admin asks for one step and reports it: a plain confirmation unless a subclass says more."""

    template = "confirm.html"
    title = ""  # the page's heading; the step's label unless set

    def __init__(self, service=None, *, question="", explanation="", done=("", "")):
        self.service, self.question, self.explanation, self._done = service, question, explanation, done

    def target(self, content, **arguments):
        """What the step acts on besides the page (a kept version for revert), or None."""
        return None

    def heading(self, step, target):
        return self.title or step.label

    def form(self, request, content, *, data):
        return None

    def context(self, content, target, step):
        return {"question": self.question, "explanation": self.explanation, "button": step.label}

    def perform(self, *, content, by, form, target):
        return self.service(content=content, by=by)

    def done(self, content, result, target):
        """(message for the user, line for the admin's history)."""
        return self._done


class RejectPage(StepPage):
    template = "reject.html"

    def form(self, request, content, *, data):
        return RejectForm(data)

    def context(self, content, target, step):
        return {}

    def perform(self, *, content, by, form, target):
        return content_reject(content=content, by=by, note=form.cleaned_data["note"])


class ApprovePage(StepPage):
    template = "approve.html"
    title = "Review and approve"

    def form(self, request, content, *, data):
        return ApproveForm(data, content=content, user=request.user)

    def context(self, content, target, step):
        return {
            "has_changes": content.has_unpublished_changes,
            "changes": diff.compare(diff.live_snapshot(content), diff.working_snapshot(content))
            if content.published_version
            else None,
            "hard_to_read": is_hard_to_read(content),
            "limit_phrase": limit_phrase(content),
        }

    def perform(self, *, content, by, form, target):
        data = form.cleaned_data
        return content_approve(
            content=content,
            by=by,
            checked_against=data["checked_against"],
            material_change=data.get("material_change", False),
            publish_at=data["publish_at"],
            expire_at=data["expire_at"],
            next_review_due=data["next_review_due"],
            expected_hash=data["expected_hash"],
        )

    def done(self, content, version, target):
        scheduled = content.status == ContentStatus.SCHEDULED
        if version is None:
            if scheduled:
                return f"Approved. Patients see this page again from {when(content.publish_at)}.", "Review confirmed"
            return f"Review confirmed. Next review due {content.next_review_due:%Y-%m-%d}.", "Review confirmed"
        reread = " Patients of upcoming sessions must read it again." if version.material_change else ""
        if scheduled:
            return (
                f"Approved version {version.version}. Patients see it from {when(content.publish_at)}.{reread}",
                f"Approved version {version.version}, scheduled",
            )
        return (
            f"Approved version {version.version}. Patients see it now.{reread}",
            f"Approved and published version {version.version}",
        )


class RevertPage(StepPage):
    template = "revert.html"

    def target(self, content, *, version):
        return get_object_or_404(content_versions(content=content), version=version)

    def heading(self, step, kept):
        return f"Revert to version {kept.version}"

    def context(self, content, kept, step):
        return {"version": kept, "changes": diff.compare(diff.working_snapshot(content), diff.version_snapshot(kept))}

    def perform(self, *, content, by, form, target):
        return content_revert_to_version(content=content, version=target, by=by)

    def done(self, content, result, kept):
        return (
            f"The working copy is now the text of version {kept.version}, as a draft. "
            "Submit it for review to publish it.",
            f"Reverted the working copy to version {kept.version}",
        )


STEP_PAGES = {
    "submit": StepPage(
        content_submit_for_review,
        question="Submit this page for review?",
        explanation="A reviewer with the right to approve content checks it against its sources. "
        "You cannot approve your own change.",
        done=("Submitted for review. Another person must approve it.", "Submitted for review"),
    ),
    "approve": ApprovePage(),
    "reject": RejectPage(),
    "archive": StepPage(
        content_archive,
        question="Archive this page?",
        explanation="Patients stop seeing it at once, including on reading lists of upcoming sessions. "
        "Its versions are kept. Editing it and approving it again brings it back.",
        done=("Archived. Patients no longer see this page.", "Archived"),
    ),
    "revert": RevertPage(),
}
