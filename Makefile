# Convene: `make run` serves the app, `make test` runs the whole suite. Both set up what they need.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test setup migrate chromium bench clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Bundles get content-hashed names (workspace/assets.py links and caches them) and a gzip copy
# beside each, compressed once here rather than on every request.
static/dist/.built: node_modules/.installed package.json Makefile $(wildcard static/src/*.js static/src/*/*.js)
	rm -rf static/dist
	npm run --silent build
	gzip -9 --keep --force static/dist/*.js static/dist/*.js.map
	@for gz in static/dist/*.gz; do [ $$(stat -c %s "$$gz") -lt $$(stat -c %s "$${gz%.gz}") ] || rm "$$gz"; done  # tiny files: not worth it
	touch $@

setup: $(BIN)/.installed static/dist/.built

migrate: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty

# Production-grade server: gunicorn with its gevent worker (gunicorn.conf.py says why), WebSocket
# through simple-websocket. One worker per process (Socket.IO needs sticky sessions); scale out with
# more processes + Redis (docs/deploy.md).
run: migrate
	@echo "Convene on http://127.0.0.1:$(PORT)  (demo accounts: see README)"
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# Browser tests drive Debian's Chromium; install it when missing and we are root.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; \
	  else echo "Chromium is missing and we are not root: browser tests will be skipped (fail under CI=true)."; fi; \
	fi

test: setup chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks print JSON figures with a baseline measured in the same run (see docs/performance.md).
bench: setup
	$(BIN)/python -m bench.coedit
	$(BIN)/python -m bench.live
	$(BIN)/python -m bench.boards
	$(BIN)/python -m bench.glossary
	$(BIN)/python -m bench.comments
	$(BIN)/python -m bench.participation
	$(BIN)/python -m bench.doc_comments
	$(BIN)/python -m bench.digests

clean:
	rm -rf $(VENV) node_modules static/dist .pytest_cache
