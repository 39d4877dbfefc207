# cairn: `make demo` installs everything and plays; `make test` runs the whole test suite;
# `make test-fast` the tests that need no JVM, no game build and no real model (minutes).
# Both create .venv on first use. torch is installed first and pinned: a bare `torch`
# (pulled by sentence-transformers) resolves to a multi-GB CUDA build.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export OMP_WAIT_POLICY := PASSIVE

.PHONY: install demo test test-fast lint java clean

$(STAMP): pyproject.toml
	@command -v java >/dev/null 2>&1 || $(MAKE) --no-print-directory java
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/cairn run --trials 3

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

# The inner loop: lint, types, layers, then every test not marked slow, fuzzing fewer inputs.
FAST_FUZZ_EXAMPLES := 500
test-fast: lint
	CAIRN_FUZZ_EXAMPLES=$(FAST_FUZZ_EXAMPLES) $(BIN)/pytest -m "not slow"

# ScienceWorld runs in a JVM (Java 8+). Installed with apt when we are root, else explained.
java:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Java not found: installing default-jre-headless for ScienceWorld"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	else \
		echo "error: ScienceWorld needs Java 8+: run 'sudo apt-get install default-jre-headless', then make again" >&2; \
		exit 1; \
	fi

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
