# Two entry points (see README): `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: demo test test-exhaustive install clean-index

$(VENV)/.installed: pyproject.toml setup.py indexer/_segmentation.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## Index the demo corpus (corpus/) and serve the site on http://127.0.0.1:8000/
demo: $(VENV)/.installed
	$(VENV)/bin/govsearch demo

## Run the test suite (browser tests too with PYTEST_ARGS=--browser)
test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

## The long sweeps over whole real folders (tens of minutes; not in CI)
test-exhaustive: $(VENV)/.installed
	$(PY) -m pytest -m exhaustive $(PYTEST_ARGS)

clean-index:
	rm -rf var/
