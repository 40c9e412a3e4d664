#!/usr/bin/env python3
"""HL7 listener benchmark: 1,000 SIU messages from 4 parallel MLLP connections against a real `hl7_listen`
process; prints messages per second and the ACK times (p50, p99, max), and checks in the database that no
message was lost and no appointment doubled.

    make bench-hl7                                          # SQLite (a fresh file) and PostgreSQL
    .venv/bin/python benchmarks/hl7_listener.py --database sqlite
    BENCH_HL7_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hl7 \
        .venv/bin/python benchmarks/hl7_listener.py --database postgres

The messages are Corepoint Health's published SIU (portal/reading/tests/testdata/hl7), each connection sending
S12s for 200 appointments of its own and then 50 replays of another connection's appointments (as a second
interface engine would), one message at a time, waiting for each ACK: 1,000 messages, 800 appointments. Every
run uses a sending system of its own, so a database used before does not change the counts. PostgreSQL is used
at BENCH_HL7_DATABASE_URL (migrated first; default postgres://postgres@127.0.0.1:5432/hl7).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.reading.tests.interop_messages import corepoint  # noqa: E402 - after the path setup above
from portal.reading.tests.mllp_client import MllpClient, ack_code  # noqa: E402

CONNECTIONS, NEW_PER_CONNECTION, REPLAYS_PER_CONNECTION = 4, 200, 50


def environment(database: str, tmp: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    if database == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp / "hl7-bench.sqlite3")
    else:
        env["DATABASE_URL"] = os.environ.get("BENCH_HL7_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hl7")
    return env


def manage(env, *args, **kwargs):
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True, **kwargs)


SETUP = """
from portal.reading.models import AppointmentTypeMapping, Treatment
treatment, _ = Treatment.objects.get_or_create(slug="hl7-bench", defaults={"name": "HL7 benchmark"})
AppointmentTypeMapping.objects.get_or_create(system="", code="HLCK", defaults={"treatment": treatment})
"""

CHECK = """
from django.db.models import Count
from portal.reading.models import InterfaceMessage, TreatmentSession
sessions = TreatmentSession.objects.filter(source_system="{system}")
doubled = sessions.values("external_id").order_by().annotate(n=Count("pk")).filter(n__gt=1).count()
messages = InterfaceMessage.objects.filter(sending_system="{system}")
print(sessions.count(), doubled, messages.count(), messages.filter(result="created").count())
"""


def message(system: str, run: str, number: int, control_id: str) -> str:
    minute = number % 600
    start = f"2031{1 + number // 8000:02d}{1 + (number // 600) % 28:02d}{8 + minute // 60:02d}{minute % 60:02d}"
    text = corepoint(event="S12", control_id=control_id, time="203001010900", start=start)
    return (
        text.replace("|CTX|", f"|{system}|")
        .replace("00331839401", f"{run}-{number}")
        .replace("|489671|", f"|B{run}-{number}|")
    )


def connection_load(port, system, run, index, times, failures):
    client = MllpClient(port)
    own = range(index * NEW_PER_CONNECTION, (index + 1) * NEW_PER_CONNECTION)
    other = (index + 1) % CONNECTIONS
    replays = range(other * NEW_PER_CONNECTION, other * NEW_PER_CONNECTION + REPLAYS_PER_CONNECTION)
    plan = [(n, f"{run}-{index}-{n}") for n in own] + [(n, f"{run}-{index}-r{n}") for n in replays]
    for number, control_id in plan:
        ack, seconds = client.send(message(system, run, number, control_id))
        times.append(seconds)
        if ack_code(ack) != "AA" or control_id not in ack:
            failures.append(control_id)
    client.close()


def run(database: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(database, Path(tmp))
        manage(env, "migrate", "-v0")
        manage(env, "createcachetable")
        manage(env, "shell", "-c", SETUP)
        listener = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "hl7_listen", "--port", "0", "--workers", "4"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            port = int(listener.stdout.readline().rsplit(":", 1)[1])
            run_id, system = uuid.uuid4().hex[:8], f"BENCH{uuid.uuid4().hex[:6]}"
            times, failures = [], []
            threads = [
                threading.Thread(target=connection_load, args=(port, system, run_id, index, times, failures))
                for index in range(CONNECTIONS)
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(600)
            elapsed = time.perf_counter() - began
        finally:
            listener.terminate()
            listener.wait(30)
        out = manage(env, "shell", "-c", CHECK.format(system=system), capture_output=True, text=True).stdout.split()
        sessions, doubled, recorded, created = map(int, out[-4:])
    times.sort()
    expected_sessions = CONNECTIONS * NEW_PER_CONNECTION
    sent = CONNECTIONS * (NEW_PER_CONNECTION + REPLAYS_PER_CONNECTION)
    return {
        "database": database,
        "messages": len(times),
        "seconds": elapsed,
        "per_second": len(times) / elapsed,
        "p50_ms": statistics.median(times) * 1000,
        "p99_ms": times[int(len(times) * 0.99) - 1] * 1000,
        "max_ms": times[-1] * 1000,
        "not_aa": len(failures),
        "lost": sent - recorded,
        "sessions": sessions,
        "doubled": doubled + max(0, sessions - expected_sessions),
        "missing_sessions": max(0, expected_sessions - sessions),
        "created": created,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    ok = True
    print("| database | messages | msg/s | ACK p50 ms | ACK p99 ms | ACK max ms | not AA | lost | sessions | doubled |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for database in databases:
        r = run(database)
        print(
            f"| {r['database']} | {r['messages']:,} | {r['per_second']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {r['max_ms']:.1f} | {r['not_aa']} | {r['lost']} | {r['sessions']:,} | {r['doubled']} |",
            flush=True,
        )
        ok = ok and r["not_aa"] == r["lost"] == r["doubled"] == r["missing_sessions"] == 0 and r["p99_ms"] < 1000
    print("verdict:", "0 lost, 0 doubled, p99 ACK under 1 s" if ok else "FAILED (see the table)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
