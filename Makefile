# The two set-up commands of the README. Both install what they need first.
PYTHON ?= python3
DEMO_DIR ?= demo-archive
CORPUS ?= ../shared/corpus

.PHONY: install test run

install:
	$(PYTHON) -m pip install --quiet -e '.[test]'

test: install
	$(PYTHON) -m pytest

# Builds a demo archive from ../shared/corpus if present, else from the shipped samples, then lists it.
run: install
	@src=$$( [ -d "$(CORPUS)" ] && echo "$(CORPUS)" || echo indexer/samples ); \
	archive --data-dir $(DEMO_DIR) ingest $$src; \
	archive --data-dir $(DEMO_DIR) list
