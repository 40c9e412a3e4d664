"""Run Django in a separate process with chosen environment variables (settings are read at start-up)."""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

# Variables the settings read (besides DJANGO_*); a test starts from none of them, then sets what it needs.
SETTINGS_VARIABLES = ("DATABASE_URL", "SQLITE_PATH", "PORTAL_BASE_URL", "RATELIMIT_TRUSTED_PROXY_COUNT", "REDIS_URL")


def clean_env(**overrides):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PYTEST")) and name not in SETTINGS_VARIABLES
    }
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env.update({name: str(value) for name, value in overrides.items() if value is not None})
    return env


PRODUCTION_REQUIRED = {
    # A mail server on a closed loopback port: nothing is sent, and nothing is printed either.
    "DJANGO_EMAIL_HOST": "127.0.0.1",
    "DJANGO_EMAIL_PORT": "9",
    "PORTAL_BASE_URL": "https://portal.example.org",
}


def production_env(**overrides):
    """What a production server has: no DEBUG, a long random secret key, its host name, a mail server, its public
    address. An override of None leaves that variable out."""
    values = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        **PRODUCTION_REQUIRED,
        **overrides,
    }
    return clean_env(**values)


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_django(code, *, env):
    """Run `code` after django.setup(); it sets `result`, which comes back decoded from JSON."""
    program = f"import django, json\ndjango.setup()\n{code}\nprint(json.dumps(result))\n"
    completed = subprocess.run(
        [sys.executable, "-c", program],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])
