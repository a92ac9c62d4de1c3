# The two commands a newcomer needs: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

WEB := services/gateway/web
NODE_STAMP := node_modules/.installed-stamp
CSS := $(WEB)/static/llais.css
JS := $(WEB)/static/govuk-frontend.min.js
CATALOGUE := $(WEB)/translations/cy/LC_MESSAGES/messages

.PHONY: setup run up test test-fast bench lint topology translations browser clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(CSS): $(NODE_STAMP) $(WEB)/assets/llais.scss
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
		$(WEB)/assets/llais.scss $@

$(JS): $(NODE_STAMP)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

$(CATALOGUE).mo: $(CATALOGUE).po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -d $(WEB)/translations

setup: $(STAMP) $(CSS) $(JS) $(CATALOGUE).mo

browser:  ## Debian's chromium, for the browser tests (Playwright's own download does not work everywhere)
	@bash infra/setup/chromium

run: setup  ## every service in one process, gateway on PORT (default 8080)
	$(VENV)/bin/llais run

up: setup  ## every role as its own process against AMQP_URL
	$(VENV)/bin/llais up

test: setup browser  ## the whole suite
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: setup  ## unit tests only
	$(PY) -m pytest tests/unit -q

bench: setup  ## figures, not pass or fail
	$(PY) bench/run.py

lint: setup
	$(VENV)/bin/lint-imports

topology: setup  ## regenerate the RabbitMQ definitions operators load
	$(VENV)/bin/llais bus export-topology --queue-type quorum > infra/rabbitmq/definitions.json

translations: setup  ## collect the pages' texts into the Welsh catalogue, to translate the new ones
	$(VENV)/bin/pybabel extract --width 120 --no-location --sort-by-file -F $(WEB)/babel.cfg -k _l -o $(WEB)/translations/messages.pot $(WEB)
	$(VENV)/bin/pybabel update --width 120 --no-fuzzy-matching --ignore-obsolete -i $(WEB)/translations/messages.pot -d $(WEB)/translations

clean:
	rm -rf $(VENV) var .pytest_cache node_modules $(CSS) $(JS) $(CATALOGUE).mo
