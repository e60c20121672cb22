# campaign-archive: `make demo` runs the local demo, `make test` runs every check CI runs.
# Needs only Python 3.11+ and make: the virtualenv is created on first use and
# re-installed only when pyproject.toml changes (stamp file in .venv).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.campaign-archive-installed
DATA   ?= demo-data
JOBS   ?= 2

.PHONY: help demo test lint typecheck pytest audit browser wget clean

help:
	@echo "make demo   - serve the local demo sites, crawl them, print the year-over-year table ($(DATA)/)"
	@echo "make test   - ruff, import contracts, mypy, pytest, fixture audits"
	@echo "make clean  - remove $(DATA)/ and caches (keeps $(VENV))"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/campaigns demo --data-dir $(DATA)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) browser wget
	$(BIN)/python -m pytest -q -n $(JOBS) --dist loadgroup

# The report is tested in a real headless Chromium (Debian's package); install it when missing
# and we are root (CI is). Elsewhere the browser test is skipped with a message.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ; } || \
	  echo "chromium not installed: the report's browser test will be skipped"

# `campaigns import` is tested against WARCs written by Debian's wget: install it when missing.
# (pywb, py-wacz and the oldest allowed DuckDB come from PyPI into build/tools/, made by the tests.)
wget:
	@command -v wget >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wget >/dev/null; } ; } || \
	  echo "wget not installed: the import equivalence test will fail"

audit: $(STAMP)
	$(BIN)/campaigns audit
	$(BIN)/campaigns audit --fixtures fixtures/heldout --diffs 0
	$(BIN)/campaigns audit --fixtures fixtures/heldout2 --diffs 0
	@if [ -f ../shared/realcorpus/articles.jsonl ]; then \
	  $(BIN)/campaigns audit --corpus ../shared/realcorpus/articles.jsonl --floors fixtures/realcorpus-baseline.json --diffs 0; \
	else echo "../shared/realcorpus not present: the real-corpus audit is skipped"; fi

test: lint typecheck pytest audit

clean:
	rm -rf $(DATA) .pytest_cache .mypy_cache .ruff_cache
