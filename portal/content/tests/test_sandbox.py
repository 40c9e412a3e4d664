"""portal.content.sandbox: a function in a forked child, stopped when its time is up, whatever it does."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from portal.content import sandbox

ROOT = Path(__file__).resolve().parents[3]


def double(value, *, plus=0):
    return {"value": value * 2 + plus}


def spin_forever(pid_file):
    Path(pid_file).write_text(str(os.getpid()))
    while True:
        pass


def allocate(size):
    return len(bytearray(size))


def recurse(depth):
    return recurse(depth + 1)


def raise_error(_):
    raise KeyError("a bug")


def crash(_):
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would


def big_result(size):
    return "x" * size


def child_pid(_):
    return os.getpid()


def pid_and_sleep_interval(seconds):
    started = time.time()  # wall clock: comparable across processes
    time.sleep(seconds)
    return os.getpid(), started, time.time()


def run_quickly(function, argument=None):
    return sandbox.run(function, argument, seconds=5, max_output_bytes=1000)


def process_is_gone(pid):
    """No such process, or a zombie that has stopped running (an orphan waits there for a container's
    init to reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_the_result_comes_back_from_the_child():
    outcome = sandbox.run(double, 21, plus=1, seconds=5, max_output_bytes=1000)
    assert outcome == sandbox.Outcome(result={"value": 43})


def test_a_function_that_never_ends_is_killed_when_its_time_is_up(tmp_path):
    pid_file = tmp_path / "pid"
    started = time.monotonic()
    outcome = sandbox.run(spin_forever, str(pid_file), seconds=1, max_output_bytes=1000)
    assert outcome.failure == sandbox.TIMED_OUT
    assert time.monotonic() - started < 2
    assert process_is_gone(int(pid_file.read_text()))  # killed and reaped: no zombie left behind


def test_memory_beyond_the_headroom_is_refused_in_the_child():
    outcome = sandbox.run(allocate, 4 * sandbox.MEMORY_HEADROOM, seconds=5, max_output_bytes=1000)
    assert outcome.failure == sandbox.TOO_BIG
    assert sandbox.run(allocate, 1024 * 1024, seconds=5, max_output_bytes=1000).result == 1024 * 1024


def test_endless_recursion_is_reported_as_too_deep():
    assert sandbox.run(recurse, 0, seconds=5, max_output_bytes=1000).failure == sandbox.TOO_DEEP


def test_an_exception_is_logged_with_its_traceback_and_reported_as_failed(caplog):
    assert sandbox.run(raise_error, None, seconds=5, max_output_bytes=1000).failure == sandbox.FAILED
    assert "KeyError: 'a bug'" in caplog.text


def test_a_crashed_child_is_reported_as_failed(caplog):
    assert sandbox.run(crash, None, seconds=5, max_output_bytes=1000).failure == sandbox.FAILED
    assert "died without a result" in caplog.text


def test_a_result_larger_than_allowed_is_not_read():
    assert sandbox.run(big_result, 10_000, seconds=5, max_output_bytes=1000).failure == sandbox.TOO_BIG


def test_the_child_dies_on_its_own_when_its_parent_is_killed(tmp_path):
    """A web worker killed mid-render (gunicorn's timeout, kill -9) leaves no process spinning: the child has
    a CPU-time limit of its own."""
    pid_file = tmp_path / "pid"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from portal.content import sandbox\nfrom portal.content.tests import test_sandbox\n"
            f"sandbox.run(test_sandbox.spin_forever, {json.dumps(str(pid_file))}, seconds=1, max_output_bytes=9)",
        ],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.02)
    parent.kill()
    parent.wait()
    child = int(pid_file.read_text())
    while not process_is_gone(child):
        assert time.monotonic() < deadline, "the orphaned child is still running"
        time.sleep(0.1)


@pytest.mark.parametrize("seconds", [0.2, 1])
def test_a_fast_function_does_not_wait_for_the_time_limit(seconds):
    run_quickly(double, 1)  # a warm child: its start (imports) does not count against the limit anyway
    started = time.monotonic()
    assert sandbox.run(double, 1, seconds=seconds, max_output_bytes=1000).result == {"value": 2}
    assert time.monotonic() - started < seconds


def test_a_warm_child_serves_one_call_after_another():
    first = run_quickly(child_pid).result
    assert first != os.getpid()
    assert run_quickly(child_pid).result == first


def test_a_child_that_timed_out_or_failed_is_replaced(tmp_path):
    warm = run_quickly(child_pid).result
    sandbox.run(spin_forever, str(tmp_path / "pid"), seconds=0.5, max_output_bytes=1000)
    fresh = run_quickly(child_pid).result
    assert fresh != warm and process_is_gone(int((tmp_path / "pid").read_text()))
    assert run_quickly(raise_error).failure == sandbox.FAILED
    assert run_quickly(child_pid).result not in (warm, fresh)


def test_a_warm_child_that_died_while_idle_is_replaced():
    warm = run_quickly(child_pid).result
    os.kill(warm, signal.SIGKILL)
    time.sleep(0.1)
    replacement = run_quickly(child_pid).result
    assert replacement and replacement != warm


def test_concurrent_calls_each_get_a_child_of_their_own():
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(run_quickly(pid_and_sleep_interval, 1.5))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pids, starts, ends = zip(*(outcome.result for outcome in results), strict=True)
    # Side by side, not one after another: every child was asleep while every other one was (proven by the
    # children's own clocks, so a busy machine that is slow to start them cannot fail this).
    assert max(starts) < min(ends)
    assert len(set(pids)) == 3
    assert len(sandbox._idle) <= sandbox.MAX_IDLE


def test_an_idle_child_exits_with_its_parent(tmp_path):
    pid_file = tmp_path / "pid"
    code = (
        "import os, time\nfrom portal.content import sandbox\nfrom portal.content.tests import test_sandbox\n"
        f"pid = sandbox.run(test_sandbox.child_pid, None, seconds=5, max_output_bytes=99).result\n"
        f"open({json.dumps(str(pid_file))}, 'w').write(str(pid))\ntime.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.02)
    child = int(pid_file.read_text())
    assert not process_is_gone(child)  # warm, waiting for the next call
    parent.kill()
    parent.wait()
    while not process_is_gone(child):
        assert time.monotonic() < deadline, "the idle child outlived its parent"
        time.sleep(0.05)


def test_starting_a_child_does_not_count_against_the_time_limit():
    for worker in list(sandbox._idle):  # no warm child left
        sandbox._idle.remove(worker)
        worker.stop()
    assert sandbox.run(double, 1, seconds=0.05, max_output_bytes=1000).result == {"value": 2}


def test_the_child_keeps_no_file_of_its_parent_open(tmp_path):
    """A child holding its parent's descriptors would keep them open while it lives: gunicorn's listening
    socket, or the pipe of Playwright's driver (the browser tests then never ended)."""
    with open(tmp_path / "parent.txt", "w"):
        pid = run_quickly(child_pid).result
        files = {fd: os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    assert sorted(files) == ["0", "1", "2", "3", "4"]  # stdio (stdin: /dev/null) and its two pipes
    assert files["0"] == os.devnull and files["3"].startswith("pipe:") and files["4"].startswith("pipe:")
