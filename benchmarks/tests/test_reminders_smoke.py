"""The reminder benchmark runs end to end on a small scale: two real workers, every reminder sent exactly once."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_reminder_benchmark_sends_every_reminder_exactly_once():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST")) and k != "DATABASE_URL"}
    completed = subprocess.run(
        [sys.executable, "benchmarks/reminders.py", "--sessions", "20", "--no-write"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "'messages': 40" in completed.stdout and "'ok': True" in completed.stdout
