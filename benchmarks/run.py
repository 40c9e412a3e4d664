#!/usr/bin/env python3
"""Load benchmark: gunicorn (production settings, 2 sync workers, loopback) under wrk, on SQLite and PostgreSQL.

    make bench                      # both databases, 10 s per page; rewrites docs/benchmarks.md
    .venv/bin/python benchmarks/run.py --duration 5 --databases sqlite --no-write

Every page is measured in the same run as a trivial view (/healthz: one `SELECT 1`), and reported as a
ratio to it, since absolute numbers vary between machines and runs. PostgreSQL is used at
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench; the database is created afresh).
"""

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from e2e.servers import (  # noqa: E402 - after the path setup above
    GunicornServer,
    HttpClient,
    ServerDatabase,
    collect_static,
    prepare_database,
    production_env,
    run_django,
)

DOC = ROOT / "docs" / "benchmarks.md"
LUA = ROOT / "benchmarks" / "requests.lua"
NOTES_MARKER = "<!-- Everything below this line is kept when benchmarks/run.py rewrites the file. -->"
CONNECTIONS = 16
THREADS = 2
WORKERS = 2
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")

TARGET_ARTICLE_RATIO = 0.80
TARGET_BEACON_P99_MS = 50
TARGET_DASHBOARD_MS = 100


def parse_duration_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def parse_wrk(output):
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    for percent in ("50", "90", "99"):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+\w+)", output, re.MULTILINE)
        # No request finished within the run: no latency to report, and the run failed.
        result[f"p{percent}"] = parse_duration_ms(match.group(1)) if result["requests"] else float("inf")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["errors"] = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(number) for number in sockets.groups()) if sockets else 0
    )
    if not result["requests"]:
        result["errors"] += 1
    return result


def wrk(url, *, duration, connections=CONNECTIONS, threads=THREADS, cookie=None, requests_file=None):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if requests_file:
        command += ["-s", str(LUA), url, "--", str(requests_file)]
    else:
        command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


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
    }


def patient_requests(server, patients, workdir):
    """Exchange each patient's link for a session cookie; write wrk request files for item pages and beacons."""
    item_lines, beacon_lines = [], []
    for patient in patients:
        client = HttpClient(server.url)
        status, headers, _ = client.get(f"/p/{patient['token']}/")
        assert status == 302, f"link exchange answered {status}"
        first_item = patient["items"][0]
        status, _, _ = client.get(f"/p/items/{first_item}/")
        assert status == 200, f"item page answered {status}"
        csrf = client.cookies["csrftoken"]
        cookie = f"sessionid={client.cookies['sessionid']}; csrftoken={csrf}"
        for item in patient["items"]:
            item_lines.append(f"GET\t/p/items/{item}/\t{cookie}\t")
            beacon_lines.append(
                f"POST\t/p/items/{item}/progress/\t{cookie}\t"
                f"client_id={{client_id}}&seconds=5&reached_end=false&csrfmiddlewaretoken={csrf}"
            )
        # One beacon by hand: it must be counted (204) before wrk sends thousands.
        status, _, body = client.post(
            f"/p/items/{first_item}/progress/",
            {"client_id": "bench-check-" + "0" * 8, "seconds": 1, "reached_end": "false"},
        )
        assert status == 204, f"beacon answered {status}: {body[:200]!r}"
    items_file, beacons_file = workdir / "items.txt", workdir / "beacons.txt"
    items_file.write_text("\n".join(item_lines) + "\n")
    beacons_file.write_text("\n".join(beacon_lines) + "\n")
    return items_file, beacons_file


def settle(server, timeout=120):
    """Wait until the server has worked through requests still queued from the previous run."""
    import time

    client = HttpClient(server.url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        client.get("/healthz")
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.5)


def check(server, path, cookie=None, expected=200):
    client = HttpClient(server.url)
    headers = {"Cookie": cookie} if cookie else None
    for _ in range(20):  # also warms every worker's page cache
        status, _, body = client.get(path, headers=headers)
        assert status == expected, f"{path} answered {status}: {body[:300]!r}"


