VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/partners-bot run

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Three workers: most of the suite waits on sockets, subprocesses and timeouts, not the CPU.
test: lint
	$(BIN)/pytest -n 3

bench: $(STAMP)
	$(PY) -m bench

fuzz: $(STAMP)
	HARDENING_FUZZ_CASES=20000 $(BIN)/pytest tests/e2e/fuzz/test_fuzz.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
