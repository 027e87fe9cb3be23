# Task runner. The README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= ./data/store
DEMO_BATTERIES ?= 200
PORT   ?= 8000

YASGUI_VERSION   := 4.6.2
YASGUI_INTEGRITY := sha512-Zw45KdPoAE1KRaAoxIHdQqeJxvaVG1oQdntw0hy0ktX35Zu8ZccuOLrXCLwR+GU+0xMzLw8Mjw6BkSZV2vUuQw==
YASGUI_DIR       := graph_service/ui/static/vendor/yasgui

.PHONY: install browser virtuoso vendor-yasgui run demo serve test lint format bench clean

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

## vendor-yasgui: re-fetch the committed YASGUI build from its pinned npm package (checked
## against the recorded integrity); the service itself never needs npm or the internet
vendor-yasgui:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent @zazuko/yasgui@$(YASGUI_VERSION) >/dev/null && \
	got="sha512-$$(openssl dgst -sha512 -binary zazuko-yasgui-$(YASGUI_VERSION).tgz | base64 -w0)" && \
	test "$$got" = "$(YASGUI_INTEGRITY)" || { echo "integrity mismatch: $$got"; exit 1; } && \
	tar xzf zazuko-yasgui-$(YASGUI_VERSION).tgz && \
	cp package/build/yasgui.min.js package/build/yasgui.min.css $(CURDIR)/$(YASGUI_DIR)/ && \
	rm -rf $$tmp && echo "YASGUI $(YASGUI_VERSION) in $(YASGUI_DIR)"

bench: install virtuoso
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache *.egg-info
