"""Faults: real gunicorn servers (production settings) under patient load while content is published.

- soak: concurrent beacons and acknowledgements while an editor and a reviewer publish new versions;
- kill -9 of the whole server (master and workers) in the middle of the load, then a restart;
- scale-out: two servers sharing the database and the shared cache: the database cache, or one Redis when
  REDIS_URL is set (.ci/run's third run: two servers behind one PostgreSQL and one Redis).

Every acknowledgement and report a server confirmed must be in the database afterwards, no answer may
be a 5xx, and the servers' logs must hold no link token and no patient name. The servers use a database
of their own (a temporary SQLite file, or `<DATABASE_URL's database>_faults` on PostgreSQL), never the
pytest run's test database. The load lasts about 70 s in all (FAULT_SOAK_SECONDS, default 40, for the soak;
15 s each for the restart and the scale-out runs): long enough for dozens of publishes, hundreds of
acknowledgements and thousands of reports per run, short enough for CI, which runs the suite three times.
"""

import os
import re
import time

import pytest

from e2e.load import PageReader, PatientLoad, inconsistent_totals, lost_promises
from e2e.servers import (
    GunicornServer,
    HttpClient,
    ServerDatabase,
    collect_static,
    prepare_database,
    production_env,
    run_django,
)

pytestmark = pytest.mark.slow

SOAK_SECONDS = int(os.environ.get("FAULT_SOAK_SECONDS", "40"))
RESTART_SECONDS = 15
SCALE_OUT_SECONDS = 15
SESSIONS = 16
BAD_TRIES = 20


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="module")
def static_root(workdir):
    return collect_static(workdir)


@pytest.fixture
def environment(workdir, static_root):
    """A fresh, migrated database with a clinic of SESSIONS patient sessions; its environment and seed data."""
    database = ServerDatabase("faults", workdir)
    database.create()
    env = production_env(database, static_root, PATIENT_LINK_MAX_BAD_TRIES=BAD_TRIES)
    prepare_database(env)
    data = run_django(env, "from e2e.soak_data import seed\nresult = seed(**args)", sessions=SESSIONS)
    yield env, data
    database.drop()


def start_publisher(env, data, seconds):
    """An editor and a reviewer publishing new versions of the first article, in a process of their own."""
    import subprocess

    from e2e.servers import PYTHON, ROOT

    code = (
        "import json, sys, django\n"
        "django.setup()\n"
        "from e2e.soak_data import publish_versions\n"
        f"print(publish_versions(article_pk={data['article_pk']}, seconds={seconds}))\n"
    )
    return subprocess.Popen(
        [PYTHON, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish_publisher(process, seconds):
    stdout, stderr = process.communicate(timeout=seconds + 120)
    assert process.returncode == 0, stderr
    return int(stdout.strip().splitlines()[-1])


def check_records(env, data, outcome):
    items = [item for patient in data["patients"] for item in patient["items"]]
    records = run_django(env, "from e2e.soak_data import records\nresult = records(**args)", items=items)
    assert lost_promises(outcome, records) == []
    assert inconsistent_totals(records) == {}
    return records


def check_log(log, data):
    assert "/p/[redacted]/" in log, "the access log shows no patient link at all"
    leaked = [patient["token"] for patient in data["patients"] if patient["token"] in log]
    assert leaked == [], "a link token reached a server log"
    assert [name for name in data["names"] if name in log] == [], "a patient name reached a server log"
    assert "Traceback" not in log


def test_soak_of_beacons_and_acknowledgements_while_new_versions_are_published(environment, workdir):
    env, data = environment
    server = GunicornServer(env, log_dir=workdir, name="soak").start()
    try:
        publisher = start_publisher(env, data, SOAK_SECONDS)
        reader = PageReader([server.url], data["article_path"], seconds=SOAK_SECONDS).start()
        outcome = PatientLoad([server.url], data["patients"], seconds=SOAK_SECONDS).start().join()
        reading = reader.join()
        versions = finish_publisher(publisher, SOAK_SECONDS)
    finally:
        server.stop()

    assert outcome.errors == []
    assert outcome.server_errors == {}
    assert outcome.unexpected == []
    assert reading.errors == [] and reading.unexpected == []
    assert versions >= 5
    assert len(outcome.acknowledged) == SESSIONS * 3
    assert sum(len(reports) for reports in outcome.beacons.values()) >= 100
    check_records(env, data, outcome)
    check_log(server.log_text(), data)
    print(
        f"soak: {outcome.requests} requests, {versions} versions published, "
        f"{sum(len(r) for r in outcome.beacons.values())} reports, {len(outcome.acknowledged)} items acknowledged"
    )


def test_acknowledgements_survive_a_kill_9_of_the_server_in_the_middle_of_the_load(environment, workdir):
    env, data = environment
    server = GunicornServer(env, log_dir=workdir, name="restart").start()
    try:
        publisher = start_publisher(env, data, RESTART_SECONDS)
        load = PatientLoad([server.url], data["patients"], seconds=RESTART_SECONDS).start()
        time.sleep(RESTART_SECONDS / 3)
        answered_before = load.outcome.requests
        server.kill()
        killed_at = time.monotonic()
        time.sleep(1)
        server.start()
        outcome = load.join()
        finish_publisher(publisher, RESTART_SECONDS)
    finally:
        server.stop()

    assert answered_before > 50, "the load had not started before the kill"
    assert server.starts == 2
    # While the server was down, requests failed (they were never confirmed, so nothing is owed for them) ...
    assert any(at >= killed_at for at, _error in outcome.errors)
    # ... and after the restart the load went on.
    assert outcome.requests - answered_before - len(outcome.errors) > 50
    assert outcome.server_errors == {}
    check_records(env, data, outcome)
    check_log(server.log_text(), data)


def shared_cache_keys(env):
    """The keys these servers keep in Redis (without prefix and version)."""
    import redis

    with redis.Redis.from_url(env["REDIS_URL"]) as client:
        keys = client.scan_iter(match=f"{env['DJANGO_CACHE_KEY_PREFIX']}:*", count=1000)
        return {key.decode().split(":", 2)[2] for key in keys}


def log_in_to_admin(client, username, password):
    client.get("/admin/login/")
    status, headers, _ = client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})
    assert status == 302 and headers["Location"] == "/admin/", "the reviewer could not log in"


