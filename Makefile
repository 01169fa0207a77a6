# Two commands for a new user: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := FLASK_APP=app $(VENV)/bin/flask
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run install lock translations translations-update test test-pg test-deploy test-fast lint bench bench-quick clean-db help

help:
	@echo "make run          set up (first time) and serve http://127.0.0.1:5000 with the demo province (and its worker)"
	@echo "make test         the whole suite on SQLite, browser tests included (needs Debian's chromium)"
	@echo "make test-pg      the suite but the browser tests on PostgreSQL (TEST_DATABASE_URL, or a throwaway cluster)"
	@echo "make test-deploy  the README's deployment (deploy/: nginx, two gunicorn, the worker) on PostgreSQL and Redis, walked end to end"
	@echo "make translations-update   extract new messages into translations/*/messages.po"
	@echo "make bench        every performance budget (SPEC §6, P1–P14) in one table at 10k, 20k, 100k and 1M (BENCH_DATABASE_URL: PostgreSQL too)"
	@echo "make bench-quick  the same harness at 2,000 and 1,000 enterprises in under 2 minutes (part of make test)"

# Installs exactly the versions in requirements.lock, the ones the suite and CI ran with.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtual environment: install the Debian package python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# After changing the dependencies in pyproject.toml: resolve them again (then run make test).
lock: $(STAMP)
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock pyproject.toml

install: $(STAMP)

translations: $(STAMP)
	@$(FLASK) translate compile > /dev/null

translations-update: $(STAMP)
	$(FLASK) translate update

run: install translations
	$(FLASK) db upgrade
	$(FLASK) reference load
	$(FLASK) demo load
	$(FLASK) check
	@# the worker runs the background tasks (imports, e-mail, progress figures); it stops with the site
	$(FLASK) worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		$(FLASK) run --host 127.0.0.1 --port 5000

test: install translations
	@test -x /usr/bin/chromium || { echo "The browser tests need Chromium: sudo apt-get install chromium"; exit 1; }
	env -u TEST_DATABASE_URL $(PY) -m pytest -m "not deploy" $(PYTEST_ARGS)
	$(MAKE) --no-print-directory bench-quick

test-pg: install translations
	./scripts/with-postgres $(PY) -m pytest -m "not browser and not deploy" $(PYTEST_ARGS)

# Needs nginx and a Redis (REDIS_URL, default redis://127.0.0.1:6379); PostgreSQL as make test-pg finds it.
test-deploy: install translations
	@command -v nginx >/dev/null || { echo "The deployment test needs nginx: sudo apt-get install nginx"; exit 1; }
	./scripts/with-postgres $(PY) -m pytest -m deploy -n 0 tests/deploy $(PYTEST_ARGS)

test-fast: install translations
	$(PY) -m pytest -m "not browser and not deploy" -x -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check app tests benchmarks scripts
	$(VENV)/bin/ruff format --check app tests benchmarks scripts

# Builds the data it needs under /tmp/bench-p1p4 (1M with 3M assessments: about 13 minutes on SQLite) and, for the writes of
# P11–P14, under /tmp/bench-p9 (100k and 1M: the writes change them), serves it with gunicorn, drives it with wrk where installed,
# prints the table and writes benchmarks/results.json (benchmarks/README.md).
bench: install translations
	PYTHONPATH=$(CURDIR) $(PY) benchmarks/bench.py $(BENCH_ARGS)

bench-quick: install translations
	PYTHONPATH=$(CURDIR) $(PY) benchmarks/bench.py --quick

clean-db:
	rm -f instance/app.db instance/app.db-wal instance/app.db-shm instance/demo-credentials.txt
