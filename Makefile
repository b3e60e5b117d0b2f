# Two commands on a fresh machine with Python 3.11+ and make:
#   make run    set up, migrate, load the content, seed the demo, serve
#   make test   set up and run every test

PYTHON ?= python3
PORT ?= 5000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app assess
PYTEST_ARGS ?=

.PHONY: run test setup migrate content demo bench mutation clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "assess needs Python 3.11 or newer; set PYTHON=python3.11 or similar")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

migrate: setup
	@$(FLASK) db upgrade

content: migrate
	@$(FLASK) content check
	@$(FLASK) content load

demo: content
	@ASSESS_BASE_URL=http://$(HOST):$(PORT) $(FLASK) demo seed

# The web server and a task worker (mail, webhooks, AI drafts, the deadline sweep) run together;
# Ctrl+C stops both.
run: demo
	@echo
	@echo "assess is starting on http://$(HOST):$(PORT)  (stop it with Ctrl+C)"
	@echo "Sign in there with one of the accounts above."
	@instance=$${ASSESS_INSTANCE_DIR:-instance}; mkdir -p "$$instance" && echo http://$(HOST):$(PORT) > "$$instance/base_url"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/huey_consumer worker.huey --workers 1 --quiet & \
	  ASSESS_BASE_URL=http://$(HOST):$(PORT) $(FLASK) run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

# The calibration model on its own, then the whole service on PostgreSQL, Redis and gunicorn
# under Locust (ASSESS_BENCH_DATABASE_URL and ASSESS_BENCH_REDIS_URL say where).
bench: $(BENCH_STAMP)
	$(BIN)/python bench/calibration.py
	$(BIN)/python bench/service.py
	$(BIN)/python bench/embedded.py

# Mutation testing of the pure domain against the unit tests (no database), from scratch each
# time; mutmut's settings are in pyproject.toml. Prints mutation_score: NN.N% at the end.
mutation: setup
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/python scripts/mutation_score.py

clean:
	rm -rf $(VENV) instance .pytest_cache
