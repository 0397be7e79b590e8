# Two commands set everything up: `make run` and `make test`. Both are idempotent: a stamp file per
# requirements file means a second run installs nothing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run test test-fast lint bench install install-dev chromium nginx clean

install: $(VENV)/.runtime-installed

install-dev: $(VENV)/.dev-installed chromium nginx

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt requirements-nodeps.txt | $(PY)
	$(PIP) -r requirements.txt
	$(PIP) --no-deps -r requirements-nodeps.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(PIP) -r requirements-dev.txt
	touch $@

# Browser tests drive Debian's Chromium through Playwright; Playwright's own browser download would need the
# internet, so it is never used.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The replica test (tests/deploy) runs Debian's nginx with deploy/nginx.conf in front of two app servers.
nginx:
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null; }

run: install
	$(PY) -m serve run app.py --server.port $(PORT)

# Two xdist workers: the server and browser tests in order on one, the unit tests and AppTests on the other
# (tests/conftest.py schedules them so).
TEST_WORKERS := -n 2 --dist loadgroup

test: install-dev
	$(PY) -m pytest $(TEST_WORKERS)

# The edit loop: unit tests and AppTests, no browser (CI and `make test` run everything).
test-fast: $(VENV)/.dev-installed
	$(PY) -m pytest $(TEST_WORKERS) tests/unit tests/app

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
