"""python manage.py import_hl7 FILE…: HL7 v2 SIU messages from files an interface engine drops.

A file holds one message or many (one after the other, or an HL7 batch: FHS/BHS/BTS/FTS lines are skipped;
MLLP framing characters are ignored). Each message is read, applied and recorded exactly as the MLLP listener
does (portal.reading.interop.hl7.hl7_receive), so a file imported twice, or a message that also came over MLLP,
changes nothing the second time. One line per message: its control id and result, nothing about the patient.
The exit status is 1 if any message was refused (AE/AR).
"""

import re

from django.core.management.base import BaseCommand, CommandError

from portal.reading.interop.hl7 import hl7_receive

_BATCH_LINES = ("FHS", "BHS", "BTS", "FTS")


def split_messages(text: str) -> list[str]:
    """The messages in a file's text, each starting at its MSH segment."""
    lines = [line.strip("\x0b\x1c ") for line in re.split(r"\r\n|\r|\n", text)]
    messages, current = [], []
    for line in lines:
        if not line or line[:3] in _BATCH_LINES:
            continue
        if line.startswith("MSH") and current:
            messages.append("\r".join(current))
            current = []
        current.append(line)
    if current:
        messages.append("\r".join(current))
    return messages


class Command(BaseCommand):
    help = "Import HL7 v2 SIU scheduling messages from files (one or many messages per file)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Files of HL7 v2 messages (ER7 text).")

    def handle(self, *args, files, **options):
        refused = taken = 0
        for name in files:
            try:
                with open(name, "rb") as handle:
                    text = handle.read().decode("utf-8", errors="replace")
            except OSError as error:
                raise CommandError(f"Cannot read {name}: {error.strerror}.") from None
            for number, message in enumerate(split_messages(text), start=1):
                received = hl7_receive(message)
                control_id = received.control_id or "no control id"
                line = f"{name} message {number} ({control_id}): {received.code} {received.result}"
                if received.code == "AA":
                    taken += 1
                    self.stdout.write(line)
                else:
                    refused += 1
                    self.stderr.write(line)
        summary = f"{taken} message(s) accepted, {refused} refused."
        if refused:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
