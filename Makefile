# Quick start: `make run` launches the app, `make test` runs every check. Both set up .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint setup clean bundle bundle-check

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/cehrs-cards $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# The frozen app for this platform in dist/ (Linux: a tar.gz too); packaging/build.py has the
# logic, shared with .github/workflows/release.yml. bundle-check runs the built binary.
bundle: $(STAMP)
	$(BIN)/python packaging/build.py

bundle-check: $(STAMP)
	$(BIN)/python packaging/build.py smoke

clean:
	rm -rf $(VENV) build dist *.egg-info
