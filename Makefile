# Two entry points for a fresh machine: `make run` (index if needed, then the web chat) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run index test browser eval bench bench-large clean

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

test: install browser
	$(PY) -m pytest -q

AXE := .cache/npm/node_modules/axe-core/axe.min.js

# Debian's Chromium (and CJK fonts) for the real-browser tests, and axe-core from npm for the accessibility
# tests (into .cache/npm, never committed); without root or packages those tests are skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk) \
		>/dev/null 2>&1 || echo "chromium could not be installed: the browser tests will be skipped"
	@test -f $(AXE) || ((command -v npm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq npm)) \
		&& npm install --no-save --no-audit --no-fund --prefix .cache/npm axe-core@4) >/dev/null 2>&1 \
		|| echo "axe-core could not be installed from npm: the accessibility tests will be skipped"

eval: install
	$(PY) -m assistant eval --out eval/out

# figures beside their targets: built-in and built-in + corpus-dev (cold build each run) …
bench: install
	$(PY) scripts/bench.py --libraries builtin,corpus-dev

# … and ≥ 50,000 synthetic clauses, generated and indexed once into $POLICY_BENCH_DIR (the first run embeds for an hour or more)
bench-large: install
	$(PY) scripts/bench.py --libraries synthetic

clean:
	rm -rf var eval/out tests/output .pytest_cache .cache
