"""Run a pure function on untrusted input in a child process, bounded in time, memory and output.

Python threads cannot be stopped, so a function that may run for minutes on a small input (python-markdown
on runs of "[") runs in a child process that the caller kills when the time is up: the web worker that
asked is free again after `seconds`, whatever the input.

The children are fresh interpreters (never forks: a forked child would keep the parent's file
descriptors, such as gunicorn's listening socket or a browser driver's pipe, open for as long as it
lives) with nothing but stdin and stdout, kept warm between calls: a few per process, one per concurrent
call. Starting one takes ~0.2 s (imports), outside the call's time limit; a call to a warm one costs
what the function costs, plus ~1 ms (measured here), cheap enough for markdownx's preview on every pause
in typing. A child that times out, fails or has served MAX_CALLS calls is killed and replaced.

Each child has a memory limit (MEMORY_HEADROOM above its size once started), a CPU-time limit of its own
for each call (so it dies even if its parent is killed mid-call; an idle child exits when its stdin
closes), and a higher recursion limit than Python's default 1,000 (python-markdown recurses once per item
of a tight list). Calls and results cross the pipes as JSON (never pickle): the function by its
importable name, its argument and keyword options, which must therefore be JSON-able too; so must its
result.

Only POSIX pipes work with selectors; elsewhere the function runs in process, without the bounds.
"""

import contextlib
import functools
import importlib
import json
import logging
import math
import os
import selectors
import struct
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# Why a run gave no result (Outcome.failure).
TIMED_OUT = "timed out"
TOO_DEEP = "too deep"
TOO_BIG = "too big"
FAILED = "failed"

MEMORY_HEADROOM = 512 * 1024 * 1024
RECURSION_LIMIT = 4_000
MAX_IDLE = 2
MAX_CALLS = 500
FRAME = struct.Struct(">Q")  # each message: its length, then its JSON
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Outcome:
    result: object = None
    failure: str = ""  # "" when `result` is the function's return value


def run(function, argument, *, seconds, max_output_bytes, **options):
    """function(argument, **options) in a child process; its JSON-able result, or why there is none."""
    if os.name != "posix":
        return _in_process(function, argument, options)
    request = json.dumps(
        {
            "function": f"{function.__module__}:{function.__qualname__}",
            "argument": argument,
            "options": options,
            "seconds": seconds,
        }
    ).encode()
    for _attempt in range(2):  # a warm child may have died while idle: then once more with a fresh one
        worker = _take_worker(function.__module__)
        if worker is None:
            return Outcome(failure=FAILED)
        reply = worker.call(request, deadline=time.monotonic() + seconds, max_bytes=max_output_bytes)
        if reply is not None:
            break
        worker.stop()
    else:
        return Outcome(failure=FAILED)
    if isinstance(reply, str):  # TIMED_OUT or TOO_BIG: the child may still be busy
        worker.stop()
        return Outcome(failure=reply)
    if not reply:
        status = worker.stop()
        # The child died during the call: out of memory or CPU time, or a crash in C code.
        logger.warning("A sandboxed %s died without a result (exit status %s).", function.__name__, status)
        return Outcome(failure=FAILED)
    message = json.loads(reply)
    if "error" in message:
        worker.stop()  # after a MemoryError or a deep recursion, start afresh
        if message["error"] == FAILED:
            logger.error("A sandboxed %s raised:\n%s", function.__name__, message.get("detail", ""))
        return Outcome(failure=message["error"])
    _give_back(worker)
    return Outcome(result=message["result"])


def _in_process(function, argument, options):
    try:
        return Outcome(result=function(argument, **options))
    except RecursionError:
        return Outcome(failure=TOO_DEEP)


# The warm children of this process ---------------------------------------------------------------

_lock = threading.Lock()
_idle = []  # workers waiting for a call


def _take_worker(module):
    with _lock:
        while _idle:
            worker = _idle.pop()
            if worker.owner == os.getpid():  # not one inherited through a fork of this process
                return worker
    try:
        return _Worker(preload=module)
    except OSError:
        logger.exception("A sandbox child could not be started.")
        return None


def _give_back(worker):
    with _lock:
        if len(_idle) < MAX_IDLE and worker.calls < MAX_CALLS:
            _idle.append(worker)
            return
    worker.stop()


