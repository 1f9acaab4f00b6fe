# ScopeLens — every target sets up .venv itself when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
FILES  ?= examples
FORMAT ?= md

.PHONY: help install review test lint typecheck scan evaluate model encoder bench fuzz clean dist wheel-check

help:
	@echo "make review            set up and start the review app on http://127.0.0.1:8501"
	@echo "make test              set up, lint and run the tests"
	@echo "make scan FILES=...    scan files/folders (FORMAT=json|csv|md|html)"
	@echo "make evaluate          run the product on the dev documents, all modes (FINAL=1: test split)"
	@echo "make model             corpus -> linear model (fast mode) -> evaluate on dev"
	@echo "make encoder           corpus -> fine-tuned encoder (accurate mode; installs the train extra)"
	@echo "make bench             scan benchmark on ../shared/data -> bench/results.md"
	@echo "make dist              build the sdist and wheel into dist/"
	@echo "make wheel-check       install the wheel in a fresh venv far from the checkout and use it"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

review: $(STAMP)
	$(BIN)/scopelens review --address 127.0.0.1 --port 8501

LINTED := analyzer tests examples corpus/tools $(wildcard bench)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(STAMP)
	$(BIN)/mypy analyzer

test: lint typecheck
	$(BIN)/python -m pytest -q

scan: $(STAMP)
	$(BIN)/scopelens scan $(FILES) --format $(FORMAT)

evaluate: $(STAMP)
	$(BIN)/scopelens evaluate $(if $(FINAL),--final,--split dev)

bench: $(STAMP)
	$(BIN)/python bench/bench_scan.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache

dist: $(STAMP)
	rm -rf dist build
	$(BIN)/python -m build --outdir dist . >/dev/null
	@ls dist

# CI does exactly this: the wheel alone, installed in a new virtualenv outside the checkout.
wheel-check: dist
	PYTHON=$(PYTHON) bash .ci/check-wheel dist

# The induced lexicon (python -m analyzer.classify.induce) is a separate, deliberate step: it
# changes the rules, so it is not rerun here.
model: $(STAMP)
	$(BIN)/scopelens train
	$(BIN)/scopelens evaluate --split dev

# PyTorch comes from this machine's CPU wheel (torch==2.13.0 in /opt/wheels); 35-50 min on
# 2 cores (5 epochs), then ~10 min tuning the blend with the linear model.
encoder: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/scopelens train --encoder
	$(BIN)/scopelens evaluate --split dev --mode accurate

# Fuzz the extractors (tests/fuzz/fuzz_extract.py): coverage-guided with atheris when it is
# installed (pip install atheris), else a random mutation loop. Crashes -> test-artifacts/fuzz/.
FUZZ_SECONDS ?= 300
fuzz: $(STAMP)
	$(BIN)/python tests/fuzz/fuzz_extract.py --seconds $(FUZZ_SECONDS)
