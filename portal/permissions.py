"""The one place that decides who may see what."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

VIEW_PATIENT_DATA = "reading.view_patient_data"
APPROVE_CONTENT = "content.approve_content"
VIEW_AUDIT_LOG = "audit.view_auditevent"


def can_view_patient_data(user):
    return user.is_active and user.is_staff and user.has_perm(VIEW_PATIENT_DATA)


def can_approve_content(user):
    return user.is_active and user.is_staff and user.has_perm(APPROVE_CONTENT)


def can_preview_content(user):
    """Staff (editors, reviewers, clinic staff) may see drafts; patients and visitors may not."""
    return user.is_active and user.is_staff


EDIT_CONTENT_PERMISSIONS = (
    "articles.add_article",
    "articles.change_article",
    "faq.add_faqentry",
    "faq.change_faqentry",
)


def can_edit_content(user):
    """Editors and reviewers: the Markdown editor's live preview and image upload."""
    return user.is_active and user.is_staff and any(user.has_perm(perm) for perm in EDIT_CONTENT_PERMISSIONS)


def patient_data_required(view):
    """Anonymous users go to the login page; logged-in users without the permission get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_view_patient_data(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
