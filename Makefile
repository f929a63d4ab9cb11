# Two commands for a fresh machine with Python 3.11 or newer:
#   make book   set up .venv (first use only) and build the HTML book into _build/html
#   make test   set up .venv (first use only) and run every test: unit tests, the
#               regeneration check, loader errors, the book build, strict nbval, and the
#               checks of the built site in Debian's Chromium (tests/browser/; they skip
#               when /usr/bin/chromium is missing, except under CI=true)
PYTHON ?= python3
# One BLAS thread: the small fits of the chapters run several times faster, and stored outputs
# are re-made by `make execute` with the same arithmetic that `make test` checks with nbval.
export OPENBLAS_NUM_THREADS = 1
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: book test pdf student execute data freeze benchmark budget serve lab notebook clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# --all: a change to a style sheet or template alone leaves no page "out of date", and Sphinx
# would not copy it.
book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going --all

test: $(STAMP)
	$(BIN)/python -m pytest

# The whole book as one printable PDF, _build/pdf/smecredit-book.pdf (needs Debian's chromium).
pdf: $(STAMP)
	$(BIN)/python tools/print_pdf.py --out _build/pdf

# The student edition: the chapters without their exercises' solutions, in _build/student/ and
# _build/student.zip (open it with `.venv/bin/jupyter lab _build/student`).
student: $(STAMP)
	$(BIN)/python tools/student_edition.py

# For authors: re-execute every chapter in place from a fresh kernel, storing its outputs (one
# chapter per core at a time, the longest first by book/execution-times.md, so that no long chapter
# starts last), then write the numbers the text states from the values the cells computed
# (smecredit.prose).
execute: $(STAMP)
	$(BIN)/python benchmarks/execution_times.py --longest-first | xargs -n 1 -P $$(nproc) $(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.record_timing=False
	$(BIN)/python -m smecredit.prose --write book/[0-9]*.ipynb

# Regenerate the committed loan book from its default seed.
data: $(STAMP)
	$(BIN)/python -m smecredit.simulate --out data/loans.csv

# Speed figures: the generator, the loader against a bare read_csv (target: at most 3 times), the
# explorers' Python reference, and what readers feel: input to redrawn figure for every explorer, in
# Chromium, on the built page and in JupyterLab (about 3 minutes).
benchmark: $(STAMP)
	$(BIN)/python benchmarks/simulate_speed.py
	$(BIN)/python benchmarks/load_speed.py
	$(BIN)/python benchmarks/explorer_speed.py
	$(BIN)/python benchmarks/explorer_latency.py

# The book's performance budget: executing every chapter, building from stored outputs, heaviest page.
budget: $(STAMP)
	$(BIN)/python benchmarks/book_budget.py

# Open the chapters in JupyterLab or Notebook 7 from .venv. Jupyter refuses to run as root (a
# container, a CI box, a classroom VM) unless told it may: these targets tell it then, and only then.
ALLOW_ROOT = $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
lab: $(STAMP)
	$(BIN)/jupyter lab book/ $(ALLOW_ROOT)

notebook: $(STAMP)
	$(BIN)/jupyter notebook book/ $(ALLOW_ROOT)

# Serve the built book on http://127.0.0.1:8000/ (widgets need http, not file://).
serve:
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory _build/html

freeze: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable > requirements.txt.new && echo "review requirements.txt.new"

clean:
	rm -rf _build
