# The two commands a newcomer needs: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run up test test-fast bench lint topology clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

run: setup  ## every service in one process, gateway on PORT (default 8080)
	$(VENV)/bin/llais run

up: setup  ## every role as its own process against AMQP_URL
	$(VENV)/bin/llais up

test: setup  ## the whole suite
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: setup  ## unit tests only
	$(PY) -m pytest tests/unit -q

bench: setup  ## figures, not pass or fail
	$(PY) bench/run.py

lint: setup
	$(VENV)/bin/lint-imports

topology: setup  ## regenerate the RabbitMQ definitions operators load
	$(VENV)/bin/llais bus export-topology --queue-type quorum > infra/rabbitmq/definitions.json

clean:
	rm -rf $(VENV) var .pytest_cache
