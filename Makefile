# Meetsies: the two commands a newcomer needs are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STRIPE_PORT ?= 8420

.PHONY: run test setup lint fmt messages clean worker beat bench bench-tests e2e backup restore

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@command -v msgfmt >/dev/null || (echo "Installing gettext (msgfmt)..." && (apt-get install -y -qq gettext || sudo apt-get install -y -qq gettext))
	@if [ -d locale ]; then $(BIN)/python manage.py compilemessages --ignore=.venv -v0; fi

## Embedded default: SQLite, eager Celery, console email, localstripe on 127.0.0.1, demo data.
## `make run PORT=8100 STRIPE_PORT=8520` moves both ports; every process started here gets them
## (settings derive SITE_URL, STRIPE_API_BASE, STRIPE_JS_URL and the webhook URL from them).
RUN_ENV = PORT=$(PORT) STRIPE_PORT=$(STRIPE_PORT)
run: setup
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(RUN_ENV) $(BIN)/python manage.py load_demo_data
	@echo "Starting localstripe on http://127.0.0.1:$(STRIPE_PORT) and the site on http://127.0.0.1:$(PORT) ..."
	@trap 'kill 0' EXIT INT TERM; \
	  $(RUN_ENV) $(BIN)/python manage.py runlocalstripe & \
	  $(RUN_ENV) $(BIN)/python manage.py runperiodic & \
	  $(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## The whole suite. On SQLite without Redis it skips (and lists) the Postgres/Redis-only tests.
test: setup
	$(BIN)/python -m pytest $(ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/python manage.py makemigrations --check --dry-run

fmt:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages:
	$(BIN)/python manage.py makemessages -l fr -l nl --ignore=.venv --ignore=tests --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

worker:
	$(BIN)/celery -A meetsies worker --loglevel=info

beat:
	$(BIN)/celery -A meetsies beat --loglevel=info

## The browser journey alone (Playwright driving Debian's Chromium); screenshots in artifacts/.
e2e: setup
	$(BIN)/python -m pytest tests/e2e -m e2e $(ARGS)

## The HTTP benchmark on the real stack (PostgreSQL + Redis on 127.0.0.1): seeds its own
## databases (meetsies_bench_demo, meetsies_bench: 10,000 events, 100,000 bookings, 1,000,000
## ledger entries), runs gunicorn (gunicorn.conf.py) and wrk on loopback, writes
## docs/PERFORMANCE.md and its chart. BENCH_DURATION (s per round), BENCH_ROUNDS, BENCH_POSTGRES
## (server URL without the database), BENCH_REDIS_URL; ARGS="--sizes demo --quick".
bench: setup
	@command -v wrk >/dev/null || (echo "Installing wrk..." && (apt-get install -y -qq wrk || sudo apt-get install -y -qq wrk))
	$(BIN)/python -m tests.perf.http_bench $(ARGS)

## The in-process benchmarks (Django's test client; BENCH lines, no timed assertions).
bench-tests: setup
	$(BIN)/python -m pytest tests/perf -s -m perf $(ARGS)

## PostgreSQL backups (custom format, restorable with pg_restore). Needs DATABASE_URL.
BACKUP_DIR ?= backups
backup:
	@test -n "$(DATABASE_URL)" || { echo "make backup needs DATABASE_URL (the PostgreSQL database to dump)"; exit 2; }
	@mkdir -p "$(BACKUP_DIR)"
	@file="$(BACKUP_DIR)/meetsies-$$(date -u +%Y%m%dT%H%M%SZ).dump"; \
	  pg_dump --format=custom --no-owner --no-privileges --file="$$file" "$(DATABASE_URL)" && echo "$$file"

## Restore FILE into DATABASE_URL (an empty database, or one to overwrite: objects are replaced).
restore:
	@test -n "$(DATABASE_URL)" || { echo "make restore needs DATABASE_URL (the database to restore into)"; exit 2; }
	@test -f "$(FILE)" || { echo "make restore needs FILE=path/to/backup.dump"; exit 2; }
	pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$(DATABASE_URL)" "$(FILE)"

clean:
	rm -rf var media staticfiles
