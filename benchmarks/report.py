"""The benchmark's targets, verdicts and tables, printed and written to docs/benchmarks.md."""

import datetime
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

from benchmarks.measure import CONNECTIONS, THREADS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
NOTES_MARKER = "<!-- Everything below this line is kept when benchmarks/run.py rewrites the file. -->"

TARGET_CACHED_TO_STATIC = 0.95
TARGET_ITEM_TO_UNCACHED = 0.8
TARGET_BEACON_TO_INSERT = 0.5
TARGET_DASHBOARD_MS = 100
DASHBOARD_SESSIONS = 20_000
FLAT_FACTOR = 1.5  # "flat": at 20,000 sessions at most 1.5 times the time at 2,000
TARGET_CSV_SECONDS = 5
FLAT_RSS_MIB = 10  # "memory flat": the peak at 60,000 rows within 10 MiB of the peak at 6,000

# Run in the server's settings (run_django): what the shared cache and the sessions are, as the server sees them.
STACK_CODE = """
from django.conf import settings
from django.db import connection
result = {"cache": settings.CACHES["default"]["BACKEND"], "sessions": settings.SESSION_ENGINE,
          "database": connection.vendor}
"""


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))

    def version(command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    import django
    import gunicorn

    return {
        "load": ", ".join(f"{value:.2f}" for value in os.getloadavg()),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{memory_kb / 1024 / 1024:.0f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": version(["wrk", "--version"]).split(" [")[0],
        "sqlite": version([sys.executable, "-c", "import sqlite3; print(sqlite3.sqlite_version)"]),
        "postgresql": version(["psql", "--version"]),
        "redis": version(["redis-cli", "--version"]),
    }


def _step(growth, sessions):
    """The growth step with this many sessions, else the largest one below it (None without steps)."""
    below = [step for step in growth if step["sessions"] <= sessions]
    exact = [step for step in below if step["sessions"] == sessions]
    return (exact or below or [None])[-1]


def verdicts(run):
    """(target, measured, met) for each row of the issue's table."""
    results, growth = run["results"], run["growth"]
    rps = {key: result["rps"] for key, result in results.items()}
    rows = []
    for label, top, bottom, target in (
        ("cached public article / static file", "article", "static", TARGET_CACHED_TO_STATIC),
        ("patient item page / same article uncached", "item", "article_uncached", TARGET_ITEM_TO_UNCACHED),
        ("progress beacon / bare INSERT", "beacon", "insert", TARGET_BEACON_TO_INSERT),
    ):
        ratio = rps[top] / rps[bottom]
        rows.append(
            (f"{label} ≥ {target}", f"{ratio:.2f} ({rps[top]:,.0f} / {rps[bottom]:,.0f} req/s)", ratio >= target)
        )
    for page, counted in run["writes"].items():
        per_request = counted["per_request"]
        writing = sum(1 for writes in per_request if writes)
        rows.append(
            (
                f"staff {page.lower()}: 0 database writes on most requests",
                f"{writing} of {len(per_request)} requests wrote ({sum(per_request)} statements"
                + (f"; {counted['audit_events']} audit events apart)" if counted["audit_events"] else ")"),
                writing * 2 < len(per_request),
            )
        )
    first, at_target = (growth[0] if growth else None), _step(growth, DASHBOARD_SESSIONS)
    if first and at_target:
        ms, flat = at_target["dashboard_ms"], at_target["dashboard_ms"] <= FLAT_FACTOR * first["dashboard_ms"]
        rows.append(
            (
                f"dashboard week view < {TARGET_DASHBOARD_MS} ms server time at {DASHBOARD_SESSIONS:,} sessions, "
                f"flat (≤ {FLAT_FACTOR}×) from {first['week_sessions']:,}",
                f"{ms:.0f} ms at {at_target['sessions']:,} sessions, {first['dashboard_ms']:.0f} ms at "
                f"{first['sessions']:,} (p50, 1 client; {at_target['week_sessions']:,} in the week)",
                ms < TARGET_DASHBOARD_MS and flat and at_target["sessions"] == DASHBOARD_SESSIONS,
            )
        )
        seconds, rss_growth = at_target["csv_seconds"], at_target["rss_peak_mib"] - first["rss_peak_mib"]
        rows.append(
            (
                f"CSV export of {3 * DASHBOARD_SESSIONS:,} rows < {TARGET_CSV_SECONDS} s, memory flat "
                f"(peak RSS within {FLAT_RSS_MIB} MiB of {first['csv_rows']:,} rows)",
                f"{at_target['csv_rows']:,} rows in {seconds:.1f} s "
                f"({at_target.get('csv_cpu_seconds', float('nan')):.1f} s of worker CPU); "
                f"worker peak RSS {at_target['rss_peak_mib']:.0f} MiB against {first['rss_peak_mib']:.0f} MiB",
                seconds < TARGET_CSV_SECONDS
                and rss_growth < FLAT_RSS_MIB
                and at_target["csv_rows"] >= 3 * DASHBOARD_SESSIONS,
            )
        )
    return rows


def results_table(run):
    trivial = run["results"]["trivial"]["rps"]
    lines = ["| what | req/s | p50 ms | p99 ms | errors | ratio to trivial |", "|---|---:|---:|---:|---:|---:|"]
    for result in run["results"].values():
        lines.append(
            f"| {result['label']} | {result['rps']:,.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{result['errors']} | {result['rps'] / trivial:.2f} |"
        )
    return "\n".join(lines)


def growth_table(run):
    lines = [
        "| sessions | records | dashboard week ms | dashboard whole history ms | beacon req/s | beacon p99 ms | "
        "CSV rows | CSV s | CSV worker CPU s | CSV rows/s | worker peak RSS MiB (before CSV) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for step in run["growth"]:
        lines.append(
            f"| {step['sessions']:,} | {step['records']:,} | {step['dashboard_ms']:.0f} | {step['history_ms']:.0f} | "
            f"{step['beacon_rps']:,.0f} | {step['beacon_p99']:.0f} | {step['csv_rows']:,} | "
            f"{step['csv_seconds']:.1f} | {step.get('csv_cpu_seconds', float('nan')):.1f} | "
            f"{step['csv_rows'] / step['csv_seconds']:,.0f} | "
            f"{step['rss_peak_mib']:.0f} ({step['rss_before_mib']:.0f}) |"
        )
    return "\n".join(lines)


def verdict_table(run):
    lines = ["| target | measured | met |", "|---|---|---|"]
    lines += [f"| {target} | {measured} | {'yes' if met else '**no**'} |" for target, measured, met in verdicts(run)]
    return "\n".join(lines)


def stack_line(run):
    stack = run["stack"]
    return f"Database {stack['database']}; shared cache `{stack['cache']}`; sessions `{stack['sessions']}`."


def config_text(run):
    parts = [f"## {run['title']}", "", stack_line(run), "", results_table(run), ""]
    if run["growth"]:
        parts += ["Cost growth:", "", growth_table(run), ""]
    return "\n".join(parts + [verdict_table(run)])


def summary(runs):
    lines = []
    for run in runs:
        lines.append(f"\n{run['title']}:")
        lines += [
            f"  {'met    ' if met else 'NOT MET'}  {target}: {measured}" for target, measured, met in verdicts(run)
        ]
    return lines


def write_doc(runs, info, options, command):
    notes = ""
    if DOC.exists() and NOTES_MARKER in DOC.read_text():
        notes = DOC.read_text().split(NOTES_MARKER, 1)[1].lstrip("\n")
    parts = [
        "# Benchmarks",
        "",
        f"Measured {datetime.date.today().isoformat()} with `{command}` (written by `benchmarks/run.py`; rerun it "
        "to refresh this file). Every ratio below is from one run.",
        "",
        "## Set-up",
        "",
        f"- Machine: {info['cpu']}, {info['memory']} memory, {info['os']}; load average before the run "
        f"{info['load']} (1, 5, 15 min).",
        f"- Software: Python {info['python']}, Django {info['django']}, gunicorn {info['gunicorn']}, {info['wrk']}, "
        f"SQLite {info['sqlite']}, {info['postgresql']}, {info['redis']}.",
        "- Server: `gunicorn portal.wsgi -c gunicorn.conf.py`, 2 sync workers on 127.0.0.1, production settings "
        "with the benchmark's two floors mounted beside the product (`benchmarks.settings`, `benchmarks/urls.py`: "
        "a trivial view, `HttpResponse` and no query, and a bare INSERT of one row from a form POST). The product's "
        "own URLs do not have them.",
        f"- Load: `wrk -t{THREADS} -c{CONNECTIONS} -d{options.duration}s --latency` on the same machine (wrk "
        "competes with the server for the 2 cores). Patient pages and beacons cycle over 64 patients, each with "
        "its own session cookie; every beacon and every floor INSERT carries a new id, so each is a new row.",
        '- "Same article rendered uncached": the public article requested with a session cookie the server does '
        "not know, which the page cache does not serve, so the view, its template and its queries run.",
        "- Staff writes: each staff page requested 20 times with a staff member's session in a Django process on "
        "the benchmark's database (production settings), every statement captured; the dashboard's audit event "
        "(the record of staff access to patient data, wanted on every view) is counted apart.",
        f"- Data: the demo content (`load_demo`); the dashboard's week holds 2,000 sessions with 3 items and a "
        "reading record each, then grows step by step to "
        f"{', '.join(f'{steps:,}' for steps in options.steps)} sessions. At each step a fresh server measures the "
        f"dashboard's server time (1 client, p50, {options.step_duration} s), the beacon under load and one CSV "
        "export of the whole week (curl, to the last byte), and the workers' peak resident memory (VmHWM).",
        "",
    ]
    for run in runs:
        parts += [config_text(run), ""]
    parts += [NOTES_MARKER, "", notes.rstrip() + "\n" if notes else ""]
    DOC.write_text("\n".join(parts).rstrip() + "\n")
