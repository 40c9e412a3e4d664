"""The hash chain of the audit log: each event's hash covers the previous event's hash and its own fields.

hash = SHA-256 of a canonical JSON text of {previous hash, the event's fields}. Changing, removing or
inserting a row anywhere but at the end breaks the chain at that row (`portal.audit.selectors`
finds the first break). `user_id` is left out: Django sets it to NULL when the user is deleted (the
copied user name stays, and is covered). The row's id is left out too: the links fix the order.

The canonical form must give the same text for the values written and for the values read back
from SQLite and PostgreSQL (jsonb reorders keys, inet and timestamps come back as text or objects),
so every value is normalized first; `portal.audit.values` keeps what is written within those forms.
"""

import datetime
import hashlib
import ipaddress
import json

# Changing the canonical form breaks every existing chain: bump the version and re-chain in a migration.
FORMAT_VERSION = 1
GENESIS = "0" * 64
CHAINED_FIELDS = ("username", "action", "subject", "filters", "row_count", "ip_address", "created_at")


def _canonical_time(value):
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return value.isoformat(timespec="microseconds")


def _canonical_ip(value):
    return str(ipaddress.ip_address(str(value))) if value else None


def event_hash(previous_hash, values):
    """SHA-256 (hex) of the event whose CHAINED_FIELDS are in `values` (a mapping), after `previous_hash`."""
    payload = {name: values[name] for name in CHAINED_FIELDS}
    payload["created_at"] = _canonical_time(payload["created_at"])
    payload["ip_address"] = _canonical_ip(payload["ip_address"])
    payload |= {"v": FORMAT_VERSION, "previous_hash": previous_hash}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()
