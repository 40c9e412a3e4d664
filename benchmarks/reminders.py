"""Reminder benchmark (issue 12): 10,000 reminders across 5,000 sessions, sent by two `manage.py db_worker`
processes with the console email and SMS backends; every one must be sent exactly once.

    python benchmarks/reminders.py [--sessions 5000] [--workers 2] [--no-write]

The database is DATABASE_URL when set (e.g. postgres://postgres@127.0.0.1:5432/outreach: its tables are
migrated and the benchmark's rows replace every session, patient and message in it), else a fresh SQLite file.
Prints the rate and each worker's peak resident memory, and writes them into docs/benchmarks.md (the
"Reminders" section, between its markers)."""

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- reminders:start -->", "<!-- reminders:end -->"
WORKER_OPTIONS = ["--batch", "--no-reload", "--no-startup-delay", "--interval", "0.1"]


def environment(workdir):
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="true",
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        SMS_BACKEND="portal.reading.messaging.sms.ConsoleSmsBackend",
        MESSAGES_QUIET_HOURS_START="00:00",
        MESSAGES_QUIET_HOURS_END="00:00",
        DJANGO_LOG_LEVEL="WARNING",
    )
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(Path(workdir) / "reminders.sqlite3")
    return env


def seed(sessions):
    """Patients (half reachable by text, half by email), sessions in two days with one unread required page each,
    two reminder rules per treatment and one queued reminder per rule and session, all due now."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from portal.content.tests.factories import make_article
    from portal.reading.messaging.secrets import seal_token
    from portal.reading.models import (
        MessageChannel,
        MessageKind,
        OutgoingMessage,
        Patient,
        ReadingListItem,
        ReminderRule,
        SessionItem,
        Treatment,
        TreatmentSession,
        hash_token,
    )

    with transaction.atomic():
        for model in (OutgoingMessage, SessionItem, TreatmentSession, Patient, ReminderRule):
            model.objects.all().delete()
        article = make_article(publish=True, title="Benchmark page", slug=f"bench-{time.time_ns()}")
        treatment = Treatment.objects.create(name="Benchmark treatment", slug=f"bench-{time.time_ns()}")
        ReadingListItem.objects.create(treatment=treatment, position=1, article=article)
        rules = [ReminderRule.objects.create(treatment=treatment, hours_before=h) for h in (72, 24)]
        now = timezone.now()
        when = now + datetime.timedelta(days=2)
        patients = Patient.objects.bulk_create(
            Patient(
                reference=f"B-{n:06d}",
                display_name=f"Bench {n}",
                email=f"b{n}@example.org",
                mobile_number=f"+1555{n:07d}" if n % 2 else "",
                consents_to_texts=bool(n % 2),
            )
            for n in range(sessions)
        )
        tokens = [f"bench-token-{n:06d}-{time.time_ns()}" for n in range(sessions)]
        rows = TreatmentSession.objects.bulk_create(
            TreatmentSession(
                patient=patient,
                treatment=treatment,
                scheduled_at=when,
                token_hash=hash_token(token),
                link_issued_at=now,
                link_expires_at=when + datetime.timedelta(days=7),
            )
            for patient, token in zip(patients, tokens, strict=True)
        )
        SessionItem.objects.bulk_create(
            SessionItem(session=row, position=1, page=article, required=True, current_material_version=1)
            for row in rows
        )
        OutgoingMessage.objects.bulk_create(
            (
                OutgoingMessage(
                    session=row,
                    kind=MessageKind.REMINDER,
                    channel=MessageChannel.SMS if row.patient.consents_to_texts else MessageChannel.EMAIL,
                    rule=rule,
                    due_at=now,
                    link_secret=seal_token(token),
                )
                for row, token in zip(rows, tokens, strict=True)
                for rule in rules
            ),
            batch_size=1000,
        )
    from portal.reading.tasks import wake_sender_at

    return connection, OutgoingMessage, wake_sender_at


def run(sessions, workers, write):
    workdir = tempfile.mkdtemp(prefix="reminders-bench-")
    env = environment(workdir)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    for command in ("migrate", "createcachetable"):
        subprocess.run([sys.executable, "manage.py", command, "-v0"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    connection, OutgoingMessage, wake_sender_at = seed(sessions)
    seeded = time.monotonic() - started
    expected = OutgoingMessage.objects.count()
    for _ in range(workers):  # one wake-up per worker, so both send at once
        wake_sender_at(None)
    connection.close()

    outputs = [Path(workdir) / f"worker-{n}.out" for n in range(workers)]
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.1",
            ],
            cwd=ROOT,
            env=env,
            stdout=output.open("w"),
            stderr=subprocess.STDOUT,
        )
        for output in outputs
    ]
    peaks_kib = []
    for process in processes:
        _, status, usage = os.wait4(process.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, outputs
        peaks_kib.append(usage.ru_maxrss)
    elapsed = time.monotonic() - started

    from django.db.models import Count

    by_status = dict(OutgoingMessage.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    attempts = set(OutgoingMessage.objects.values_list("attempts", flat=True).distinct())
    texts = emails = 0
    for output in outputs:
        text = output.read_text(errors="replace")
        texts += len(re.findall(r"^SMS to \+", text, re.M))
        emails += len(re.findall(r"^Subject: ", text, re.M))
    per_worker = [len(re.findall(r"^(SMS to \+|Subject: )", o.read_text(errors="replace"), re.M)) for o in outputs]
    ok = by_status == {"sent": expected} and attempts == {1} and texts + emails == expected
    database = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite (WAL)"
    result = {
        "database": database,
        "messages": expected,
        "sessions": sessions,
        "workers": workers,
        "seconds": elapsed,
        "rate": expected / elapsed,
        "peaks_mib": [kib / 1024 for kib in peaks_kib],
        "per_worker": per_worker,
        "texts": texts,
        "emails": emails,
        "ok": ok,
        "seeded": seeded,
    }
    print(result)
    if write:
        write_doc(result)
    return 0 if ok else 1


def write_doc(result):
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    today = datetime.datetime.now(datetime.UTC).date()
    row = (
        f"| {result['database']} | {result['messages']:,} ({result['texts']:,} texts, {result['emails']:,} emails) "
        f"| {result['sessions']:,} | {result['workers']} ({' / '.join(f'{n:,}' for n in result['per_worker'])}) "
        f"| {result['seconds']:.1f} | {result['rate']:,.0f} | {' / '.join(f'{m:.0f}' for m in result['peaks_mib'])} "
        f"| {'yes' if result['ok'] else 'NO'} |"
    )
    text = DOC.read_text()
    if START not in text:
        text = text.rstrip("\n") + (f"\n\n## Reminders (issue 12)\n\n{START}\n{END}\n")
    before, rest = text.split(START, 1)
    old, after = rest.split(END, 1)
    rows = [line for line in old.splitlines() if line.startswith("| ") and not line.startswith("| database")]
    rows = [line for line in rows if not line.startswith(f"| {result['database']} ")] + [row]
    body = (
        f"\n`python benchmarks/reminders.py` (DATABASE_URL for PostgreSQL), {today:%Y-%m-%d}, "
        f"{platform.python_version()}, 2 cores, load average before the run {load}. Reminders queued in bulk, all "
        "due now; two `manage.py db_worker --batch` processes woken at once, console email and SMS backends "
        "(output counted); quiet hours off. Exactly once: every row `sent` with one attempt, and the workers "
        "printed as many messages as there are rows.\n\n"
        "| database | reminders | sessions | workers (sent by each) | seconds | messages/s | worker peak RSS MiB "
        "| each sent exactly once |\n|---|---:|---:|---|---:|---:|---:|---|\n" + "\n".join(rows) + "\n"
    )
    DOC.write_text(before + START + body + END + after)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    arguments = parser.parse_args()
    sys.exit(run(arguments.sessions, arguments.workers, not arguments.no_write))
