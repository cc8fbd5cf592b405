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

# The main job on the sample corpus: scan into a SQLite store (incremental: a second run skips
# what is current), then the Appendix-3-style table and the HTML report. `svmine scan` exits 1
# when some documents failed: the sample corpus plants broken files on purpose, so 1 is expected.
run: setup sysdeps
	@mkdir -p build
	$(BIN)/svmine scan corpora/sample --db $(DB) --manifest corpora/sample/manifest.csv; \
	  rc=$$?; [ $$rc -le 1 ] || exit $$rc
	$(BIN)/svmine table --db $(DB) --manifest corpora/sample/manifest.csv
	$(BIN)/svmine report --db $(DB) --manifest corpora/sample/manifest.csv --out build/report.html
	@echo "HTML report: build/report.html"

test: setup sysdeps
	$(BIN)/python -m pytest

sample-corpus: setup
	$(BIN)/python scripts/make_sample_corpus.py corpora/sample

clean:
	rm -rf build $(VENV) .pytest_cache
