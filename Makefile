# The two commands of README.md: `make demo` and `make test`. Both set everything up themselves.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-headless test test-fast lint es es-stop bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/soc demo

demo-headless: $(STAMP)
	$(BIN)/soc demo --headless

test: $(STAMP)
	bash tools/system-deps.sh
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not elasticsearch and not browser"

lint: $(STAMP)
	$(BIN)/lint-imports

es: $(STAMP)
	$(BIN)/python tools/esnode.py start

es-stop: $(STAMP)
	$(BIN)/python tools/esnode.py stop

bench: $(STAMP)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache data
