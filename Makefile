# The two commands README.md names: `make run` and `make test`. Everything else is set-up they call.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint system-deps venv bench bench-hl7 e2e messages translations

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

# Debian packages the browser tests and benchmarks need (chromium, wrk) and axe-core from npm.
system-deps:
	@bash scripts/install-system-deps

# The interface's translations: locale/<lang>/LC_MESSAGES/django.po compiled to .mo (gettext's msgfmt; the .mo files
# are built, never committed). `make messages` collects new strings into the .po files (README, "Languages").
translations: venv
	@bash scripts/install-system-deps --gettext-only
	DJANGO_DEBUG=true $(PY) manage.py compilemessages --ignore=.venv --ignore=e2e

messages: venv
	DJANGO_DEBUG=true $(PY) manage.py makemessages --all --no-location --ignore=.venv --ignore=e2e --ignore=node_modules

run: venv translations
	$(PY) scripts/retire-old-demo-db
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py createcachetable
	DJANGO_DEBUG=true $(PY) manage.py load_demo
	@# The message worker (README "Messages and the worker") runs beside the server and stops with it.
	DJANGO_DEBUG=true $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

test: venv system-deps translations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

# The browser, fault and attack tests alone (make test runs them too); screenshots of failures in e2e-artifacts/.
e2e: venv system-deps
	$(VENV)/bin/pytest e2e

# Load benchmark (gunicorn + wrk; SQLite, PostgreSQL, PostgreSQL + Redis): prints each target ratio, met or not, and
# rewrites docs/benchmarks.md. Not part of make test (about 20 minutes on 2 cores).
bench: venv system-deps
	$(PY) benchmarks/run.py

# HL7 listener benchmark: 1,000 SIU messages from 4 MLLP connections against a real hl7_listen, on SQLite and on
# PostgreSQL (BENCH_HL7_DATABASE_URL); prints messages/s and ACK p99, checks 0 lost / 0 doubled (about 2 minutes).
bench-hl7: venv
	$(PY) benchmarks/hl7_listener.py --database both