def bench_database(name, database, static_root, workdir, duration):
    print(f"== {name}: preparing the database", flush=True)
    database.create()
    env = production_env(database, static_root)
    try:
        prepare_database(env)
        data = run_django(env, "from benchmarks.setup_data import create\nresult = create()")
        server = GunicornServer(env, workers=WORKERS, log_dir=workdir, name=f"gunicorn-{name}").start()
        try:
            staff_cookie = f"sessionid={data['staff_session_key']}"
            for path in ("/healthz", "/", data["article_path"], data["faq_path"], "/static/css/site.css"):
                check(server, path)
            check(server, "/staff/", cookie=staff_cookie)
            items_file, beacons_file = patient_requests(server, data["patients"], workdir)

            url = server.url
            runs = [
                ("trivial", "Trivial view (/healthz, one SELECT 1)", {"url": f"{url}/healthz"}),
                ("static", "Static file (site.css, whitenoise)", {"url": f"{url}/static/css/site.css"}),
                ("home", "Home page", {"url": f"{url}/"}),
                ("article", f"Article page ({data['article_words']} words)", {"url": f"{url}{data['article_path']}"}),
                (
                    "article_uncached",
                    "Article page, page cache bypassed (request with a session cookie)",
                    {"url": f"{url}{data['article_path']}", "cookie": "sessionid=no-such-session"},
                ),
                ("faq", "FAQ topic page", {"url": f"{url}{data['faq_path']}"}),
                ("item", "Patient item page (64 patients)", {"url": url, "requests_file": items_file}),
                ("beacon", "Progress beacon POST (64 patients)", {"url": url, "requests_file": beacons_file}),
                (
                    "dashboard",
                    f"Dashboard week view ({data['week_sessions']:,} sessions, {data['week_records']:,} records, "
                    f"{data['dashboard_page_size']} a page)",
                    {"url": f"{url}/staff/", "cookie": staff_cookie},
                ),
            ]
            results = {}
            for key, label, options in runs:
                if key == "dashboard":
                    # Server time of the dashboard: one client, so nothing queues in front of the request.
                    print("   Dashboard week view, 1 client ...", flush=True)
                    results["dashboard_single"] = {
                        "label": "Dashboard week view, 1 client (server time)",
                        **wrk(url=f"{url}/staff/", cookie=staff_cookie, duration=duration, connections=1, threads=1),
                    }
                    settle(server)
                print(f"   {label} ...", flush=True)
                results[key] = {"label": label, **wrk(duration=duration, **options)}
                print(f"   {results[key]['rps']:.0f} req/s, p99 {results[key]['p99']:.1f} ms", flush=True)
                settle(server)
            log = server.log_text()
            leaked = [patient["token"] for patient in data["patients"] if patient["token"] in log]
            assert not leaked, "a link token reached gunicorn's log"
        finally:
            server.stop()
        return results
    finally:
        database.drop()


def verdicts(results):
    trivial = results["trivial"]["rps"]
    article_ratio = results["article"]["rps"] / trivial
    beacon = results["beacon"]
    dashboard_ms = results["dashboard_single"]["p50"]
    return [
        (
            f"Article page ≥ {TARGET_ARTICLE_RATIO:.0%} of the trivial view",
            f"{article_ratio:.0%}",
            article_ratio >= TARGET_ARTICLE_RATIO,
        ),
        (
            f"Beacon p99 < {TARGET_BEACON_P99_MS} ms at {CONNECTIONS} clients, 0 errors",
            f"p99 {beacon['p99']:.1f} ms, {beacon['errors']} errors",
            beacon["p99"] < TARGET_BEACON_P99_MS and beacon["errors"] == 0,
        ),
        (
            f"Dashboard week view < {TARGET_DASHBOARD_MS} ms server time",
            f"{dashboard_ms:.0f} ms (p50, 1 client)",
            dashboard_ms < TARGET_DASHBOARD_MS,
        ),
    ]


