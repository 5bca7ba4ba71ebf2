# Quick start: `make run` serves the API on the embedded SQLite store; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run PORT=8001` serves on another port (the demo's sign-in links follow it).
PORT ?= 8000
# The whole suite runs on this many pytest-xdist workers, a test file to a worker (end-to-end files share one server
# and browser, in order); `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= 2
# The browser tests keep a screenshot of every page they look at here, a folder per test module (var/ is git-ignored).
GOALENGINE_SCREENSHOTS ?= var/screenshots

# The browser tests drive Debian's Chromium through chromium-driver; installed here when missing (root, or sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint bench setup clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		( $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver )

run: $(STAMP)
	$(BIN)/goalengine demo --base http://127.0.0.1:$(PORT)
	$(BIN)/goalengine serve --demo-token --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(STAMP) lint browser
	GOALENGINE_SCREENSHOTS=$(GOALENGINE_SCREENSHOTS) $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
