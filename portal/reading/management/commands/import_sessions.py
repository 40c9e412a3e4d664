"""python manage.py import_sessions FILE.csv: the day's appointments from the clinic's scheduling system.

Columns (header row required, any order, extra columns ignored):
    patient_reference, patient_name, email, treatment, scheduled_at
`treatment` is a treatment's slug; `scheduled_at` is ISO 8601, in clinic local time when it has no offset.

- A header without every column is refused as a whole, naming the missing columns; nothing is saved.
- Each row is saved in its own transaction (portal.reading.services.imports.session_import_row). A bad
  row is reported with its line number and column and nothing of it is saved; the other rows go on. The
  exit status is 1 if any row failed.
- Idempotent on patient reference + treatment + time: importing the same file again creates nothing.
  The patient's name and email are updated to the file's values.
- One line per session with its full patient link (PORTAL_BASE_URL + /p/<token>/). Links are shown once
  (only a hash is kept), so for a session that already exists with a working link the line says
  "unchanged" and shows no link, and that link keeps working. Pass --reissue-links to issue new links for
  such sessions (their old links stop working). An existing session without a working link (never issued,
  expired) gets a new one, except a revoked link, which staff stopped on purpose: reissue it from the
  session page or with --reissue-links.
"""

import csv
import io
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.reading.forms import IMPORT_COLUMNS, ImportRowForm
from portal.reading.links import patient_link_url
from portal.reading.services.imports import session_import_row


class RowError(Exception):
    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = messages


class Command(BaseCommand):
    help = "Import treatment sessions from a CSV file and print each session's patient link."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8) with a header row; '-' reads standard input.")
        parser.add_argument(
            "--reissue-links",
            action="store_true",
            help="Issue new links for sessions that already exist (their earlier links stop working).",
        )

    def handle(self, *args, file, reissue_links, **options):
        # Read (and decode) the whole file first: a file that is not UTF-8 is refused before anything is saved.
        try:
            if file == "-":
                text = sys.stdin.buffer.read().decode("utf-8-sig")
            else:
                with open(file, "rb") as handle:
                    text = handle.read().decode("utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{file} is not UTF-8 text: save it from your spreadsheet as 'CSV UTF-8'. Nothing was imported."
            ) from None
        return self._import(io.StringIO(text, newline=""), reissue_links)

    def _import(self, handle, reissue_links):
        reader = csv.DictReader(handle)
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
        missing = [column for column in IMPORT_COLUMNS if column not in header]
        if missing:
            raise CommandError(
                f"The file's header is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}. "
                f"Expected: {', '.join(IMPORT_COLUMNS)}. Nothing was imported."
            )
        reader.fieldnames = header
        failed = succeeded = 0
        for row in reader:
            line = reader.line_num
            try:
                self.stdout.write(f"line {line}: {self._import_row(row, reissue_links)}")
                succeeded += 1
            except RowError as error:
                failed += 1
                for message in error.messages:
                    self.stderr.write(f"line {line}: {message} (nothing saved for this row)")
        summary = f"{succeeded} row(s) imported, {failed} row(s) failed."
        if failed:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _import_row(self, row, reissue_links):
        if None in row:
            raise RowError(["more values than columns in the header"])
        form = ImportRowForm(data={column: (row.get(column) or "").strip() for column in IMPORT_COLUMNS})
        if not form.is_valid():
            raise RowError([f"column {column}: {' '.join(errors)}" for column, errors in form.errors.items()])
        data = form.cleaned_data
        imported = session_import_row(
            reference=data["patient_reference"],
            display_name=data["patient_name"],
            email=data["email"],
            treatment=data["treatment"],
            scheduled_at=data["scheduled_at"],
            reissue_link=reissue_links,
        )
        session = imported.session
        when = timezone.localtime(session.scheduled_at).strftime("%Y-%m-%d %H:%M %Z")
        label = f"{data['patient_reference']}, {data['treatment'].slug}, {when}"
        if imported.created:
            pages = session.items.count()
            return f"created session {session.pk} ({label}), {pages} page(s): {patient_link_url(imported.token)}"
        if imported.token:
            return f"existing session {session.pk} ({label}), new link: {patient_link_url(imported.token)}"
        state = "link revoked, not reissued" if session.link_revoked_at else "its link still works, not shown again"
        return f"existing session {session.pk} ({label}) unchanged: {state} (use --reissue-links for a new link)"
