# spotcheck — two commands on a fresh Debian machine with Python 3.11:
#   make run    set up, migrate, load the demo when the database is empty, serve the product
#               as it is used (DEBUG off: Chinese error pages, static files by WhiteNoise)
#   make test   the whole gate: ruff, mypy (core), system checks, migrations check, pytest
#   make dev    as make run, with DEBUG on (Django's technical error pages) for developers
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# The server answers to the address it listens on besides ALLOWED_HOSTS (default
# 127.0.0.1,localhost); on 0.0.0.0 or :: also to this machine's name and addresses.
ANY_ADDRESS = $(filter 0.0.0.0 :: [::],$(HOST))
SERVE_HOSTS = $(HOST)$(if $(ANY_ADDRESS),$(comma)$$(hostname)$(comma)$$(hostname -I 2>/dev/null | tr ' ' ','))
comma := ,
# The background-task worker beside the web server: django-tasks-db's by default,
# an RQ worker when TASKS_BACKEND=rq (docs/decisions/0006-background-tasks.md).
TASK_WORKER = $(if $(filter rq,$(TASKS_BACKEND)),rqworker --job-class django_tasks_rq.Job default,db_worker)
# pytest runs in one process per CPU (pytest-xdist): each has its own test database, and the
# tests that flush a Redis database pick one per process (PYTEST_XDIST_WORKER).
# PYTEST_WORKERS=1 runs the suite in a single process, without xdist.
PYTEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 1)
PYTEST_XDIST = $(if $(filter-out 0 1,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS))

.PHONY: run dev test lint typecheck checks pytest test-postgres install install-dev clean

$(BIN)/python:
	scripts/ensure-system.sh venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock $(VENV)/.base-installed
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $@

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

# $(call serve,DEBUG): the steps of make run and make dev. SECRET_KEY, when not given, is
# generated once into var/secret_key (config/settings/base.py).
define serve
	scripts/ensure-system.sh pdf
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py calendar_load
	$(BIN)/python manage.py demo_load --skip-if-loaded
	$(BIN)/python manage.py demo_logins
	@echo "spotcheck 运行于 http://$(HOST):$(PORT)/ （公示时限、报送与时限提醒每小时运行一次；后台任务日志 var/worker.log）"
	export DEBUG=$(1) ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost},$(SERVE_HOSTS)"; \
	while :; do $(BIN)/python manage.py publication_deadlines; $(BIN)/python manage.py outbox_deliver; \
	  $(BIN)/python manage.py followup_escalate; sleep 3600; done > var/reminders.log 2>&1 & \
	  reminders=$$!; \
	  $(BIN)/python manage.py $(TASK_WORKER) > var/worker.log 2>&1 & \
	  worker=$$!; \
	  trap 'kill $$reminders $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)
endef

run: install
	$(call serve,false)

dev: install
	$(call serve,true)

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

checks: install-dev
	scripts/ensure-system.sh pdf
	mkdir -p var
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: install-dev
	scripts/ensure-system.sh browser pdf
	$(BIN)/python -m pytest -q $(PYTEST_XDIST)

test: lint typecheck checks pytest

test-postgres: install-dev
	scripts/ensure-system.sh browser pdf
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -q $(PYTEST_XDIST)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
