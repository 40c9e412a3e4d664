"""Two previews of a stalling text cannot take a real gunicorn (2 sync workers, production settings) down.

Before the renderer was bounded in time, two POSTs of 16 KB of "[" held both workers for ~38 s each
(gunicorn killed them at its 30 s timeout), and every other request waited. Now each preview answers
400 after CONTENT_MARKDOWN_RENDER_SECONDS and the site answers again straight after.
"""

import threading
import time

import pytest

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

PASSWORD = "a-long-test-password-42"
CREATE_EDITOR = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user = get_user_model().objects.create_user("erin", password=args["password"], is_staff=True)
user.groups.add(Group.objects.get(name="Editor"))
"""


@pytest.fixture
def server(tmp_path):
    database = ServerDatabase("preview_workers", tmp_path)
    database.create()
    env = production_env(database, collect_static(tmp_path))
    prepare_database(env)
    run_django(env, CREATE_EDITOR, password=PASSWORD)
    server = GunicornServer(env, workers=2, log_dir=tmp_path, name="preview").start()
    yield server
    server.stop()
    database.drop()


def logged_in_editor(server):
    client = HttpClient(server.url)
    status, _headers, _body = client.get("/admin/login/")
    assert status == 200
    status, _headers, _body = client.post(
        "/admin/login/", {"username": "erin", "password": PASSWORD, "next": "/admin/"}
    )
    assert status == 302, "the editor could not log in"
    return client


def timed(function, *args):
    started = time.monotonic()
    result = function(*args)
    return result, time.monotonic() - started


def test_two_stalling_previews_leave_both_workers_free_within_seconds(server):
    editor = logged_in_editor(server)
    answers = []

    def preview():
        answers.append(timed(editor.post, "/staff/markdownx/markdownify/", {"content": "[" * 16_000}))

    previews = [threading.Thread(target=preview) for _ in range(2)]
    for thread in previews:
        thread.start()
    time.sleep(0.5)  # both workers are rendering now
    (status, _headers, _body), health_wait = timed(HttpClient(server.url).get, "/healthz")
    for thread in previews:
        thread.join()

    assert status == 200
    assert health_wait < 6, f"the site did not answer for {health_wait:.1f} s"
    for (status, _headers, body), seconds in answers:
        assert status == 400
        assert body.decode().startswith("This text could not be rendered in time (3 s).")
        assert seconds < 6
    assert "Traceback" not in server.log_text() and "WORKER TIMEOUT" not in server.log_text()
