"""The MLLP listener over a real TCP socket: each message answered within a second, in order, once; malformed
frames, half-open connections and clients leaving mid-message survived; a real hl7_listen process stops on
SIGTERM (interop.mllp, manage.py hl7_listen)."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from portal.reading.interop.mllp import MllpListener
from portal.reading.models import AppointmentTypeMapping, InterfaceMessage, Patient, SessionStatus, TreatmentSession
from portal.reading.tests.interop_messages import corepoint, published
from portal.reading.tests.mllp_client import MllpClient, ack_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def listener(treatment):
    AppointmentTypeMapping.objects.create(system="", code="HLCK", treatment=treatment)
    server = MllpListener("127.0.0.1", 0, workers=2, idle_timeout=2)
    ready = threading.Event()
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(lambda port: ready.set())), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield server
    server.stop_threadsafe()
    thread.join(10)
    assert not thread.is_alive()


@pytest.fixture
def client(listener):
    connection = MllpClient(listener.bound_port)
    yield connection
    connection.close()


def test_published_messages_are_each_answered_aa_within_a_second(client):
    for message in (published("corepoint-siu-s14.hl7"), published("pkb-siu-s12.hl7")):
        ack, seconds = client.send(message)
        assert ack_code(ack) == "AA" and seconds < 1.0
    assert TreatmentSession.objects.count() == 1  # the PKB appointment is not mapped: counted, not made
    assert list(InterfaceMessage.objects.order_by("pk").values_list("result", flat=True)) == ["created", "ignored"]


def test_the_feed_creates_moves_cancels_once_and_in_order(client):
    answers = [
        client.send(corepoint(event="S12", control_id="1"))[0],
        client.send(corepoint(event="S12", control_id="1"))[0],  # replay
        client.send(corepoint(control_id="2", time="200803071000", start="200803141530"))[0],
        client.send(corepoint(control_id="3", time="200803051000", start="200803201000"))[0],  # older MSH-7
    ]
    assert [ack_code(ack) for ack in answers] == ["AA"] * 4
    session = TreatmentSession.objects.get()
    assert session.scheduled_at.isoformat().startswith("2008-03-14T")
    assert ack_code(client.send(corepoint(event="S15", control_id="4", time="200803081000"))[0]) == "AA"
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and session.link_revoked_at is not None
    results = list(InterfaceMessage.objects.order_by("pk").values_list("result", flat=True))
    assert results == ["created", "unchanged", "updated", "stale", "cancelled"]


def test_a_no_show_over_the_socket(client):
    client.send(corepoint(event="S12", control_id="1"))
    ack, _ = client.send(corepoint(event="S26", control_id="2", time="200803061200"))
    assert ack_code(ack) == "AA" and TreatmentSession.objects.get().status == SessionStatus.NO_SHOW


def test_malformed_frames_get_a_nak_nothing_is_saved_and_the_connection_goes_on(client):
    client.send_raw(b"noise before any frame\x1c\x0d")  # bytes outside a frame, an end without a start
    ack, _ = client.send("this is not an HL7 message")
    assert ack_code(ack) == "AR"
    ack, _ = client.send("MSH|^~\\&|GPMS|CTX||MED2000|200803060953||SIU^S12|X3|P|2.3\rPID|1||489671\r")
    assert ack_code(ack) == "AE" and "X3" in ack
    assert not TreatmentSession.objects.exists() and not Patient.objects.exists()
    ack, seconds = client.send(corepoint())
    assert ack_code(ack) == "AA" and seconds < 1.0


def test_a_client_leaving_mid_message_saves_nothing_and_the_listener_goes_on(listener):
    leaving = MllpClient(listener.bound_port)
    half = corepoint().encode()[:200]
    leaving.send_raw(b"\x0b" + half)
    leaving.close()
    time.sleep(0.2)
    assert not InterfaceMessage.objects.exists()
    client = MllpClient(listener.bound_port)
    assert ack_code(client.send(corepoint())[0]) == "AA"
    client.close()


def test_a_half_open_connection_is_closed_after_the_idle_timeout(listener):
    silent = socket.create_connection(("127.0.0.1", listener.bound_port), timeout=10)
    silent.sendall(b"\x0bMSH|^~\\&|")  # a frame started and never finished
    began = time.monotonic()
    assert silent.recv(100) == b""  # the listener closed it
    assert 1.5 < time.monotonic() - began < 8
    silent.close()


def test_a_frame_larger_than_the_limit_is_refused(listener):
    listener.max_message_bytes = 10_000
    client = MllpClient(listener.bound_port)
    client.send_raw(b"\x0b" + b"A" * 20_000)
    assert ack_code(client.read_ack()) == "AR"
    client.close()
    assert ack_code(MllpClient(listener.bound_port).send(corepoint())[0]) == "AA"


def test_the_hl7_listen_process_answers_and_stops_cleanly_on_sigterm(treatment):
    """A real `manage.py hl7_listen` process, on this test's database."""
    AppointmentTypeMapping.objects.create(system="", code="HLCK", treatment=treatment)
    database = connection.settings_dict
    env = {**os.environ, "DJANGO_DEBUG": "true", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    if database["ENGINE"].endswith("sqlite3"):
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(database["NAME"])
    else:
        user, host, port = database["USER"], database["HOST"], database["PORT"]
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{database['NAME']}"
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    process = subprocess.Popen(
        [*manage, "hl7_listen", "--port", "0"], env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline()
        assert "listening on" in line
        client = MllpClient(int(line.rsplit(":", 1)[1]))
        ack, seconds = client.send(corepoint())
        assert ack_code(ack) == "AA" and seconds < 1.0
        assert TreatmentSession.objects.get().external_id == "00331839401"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()
        client.close()
    finally:
        if process.poll() is None:
            process.kill()
