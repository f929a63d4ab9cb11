# Two commands for a fresh machine with Python 3.11 or newer:
#   make book   set up .venv (first use only) and build the HTML book into _build/html
#   make test   set up .venv (first use only) and run every test: unit tests, the
#               regeneration check, loader errors, the book build and strict nbval
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: book test execute data freeze benchmark clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

test: $(STAMP)
	$(BIN)/python -m pytest

# For authors: re-execute every chapter in place from a fresh kernel, storing its outputs.
execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 book/[0-9]*.ipynb

# Regenerate the committed loan book from its default seed.
data: $(STAMP)
	$(BIN)/python -m smecredit.simulate --out data/loans.csv

benchmark: $(STAMP)
	$(BIN)/python benchmarks/simulate_speed.py

freeze: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable > requirements.txt.new && echo "review requirements.txt.new"

clean:
	rm -rf _build
