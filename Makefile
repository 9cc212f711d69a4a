# The two commands of README.md: `make demo` and `make test`. Both set everything up themselves.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the parsers are compiled by Cython (setup.py); this stamp rebuilds them when a source changes
COMPILED := $(VENV)/.compiled

.PHONY: demo demo-headless test test-fast lint es es-stop bench venv clean

venv: $(COMPILED)

$(STAMP): pyproject.toml requirements.lock setup.py
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	SOC_NO_COMPILE=1 $(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

$(COMPILED): $(STAMP) $(wildcard collectors/parsers/*.py)
	$(BIN)/python setup.py build_ext --inplace --parallel 2 >$(VENV)/compile.log 2>&1 || { tail -30 $(VENV)/compile.log; exit 1; }
	touch $(COMPILED)

demo: $(COMPILED)
	$(BIN)/soc demo

demo-headless: $(COMPILED)
	$(BIN)/soc demo --headless

test: $(COMPILED)
	bash tools/system-deps.sh
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

test-fast: $(COMPILED)
	$(BIN)/python -m pytest -q -m "not elasticsearch and not browser"

lint: $(STAMP)
	$(BIN)/lint-imports

es: $(STAMP)
	$(BIN)/python tools/esnode.py start

es-stop: $(STAMP)
	$(BIN)/python tools/esnode.py stop

bench: $(COMPILED)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache data