class _Worker:
    def __init__(self, *, preload):
        self.owner = os.getpid()
        self.calls = 0
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", CHILD_PROGRAM, json.dumps([path or os.getcwd() for path in sys.path]), preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            close_fds=True,
        )
        self.requests, self.replies = self.process.stdin.fileno(), self.process.stdout.fileno()
        os.set_blocking(self.requests, False)
        ready = _read(self.replies, len(READY), time.monotonic() + STARTUP_SECONDS)
        if ready != READY:
            self.stop()
            raise OSError(f"the sandbox child did not start: {ready!r}")

    def call(self, request, *, deadline, max_bytes):
        """The child's reply (bytes; b"" if it died), TIMED_OUT, TOO_BIG, or None if it was already gone."""
        self.calls += 1
        try:
            if not _write(self.requests, FRAME.pack(len(request)) + request, deadline):
                return TIMED_OUT
        except BrokenPipeError:
            return None
        header = _read(self.replies, FRAME.size, deadline)
        if isinstance(header, str) or len(header) < FRAME.size:
            return header if isinstance(header, str) else b""
        (length,) = FRAME.unpack(header)
        if length > max_bytes:
            return TOO_BIG
        body = _read(self.replies, length, deadline)
        return body if isinstance(body, str) or len(body) == length else b""

    def stop(self):
        """Kill the child and reap it; its exit status."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
        return self.process.wait()


def _write(fd, data, deadline):
    view = memoryview(data)
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_WRITE)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if selector.select(remaining):
                view = view[os.write(fd, view[:CHUNK]) :]
    return True


def _read(fd, size, deadline):
    """`size` bytes from `fd` (fewer if it closes first), or TIMED_OUT."""
    chunks, received = [], 0
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while received < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return TIMED_OUT
            if not selector.select(remaining):
                continue
            chunk = os.read(fd, min(CHUNK, size - received))
            if not chunk:
                break
            chunks.append(chunk)
            received += len(chunk)
    return b"".join(chunks)


# In the child ------------------------------------------------------------------------------------

CHILD_PROGRAM = "import json, sys; sys.path[:] = json.loads(sys.argv[1]); import portal.content.sandbox as s; s.serve()"
READY = b"ready\n"
STARTUP_SECONDS = 30


def serve():
    """The child's loop: one request from stdin, one reply to stdout, until stdin closes."""
    status = 1
    try:
        # Private copies of the pipes; stdin and stdout themselves point elsewhere, so that nothing a
        # module prints can get mixed into the replies.
        requests, replies = os.dup(0), os.dup(1)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(2, 1)
        importlib.import_module(sys.argv[2])
        _limit_memory()
        sys.setrecursionlimit(RECURSION_LIMIT)
        os.write(replies, READY)
        while header := _read_blocking(requests, FRAME.size):
            message = json.dumps(_execute(json.loads(_read_blocking(requests, FRAME.unpack(header)[0])))).encode()
            data = memoryview(FRAME.pack(len(message)) + message)
            while data:
                data = data[os.write(replies, data) :]
        status = 0  # stdin closed: the parent has gone, or stopped us
    except BaseException:  # noqa: S110 - nothing to report to: the parent sees a missing reply
        pass
    finally:
        os._exit(status)  # no atexit handlers, no flushing of buffers: a child killed would not run them either


def _read_blocking(fd, size):
    data = b""
    while len(data) < size and (chunk := os.read(fd, min(CHUNK, size - len(data)))):
        data += chunk
    return data


def _execute(request):
    import resource

    # This call's CPU time on top of what the child has used: it dies if its parent does not kill it.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = math.ceil(usage.ru_utime + usage.ru_stime + request["seconds"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        module_name, name = request["function"].split(":")
        function = functools.reduce(getattr, name.split("."), importlib.import_module(module_name))
        return {"result": function(request["argument"], **request["options"])}
    except RecursionError:
        return {"error": TOO_DEEP}
    except MemoryError:
        return {"error": TOO_BIG}
    except Exception:
        return {"error": FAILED, "detail": traceback.format_exc()}


def _limit_memory():
    import resource

    try:
        with open("/proc/self/statm") as statm:  # Linux: its address space once started
            inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = inherited + MEMORY_HEADROOM
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
