# Two entry points for a fresh machine: `make run` (index if needed, then the web chat) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run index test eval bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# the CPU build of torch first: an unpinned torch would pull gigabytes of CUDA
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

index: install
	$(PY) -m assistant index

run: install
	$(PY) -m assistant index --quiet
	$(PY) app.py

test: install
	$(PY) -m pytest -q

eval: install
	$(PY) -m assistant eval --out eval/out

bench: install
	$(PY) scripts/bench.py

clean:
	rm -rf var eval/out tests/output .pytest_cache
