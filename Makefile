# restorekit — the two commands a user types are `make demo` and `make test`.
# Both create .venv with `python3 -m venv` when it is missing and install the project.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.restorekit-installed
DEMO   := test_audio/demo/example.flac
DAMAGED := test_audio/demo/example_degraded.flac
RESTORED := test_audio/demo/example_restored.flac

.PHONY: demo test bench lint fuzz clean help

help:
	@echo "make demo   - set up .venv, damage the example clip, restore it, compare"
	@echo "make test   - run the test suite"
	@echo "make bench  - run the benchmarks (figures go to reports/benchmarks.md)"
	@echo "make lint   - ruff"

# Reinstall when the dependencies change. constraints.txt pins torch so that no other
# package can swap the CPU build for a multi-GB CUDA one.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "could not create $(VENV): on Debian/Ubuntu run 'apt-get install python3-venv'"; \
	  exit 1; }
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# The example starts with 1.5 s of lead-in groove, as a disc does: the chain learns the
# surface noise there.
demo: $(STAMP)
	$(VENV)/bin/restorekit synth $(DEMO) --seconds 8 --lead-in 1.5 --seed 0 --overwrite
	$(VENV)/bin/restorekit degrade $(DEMO) $(DAMAGED) --preset default --seed 7 \
	  --truth test_audio/demo/example_degraded_truth.json --overwrite
	$(VENV)/bin/restorekit info $(DEMO) $(DAMAGED)
	$(VENV)/bin/restorekit analyze $(DAMAGED)
	$(VENV)/bin/restorekit restore $(DAMAGED) $(RESTORED) --preset balanced \
	  --difference test_audio/demo/example_removed.flac --overwrite
	$(VENV)/bin/restorekit compare $(DEMO) $(DAMAGED) $(RESTORED)

# pytest exits 5 when it collects no test; that is reported, not hidden.
test: $(STAMP)
	@$(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests"; fi; exit $$rc

bench: $(STAMP)
	$(PY) benchmarks/bench_blocks.py --out reports/benchmarks.md
	$(PY) benchmarks/bench_degrade.py --out reports/benchmarks.md
	$(PY) benchmarks/bench_detection.py --out reports/benchmarks.md
	$(PY) benchmarks/bench_analysis.py --out reports/benchmarks.md
	taskset -c 0 $(PY) benchmarks/bench_restore.py --out reports/benchmarks.md
	taskset -c 0 $(PY) benchmarks/bench_long.py --out reports/benchmarks.md
	taskset -c 0 $(PY) benchmarks/bench_neural.py --out reports/benchmarks.md

lint: $(STAMP)
	$(VENV)/bin/ruff check restorekit tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test_audio/demo
