# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: venv run test clean

venv: $(STAMP)

# (Re)install whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

# Migrate the embedded SQLite database under instance/, load the demo if it is empty, serve.
run: $(STAMP)
	GRADEFLOW_ENV=$${GRADEFLOW_ENV:-development} $(BIN)/gradeflow db upgrade
	GRADEFLOW_ENV=$${GRADEFLOW_ENV:-development} $(BIN)/gradeflow demo --if-empty
	GRADEFLOW_ENV=$${GRADEFLOW_ENV:-development} $(BIN)/gradeflow serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
