# The two commands: `make run` and `make test`. Both create .venv and install on first
# use only (again only when setup.py changes).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
INI ?= development.ini

.PHONY: run test install bench docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "OpenGJJ needs Python >= 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

install: $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/gjj -c $(INI) db upgrade
	$(BIN)/gjj -c $(INI) demo --logins
	@echo
	@echo "OpenGJJ demo: http://127.0.0.1:6543/"
	@for c in jincheng shaoguan kaifeng shaanxi; do echo "  http://127.0.0.1:6543/$$c/"; done
	@echo
	$(BIN)/pserve $(INI)

test: $(INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(INSTALLED)  ## PostgreSQL benchmarks need OPENGJJ_TEST_DATABASE_URL (default: local server)
	@for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

docs: $(INSTALLED)
	$(BIN)/python -m core.docs

clean:
	rm -rf var .pytest_cache
