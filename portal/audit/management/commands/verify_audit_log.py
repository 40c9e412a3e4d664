"""Check the audit log's hash chain (and that its database guard is in place).

Exit 0 with "OK: N events, chain intact", or exit 1 naming the first broken link: the event's id and time,
what was expected and what was found.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from portal.audit.selectors import audit_chain_verify, audit_guard_missing


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; report the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, choices=tuple(connections))

    def handle(self, *args, database, **options):
        report = audit_chain_verify(using=database)
        if not report.intact:
            intact = report.events - 1
            raise CommandError(f"Chain broken after {intact} intact event{'s' * (intact != 1)}: {report.first_break}")
        missing = audit_guard_missing(using=database)
        if missing:
            raise CommandError(
                f"{report.events} events, chain intact, but the database guard is missing: {', '.join(missing)}. "
                "Recreate the triggers (portal/audit/migrations/0003_append_only_triggers.py)."
            )
        self.stdout.write(f"OK: {report.events} events, chain intact")
        if report.events:
            # The chain cannot show that its newest events were removed; a copy of this hash kept elsewhere can.
            self.stdout.write(f"Last hash: {report.last_hash}")
