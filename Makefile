# Task runner. The README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= ./data/store
DEMO_BATTERIES ?= 200
PORT   ?= 8000

.PHONY: install browser virtuoso run demo serve test lint format bench clean

$(BIN)/dbp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(BIN)/dbp

## install: the virtualenv with the package and its test tools (all `make run` needs)
install: $(BIN)/dbp

## browser: Debian's chromium, which only the browser tests need (tests/ui; Playwright drives the
## system browser, it never downloads one)
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

## virtuoso: Debian's Virtuoso 7 server binaries for the remote-store tests and the bench (the
## package virtuoso-opensource-7-bin of virtuoso-opensource: the tests start private instances;
## the full package would also install and start a system-wide server on fixed ports)
virtuoso:
	@command -v virtuoso-t >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource-7-bin \
		>/dev/null)

## run: install, write the demo fleet into the on-disk store, serve on 127.0.0.1:$(PORT)
## (the demo mints its IRIs for the same port, so they dereference)
run: install
	$(BIN)/dbp demo --batteries $(DEMO_BATTERIES) --store $(STORE) --port $(PORT)
	$(BIN)/dbp serve --store $(STORE) --port $(PORT)

demo: install
	$(BIN)/dbp demo --batteries $(DEMO_BATTERIES) --store $(STORE) --port $(PORT)

serve: install
	$(BIN)/dbp serve --store $(STORE) --port $(PORT)

## test: install everything the tests need (the browser too), lint, run the whole suite
test: install browser virtuoso
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache *.egg-info
