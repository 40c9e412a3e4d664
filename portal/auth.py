"""Admin login throttle and the audit of failed logins.

Every login attempt is counted, before the password is checked, per user name tried and per client address
(portal.ratelimit.client_address: behind proxies, the address the outermost one saw), in windows of
LOGIN_LOCKOUT_SECONDS kept in the shared cache, so that all app servers count together. An attempt past
LOGIN_MAX_FAILURES_PER_USERNAME or LOGIN_MAX_FAILURES_PER_ADDRESS is refused without checking the password;
the failure that reaches a limit locks that user name or address for LOGIN_LOCKOUT_SECONDS. Counting first
(atomic `incr`) means that parallel requests cannot slip more guesses in than the limit. A successful login
gives its attempt back (the user name's count restarts), so staff behind one clinic address do not lock each
other out by logging in.

Each failed login (Django's `user_login_failed` signal) and each lockout is in the audit log with the user
name tried, never the password. The lock holds for unknown user names too: a refusal tells nothing about
which accounts exist.
"""

import contextlib
import hashlib
import math
import time

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import ngettext

from portal import ratelimit
from portal.audit.services import audit_record

KEY_PREFIX = "login"
SUBJECT_MAX_LENGTH = 200  # AuditEvent.subject


def _subject(username: str, note: str = "") -> str:
    """The audit subject: the user name tried (cut to fit), then `note`."""
    return f"username={username}"[: SUBJECT_MAX_LENGTH - len(note)] + note


class LoginThrottle:
    """The counters and locks of one login attempt: its user name and its client address."""

    def __init__(self, request: HttpRequest, username: str):
        self.request = request
        self.username = username
        # Hashed: any text fits a cache key; casefolded: "Nina" and "nina" are one account to a guesser.
        name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        self.name_subject = f"username:{name}"
        self.address_subject = f"address:{ratelimit.client_address(request)}"
        self.limits = {
            self.name_subject: settings.LOGIN_MAX_FAILURES_PER_USERNAME,
            self.address_subject: settings.LOGIN_MAX_FAILURES_PER_ADDRESS,
        }
        self.counts = {}

    def _count_key(self, subject: str) -> str:
        return f"{KEY_PREFIX}:attempts:{subject}"

    def _lock_key(self, subject: str) -> str:
        return f"{KEY_PREFIX}:locked:{subject}"

    def seconds_locked(self) -> int:
        """Seconds until the longer of the two locks ends; 0 when neither is locked."""
        locks = cache.get_many([self._lock_key(subject) for subject in self.limits])
        return max((math.ceil(until - time.time()) for until in locks.values()), default=0)

    def start(self) -> bool:
        """Count this attempt; False (counted no further) if it is one past a limit."""
        for subject, limit in self.limits.items():
            self.counts[subject] = ratelimit.count_in_window(self._count_key(subject), settings.LOGIN_LOCKOUT_SECONDS)
            if self.counts[subject] > limit:
                return False
        return True

    def failed(self) -> list[str]:
        """The attempt failed: lock what reached its limit; returns the subjects locked now."""
        locked = []
        for subject, count in self.counts.items():
            if count >= self.limits[subject]:
                seconds = settings.LOGIN_LOCKOUT_SECONDS
                if cache.add(self._lock_key(subject), time.time() + seconds, timeout=seconds):
                    locked.append(subject.split(":", 1)[0])
        return locked

    def succeeded(self) -> None:
        """The attempt logged in: the user name's count restarts, the address gets its attempt back."""
        cache.delete(self._count_key(self.name_subject))
        with contextlib.suppress(ValueError):  # its window ended meanwhile
            cache.decr(self._count_key(self.address_subject))


def too_many_attempts(seconds: int) -> ValidationError:
    minutes = max(1, math.ceil(seconds / 60))
    return ValidationError(
        ngettext(
            "Too many failed attempts to log in. For your security, logging in is paused: try again in %(minutes)d "
            "minute.",
            "Too many failed attempts to log in. For your security, logging in is paused: try again in %(minutes)d "
            "minutes.",
            minutes,
        ),
        code="too_many_attempts",
        params={"minutes": minutes},
    )


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form with the throttle in front of the password check (admin.site.login_form)."""

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:  # the field errors say what is missing; nothing was tried
            return super().clean()
        throttle = LoginThrottle(self.request, username)
        if seconds := throttle.seconds_locked():
            raise too_many_attempts(seconds)
        if not throttle.start():
            raise too_many_attempts(throttle.seconds_locked() or settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cleaned_data = super().clean()
        except ValidationError:
            if locked := throttle.failed():
                note = f" (locked: {', '.join(locked)})"
                audit_record(request=self.request, action="login.locked", subject=_subject(username, note))
            raise
        throttle.succeeded()
        return cleaned_data


def record_failed_login(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    """`user_login_failed` receiver. Django has already masked the password in `credentials`; only the user name
    is kept. Without a request (a script's authenticate()) there is no client to record."""
    if request is not None:
        username = credentials.get(get_user_model().USERNAME_FIELD, "")
        audit_record(request=request, action="login.failed", subject=_subject(str(username)))
