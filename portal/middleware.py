import time

from django.conf import settings
from django.contrib.auth import logout

LAST_ACTIVITY_KEY = "staff_last_activity"


class StaffIdleTimeoutMiddleware:
    """Log staff out after STAFF_IDLE_TIMEOUT_SECONDS without a request (automatic log-off)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.STAFF_IDLE_TIMEOUT_SECONDS:
                logout(request)
            else:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)