def table(results):
    trivial = results["trivial"]["rps"]
    lines = ["| what | req/s | p50 ms | p99 ms | errors | ratio to trivial |", "|---|---:|---:|---:|---:|---:|"]
    for result in results.values():
        lines.append(
            f"| {result['label']} | {result['rps']:,.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{result['errors']} | {result['rps'] / trivial:.2f} |"
        )
    return "\n".join(lines)


def write_doc(all_results, info, duration, command):
    notes = ""
    if DOC.exists() and NOTES_MARKER in DOC.read_text():
        notes = DOC.read_text().split(NOTES_MARKER, 1)[1].lstrip("\n")
    today = datetime.date.today().isoformat()
    parts = [
        "# Benchmarks",
        "",
        f"Measured {today} with `{command}` (written by `benchmarks/run.py`; rerun it to refresh this file).",
        "",
        "## Set-up",
        "",
        f"- Machine: {info['cpu']}, {info['memory']} memory, {info['os']}; load average before the run "
        f"{info['load']} (1, 5, 15 min).",
        f"- Software: Python {info['python']}, Django {info['django']}, gunicorn {info['gunicorn']}, "
        f"{info['wrk']}, SQLite {info['sqlite']}, {info['postgresql']}.",
        f"- Server: `gunicorn portal.wsgi -c gunicorn.conf.py`, {WORKERS} sync workers on 127.0.0.1, production "
        "settings (DEBUG off, hashed and compressed static files, access log on through the token redaction).",
        f"- Load: `wrk -t{THREADS} -c{CONNECTIONS} -d{duration}s --latency` on the same machine (wrk competes with "
        "the server for the 2 cores). Patient pages and beacons cycle over 64 patients, each with its own session "
        "cookie; every beacon carries a new client id, so each one is a new report written to the database. "
        "The dashboard is measured again with 1 client: its p50 is the server time of one request.",
        "- Data: the demo content (`load_demo`), 2,000 sessions in the dashboard's week with 3 reading-list items "
        "and 6,000 reading records, about 200 patient questions. The dashboard shows totals for the whole week "
        "and the first page of its sessions.",
        "",
    ]
    for name, results in all_results.items():
        parts += [f"## {name}", "", table(results), "", "| target | measured | met |", "|---|---|---|"]
        parts += [
            f"| {target} | {measured} | {'yes' if met else '**no**'} |" for target, measured, met in verdicts(results)
        ]
        parts.append("")
    parts += [NOTES_MARKER, "", notes.rstrip() + "\n" if notes else ""]
    DOC.write_text("\n".join(parts).rstrip() + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--no-write", action="store_true", help="print the tables, leave docs/benchmarks.md alone")
    options = parser.parse_args()

    info = machine()
    all_results = {}
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as temp:
        workdir = Path(temp)
        static_root = collect_static(workdir)
        for name in options.databases.split(","):
            if name == "sqlite":
                database = ServerDatabase("bench", workdir, database_url="")
                title = "SQLite (WAL)"
            elif name == "postgresql":
                database = ServerDatabase("bench", workdir, database_url=PG_URL, exact_name=True)
                title = "PostgreSQL"
            else:
                parser.error(f"unknown database {name!r}")
            all_results[title] = bench_database(name, database, static_root, workdir, options.duration)
            print(f"\n## {title}\n\n{table(all_results[title])}\n", flush=True)
            for target, measured, met in verdicts(all_results[title]):
                print(f"{'met    ' if met else 'NOT MET'}  {target}: {measured}")
    if not options.no_write:
        command = (
            "make bench"
            if options.duration == 10 and options.databases == "sqlite,postgresql"
            else ("python benchmarks/run.py " + " ".join(sys.argv[1:]))
        )
        write_doc(all_results, info, options.duration, command)
        print(f"\nwrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
