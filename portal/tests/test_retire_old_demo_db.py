"""`make run` on a demo database made before the apps moved: it is set aside with one line, never lost."""

import sqlite3
import subprocess
import sys

from django.conf import settings

SCRIPT = settings.BASE_DIR / "scripts" / "retire-old-demo-db"


def run(path):
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={"SQLITE_PATH": str(path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )


def make_database(path, table):
    with sqlite3.connect(path) as connection:
        connection.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")


def test_a_database_of_the_old_layout_is_kept_aside_with_one_line(tmp_path):
    database = tmp_path / "db.sqlite3"
    make_database(database, "portal_patient")

    completed = run(database)

    assert not database.exists()
    assert (tmp_path / "db.sqlite3.before-0.2").exists()
    assert completed.stdout.count("\n") == 1
    assert "before 0.2.0" in completed.stdout


def test_a_database_of_the_new_layout_is_left_alone(tmp_path):
    database = tmp_path / "db.sqlite3"
    make_database(database, "reading_patient")

    completed = run(database)

    assert database.exists()
    assert completed.stdout == ""


def test_no_database_yet_is_fine(tmp_path):
    assert run(tmp_path / "db.sqlite3").stdout == ""
