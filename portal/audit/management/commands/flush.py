"""Django's flush, with the audit log's database guard lifted while the tables are emptied.

The guard's triggers refuse DELETE (SQLite's flush) and TRUNCATE (PostgreSQL's): without this, flush, and
with it every transactional test's clean-up, would fail. The guard is lifted inside the flush's own
transaction and restored before it commits (portal.audit.guard.guard_lifted). Wiping the whole database
stays an explicit act (`manage.py flush` asks for "yes" unless --noinput).
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from portal.audit.guard import guard_lifted


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        ops = connection.ops
        execute_sql_flush = ops.execute_sql_flush

        def execute_with_guard_lifted(sql_list):
            with transaction.atomic(using=connection.alias), guard_lifted(connection):
                execute_sql_flush(sql_list)

        # Only the emptying runs with the guard lifted; the confirmation prompt runs outside any transaction.
        ops.execute_sql_flush = execute_with_guard_lifted
        try:
            return super().handle(**options)
        finally:
            del ops.execute_sql_flush
