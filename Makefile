# The two commands of the README: `make run` sets up and runs bunrui, `make test` tests it.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DRAFT ?= tests/fixtures/drafts/python-draft.md

.PHONY: setup run test lint model bench

$(BIN)/bunrui: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

setup: $(BIN)/bunrui

run: setup
	$(BIN)/bunrui suggest --explain 3 $(DRAFT)

test: setup
	$(BIN)/ruff check classifier service tests bench
	$(BIN)/pytest

# Rebuild the bundled model of the user's blog from ../shared (see README).
model: setup
	$(BIN)/python bench/build_default_model.py
