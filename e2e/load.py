"""HTTP load for the fault tests: patients reading, reporting progress and acknowledging, over plain sockets.

Each patient keeps one set of cookies and sends every request to one of the given servers at random
(they share the database, so the session is valid on all of them). What the server confirmed is
recorded: an acknowledgement answered with its redirect, a beacon answered 204. Those are the
promises that the database must keep, whatever happens to the servers.
"""

import collections
import http.client
import random
import re
import threading
import time
import uuid

from e2e.servers import HttpClient

SHOWN_RE = re.compile(rb'name="shown" value="([^"]+)"')
# Exceptions a client sees while a server is down or being killed.
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


class Outcome:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.unexpected = []  # (method, path, status)
        self.errors = []  # (time, error) for requests that got no answer at all
        self.acknowledged = set()
        self.beacons = collections.defaultdict(dict)  # item -> {client_id: seconds}
        self.requests = 0

    def answer(self, method, path, status, expected):
        with self.lock:
            self.requests += 1
            self.statuses[status] += 1
            if status not in expected:
                self.unexpected.append((method, path, status))

    def error(self, error):
        with self.lock:
            self.requests += 1
            self.errors.append((time.monotonic(), repr(error)))

    @property
    def server_errors(self):
        return {status: count for status, count in self.statuses.items() if status >= 500}


class PatientLoad:
    """`threads` threads, each looping over its share of `patients` until `seconds` have passed."""

    def __init__(self, urls, patients, *, seconds, threads=8, seed=1):
        self.urls = urls
        self.patients = patients
        self.seconds = seconds
        self.outcome = Outcome()
        self.rng = random.Random(seed)
        self.threads = [
            threading.Thread(target=self._run, args=(patients[number::threads], seed + number), daemon=True)
            for number in range(threads)
        ]

    def start(self):
        self.deadline = time.monotonic() + self.seconds
        for thread in self.threads:
            thread.start()
        return self

    def join(self):
        for thread in self.threads:
            thread.join(timeout=self.seconds + 120)
            assert not thread.is_alive(), "a load thread did not stop"
        return self.outcome

    def _clients(self):
        clients = [HttpClient(url, timeout=30) for url in self.urls]
        for client in clients[1:]:
            client.cookies = clients[0].cookies
        return clients

    def _request(self, clients, rng, method, path, data=None, expected=(200,), body=None):
        client = rng.choice(clients)
        try:
            if method == "GET":
                status, _, page = client.get(path)
            else:
                status, _, page = client.post(path, data)
        except CONNECTION_ERRORS as error:
            self.outcome.error(error)
            return None
        self.outcome.answer(method, path, status, expected)
        if body is not None:
            body.append(page)
        return status

    def _run(self, patients, seed):
        rng = random.Random(seed)
        sessions = []
        for patient in patients:
            clients = self._clients()
            while time.monotonic() < self.deadline:
                # The link is exchanged for a session cookie once; the reading list sets the CSRF cookie.
                if self._request(clients, rng, "GET", f"/p/{patient['token']}/", expected=(302,)) == 302:
                    break
                time.sleep(0.2)
            while time.monotonic() < self.deadline and "csrftoken" not in clients[0].cookies:
                if self._request(clients, rng, "GET", "/p/session/") is None:
                    time.sleep(0.2)
            sessions.append((clients, patient["items"]))
        round_number = 0
        while time.monotonic() < self.deadline:
            for clients, items in sessions:
                for item in items:
                    if time.monotonic() >= self.deadline:
                        return
                    self._item(clients, rng, item, first=round_number == 0)
            round_number += 1

    def _item(self, clients, rng, item, *, first):
        page = []
        self._request(clients, rng, "GET", f"/p/items/{item}/", body=page)
        # The acknowledgement says which version the page showed (signed into the form).
        shown = SHOWN_RE.search(page[0]) if page else None
        client_id = uuid.uuid4().hex
        seconds = rng.randint(1, 30)
        report = {"client_id": client_id, "seconds": seconds, "reached_end": "true" if first else "false"}
        for _attempt in range(2):  # the second is a resend of the same report: it must count once
            if self._request(clients, rng, "POST", f"/p/items/{item}/progress/", report, expected=(204,)) == 204:
                with self.outcome.lock:
                    self.outcome.beacons[item][client_id] = seconds
        if shown is None:  # the page did not arrive (a server being killed): acknowledge it next round
            return
        # 409: a material change was published between the page and the acknowledgement (acknowledged later).
        path = f"/p/items/{item}/acknowledge/"
        if self._request(clients, rng, "POST", path, {"shown": shown.group(1).decode()}, expected=(302, 409)) == 302:
            with self.outcome.lock:
                self.outcome.acknowledged.add(item)


class PageReader:
    """An anonymous visitor reading a public page over and over (the page cache under publishing)."""

    def __init__(self, urls, path, *, seconds):
        self.urls, self.path, self.seconds = urls, path, seconds
        self.outcome = Outcome()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.deadline = time.monotonic() + self.seconds
        self.thread.start()
        return self

    def join(self):
        self.thread.join(timeout=self.seconds + 60)
        return self.outcome

    def _run(self):
        clients = [HttpClient(url) for url in self.urls]
        number = 0
        while time.monotonic() < self.deadline:
            client = clients[number % len(clients)]
            number += 1
            try:
                status, _, _ = client.get(self.path)
            except CONNECTION_ERRORS as error:
                self.outcome.error(error)
                continue
            self.outcome.answer("GET", self.path, status, (200,))
            time.sleep(0.02)


def lost_promises(outcome, records):
    """Acknowledgements and reports the server confirmed that the database does not hold."""
    lost = []
    for item in outcome.acknowledged:
        if not records.get(str(item), {}).get("acknowledged"):
            lost.append(f"acknowledgement of item {item}")
    for item, reports in outcome.beacons.items():
        stored = records.get(str(item), {}).get("reports", {})
        lost += [f"report {client_id} of item {item}" for client_id in reports if client_id not in stored]
    return lost


def inconsistent_totals(records):
    """Items whose visible seconds are not the sum of their stored reports (a lost or doubled update)."""
    return {
        item: (record["seconds_visible"], sum(record["reports"].values()))
        for item, record in records.items()
        if record["seconds_visible"] != sum(record["reports"].values())
    }
