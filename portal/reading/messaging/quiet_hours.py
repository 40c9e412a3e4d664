"""The clinic's quiet hours (settings.MESSAGES_QUIET_HOURS_START to _END, clinic time): no message goes out then."""

import datetime

from django.conf import settings
from django.utils import timezone


def _hours():
    start, end = (
        datetime.time.fromisoformat(value)
        for value in (settings.MESSAGES_QUIET_HOURS_START, settings.MESSAGES_QUIET_HOURS_END)
    )
    return start, end


def is_quiet(moment: datetime.datetime) -> bool:
    start, end = _hours()
    if start == end:
        return False
    local = timezone.localtime(moment).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end  # across midnight, e.g. 21:00-08:00


def next_allowed(moment: datetime.datetime) -> datetime.datetime:
    """`moment` itself outside quiet hours, otherwise the end of the quiet hours it falls in (clinic time)."""
    if not is_quiet(moment):
        return moment
    _, end = _hours()
    local = timezone.localtime(moment)
    candidate = datetime.datetime.combine(local.date(), end)
    if candidate.time() <= local.time():
        candidate += datetime.timedelta(days=1)
    return timezone.make_aware(candidate, timezone.get_current_timezone())
