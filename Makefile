# cxsim — verbs for the workbench.  `make help` lists them.
#
# `make run` and `make test` are the whole set-up on a fresh machine: the first time, they
# find a Python >= 3.12 on the machine, create .venv with it and install cxsim with all its
# extras at the tested versions (requirements/constraints.txt).  The environment is rebuilt
# only when pyproject.toml or the constraints change.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Interpreter used to create .venv; empty means "search for one" (see FIND_PYTHON below).
PYTHON ?=
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS := notebooks,dashboard,cluster,dev,docs
CONSTRAINTS := requirements/constraints.txt
# Dashboard port (served on 127.0.0.1 only).
PORT ?= 8765
# Where `make run` writes its tables and figures.
OUT ?= results
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k trust -x"`.
PYTEST_ARGS ?=
LINT_PATHS := cxsim tests benchmarks
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

# Shell snippet: set $py to the first interpreter >= 3.12, trying $(PYTHON) first, then the
# usual names on PATH, then pyenv's and the system's versioned binaries.  Each candidate is
# actually run, so a pyenv shim for a version that is not installed (which exists on PATH but
# fails) is skipped.  Globs that match nothing stay literal, fail to run and are skipped too.
define FIND_PYTHON
py=""; \
for c in $(PYTHON) python3.14 python3.13 python3.12 python3 python \
         "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 \
         /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do \
    if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
        py=$$("$$c" -c 'import sys; print(sys.executable)'); break; \
    fi; \
done; \
if [ -n "$(PYTHON)" ] && [ "$$py" != "$$("$(PYTHON)" -c 'import sys; print(sys.executable)' 2>/dev/null)" ]; then \
    echo "note: PYTHON=$(PYTHON) is not a working Python >= 3.12; ignoring it" >&2; \
fi; \
if [ -z "$$py" ]; then \
    echo "cxsim needs Python >= 3.12; install it (e.g. pyenv install 3.12) or set PYTHON=..." >&2; \
    exit 2; \
fi
endef

.PHONY: help venv find-python run test lab app docs bench lint format clean distclean

help: ## list the verbs
	@echo "cxsim — make verbs (set-up is automatic: the first run/test creates .venv)"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
	    awk 'BEGIN {FS = ":.*## "} {printf "  make %-12s %s\n", $$1, $$2}'
	@echo "variables: PYTHON=<interpreter> PORT=$(PORT) OUT=$(OUT) PYTEST_ARGS=..."

venv: $(STAMP) ## (internal) create/refresh .venv; run and test do this themselves

find-python: ## print the Python >= 3.12 that `make venv` would use
	@$(FIND_PYTHON); echo "$$py"; "$$py" --version

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    $(FIND_PYTHON); \
	    echo "==> creating $(VENV) with $$py ($$("$$py" --version 2>&1))"; \
	    rm -rf $(VENV); \
	    "$$py" -m venv $(VENV) || { echo "could not create a venv with $$py (on Debian: apt-get install python3-venv)" >&2; exit 1; }; \
	fi
	@echo "==> installing cxsim[$(EXTRAS)] into $(VENV) at the tested versions (about a minute the first time)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    -c $(CONSTRAINTS) -e ".[$(EXTRAS)]"
	@touch $@
	@echo "==> $(VENV) ready ($$($(BIN)/python --version))"

run: $(STAMP) ## run the headline comparison (acquisition vs retention) into results/ (OUT=...)
	$(BIN)/cxsim compare --out $(OUT)

test: $(STAMP) ## run the test suite (tests/ and, when present, the notebooks with nbval)
	$(BIN)/python -m pytest -p no:cacheprovider tests/ $(if $(NOTEBOOKS),--nbval-lax notebooks/) $(PYTEST_ARGS)

lab: $(STAMP) ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

app: $(STAMP) ## serve the dashboard on http://127.0.0.1:8765 (PORT=...)
	$(BIN)/cxsim app --host 127.0.0.1 --port $(PORT)

docs: $(STAMP) ## build the documentation site into build/site (offline; view: python -m http.server -d build/site)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir build/site

student-notebooks: $(STAMP) ## write the learners' copy of the classroom worksheet into $(OUT)/student
	$(BIN)/cxsim classroom export notebooks/09_classroom.ipynb --out $(OUT)/student

bench: $(STAMP) ## run the throughput and memory benchmarks
	$(BIN)/python benchmarks/run.py

lint: $(STAMP) ## check style (ruff check + ruff format --check)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: $(STAMP) ## fix style in place (ruff format + ruff check --fix)
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

clean: ## remove caches and build artefacts (keeps .venv and results/)
	rm -rf build dist *.egg-info .pytest_cache .hypothesis .ruff_cache .ipynb_checkpoints \
	    notebooks/.ipynb_checkpoints .coverage htmlcov
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean, and also remove .venv (the next run/test rebuilds it)
	rm -rf $(VENV)
