"""The one place that decides who may see and do what: predicates, and one gate for views.

Views use `staff_required(predicate)` (functions) or `StaffRequiredMixin` (classes), admins call the
predicates in their `has_*_permission` methods, templates get them through `portal.context_processors`.
A model permission alone (e.g. `reading.view_patient`) never shows patient data: every place that shows
it asks `can_view_patient_data`.
"""

from functools import wraps

from django.contrib.auth import get_permission_codename
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

VIEW_PATIENT_DATA = "reading.view_patient_data"
APPROVE_CONTENT = "content.approve_content"
VIEW_AUDIT_LOG = "audit.view_auditevent"
EDIT_CONTENT_PERMISSIONS = (
    "articles.add_article",
    "articles.change_article",
    "faq.add_faqentry",
    "faq.change_faqentry",
    "articles.change_articletranslation",
    "faq.change_faqentrytranslation",
)


def is_active_staff(user):
    return user.is_authenticated and user.is_active and user.is_staff


def can_view_patient_data(user):
    """Front desk and nurses: patients, sessions, reading records, questions, exports."""
    return is_active_staff(user) and user.has_perm(VIEW_PATIENT_DATA)


def can_approve_content(user):
    """Clinical reviewers: approve, send back and archive articles and FAQ entries."""
    return is_active_staff(user) and user.has_perm(APPROVE_CONTENT)


def can_preview_content(user):
    """Staff (editors, reviewers, clinic staff) may see drafts; patients and visitors may not."""
    return is_active_staff(user)


def can_edit_content(user):
    """Editors and reviewers: the Markdown editor's live preview and image upload."""
    return is_active_staff(user) and any(user.has_perm(perm) for perm in EDIT_CONTENT_PERMISSIONS)


def can_change_content(user, model):
    """Editors and reviewers: change pages of this reviewed-content model (so submit and revert them too)."""
    opts = model._meta
    return is_active_staff(user) and user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")


def can_view_audit_log(user):
    """Privacy officers: who looked at patient data."""
    return is_active_staff(user) and user.has_perm(VIEW_AUDIT_LOG)


def refusal(request, predicate):
    """None if `request.user` passes `predicate`; else what to answer: the login page for anonymous users,
    PermissionDenied (403) raised for everyone else."""
    if predicate(request.user):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def staff_required(predicate):
    """Decorator: the view runs only for users passing `predicate` (anonymous: login page; others: 403)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return refusal(request, predicate) or view(request, *args, **kwargs)

        return wrapper

    return decorator


class StaffRequiredMixin:
    """Class-based views: set `permission_required_predicate` (a predicate of this module)."""

    permission_required_predicate = staticmethod(is_active_staff)

    def dispatch(self, request, *args, **kwargs):
        return refusal(request, self.permission_required_predicate) or super().dispatch(request, *args, **kwargs)


patient_data_required = staff_required(can_view_patient_data)


class ReadOnlyAdminMixin:
    """ModelAdmin mixin for records nobody may add, change or delete by hand (kept versions, the audit log)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