def test_two_servers_share_rate_limits_page_cache_invalidation_and_data(environment, workdir):
    env, data = environment
    first = GunicornServer(env, log_dir=workdir, name="scale-out-a").start()
    second = GunicornServer(env, log_dir=workdir, name="scale-out-b").start()
    try:
        # The soak, spread over both servers, with publishing going on.
        publisher = start_publisher(env, data, SCALE_OUT_SECONDS)
        reader = PageReader([first.url, second.url], data["article_path"], seconds=SCALE_OUT_SECONDS).start()
        outcome = PatientLoad([first.url, second.url], data["patients"], seconds=SCALE_OUT_SECONDS).start().join()
        reading = reader.join()
        finish_publisher(publisher, SCALE_OUT_SECONDS)
        assert outcome.errors == [] and outcome.server_errors == {} and outcome.unexpected == []
        assert reading.errors == [] and reading.unexpected == []
        check_records(env, data, outcome)

        # A publish approved on the first server is what the second server shows at once, though both
        # of its workers had the old page cached.
        visitor = HttpClient(second.url)
        for _ in range(8):
            status, _, page = visitor.get(data["article_path"])
            assert status == 200
        marker = "Approved on the first server"
        assert marker.encode() not in page
        run_django(
            env,
            "from e2e.soak_data import edit_and_submit\nresult = edit_and_submit(**args)",
            article_pk=data["article_pk"],
            text=f"## {marker}\n\nThis version was approved through the first server.",
        )
        reviewer = HttpClient(first.url)
        log_in_to_admin(reviewer, data["reviewer"], data["password"])
        approve = f"/admin/articles/article/{data['article_pk']}/approve/"
        status, _, form = reviewer.get(approve)
        assert status == 200
        expected_hash = re.search(rb'name="expected_hash" value="([0-9a-f]+)"', form).group(1).decode()
        status, _, _ = reviewer.post(
            approve,
            {
                "checked_against": "SPRAVATO Medication Guide, rev. 01/2025",
                "next_review_due": "2099-01-01",
                "publish_at": "",
                "expire_at": "",
                "expected_hash": expected_hash,
            },
        )
        assert status == 302, "the approval was refused"
        for _ in range(8):
            status, _, page = visitor.get(data["article_path"])
            assert status == 200 and marker.encode() in page

        # Wrong links are counted across both servers: the limit is reached whichever server answers.
        statuses = []
        guesser = [HttpClient(first.url), HttpClient(second.url)]
        for number in range(BAD_TRIES + 6):
            status, _, _ = guesser[number % 2].get(f"/p/not-a-real-token-{number:04d}-xxxxxxxxxxxxxxxxxxxx/")
            statuses.append(status)
        assert statuses == [404] * BAD_TRIES + [429] * 6
        if env["REDIS_URL"]:
            # What the two servers shared went through Redis, not the database cache.
            assert {"page_cache:generation", "ratelimit:patient-link:127.0.0.1"} <= shared_cache_keys(env)
    finally:
        first.stop()
        second.stop()
    check_log(first.log_text() + second.log_text(), data)
