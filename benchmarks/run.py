#!/usr/bin/env python3
"""Load benchmark: gunicorn (production settings, 2 sync workers, loopback) under wrk, on SQLite, PostgreSQL and
PostgreSQL + Redis; prints each target ratio, met or not, and writes docs/benchmarks.md.

    make bench                                    # everything, 10 s a measurement, 5 s a growth step
    .venv/bin/python benchmarks/run.py --configs sqlite --duration 5 --steps 2000,4000 --no-write

The server is the product's with two floors mounted beside it (benchmarks.settings, benchmarks.urls): a
trivial view and a bare INSERT. Every ratio is measured in one run, since absolute numbers vary between runs.
PostgreSQL is used at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench; created afresh);
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/13; flushed first), passed to the server as REDIS_URL.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import measure, report  # noqa: E402 - after the path setup above
from e2e.servers import (  # noqa: E402
    GunicornServer,
    HttpClient,
    ServerDatabase,
    collect_static,
    prepare_database,
    production_env,
    run_django,
)

WORKERS = 2
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
STEPS = (2000, 4000, 8000, 16000, 20000, 32000)  # doubling from 2,000 to 32,000, and the target's 20,000
CONFIGS = {
    "sqlite": ("SQLite (WAL)", "", None),
    "postgresql": ("PostgreSQL", PG_URL, None),
    "postgresql+redis": ("PostgreSQL + Redis", PG_URL, REDIS_URL),
}


def patient_requests(server, patients, workdir):
    """Exchange each patient's link for a session cookie; write wrk request files for item pages and beacons."""
    item_lines, beacon_lines = [], []
    for patient in patients:
        client = HttpClient(server.url)
        status, _, _ = client.get(f"/p/{patient['token']}/")
        assert status == 302, f"link exchange answered {status}"
        first_item = patient["items"][0]
        status, _, _ = client.get(f"/p/items/{first_item}/")
        assert status == 200, f"item page answered {status}"
        csrf = client.cookies["csrftoken"]
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
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
    files = {}
    for name, lines in (("items", item_lines), ("beacons", beacon_lines)):
        files[name] = workdir / f"{name}.txt"
        files[name].write_text("\n".join(lines) + "\n")
    # The INSERT floor: the same shape of request as a beacon (a form POST with a new id each time).
    files["inserts"] = workdir / "inserts.txt"
    files["inserts"].write_text("POST\t/bench/insert\t\tclient_id={client_id}&seconds=5\n")
    return files


def settle(server, timeout=120):
    """Wait until the server has worked through requests still queued from the previous run."""
    client = HttpClient(server.url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        client.get("/bench/trivial")
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.5)


def check(server, path, cookie=None, expected=200):
    client = HttpClient(server.url)
    headers = {"Cookie": cookie} if cookie else None
    for _ in range(20):  # also warms every worker's page cache
        status, _, body = client.get(path, headers=headers)
        assert status == expected, f"{path} answered {status}: {body[:300]!r}"


def run_wrk(server, label, duration, **options):
    print(f"   {label} ...", flush=True)
    result = {"label": label, **measure.wrk(duration=duration, **options)}
    print(f"   {result['rps']:,.0f} req/s, p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms", flush=True)
    settle(server)
    return result


def ratio_runs(server, data, files, duration):
    url, staff = server.url, f"sessionid={data['staff_session_key']}"
    runs = [
        ("trivial", "Trivial view (benchmark floor: HttpResponse, no query)", {"url": f"{url}/bench/trivial"}),
        ("healthz", "/healthz (one SELECT 1)", {"url": f"{url}/healthz"}),
        ("static", "Static file (site.css, whitenoise)", {"url": f"{url}/static/css/site.css"}),
        ("article", f"Article page, cached ({data['article_words']} words)", {"url": f"{url}{data['article_path']}"}),
        (
            "article_uncached",
            "Same article rendered uncached (page cache bypassed: a session cookie it does not know)",
            {"url": f"{url}{data['article_path']}", "cookie": "sessionid=no-such-session"},
        ),
        ("item", "Patient item page (64 patients)", {"url": url, "requests_file": files["items"]}),
        (
            "insert",
            "Bare INSERT (benchmark floor: one row, a form POST)",
            {"url": url, "requests_file": files["inserts"]},
        ),
        ("beacon", "Progress beacon POST (64 patients)", {"url": url, "requests_file": files["beacons"]}),
        ("staff_article", "Article page for logged-in staff", {"url": f"{url}{data['article_path']}", "cookie": staff}),
    ]
    return {key: run_wrk(server, label, duration, **options) for key, label, options in runs}


