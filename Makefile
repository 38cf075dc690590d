# elearn — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
export ELEARN_CONFIG ?= development

.PHONY: run test install translations lint migrate sync scheduler bench clean-venv

$(BIN)/flask: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/flask

install: $(BIN)/flask translations node_modules/.package-lock.json

## axe-core for the browser tests' accessibility audits (they skip, saying so, without it).
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; \
	else echo "npm not found: the accessibility audits (tests/e2e) will be skipped"; fi

translations: $(BIN)/flask
	$(BIN)/pybabel compile -d elearn/translations

migrate: install
	$(BIN)/flask db upgrade

sync: migrate
	@if $(BIN)/flask content --help >/dev/null 2>&1; then $(BIN)/flask content sync; fi
	$(BIN)/flask webinars load-samples

## Serve http://127.0.0.1:5000 with the scheduler running in the serving process.
run: sync
	SCHEDULER_IN_PROCESS=true $(BIN)/flask run --debug --host 127.0.0.1 --port 5000

## The scheduler as its own process (production runs this beside gunicorn).
scheduler: migrate
	$(BIN)/flask scheduler run

## The whole suite: SQLite always, PostgreSQL too when ELEARN_TEST_DATABASE_URL is set,
## and the browser journeys when /usr/bin/chromium exists.
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

## Re-extract the interface strings and merge them into every catalogue.
extract: $(BIN)/flask
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o elearn/translations/messages.pot --no-location --sort-output --project elearn .
	$(BIN)/pybabel update -i elearn/translations/messages.pot -d elearn/translations --no-fuzzy-matching --ignore-obsolete

## Benchmarks at programme scale (about 15 minutes); writes BENCHMARKS.md.
bench:
	@command -v wrk >/dev/null || { echo "make bench needs wrk (the HTTP load generator): sudo apt-get install -y wrk"; exit 1; }
	@$(MAKE) --no-print-directory install
	$(BIN)/python -m bench.run $(BENCH_ARGS)
