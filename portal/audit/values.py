"""What an audit event may hold: every value made to fit its column before it is written.

An audit event is written on the way to showing patient data, so a value that does not fit (a 250-character
id in the subject, a NUL byte PostgreSQL refuses, a float jsonb would rewrite) must never fail the insert
(a 500) nor change on its way through the database (a false break of the hash chain). Long text is cut
and ends in "…"; filters become JSON of strings, whole numbers, booleans and nulls, bounded in size.
"""

import datetime
import ipaddress
import itertools
import json
from collections.abc import Mapping

from django.utils import timezone

ELLIPSIS = "…"
MAX_FILTER_KEY = 64
MAX_FILTER_TEXT = 200
MAX_FILTER_ITEMS = 20  # per mapping or list
MAX_FILTER_DEPTH = 3
MAX_FILTERS_JSON = 2000  # characters of the whole filters JSON
MAX_ROW_COUNT = 2_147_483_647  # PositiveIntegerField on PostgreSQL
MAX_EXACT_INT = 2**53  # larger whole numbers are kept as text: not every JSON reader keeps them exact


def fitted_text(value, max_length):
    """`value` as text PostgreSQL and SQLite store unchanged: no NUL, no lone surrogate, at most max_length."""
    if value is None:
        return ""
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # a bad __str__ must not cost the audit event
        text = f"<unprintable {type(value).__name__}>"
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if len(text) > max_length:
        text = text[: max_length - 1] + ELLIPSIS
    return text


def _json_safe(value, depth):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_EXACT_INT else fitted_text(value, MAX_FILTER_TEXT)
    if isinstance(value, bytes | bytearray):
        return fitted_text(bytes(value).decode("utf-8", "replace"), MAX_FILTER_TEXT)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if depth < MAX_FILTER_DEPTH:
        if isinstance(value, Mapping):
            return {
                fitted_text(key, MAX_FILTER_KEY): _json_safe(item, depth + 1)
                for key, item in itertools.islice(value.items(), MAX_FILTER_ITEMS)
            }
        if isinstance(value, list | tuple | set | frozenset):
            return [_json_safe(item, depth + 1) for item in itertools.islice(value, MAX_FILTER_ITEMS)]
    # Floats, decimals and anything else as text: jsonb would rewrite 1e300 as a whole number.
    return fitted_text(value, MAX_FILTER_TEXT)


def fitted_filters(filters):
    """`filters` (usually the query string as a dict) as bounded JSON that reads back exactly as written."""
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        filters = {"value": filters}
    safe = _json_safe(filters, 0)
    text = json.dumps(safe, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_FILTERS_JSON:
        return {"truncated": fitted_text(text, MAX_FILTERS_JSON)}
    return safe


def fitted_row_count(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return min(value, MAX_ROW_COUNT)


def fitted_ip(value):
    """A valid address as PostgreSQL's inet prints it, or None: IPv4-mapped IPv6 as IPv4, no zone index."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(str(value).split("%", 1)[0])
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def fitted_time(value):
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value
