# seqlearn course: every command a learner, an instructor or CI needs.
#   make lab        create the environment if missing, copy the chapters missing from workspace/ (the learner's
#                   own copies, never overwritten), then open the course in JupyterLab
#   make fresh CHAPTER=05   replace workspace/'s copy of one chapter with a fresh one (the old one is kept as .bak)
#   make test       create the environment if missing, then lint and run every test (package + nbval)
#   make notebooks  re-execute every notebook in place, storing fresh outputs
#   make slides     export every chapter to reveal.js slides in build/slides/ (open offline; needs Node.js and npm)
#   make student    build the student edition (solutions replaced, outputs cleared) in build/student/
#   make site       build the course site (Jupyter Book: search, sidebar, every chapter with its stored outputs) in
#                   build/site/ (opens offline; needs Node.js and npm)
# The environment is .venv, installed from requirements.lock (exact versions, torch 2.13.0 CPU build).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab fresh test lint notebooks slides student site no-web clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; v == (3, 11) or print(f"warning: requirements.lock was made with Python 3.11, this is {v[0]}.{v[1]}")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The learner works in workspace/ (not in git): a student copy of each chapter (tools/workspace.py), made when
# missing and never overwritten. JupyterLab starts at the root, so its file browser shows workspace/ and notebooks/
# (the worked chapters), and opens on workspace/. It refuses to start as root (common in containers) unless told it
# may. The kernels get the CPU kernel pins that `make test` and `make notebooks` use (tools/cpu_pins.py), so a
# re-run prints the stored digits.
lab: $(STAMP)
	$(BIN)/python tools/workspace.py
	env $$($(BIN)/python tools/cpu_pins.py) $(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) \
		--LabApp.default_url=/lab/tree/workspace

fresh: $(STAMP)
	$(if $(CHAPTER),,$(error say which chapter, e.g. make fresh CHAPTER=05))
	$(BIN)/python tools/workspace.py --fresh $(CHAPTER)

lint: $(STAMP)
	$(BIN)/ruff check .

# The builds come first: CI must prove they work, and the browser test opens the slides and the site.
# The slides and the site need Node.js and npm; without them they are skipped, saying so (no-web), and so are
# their tests. CI (.ci/run) sets SEQLEARN_REQUIRE_WEB=1, which makes that a failure.
WEB := $(shell command -v node >/dev/null && command -v npm >/dev/null && echo yes)
test: lint student $(if $(WEB),slides site,no-web)
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-cell-timeout=300 \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

# Slides and site render the stored outputs (nothing is executed), and every script they reference is a local
# copy from npm (pinned in package.json and package-lock.json), so the pages open without a network.
CHAPTERS  := $(wildcard notebooks/[0-9][0-9]_*.ipynb)
VENDOR    := build/vendor/.installed
LOCAL_JS  := --HTMLExporter.require_js_url=vendor/require.js --HTMLExporter.jquery_url=vendor/jquery.min.js \
	"--HTMLExporter.mathjax_url=vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
NO_WEB    := Node.js and npm are not on PATH; install them (https://nodejs.org, or apt-get install nodejs npm) \
	to build and test the slides and the site

no-web:
	@echo "skipping make slides and make site: $(NO_WEB)"
	$(if $(filter 1,$(SEQLEARN_REQUIRE_WEB)),$(error SEQLEARN_REQUIRE_WEB=1: $(NO_WEB)))

# npm ci installs exactly what package-lock.json pins. It installs next to the package.json it is given, so
# both are copied into build/vendor: node_modules then stays in build/, which `make clean` removes. The stamp
# makes this run again when the pins change.
$(VENDOR): package.json package-lock.json
	$(if $(WEB),,$(error $(NO_WEB)))
	mkdir -p build/vendor
	cp package.json package-lock.json build/vendor/
	npm ci --prefix build/vendor --no-audit --no-fund
	touch $@

slides: $(STAMP) $(VENDOR)
	$(BIN)/python tools/web_build.py slide-assets build/slides
	$(BIN)/jupyter nbconvert --log-level=WARN --to slides --template-file tools/slides.html.j2 \
		--output-dir build/slides $(LOCAL_JS) \
		--SlidesExporter.reveal_url_prefix=vendor/reveal.js --SlidesExporter.reveal_theme=white $(CHAPTERS)
	$(BIN)/python tools/web_build.py offline build/slides

student: $(STAMP)
	$(BIN)/python tools/student_edition.py --out build/student $(CHAPTERS)

# The site is a Jupyter Book 1 (book/_config.yml, book/_toc.yml): the landing page and the learners' and
# instructors' pages include README.md's sections, each chapter is shown with its stored outputs (nothing is
# executed), and a Sphinx warning fails the build (-W). Sphinx writes into build/book (its cache between builds);
# the pages are moved to build/site, and MathJax is copied next to them.
site: $(STAMP) $(VENDOR)
	$(BIN)/jupyter-book build -W --keep-going --quiet --path-output build/book book
	rm -rf build/site && mv build/book/_build/html build/site
	$(BIN)/python tools/web_build.py mathjax build/site/_static
	$(BIN)/python tools/web_build.py offline build/site

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build
