# One command each: `make report` (the main job) and `make test`. Both create .venv when needed,
# reinstall only when pyproject.toml changed, and run offline after the package install.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORPUS ?= corpus
OUT ?= reports

.PHONY: install install-test report test lab benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The compiled helpers (analysis/_native/*.c) are built by the install, so they are inputs too.
NATIVE_SOURCES := setup.py $(wildcard analysis/_native/*.c analysis/_native/*.h)

$(VENV)/.installed: pyproject.toml $(NATIVE_SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(NATIVE_SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

report: $(VENV)/.installed
	$(BIN)/discourse-kit report --corpus $(CORPUS) --out $(OUT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lab: $(VENV)/.installed
	$(BIN)/python -m ipykernel install --sys-prefix --name discourse-kit --display-name "Python (discourse kit)"
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache analysis/_native/*.so
