# The project's vocabulary. Each target is a thin wrapper around scripts/bootstrap.py (the
# two environments) and the `amicable` CLI.
PY := .venv/bin/python
AMICABLE := $(PY) -m amicable

.PHONY: run run-scaled test setup envs lint fmt bench eval validate train

## make run: set everything up on a fresh machine, then start the whole stack
run: envs
	$(AMICABLE) run

## make run-scaled: the production topology on this machine (2 Rasa servers, 2 action servers,
## 2 web workers, Celery workers, the scheduler) on PostgreSQL and Redis from Debian's packages
run-scaled: envs
	bash scripts/test-services.sh
	$(AMICABLE) run-scaled

## make test: the same set-up, then every test
test: envs
	bash scripts/test-services.sh
	.venv/bin/lint-imports
	$(AMICABLE) setup
	$(AMICABLE) validate
	$(PY) -m pytest
	$(AMICABLE) eval --check

setup: envs
	$(AMICABLE) setup

envs:
	@command -v python3 >/dev/null || { echo "python3 (3.11 or newer) is needed"; exit 2; }
	python3 scripts/bootstrap.py

train: envs
	$(AMICABLE) train

validate: envs
	$(AMICABLE) validate

bench: setup
	$(AMICABLE) bench

## make eval: intent F1 per language on held-out sets, BANKING77 false alarms, NLU++ acts,
## amounts and dates (make test runs it with --check: figures below their floors fail)
eval: setup
	$(AMICABLE) eval

CODE := amicable api channels web server actions bot tests scripts migrations

## make lint: ruff, and the import contracts of pyproject.toml (dependencies point inward)
lint: envs
	$(PY) -m ruff check $(CODE)
	$(PY) -m ruff format --check $(CODE)
	.venv/bin/lint-imports

fmt: envs
	$(PY) -m ruff check --fix $(CODE)
	$(PY) -m ruff format $(CODE)
