import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout

LAST_ACTIVITY_KEY = "staff_last_activity"
# Staff last activity is saved at most this often (see StaffIdleTimeoutMiddleware).
LAST_ACTIVITY_WRITE_SECONDS = 60


def permissions_policy_header(policy):
    """{"camera": [], "fullscreen": ["self"]} -> 'camera=(), fullscreen=(self)'."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class SecurityHeadersMiddleware:
    """Permissions-Policy and Cross-Origin-Resource-Policy on every response (Django has settings for the other
    security headers, not for these two). A view may set its own; none is overwritten."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = {}
        if settings.PERMISSIONS_POLICY:
            self.headers["Permissions-Policy"] = permissions_policy_header(settings.PERMISSIONS_POLICY)
        if settings.CROSS_ORIGIN_RESOURCE_POLICY:
            self.headers["Cross-Origin-Resource-Policy"] = settings.CROSS_ORIGIN_RESOURCE_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.headers.items():
            response.setdefault(name, value)
        return response


class StaffIdleTimeoutMiddleware:
    """Log staff out after STAFF_IDLE_TIMEOUT_SECONDS without a request (automatic log-off).

    Only a session that holds a login is looked at: a patient's or visitor's request neither loads a user
    nor changes its session (so the patient's progress beacon never saves the session).

    The last activity is written at most once per LAST_ACTIVITY_WRITE_SECONDS (a minute, or less under a
    short timeout), so most staff requests do not save the session at all. The stored time may then be up
    to that long behind the last request: staff may be logged out that much early, never late."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # A view marked `staff_session_unused` (the patient's beacon) must not even load the Django session.
        if getattr(view_func, "staff_session_unused", False):
            return None
        if SESSION_KEY in request.session and request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            timeout = settings.STAFF_IDLE_TIMEOUT_SECONDS
            if last is not None and now - last > timeout:
                logout(request)
            elif last is None or now - last >= min(LAST_ACTIVITY_WRITE_SECONDS, timeout / 10):
                request.session[LAST_ACTIVITY_KEY] = now
        return None
