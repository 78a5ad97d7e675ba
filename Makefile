# The two commands of the README: `make run` sets up bunrui and serves the editor's page
# with the default model; `make test` installs the test tools and runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test browser model

$(BIN)/bunrui: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

setup: $(BIN)/bunrui

run: setup
	$(BIN)/bunrui serve --host $(HOST) --port $(PORT)

# The editor's page is tested in Debian's Chromium (Playwright cannot download a browser
# here), with a Japanese font for its screenshot. Installing it needs root (as in CI).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	            apt-get install -y -q chromium fonts-ipafont-gothic; \
	    else \
	        echo "note: /usr/bin/chromium is missing; the browser test will be skipped" \
	             "(sudo apt-get install chromium fonts-ipafont-gothic)"; \
	    fi; \
	fi

test: setup browser
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/ruff check classifier service tests bench
	@# import-linter walks folders: it reads classifier/, service/ and models/ through a
	@# view of them as bunrui/ (an editable install maps the names, it has no such folder).
	mkdir -p build/imports/bunrui
	for d in classifier service models; do ln -sfn ../../../$$d build/imports/bunrui/$$d; done
	PYTHONPATH=build/imports $(BIN)/lint-imports
	$(BIN)/pytest

# Rebuild the bundled model of the user's blog from ../shared (see README).
model: setup
	$(BIN)/python bench/build_default_model.py
