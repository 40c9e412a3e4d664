"""Django's flush, with the audit log's database guard lifted while the tables are emptied.

The guard's triggers refuse DELETE (SQLite's flush) and TRUNCATE (PostgreSQL's): without this, flush, and
with it every transactional test's clean-up, would fail. The guard is lifted inside the flush's own
transaction and restored before it commits (portal.audit.guard.guard_lifted). Wiping the whole database
stays an explicit act (`manage.py flush` asks for "yes" unless --noinput).
"""

import time

from django.core.management.commands import flush
from django.db import OperationalError, connections, transaction

from portal.audit.guard import guard_lifted


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        ops = connection.ops
        execute_sql_flush = ops.execute_sql_flush

        def execute_with_guard_lifted(sql_list):
            # Lifting the guard and TRUNCATE take exclusive table locks; a request still finishing (a live test
            # server's last beacon) can hold one of them: PostgreSQL then picks a deadlock victim. Try again.
            for attempt in range(5):
                try:
                    with transaction.atomic(using=connection.alias), guard_lifted(connection):
                        execute_sql_flush(sql_list)
                    return
                except OperationalError:
                    if attempt == 4:
                        raise
                    time.sleep(0.2 * (attempt + 1))

        # Only the emptying runs with the guard lifted; the confirmation prompt runs outside any transaction.
        ops.execute_sql_flush = execute_with_guard_lifted
        try:
            return super().handle(**options)
        finally:
            del ops.execute_sql_flush
