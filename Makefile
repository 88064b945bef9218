# Hotpath. Quick start: `make run` (platform at http://127.0.0.1:8000/) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup run test test-fast migrate sync validate lint clean

setup: $(STAMP)

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Hotpath needs Python 3.11 (the pinned torch wheel is cp311); found {sys.version.split()[0]}. Set PYTHON=/path/to/python3.11"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .   # the `hotpath` CLI
	@touch $(STAMP)

migrate: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py sync_challenges
	$(PY) manage.py seed_demo

run: migrate
	$(PY) scripts/run_dev.py

test: setup
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not slow"

validate: setup
	$(PY) manage.py validate_challenges

clean:
	rm -rf var db.sqlite3 .pytest_cache
