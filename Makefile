# Everyday commands. `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# axe-core for the accessibility tests (package.json), fetched by npm only when the lock changes.
NODE_STAMP := node_modules/.installed-stamp

.PHONY: install demo demo-simulate serve test pytest lint format clean

# Every install takes the exact versions and hashes of requirements/dev.txt (the lock), so that
# tests and benchmarks run on the same software everywhere; `make lock` updates it.
$(STAMP): pyproject.toml requirements/dev.txt
	@echo "Installing VoteHall and its Python packages into $(VENV) (a minute or two the first time)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing (apt-get install npm): the accessibility tests need axe-core"; exit 1; }
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

# The demo needs Python only (not npm): a fresh database every run, served on http://127.0.0.1:8000.
demo: $(STAMP)  ## a fresh demo meeting on SQLite; DEMO_ARGS=--simulate lets the hall vote by itself
	$(BIN)/votehall demo $(DEMO_ARGS)

demo-simulate: $(STAMP)  ## the same, with simulated handhelds voting on the whole agenda
	$(BIN)/votehall demo --simulate $(DEMO_ARGS)

serve: install
	$(BIN)/votehall serve

test: lint pytest  ## the whole suite: lint, types, and the tests on SQLite and PostgreSQL

pytest: install
	@command -v pdftotext >/dev/null || { echo "pdftotext is missing (apt-get install poppler-utils): the record tests read results.pdf with it"; exit 1; }
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The locks: requirements/runtime.txt (the server, the Dockerfile) and requirements/dev.txt (tests,
# lint, benchmarks), both from pyproject.toml's lower bounds with pip-tools' pip-compile, which pip
# installs into a venv of its own. Run after changing a dependency; commit both files.
LOCK_VENV := .venv-lock
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
.PHONY: lock
lock:  ## re-resolve both lock files (LOCK_ARGS=--upgrade for the newest releases the bounds allow)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet 'pip-tools>=7.4'
	$(PIP_COMPILE) -o requirements/runtime.txt pyproject.toml requirements/build.in
	$(PIP_COMPILE) --extra dev -c requirements/runtime.txt -o requirements/dev.txt pyproject.toml requirements/build.in

.PHONY: screenshots
screenshots: $(STAMP)  ## refresh docs/screenshots/ (the README's pictures) from the end-to-end test in Chromium
	$(BIN)/python -m pytest -q tests/live/test_meeting_e2e.py tests/live/test_chair_corrections.py -k sqlite
	$(BIN)/python -m tests.live.docs_screenshots
	$(BIN)/python -m tests.live.record_screenshots

.PHONY: record-screenshots
record-screenshots: $(STAMP)  ## pictures of the demo meeting's published record (record.html, /uitslagen, results.pdf)
	$(BIN)/python -m tests.live.record_screenshots

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(LOCK_VENV) node_modules .pytest_cache .ruff_cache .mypy_cache .hypothesis votehall-demo.db* votehall-demo-committee

# Mutation testing (not part of `make test` or CI: it takes long on a small machine). mutmut
# copies the code to mutants/, mutates server/rules, server/audit and the vote writer's checks
# ([tool.mutmut] in pyproject.toml) and runs, for each mutant, the tests that reach it.
# MUTANTS narrows the run (mutmut's names, globs allowed), MUTATION_JOBS sets the parallelism.
MUTANTS ?= server.rules.* server.audit.* server.live.writer.x__refusal* server.live.writer.x__active_passes* \
	server.live.writer.x__voted* server.live.writer.x__ballot_rows* server.live.writer.x__stored_acks*
MUTATION_JOBS ?= 2
.PHONY: mutation
mutation: $(STAMP)  ## mutation testing of the rules, the audit log and the vote writer's checks
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(foreach m,$(MUTANTS),'$(m)')
	$(BIN)/mutmut results
