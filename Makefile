# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SETTINGS ?= claims_api.settings.development
# Resolved on first use, once per make invocation: DATABASE_URL, the server on
# 5432, or a project-local cluster (see scripts/database.py).
DB_URL = $(eval DB_URL := $$(shell $(BIN)/python scripts/database.py url || echo FAILED))$(DB_URL)

.PHONY: help install db migrate fixtures run test stop schema client client-ts bench backup restore clean

help:
	@echo "make run    set up and serve the API on http://127.0.0.1:$(PORT)"
	@echo "make test   set up and run the whole test suite"
	@echo "make stop   stop the project-local PostgreSQL clusters (make test's, make bench's), if started"
	@echo "make schema regenerate the committed OpenAPI document (openapi.yaml)"
	@echo "make client generate a Python client from openapi.yaml into clients/python/ (CLIENT_DIR=… elsewhere)"
	@echo "make client-ts generate TypeScript types from openapi.yaml into clients/typescript/ (TS_CLIENT_DIR=…)"
	@echo "make backup write a consistent backup and its manifest to backups/ (BACKUP_DIR=… elsewhere)"
	@echo "make restore FILE=…  restore a backup into the (empty) database; FORCE=1 replaces a non-empty one"
	@echo "make bench  benchmark the read path on 1,000,000 synthetic claims (docs/benchmarks.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# JavaScript tools the tests use (axe-core; openapi-typescript, openapi-fetch and tsc for the TypeScript
# client), pinned by package-lock.json, installed with the machine's npm.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

db: install
	@url="$(DB_URL)"; [ "$$url" != FAILED ] || exit 1

migrate: db
	DATABASE_URL="$(DB_URL)" DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py migrate --no-input

fixtures: migrate
	DATABASE_URL="$(DB_URL)" DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py load_fixtures

run: fixtures
	DATABASE_URL="$(DB_URL)" DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: fixtures node_modules/.installed
	DATABASE_URL="$(DB_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS)

schema: db
	DATABASE_URL="$(DB_URL)" DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file openapi.yaml

# The generated package replaces the previous one (--overwrite); its post-generation hooks call ruff,
# which is found on PATH, so the environment's own ruff goes first.
CLIENT_DIR ?= clients/python
client: install
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/openapi-python-client generate --path openapi.yaml --meta none \
		--config clients/openapi-python-client.yaml --output-path "$(abspath $(CLIENT_DIR))/claims_api_client" --overwrite

# Types for openapi-fetch (pinned in package.json): `createClient<paths>()` from the generated api.d.ts.
TS_CLIENT_DIR ?= clients/typescript
client-ts: node_modules/.installed
	node_modules/.bin/openapi-typescript openapi.yaml --output "$(TS_CLIENT_DIR)/api.d.ts"

BACKUP_DIR ?= backups
backup: db
	DATABASE_URL="$(DB_URL)" DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py backup --dir "$(BACKUP_DIR)"

restore: db
	@[ -n "$(FILE)" ] || { echo "make restore FILE=backups/claims_api-….dump [FORCE=1]"; exit 2; }
	DATABASE_URL="$(DB_URL)" DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py restore "$(FILE)" $(if $(FORCE),--force)

# The benchmark has a database of its own, so synthetic data never meets the curated data,
# on a PostgreSQL cluster of its own, configured as a production server would be rather
# than with the 128 MB of shared buffers a packaged server starts with. effective_cache_size
# is a planner hint, not memory: at 4 GB (PostgreSQL's default) or more, the planner prices an
# index walk by its pages alone and, for a search word matching 0.5 % of claims, walks the
# newest-first index through 20,000 rows instead of reading the 5,000 matches (several
# times slower; see docs/benchmarks.md); at 1 GB it reads the matches, and still walks the
# index for common words. JIT compilation costs more than it saves on queries of milliseconds
# (20 ms on a reading-room page), and starting parallel workers about 5 ms: a page walking an
# index for 100 rows must not pay it (parallel_setup_cost), a search sorting thousands still may.
BENCH_DB := DB_NAME=claims_api_bench LOCAL_DB_DIR=.data/bench-postgres LOCAL_DB_PORT=54330
BENCH_DB_SETTINGS ?= shared_buffers=4GB effective_cache_size=1GB work_mem=16MB maintenance_work_mem=1GB \
	max_wal_size=8GB checkpoint_timeout=30min jit=off parallel_setup_cost=10000
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "bench: wrk not found (apt-get install wrk); throughput will not be measured"
	@url="$$($(BENCH_DB) LOCAL_DB_SETTINGS="$(BENCH_DB_SETTINGS)" $(BIN)/python scripts/database.py local)" || exit 1; \
		DATABASE_URL="$$url" $(BIN)/python scripts/bench.py

stop:
	@[ -x $(BIN)/python ] && $(BIN)/python scripts/database.py stop || true
	@[ -x $(BIN)/python ] && [ -d .data/bench-postgres ] && $(BENCH_DB) $(BIN)/python scripts/database.py stop || true

clean: stop
	rm -rf $(VENV) .data .pytest_cache
