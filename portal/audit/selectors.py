"""Reads of the audit log: is its hash chain intact, is its database guard in place."""

import datetime
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections

from portal.audit.chain import CHAINED_FIELDS, GENESIS, event_hash
from portal.audit.guard import guard_missing
from portal.audit.models import AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    """The first event whose link does not hold."""

    event_id: int
    created_at: datetime.datetime
    problem: str
    expected: str
    found: str

    def __str__(self):
        return (
            f"event id={self.event_id} at {self.created_at.isoformat()}: {self.problem}; "
            f"expected {self.expected}, found {self.found}"
        )


@dataclass(frozen=True)
class ChainReport:
    events: int  # events checked (up to and including the first break)
    first_break: ChainBreak | None
    last_hash: str  # of the last event checked that holds
    total: int | None = None  # all events in the log, when only the newest were checked

    @property
    def intact(self):
        return self.first_break is None

    @property
    def partial(self):
        return self.total is not None


def audit_chain_verify(*, using: str = DEFAULT_DB_ALIAS, newest: int | None = None) -> ChainReport:
    """Walk the log in id order, recomputing each hash and checking each link to the event before.

    With `newest`, only the newest that many events (a page view must stay quick on a long log), chained
    to the event before them as it is.
    """
    events = AuditEvent._base_manager.using(using).order_by("pk")
    expected_previous, total = GENESIS, None
    if newest is not None:
        anchor = events.reverse().values_list("pk", "hash")[newest : newest + 1].first()
        if anchor is not None:
            total = events.count()
            events = events.filter(pk__gt=anchor[0])
            expected_previous = anchor[1]
    rows = events.values("pk", "previous_hash", "hash", *CHAINED_FIELDS).iterator(chunk_size=2000)
    count = 0
    for row in rows:
        count += 1
        problem = None
        if row["previous_hash"] != expected_previous:
            problem = "previous_hash does not match the event before it (an event was removed, inserted or changed)"
            expected, found = expected_previous, row["previous_hash"]
        else:
            expected, found = event_hash(row["previous_hash"], row), row["hash"]
            if expected != found:
                problem = "hash does not match the event's fields (the event was changed)"
        if problem:
            found_break = ChainBreak(row["pk"], row["created_at"], problem, expected, found)
            return ChainReport(events=count, first_break=found_break, last_hash=expected_previous, total=total)
        expected_previous = row["hash"]
    return ChainReport(events=count, first_break=None, last_hash=expected_previous, total=total)


def audit_guard_missing(*, using=DEFAULT_DB_ALIAS) -> list[str]:
    """The database triggers of the append-only guard that are missing or disabled (empty: all in place)."""
    return guard_missing(connections[using])


def audit_events_about(*, subject: str, action_prefix: str = "") -> list[AuditEvent]:
    """Who looked at `subject` (e.g. "session=12"), oldest first; only actions starting with `action_prefix`."""
    return list(
        AuditEvent.objects.filter(subject=subject, action__startswith=action_prefix)
        .order_by("created_at", "pk")
        .only("username", "action", "created_at")
    )
