"""How the benchmark measures: wrk runs, a streamed CSV download, the workers' peak memory, and the database
writes of staff requests (counted statement by statement in a Django process)."""

import os
import re
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "benchmarks" / "requests.lua"
CONNECTIONS = 16
THREADS = 2


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


def worker_pids(server):
    """gunicorn's workers: the children of its master process."""
    master = server.process.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_rss_mib(pids):
    """The largest peak resident memory (VmHWM) among these processes, in MiB."""
    peaks = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
    return max(peaks)


def cpu_seconds(pids):
    """User + system CPU time these processes have used: unlike wall time, hardly changed by a busy machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / ticks


def download_csv(server, *, cookie, path, workdir):
    """One CSV export through the server: seconds to the last byte, the workers' CPU seconds for it, rows
    (without the header), MiB sent."""
    target = Path(workdir) / "export.csv"
    pids = worker_pids(server)
    cpu_before = cpu_seconds(pids)
    started = time.monotonic()
    completed = subprocess.run(
        ["curl", "-sS", "-o", str(target), "-w", "%{http_code}", "-H", f"Cookie: {cookie}", f"{server.url}{path}"],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.monotonic() - started
    cpu = cpu_seconds(pids) - cpu_before
    assert completed.stdout == "200", f"the CSV export answered {completed.stdout}"
    with target.open("rb") as export:
        rows = sum(1 for _ in export) - 1
    size = target.stat().st_size / 1024 / 1024
    target.unlink()
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": rows, "mib": size}


# Run in a Django process on the benchmark's database (run_django): each staff page requested `repeat` times
# with the staff member's session, every statement captured. The audit event the dashboard writes is counted
# apart: it is the record of staff access to patient data, wanted on every view.
STAFF_WRITES_CODE = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
client = Client(HTTP_HOST="127.0.0.1")
client.cookies["sessionid"] = args["session_key"]
result = {}
for label, path in args["pages"]:
    per_request, audit = [], 0
    for _ in range(args["repeat"]):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
        audit += sum(1 for sql in writes if '"audit_auditevent"' in sql)
        per_request.append(sum(1 for sql in writes if '"audit_auditevent"' not in sql))
    result[label] = {"per_request": per_request, "audit_events": audit}
"""


def load_average():
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())