def growth_step(env, data, workdir, *, sessions, duration):
    """Grow the history to `sessions`, start a fresh server (so its workers' peak memory is this step's), then
    measure the dashboard's week view and the whole history (server time: 1 client), the beacon under load and
    one CSV export of the whole history."""
    counts = run_django(
        env, "from benchmarks.setup_data import grow\nresult = grow(to=args['to'])", timeout=900, to=sessions
    )
    # Each step logs a staff member in afresh, as a new server's first visitor would be.
    staff_key = run_django(env, "from benchmarks.setup_data import _staff_session\nresult = _staff_session()")
    server = GunicornServer(env, workers=WORKERS, log_dir=workdir, name=f"gunicorn-{sessions}").start()
    try:
        staff, url = f"sessionid={staff_key}", server.url
        history = f"/staff/sessions/?{counts['history_query']}"
        check(server, "/staff/sessions/", cookie=staff)
        check(server, history, cookie=staff)
        files = patient_requests(server, data["patients"], workdir)
        one_client = {"cookie": staff, "connections": 1, "threads": 1}
        week = run_wrk(
            server, f"Dashboard week, {sessions:,} sessions", duration, url=f"{url}/staff/sessions/", **one_client
        )
        whole = run_wrk(server, "Dashboard, whole history", duration, url=f"{url}{history}", **one_client)
        beacon = run_wrk(server, f"Beacon, {sessions:,} sessions", duration, url=url, requests_file=files["beacons"])
        before = measure.peak_rss_mib(measure.worker_pids(server))
        path = f"/staff/sessions.csv?{counts['history_query']}"
        export = measure.download_csv(server, cookie=staff, path=path, workdir=workdir)
        peak = measure.peak_rss_mib(measure.worker_pids(server))
        print(f"   CSV: {export['rows']:,} rows in {export['seconds']:.2f} s, peak RSS {peak:.0f} MiB", flush=True)
    finally:
        server.stop()
    return {
        **counts,
        "dashboard_ms": week["p50"],
        "history_ms": whole["p50"],
        "dashboard_errors": week["errors"] + whole["errors"],
        "beacon_rps": beacon["rps"],
        "beacon_p99": beacon["p99"],
        "csv_rows": export["rows"],
        "csv_seconds": export["seconds"],
        "csv_cpu_seconds": export["cpu_seconds"],
        "csv_mib": export["mib"],
        "rss_before_mib": before,
        "rss_peak_mib": peak,
    }


def bench_config(key, static_root, workdir, options):
    title, database_url, redis_url = CONFIGS[key]
    print(f"== {title}: preparing the database", flush=True)
    database = ServerDatabase("bench", workdir, database_url=database_url, exact_name=bool(database_url))
    database.create()
    env = production_env(database, static_root, DJANGO_SETTINGS_MODULE="benchmarks.settings")
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
        database_number = redis_url.rsplit("/", 1)[-1]
        subprocess.run(["redis-cli", "-n", database_number, "flushdb"], check=True, capture_output=True)
    try:
        prepare_database(env)
        stack = run_django(env, report.STACK_CODE)
        data = run_django(env, "from benchmarks.setup_data import create\nresult = create()", timeout=900)
        server = GunicornServer(env, workers=WORKERS, log_dir=workdir, name=f"gunicorn-{key}").start()
        try:
            staff = f"sessionid={data['staff_session_key']}"
            for path in ("/bench/trivial", "/healthz", data["article_path"], "/static/css/site.css"):
                check(server, path)
            check(server, "/staff/sessions/", cookie=staff)
            files = patient_requests(server, data["patients"], workdir)
            results = ratio_runs(server, data, files, options.duration)
            log = server.log_text()
            assert not [p for p in data["patients"] if p["token"] in log], "a link token reached gunicorn's log"
        finally:
            server.stop()
        staff_pages = [("Article page", data["article_path"]), ("Dashboard", "/staff/sessions/")]
        writes = run_django(env, measure.STAFF_WRITES_CODE, session_key=data["staff_session_key"],
                            pages=staff_pages, repeat=20)  # fmt: skip
        growth = [
            growth_step(env, data, workdir, sessions=sessions, duration=options.step_duration)
            for sessions in options.steps
        ]
    finally:
        database.drop()
        if redis_url:
            subprocess.run(["redis-cli", "-n", database_number, "flushdb"], check=False, capture_output=True)
    return {"title": title, "stack": stack, "results": results, "writes": writes, "growth": growth}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per ratio measurement (default 10)")
    parser.add_argument("--step-duration", type=int, default=5, help="seconds per growth-step measurement (5)")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated: {', '.join(CONFIGS)}")
    parser.add_argument("--steps", default=",".join(map(str, STEPS)), help="sessions in the week at each step")
    parser.add_argument("--no-write", action="store_true", help="print the tables, leave docs/benchmarks.md alone")
    options = parser.parse_args()
    options.steps = [int(step) for step in options.steps.split(",") if step]
    configs = options.configs.split(",")
    for key in configs:
        if key not in CONFIGS:
            parser.error(f"unknown configuration {key!r}")

    info = report.machine()
    runs = []
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as temp:
        workdir = Path(temp)
        static_root = collect_static(workdir)
        for key in configs:
            run = bench_config(key, static_root, workdir, options)
            runs.append(run)
            print("\n" + report.config_text(run) + "\n", flush=True)
    print("\n".join(report.summary(runs)))
    if not options.no_write:
        default = options.duration == 10 and options.step_duration == 5 and configs == list(CONFIGS)
        command = (
            "make bench" if default and options.steps == list(STEPS) else "benchmarks/run.py " + " ".join(sys.argv[1:])
        )
        report.write_doc(runs, info, options, command)
        print(f"\nwrote {report.DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
