# Two commands: `make lab` (set up, then open JupyterLab on notebooks/) and
# `make test` (set up, then run every test and execute every notebook).
# Set-up happens once: a second run finds it done and installs nothing.
#
#   PYTHON=python3.12 make test     choose the interpreter for the virtual environment
#   VENV=$CONDA_PREFIX make lab     use an existing (e.g. conda) environment instead
#   make lab LAB_DIR=student        open the student edition (after `make student`) instead

PYTHON ?= python3
VENV ?= .venv
LAB_ARGS ?=
LAB_DIR ?= notebooks
BIN := $(VENV)/bin
# JupyterLab refuses to run as root (containers, CI) unless told so.
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
D2L := d2l==1.0.3

.PHONY: help setup data lab test student clean

help:
	@echo "make lab      set up (once) and open JupyterLab on notebooks/"
	@echo "make test     set up (once) and run the whole test suite (ci profile)"
	@echo "make student  build the student edition (solutions removed) in student/"
	@echo "make clean    remove the virtual environment make created (keeps data/ and any other environment)"

# A virtual environment this Makefile creates carries this file; `make clean` removes only such
# a one, never an environment it did not make (e.g. VENV=$$CONDA_PREFIX).
MADE_BY_MAKE := .made-by-make

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, this is " + sys.version.split()[0]'
	$(PYTHON) -m venv "$(VENV)"
	@echo "created by make for this repository; make clean removes it" > "$(VENV)/$(MADE_BY_MAKE)"
	"$(BIN)/python" -m pip install --quiet --upgrade pip

# d2l 1.0.3 pins numpy 1.23.5, matplotlib 3.7.2, pandas 2.0.3 ... which do not
# install on Python 3.12+: requirements.txt gives it what `import d2l.torch`
# needs, and d2l itself comes without its pins.
$(VENV)/.lab-installed: requirements.txt pyproject.toml | $(BIN)/python
	"$(BIN)/python" -m pip install -r requirements.txt
	"$(BIN)/python" -m pip install --no-deps $(D2L)
	"$(BIN)/python" -m pip install --no-deps -e .
	@touch "$@"

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.lab-installed
	"$(BIN)/python" -m pip install -r requirements-test.txt
	@touch "$@"

data:
	@sh scripts/get-data.sh

setup: $(VENV)/.lab-installed data

lab: setup
	@test -d "$(LAB_DIR)" || { echo "error: LAB_DIR=$(LAB_DIR) is not a folder (the student edition: make student first)" >&2; exit 1; }
	"$(BIN)/jupyter" lab --notebook-dir="$(LAB_DIR)" $(AS_ROOT) $(LAB_ARGS)

test: $(VENV)/.test-installed data
	@sh scripts/run-tests.sh "$(BIN)/python"

student: $(VENV)/.lab-installed
	"$(BIN)/python" scripts/student_edition.py

clean:
	@if [ -f "$(VENV)/$(MADE_BY_MAKE)" ]; then \
		echo "removing $(VENV) (made by make)"; rm -rf -- "$(VENV)"; \
	elif [ -e "$(VENV)" ]; then \
		echo "$(VENV) was not created by this Makefile (no $(MADE_BY_MAKE) in it): left alone; remove it yourself if you mean to." >&2; exit 1; \
	else echo "nothing to remove: $(VENV) does not exist"; fi
