# The two commands a newcomer needs are `make book` and `make test`; both create
# the environment first. Everything runs inside .venv, made from requirements.txt.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
HTML   := _build/html
# Notebooks the book executes; nbval runs the same set.
NOTEBOOKS := $(wildcard chapters/*.ipynb) $(wildcard exercises/*.ipynb)

.PHONY: help env book test lint unit unit-slow grade-env nbval build-check site-check browser test-lab \
        lab serve bench exercises release strip clean

help:
	@echo "make book      create .venv if needed, install, build the site into $(HTML)"
	@echo "make test      everything the project checks (CI runs this)"
	@echo "make unit      the fast unit tests and doctests (make unit-slow: the slow rest)"
	@echo "make lab       JupyterLab on the course"
	@echo "make serve     serve the built site on http://localhost:8000"
	@echo "make bench     build the book, then benchmarks -> benchmarks/results.json and .md"
	@echo "make exercises regenerate student and solution versions of the exercises"
	@echo "make release   the learners' repository (no keys, no solutions) in _build/release"
	@echo "make strip     remove outputs from every notebook"
	@echo "make clean     remove the build and caches (keeps .venv)"

env: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" >/dev/null
	touch $(STAMP)

book: env
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going
	@echo "Site built: $(abspath $(HTML))/index.html"

test: env lint unit unit-slow nbval build-check site-check browser test-lab
	@echo "make test: all checks passed"

lint: env
	$(BIN)/ruff check .

# The fast path (under a minute): unit tests and every module's doctests, without
# the tests marked slow (the grader's kernels, symbolic integrals, the widget tests
# that repeat a check on more explorers or values). `make test` also runs
# unit-slow, so it still runs everything.
# tests/parity is browser tests only (make browser): not even collected here, since
# collecting it builds every landscape. nbval is for make nbval: not loaded here.
UNIT_ARGS := tests labtools --doctest-modules --ignore=tests/site --ignore=tests/browser \
             --ignore=tests/lab --ignore=tests/parity -p no:nbval

# Bytecode is cached (env -u PYTHONDONTWRITEBYTECODE, should the shell set it): pytest
# then rewrites the tests' asserts once, not on every run (a quarter of collecting).
unit: env
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -n 2 $(UNIT_ARGS) -m "not slow and not browser"

# The slow tests: the grader over every exercise and the hostile submissions, each
# in its own bubblewrap sandbox (installed by scripts/ensure-bwrap.sh).
unit-slow: env grade-env
	$(PY) -m pytest -n 2 $(UNIT_ARGS) -m "slow and not browser" --ignore=tests/test_hostile.py
	$(PY) -m pytest tests/test_hostile.py -m "slow and not browser"

grade-env:
	bash scripts/ensure-bwrap.sh

nbval: env
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile --nbval-lax intro.ipynb $(NOTEBOOKS)

build-check: env
	rm -rf _build
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going

# Built-site checks (links, offline assets, launch buttons, alt text, math, weight):
# plain HTML, no browser. Skipped with a reason when $(HTML) is not built.
site-check: env
	$(PY) -m pytest tests/site

# Every page in headless Chromium with the internet blocked: console errors, images,
# widgets, math, quiz, launch buttons, search, axe-core; screenshots in _build/screenshots.
# tests/parity holds the widgets' JavaScript (landscapes, optimizers, the loop) to labtools.
browser: env
	bash scripts/ensure-chromium.sh
	COURSE_REQUIRE_BROWSER=1 $(PY) -m pytest tests/browser tests/parity -m browser -n 2

# The Binder path: a venv from requirements.txt alone (cached by its hash in
# ~/.cache/course-binder-venv), JupyterLab, a chapter run, a slider, the quiz.
test-lab: env
	bash scripts/ensure-chromium.sh
	COURSE_REQUIRE_BROWSER=1 $(PY) -m pytest tests/lab -m browser

lab: env
	$(BIN)/jupyter lab --notebook-dir=.

serve:
	@test -f $(HTML)/index.html || { echo "no site yet: run make book"; exit 1; }
	$(PYTHON) -m http.server 8000 --directory $(HTML)

bench: env
	$(PY) benchmarks/run.py

exercises: env
	$(PY) -m labtools.assign exercises/source --student exercises --solution exercises/solutions

# The public repository learners and Binder open, built from this (private) source
# repository and scanned for answers before it is written (labtools/grading/release.py).
release: env
	$(PY) -m labtools.assign release --out _build/release

strip: env
	$(PY) scripts/strip_outputs.py $(filter-out tests/fixtures/%,$(shell git ls-files '*.ipynb') $(NOTEBOOKS) $(wildcard exercises/*/*.ipynb))

clean:
	rm -rf _build .pytest_cache .ruff_cache .jupyter_cache
	find . -name __pycache__ -not -path "./.venv/*" -prune -exec rm -rf {} +
