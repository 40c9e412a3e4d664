"""The MLLP listener (manage.py hl7_listen): HL7 v2 messages over TCP, each answered with its ACK.

MLLP frames a message as <VT> message <FS><CR> (0x0B … 0x1C 0x0D). One asyncio loop reads every connection;
each message is handled in a small pool of threads (Django's database calls are blocking), one message at a
time per connection, so the ACK for a message goes back before the next message of that connection is read
(the order of an interface engine's messages is kept).

What it survives: bytes outside a frame (dropped), a frame larger than `max_message_bytes` (AR, then the
connection is closed), a client that disconnects mid-message (the partial frame is dropped, nothing saved),
half-open connections (closed after `idle_timeout` seconds without a byte; TCP keepalive on), an error
while handling one message (AE; logged with its control id only). On SIGTERM or SIGINT it stops accepting,
lets the messages being handled finish and answers them, closes idle connections, and returns.
"""

import asyncio
import concurrent.futures
import contextlib
import logging
import signal
import socket
import threading

from django.db import close_old_connections, connection, connections

from portal.reading.interop.hl7 import build_ack, control_id_of, hl7_receive

logger = logging.getLogger("portal.reading.interop")

START, END = b"\x0b", b"\x1c\x0d"
# SQLite lets one writer in at a time and makes the others sleep and retry (in steps of up to 100 ms): in one
# process, taking turns on a lock instead cut the slowest ACKs from seconds to tens of milliseconds.
_sqlite_writer = threading.Lock()


def frame(message: str) -> bytes:
    return START + message.encode("utf-8") + END


def handle_message(data: bytes) -> bytes:
    """One message's ACK, as a frame. Runs in a worker thread; never raises."""
    text = data.decode("utf-8", errors="replace")
    close_old_connections()
    turn = (lambda: _sqlite_writer) if connection.vendor == "sqlite" else contextlib.nullcontext
    try:
        ack = hl7_receive(text, writer_turn=turn).ack
    except Exception as error:  # noqa: BLE001 - one bad message must not end the listener
        # The exception's text may quote the message: only its type and the control id are logged.
        logger.error("HL7 control_id=%s failed: %s", control_id_of(text) or "?", type(error).__name__)
        ack = build_ack(text, "AE", "internal error: the message was not saved")
    return frame(ack)


class MllpListener:
    def __init__(
        self,
        host="127.0.0.1",
        port=2575,
        *,
        workers=4,
        idle_timeout=300.0,
        max_message_bytes=1_048_576,
        purge=None,
        purge_every=3600.0,
    ):
        self.host, self.port = host, port
        self.idle_timeout, self.max_message_bytes = idle_timeout, max_message_bytes
        self.purge, self.purge_every = purge, purge_every
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hl7")
        self.idle: dict[asyncio.Task, bool] = {}  # connection task -> waiting for bytes (safe to cancel)
        self.stopping = asyncio.Event()
        self.bound_port = None

    async def _connection(self, reader, writer):
        task = asyncio.current_task()
        self.idle[task] = True
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        buffer = bytearray()
        loop = asyncio.get_running_loop()
        try:
            while not self.stopping.is_set():
                chunk = await asyncio.wait_for(reader.read(65536), timeout=self.idle_timeout)
                if not chunk:  # the client closed (a partial frame in the buffer is dropped)
                    break
                buffer += chunk
                while (end := buffer.find(END)) >= 0:
                    start = buffer.rfind(START, 0, end)
                    data = bytes(buffer[start + 1 : end]) if start >= 0 else None
                    del buffer[: end + len(END)]
                    if data is None:  # an end without a start: not a frame
                        continue
                    self.idle[task] = False
                    ack = await loop.run_in_executor(self.pool, handle_message, data)
                    writer.write(ack)
                    await writer.drain()
                    self.idle[task] = True
                start = buffer.find(START)
                if start < 0:
                    buffer.clear()  # bytes outside any frame
                elif start:
                    del buffer[:start]
                if len(buffer) > self.max_message_bytes:
                    writer.write(frame(build_ack("", "AR", "message too large")))
                    await writer.drain()
                    break
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self.idle.pop(task, None)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _purge_regularly(self):
        loop = asyncio.get_running_loop()
        while not self.stopping.is_set():
            try:
                await loop.run_in_executor(self.pool, self.purge)
            except Exception as error:  # noqa: BLE001 - a failed purge is tried again at the next hour
                logger.error("interface message purge failed: %s", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=self.purge_every)

    async def serve(self, ready=None):
        """Listen until stop() (or SIGTERM/SIGINT when installed); `ready(port)` is called once listening."""
        self.loop = asyncio.get_running_loop()
        server = await asyncio.start_server(self._connection, self.host, self.port, reuse_address=True)
        self.bound_port = server.sockets[0].getsockname()[1]
        purger = asyncio.create_task(self._purge_regularly()) if self.purge else None
        if ready:
            ready(self.bound_port)
        async with server:
            await self.stopping.wait()
            server.close()
            # Idle connections are closed now; a message being handled is finished and answered first.
            for task, idle in list(self.idle.items()):
                if idle:
                    task.cancel()
            pending = list(self.idle)
            if pending:
                await asyncio.wait(pending, timeout=30)
        if purger:
            await purger
        self._close_database_connections()
        self.pool.shutdown(wait=True)

    def _close_database_connections(self):
        """Each worker thread closes its own database connection (they are per thread)."""
        workers = self.pool._max_workers
        barrier = threading.Barrier(workers, timeout=10)

        def close():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            connections.close_all()

        for future in [self.pool.submit(close) for _ in range(workers)]:
            future.result()

    def stop(self):
        self.stopping.set()

    def stop_threadsafe(self):
        """stop() from another thread (tests)."""
        self.loop.call_soon_threadsafe(self.stopping.set)

    def run(self, ready=None):
        """Run in this thread with SIGTERM and SIGINT stopping it cleanly (the management command)."""

        async def main():
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self.stop)
            await self.serve(ready)

        asyncio.run(main())
