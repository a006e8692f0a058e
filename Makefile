# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint format check-services bench soak clean vendor-editor

# The stamp files make a second `make run` skip pip entirely unless pyproject.toml changed.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet '.[dev]'
	@touch $@

var:
	@mkdir -p var/media var/static

# SERVE_HOST/SERVE_PORT: links in emails and the API (SITE_URL, unless set) name the served address.
RUN_ENV = DEBUG=$${DEBUG:-true} SERVE_HOST=$(HOST) SERVE_PORT=$(PORT)

# The web server (daphne, through runserver), one Celery worker and beat, from the Procfile: honcho
# names and interleaves their logs, and Ctrl-C (or SIGTERM to make, which make passes on) stops
# all three. `exec` makes honcho make's own child, so the signal reaches it.
run: $(VENV)/.installed var
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) exec $(BIN)/honcho start -f Procfile

# Two pytest-xdist workers (tests/xdist_workers.py keeps them apart); TEST_WORKERS=0 runs one process.
TEST_WORKERS ?= 2
test: $(VENV)/.installed-dev var
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-services: $(VENV)/.installed
	$(BIN)/python manage.py check_services

# One daphne process in production mode against wrk: see bench/README.md. Writes bench/RESULTS.md.
# The social network's DM figures open their websockets with a dev package (websockets).
bench: $(VENV)/.installed-dev var
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Mixed traffic for SOAK_MINUTES (30) against one production-mode process: see bench/README.md.
# Writes its own section of bench/RESULTS.md; not part of `make test`. Its clients are dev packages.
soak: $(VENV)/.installed-dev var
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

# Refreshes static/vendor/tiptap/ (the writer's editor) from the npm versions pinned in
# tools/vendor/tiptap/package-lock.json. Needs Node and npm; neither `make run` nor `make test` does.
vendor-editor:
	cd tools/vendor/tiptap && npm ci --no-audit --no-fund && npm run build && node licenses.mjs

clean:
	rm -rf $(VENV) var staticfiles
