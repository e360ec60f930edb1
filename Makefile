# Two commands on a fresh machine: `make run` and `make test`; `make demo` tells the whole story.
PYTHON ?= python3
# Compiled bytecode is a cache (git ignores __pycache__/). A machine that switches it off makes every
# process compile this project's modules again, and pytest rewrite hypothesis's and schemathesis's,
# which costs the suite's hundreds of processes minutes; every target here writes it.
unexport PYTHONDONTWRITEBYTECODE
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000
# the demo's simulation clock starts on a Monday before National Day: a publication on Sep 30 then has
# its appeal deadline on Saturday Oct 10, a make-up workday (调休补班)
DEMO_CLOCK_START ?= 2026-09-28T09:00:00+08:00
DEMO_INSTANCE ?= $(CURDIR)/instance/demo
DEMO_ENV := GRADEFLOW_ENV=development GRADEFLOW_INSTANCE_PATH=$(DEMO_INSTANCE) \
            GRADEFLOW_CLOCK=manual GRADEFLOW_CLOCK_START=$(DEMO_CLOCK_START)

.PHONY: venv run demo test browser bench clean

venv: $(STAMP)

# (Re)install whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

# Migrate the embedded SQLite database under instance/, load the demo if it is empty, serve.
# POLICY=NAME: a shipped rule pack (workflow/policies/NAME.yaml) and its demo, in a database of its own
# under instance/NAME/.
POLICY ?=
RUN_ENV := GRADEFLOW_ENV=$${GRADEFLOW_ENV:-development} \
           $(if $(POLICY),GRADEFLOW_POLICY=$(POLICY) GRADEFLOW_INSTANCE_PATH=$(CURDIR)/instance/$(POLICY))
run: $(STAMP)
	$(RUN_ENV) $(BIN)/gradeflow db upgrade
	$(RUN_ENV) $(BIN)/gradeflow demo --if-empty $(if $(POLICY),--policy $(POLICY))
	$(RUN_ENV) $(BIN)/gradeflow serve --host $(HOST) --port $(PORT)

# The demo on a simulation clock (a database of its own under instance/demo/): time stands still until
# the admin moves it (the page /clock, or PUT /api/v1/clock), and every deadline it passes fires. README: "The whole story".
demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/gradeflow db upgrade
	$(DEMO_ENV) $(BIN)/gradeflow demo --if-empty
	$(DEMO_ENV) $(BIN)/gradeflow serve --host $(HOST) --port $(PORT)

# One worker more than there are cores: many tests wait on a database, a server process or a browser. 0: one process.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: $(STAMP) browser
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Debian's chromium and a Chinese font for the browser tests (tests/web), installed with apt-get when missing.
# A failure here does not stop `make test`: the browser tests then skip, or fail where
# GRADEFLOW_TEST_REQUIRE_BROWSER=1 (CI).
browser:
	-scripts/install-browser

# The benchmarks (bench/, docs/benchmarks.md): every figure beside the raw ceiling of the same run.
# BENCH_ARGS="--quick" for small sizes, "--only post get", "--db sqlite", "--report FILE".
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
