# The two set-up commands of the README. Both install what they need first.
PYTHON ?= python3
DEMO_DIR ?= demo-archive
CORPUS ?= ../shared/corpus
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install browser test run bench

install:
	$(PYTHON) -m pip install --quiet -e '.[test]'

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

test: install browser
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest

# The app's own dependencies (not the test extras), installed again only when pyproject.toml changes.
.installed-run: pyproject.toml
	$(PYTHON) -m pip install --quiet -e . && touch $@

# Serves the web app on a demo archive, built on first run from ../shared/corpus if present, else from the samples.
run: .installed-run
	@[ -f "$(DEMO_DIR)/archive.db" ] || { src=$$( [ -d "$(CORPUS)" ] && echo "$(CORPUS)" || echo indexer/samples ); \
	  archive --data-dir "$(DEMO_DIR)" ingest "$$src"; }
	@# an index left by an older version (another SCHEMA_VERSION) is rebuilt from the store here
	archive --data-dir "$(DEMO_DIR)" check
	archive --data-dir "$(DEMO_DIR)" serve --host $(HOST) --port $(PORT)

bench: install browser
	@# pip before 23.3 fails on the two spellings of lxml's html-clean extra that the peers require
	$(PYTHON) -m pip install --quiet 'pip>=24' && $(PYTHON) -m pip install --quiet -e '.[bench]'
	$(PYTHON) -m benchmarks
