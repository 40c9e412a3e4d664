"""python manage.py purge_interface_messages: delete the records of HL7/FHIR messages older than the retention.

INTERFACE_MESSAGE_RETENTION_DAYS (30 by default) or --days. Run it daily (cron, or a systemd timer); the
hl7_listen process also purges once an hour. Sessions the messages made are kept.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.reading.services.appointments import interface_messages_purge


class Command(BaseCommand):
    help = "Delete interface message records (and kept payloads) older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep this many days (default: the setting).")

    def handle(self, *args, days, **options):
        days = settings.INTERFACE_MESSAGE_RETENTION_DAYS if days is None else days
        deleted = interface_messages_purge(days=days)
        self.stdout.write(f"{deleted} interface message record(s) older than {days} day(s) deleted.")
