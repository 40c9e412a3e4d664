"""python manage.py import_fhir_appointments [FILE…]: FHIR R4 Appointments from Bundle files or a FHIR server.

    import_fhir_appointments bundle.json                      a Bundle (searchset or collection) from a file
    import_fhir_appointments --server https://ehr/fhir/R4     Appointment?date=ge<since>&service-type=<codes>,
                                                              following `next` links (FHIR_SERVER_URL by default)

The bearer token comes from FHIR_BEARER_TOKEN (never from the command line, where `ps` would show it).
--service-type defaults to the active mapped codes (system|code). Appointments are keyed by their id and the
server (for files: --system, by default FHIR_SERVER_URL), so importing again, or the server's next page
repeating one, changes nothing. One line per appointment (its id and result, nothing about the patient);
exit status 1 if any was refused or the server could not be read.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.reading.interop.fhir import FhirError, bundle_import, server_import
from portal.reading.models import AppointmentTypeMapping, InterfaceResult


class Command(BaseCommand):
    help = "Import FHIR R4 Appointments from Bundle files or a FHIR server's search."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="FHIR Bundle JSON files.")
        parser.add_argument("--server", default=None, help="FHIR server base URL (default FHIR_SERVER_URL).")
        parser.add_argument("--since", default=None, help="First day to import (YYYY-MM-DD; default today).")
        parser.add_argument("--service-type", action="append", default=None, help="system|code (repeatable).")
        parser.add_argument("--system", default=None, help="For files: the server the Bundle came from.")

    def handle(self, *args, files, server, since, service_type, system, **options):
        self.refused = self.taken = 0
        if files:
            source = (system or settings.FHIR_SERVER_URL or "fhir-file").rstrip("/")
            for name in files:
                try:
                    with open(name, "rb") as handle:
                        data = json.loads(handle.read().decode("utf-8"))
                except OSError as error:
                    raise CommandError(f"Cannot read {name}: {error.strerror}.") from None
                except (UnicodeDecodeError, json.JSONDecodeError):
                    raise CommandError(f"{name} is not JSON. Nothing of it was imported.") from None
                try:
                    imported, _ = bundle_import(data, server=source)
                except FhirError as error:
                    raise CommandError(f"{name}: {error}. Nothing of it was imported.") from None
                self._report(imported)
        else:
            server = (server or settings.FHIR_SERVER_URL).rstrip("/")
            if not server:
                raise CommandError("Give Bundle files, or --server (or set FHIR_SERVER_URL).")
            since = since or timezone.localdate().isoformat()
            if service_type is None:
                service_type = [
                    f"{system}|{code}" if system else code
                    for system, code in AppointmentTypeMapping.objects.filter(is_active=True).values_list(
                        "system", "code"
                    )
                ]
            try:
                for imported in server_import(
                    server, token=settings.FHIR_BEARER_TOKEN, since=since, service_types=service_type
                ):
                    self._report(imported)
            except FhirError as error:
                raise CommandError(f"{error}. The pages before were imported.") from None
        summary = f"{self.taken} appointment(s) taken, {self.refused} refused."
        if self.refused:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _report(self, imported):
        for item in imported:
            line = f"Appointment {item.appointment_id or '(no id)'}: {item.result}"
            if item.result == InterfaceResult.REJECTED:
                self.refused += 1
                self.stderr.write(f"{line} ({item.error})")
            else:
                self.taken += 1
                self.stdout.write(line)
