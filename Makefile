# The two commands of the README, and the pieces they are made of.
#   make matrix   set up everything, run the full conformance matrix, write reports/
#   make test     set up everything, run the harness's own tests
#   make quick    a first look: the hand-written cases and core's tests on one runtime that runs
#                 every target (Wasmtime 45), into reports/quick/
#   make unwind   Rust's own tests built with panic=abort and panic=unwind side by side, on the
#                 runtimes that run exception handling, into reports/unwind/
#   make rust-ci  what Rust's own CI job `test-various` runs (rust-lang/rust#163132): the library
#                 tests on wasm32-wasip3 built with panic=unwind, under Wasmtime, into reports/rust-ci/
#   make site     the site of a results file (RESULTS, default reports/results.json) into SITE
#                 (default reports/), with the nightly history of HISTORY=DIR when given
#   make rehearse-nightly   the nightly workflow's steps in its order, at small scale, into
#                 .rehearsal/ (the steps are targets of .ci/nightly.mk and this file)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
TOOLCHAINS ?=

.PHONY: matrix quick unwind rust-ci site test setup check-registries venv lint types clean

matrix: setup
	$(BIN)/pytest suites/ -n auto $(PYTEST_ARGS)

quick: setup
	$(BIN)/pytest suites/ -n auto --runtimes wasmtime-45 -k "not upstream or coretests" \
	  --results-dir reports/quick $(PYTEST_ARGS)

unwind: setup
	$(BIN)/pytest suites/upstream.yaml -n auto --profiles abort,unwind \
	  --runtimes wasmtime-45,wasmtime-49,pulley-45,jco --results-dir reports/unwind $(PYTEST_ARGS)

rust-ci: setup
	$(BIN)/pytest suites/upstream.yaml -n auto --targets wasm32-wasip3 --profiles unwind \
	  --runtimes wasmtime --results-dir reports/rust-ci $(PYTEST_ARGS)

site: venv
	$(BIN)/python -m harness site $(or $(RESULTS),reports/results.json) \
	  $(if $(HISTORY),--history $(HISTORY)) -o $(or $(SITE),reports)

test: setup
	bash tests/install-tools.sh
	$(BIN)/pytest tests/ -n auto $(PYTEST_ARGS)

# The images of TOOLCHAINS (`all`: the whole catalogue; empty: the default toolchain).
setup: venv
	$(BIN)/python -m harness setup --toolchains "$(TOOLCHAINS)"

# Every image recipe still installs from today's registries, cached images or not (CI runs it).
check-registries: venv
	$(BIN)/python -m harness check-registries

venv: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

lint: venv
	$(BIN)/ruff check harness runners tests bench docs

types: venv
	$(BIN)/mypy

clean:
	rm -rf $(VENV) reports/*.json reports/*.md reports/*.html reports/*.xml reports/evidence reports/cells \
	  reports/previous .rehearsal

include .ci/nightly.mk
