# aigc-kit: every target builds its own virtual environment (.venv) from pyproject.toml first.
#   make course   execute every notebook headless into build/course/ (the main job)
#   make test     lint, notebook pairing, unit tests, then every notebook end to end (nbmake)
#   make lab      open JupyterLab in notebooks/
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: venv course test lint sync pair lab data bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[notebooks,test]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (aigc-kit)" >/dev/null
	touch $(STAMP)

# FSDD into data/cache/ (or checked in the AIGC_KIT_DATA_MIRROR folder); never during the tests themselves.
data: $(STAMP)
	$(PY) -m aigc_kit fetch

course: data
	$(PY) -m aigc_kit course

lint: $(STAMP)
	$(PY) -m ruff check aigc_kit tests benchmarks notebooks

# Fails when a notebooks/*.py and its .ipynb differ, or an .ipynb carries outputs.
sync: $(STAMP)
	$(PY) -m aigc_kit check-notebooks notebooks

# Rewrites each notebooks/*.ipynb from its .py source (outputs dropped).
pair: $(STAMP)
	$(PY) -m aigc_kit pair-notebooks notebooks

test: data lint sync
	AIGC_KIT_OFFLINE=1 $(PY) -m pytest --durations=20 tests
	AIGC_KIT_OFFLINE=1 AIGC_KIT_CHECK_STRICT=1 $(PY) -m pytest --nbmake --nbmake-timeout=600 --durations=0 notebooks

# JupyterLab refuses to start as root (a classroom container) without --allow-root.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
lab: data
	$(VENV)/bin/jupyter lab notebooks $(LAB_ROOT)

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf build .pytest_cache .ruff_cache
