import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout

LAST_ACTIVITY_KEY = "staff_last_activity"


class StaffIdleTimeoutMiddleware:
    """Log staff out after STAFF_IDLE_TIMEOUT_SECONDS without a request (automatic log-off).

    Only a session that holds a login is looked at: a patient's or visitor's request neither loads a user
    nor changes its session (so the patient's progress beacon never saves the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SESSION_KEY in request.session and request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.STAFF_IDLE_TIMEOUT_SECONDS:
                logout(request)
            else:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)
