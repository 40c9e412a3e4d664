"""Real app servers for the fault tests and the benchmark: gunicorn with production settings on loopback.

A server started here runs in its own process group with its own database (never the test
database of the pytest run that starts it): a temporary SQLite file by default, or, when
DATABASE_URL points at PostgreSQL, a database of its own beside that one, dropped afterwards. When REDIS_URL is
set, the servers share that Redis as their cache (as several production app servers do), under a key prefix of
their own, whose keys are deleted with the database.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerDatabase:
    """A database for subprocess servers: SQLite file in `workdir`, or PostgreSQL `<DATABASE_URL's name>_<label>`
    (exactly DATABASE_URL's name with `exact_name`). create() starts it empty; drop() removes it. Its shared cache
    is the database cache, or Redis at `redis_url` (by default REDIS_URL; "" for none) under a prefix of its own."""

    def __init__(self, label, workdir, database_url=None, exact_name=False, redis_url=None):
        self.label = label
        self.cache_prefix = f"{label}-{secrets.token_hex(4)}"
        self.redis_url = os.environ.get("REDIS_URL", "") if redis_url is None else redis_url
        self.base_url = os.environ.get("DATABASE_URL", "") if database_url is None else database_url
        if self.base_url:
            parts = urlsplit(self.base_url)
            base_name = parts.path.lstrip("/") or "postgres"
            self.name = base_name if exact_name else f"{base_name}_{label}"
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.vendor = "postgresql"
        else:
            self.path = Path(workdir) / f"{label}.sqlite3"
            self.name = str(self.path)
            self.vendor = "sqlite"

    @property
    def env(self):
        cache = {"REDIS_URL": self.redis_url, "DJANGO_CACHE_KEY_PREFIX": self.cache_prefix}
        if self.vendor == "postgresql":
            return {"DATABASE_URL": self.url, **cache}
        return {"DATABASE_URL": "", "SQLITE_PATH": str(self.path), **cache}

    def _drop_cache_keys(self):
        if self.redis_url:
            import redis

            with redis.Redis.from_url(self.redis_url) as client:
                for key in client.scan_iter(match=f"{self.cache_prefix}:*", count=1000):
                    client.delete(key)

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(sql)

    def create(self):
        self._drop_cache_keys()
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def drop(self):
        self._drop_cache_keys()
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


# Settings variables that are not DJANGO_*: a server starts from none of the caller's.
OTHER_SETTINGS_VARIABLES = (
    "PORTAL_BASE_URL",
    "RATELIMIT_TRUSTED_PROXY_COUNT",
    "FORWARDED_ALLOW_IPS",
    "GUNICORN_CMD_ARGS",
)


def production_env(database, static_root, **extra):
    """Environment for manage.py and gunicorn: production settings (DEBUG off), plain http on loopback."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_")) and key not in OTHER_SETTINGS_VARIABLES
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_STATIC_ROOT": str(static_root),
            "DJANGO_LOG_LEVEL": "INFO",
            # Production refuses to start without a mail server and a public address. Nothing here sends mail:
            # a closed loopback port will do (and nothing is printed, as the console backend would).
            "DJANGO_EMAIL_HOST": "127.0.0.1",
            "DJANGO_EMAIL_PORT": "9",
            "PORTAL_BASE_URL": "http://127.0.0.1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(database.env)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(env, *args, timeout=300):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare_database(env):
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")


def collect_static(workdir):
    """collectstatic with production settings into `workdir`/static (no database needed); returns that folder."""
    static_root = Path(workdir) / "static"
    env = production_env(ServerDatabase("static", workdir, database_url=""), static_root)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    return static_root


def run_django(env, code, timeout=300, **arguments):
    """Run `code` in a fresh Django process against the server's database; it may set `result` (JSON-able).

    `arguments` are available to the code as the dict `args`."""
    program = (
        "import json, sys, django\n"
        "django.setup()\n"
        "args = json.loads(sys.argv[1])\n"
        "result = None\n"
        f"exec(compile({code!r}, 'run_django', 'exec'))\n"
        "print('\\n@@RESULT@@' + json.dumps(result, default=str))\n"
    )
    completed = subprocess.run(
        [PYTHON, "-c", program, json.dumps(arguments)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"Django script failed:\n{completed.stdout}\n{completed.stderr}")
    return json.loads(completed.stdout.rsplit("@@RESULT@@", 1)[1])


class GunicornServer:
    """gunicorn portal.wsgi -c gunicorn.conf.py on 127.0.0.1:<port>, logs kept in `log_dir`."""

    def __init__(self, env, *, port=None, workers=2, log_dir, name="server"):
        self.env = env
        self.port = port or free_port()
        self.workers = workers
        self.log_dir = Path(log_dir)
        self.name = name
        self.process = None
        self.starts = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self):
        return self.log_dir / f"{self.name}.log"

    def start(self, timeout=30):
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "a")  # noqa: SIM115 - handed to the child, closed below
        self.starts += 1
        try:
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "portal.wsgi",
                    "-c",
                    str(ROOT / "gunicorn.conf.py"),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches the master and its workers
            )
        finally:
            log.close()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log_text()}")

    def kill(self):
        """kill -9 the master and every worker at once, as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self):
        return self.log_path.read_text() if self.log_path.exists() else ""


def _parse_cookie_header(header):
    for pair in header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name:
            yield name, value


class HttpClient:
    """A minimal HTTP/1.1 client with its own cookies (sent over plain http, Secure or not), one connection per
    request (gunicorn's sync workers close every connection anyway)."""

    def __init__(self, base_url, timeout=30):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.cookies = {}

    def request(self, method, path, data=None, headers=None):
        import http.client
        from http.cookies import SimpleCookie
        from urllib.parse import urlencode

        # Bytes, so that http.client sends headers and body in one packet (no Nagle / delayed-ACK stall).
        body = urlencode(data).encode() if data is not None else None
        all_headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        # A Cookie header the caller gives is kept, with the cookies the server set since added to (or
        # replacing) its values: overwriting it lost a caller's session as soon as any response set a cookie.
        cookies = dict(_parse_cookie_header(all_headers.pop("Cookie", ""))) | self.cookies
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, response.headers, content
        finally:
            connection.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        """POST a form with the CSRF token (the cookie's secret, which Django accepts as the form token)."""
        return self.request(
            "POST", path, data={**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}, **kwargs
        )
