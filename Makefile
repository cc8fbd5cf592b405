# The README's two commands: `make run` and `make test`. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     := build/sample.db

.PHONY: run test setup sysdeps sample-corpus bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Tesseract (OCR) and Chromium (browser tests) come from Debian; installed only where missing.
sysdeps:
	bash scripts/install-system-deps.sh

run: setup sysdeps
	@mkdir -p build
	$(BIN)/svmine extract corpora/sample --out build/sample-pages.jsonl --summary; \
	  rc=$$?; [ $$rc -le 1 ] || exit $$rc  # exit 1 = some files failed: the sample plants broken files on purpose

test: setup sysdeps
	$(BIN)/python -m pytest

sample-corpus: setup
	$(BIN)/python scripts/make_sample_corpus.py corpora/sample

clean:
	rm -rf build $(VENV) .pytest_cache
