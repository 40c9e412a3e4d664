"""python manage.py hl7_listen --port 2575: the MLLP listener for the EHR's HL7 v2 SIU feed (long-running).

Run it beside gunicorn (and the worker) under a process manager (systemd, supervisor, a container); it stops
cleanly on SIGTERM or SIGINT, answering the messages it is handling first. Each message is answered AA, or
AE/AR with the reason (portal.reading.interop.mllp); only control ids are logged. Once an hour it deletes
message records older than INTERFACE_MESSAGE_RETENTION_DAYS.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.reading.interop.mllp import MllpListener
from portal.reading.services.appointments import interface_messages_purge


class Command(BaseCommand):
    help = "Listen for HL7 v2 SIU messages over MLLP and apply them to sessions."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (0.0.0.0: every interface).")
        parser.add_argument("--port", type=int, default=2575, help="TCP port (0: any free port, printed).")
        parser.add_argument("--workers", type=int, default=4, help="Threads handling messages (default 4).")
        parser.add_argument(
            "--idle-timeout", type=float, default=300.0, help="Close a connection silent this many seconds."
        )

    def handle(self, *args, host, port, workers, idle_timeout, **options):
        def ready(bound_port):
            self.stdout.write(f"hl7_listen: listening on {host}:{bound_port}")
            self.stdout.flush()

        def purge():
            interface_messages_purge(days=settings.INTERFACE_MESSAGE_RETENTION_DAYS)

        listener = MllpListener(host, port, workers=workers, idle_timeout=idle_timeout, purge=purge)
        listener.run(ready)
        self.stdout.write("hl7_listen: stopped")
