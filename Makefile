# The two commands of the README, plus the benchmark. Each installs what is missing first.
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: setup demo test bench clean

setup:
	@scripts/bootstrap.sh

demo: setup
	@scripts/demo.sh

test: setup
	$(PY) -m pytest -q -n 2 -p no:cacheprovider

bench: setup
	$(PY) -m bench

clean:
	rm -rf .venv demo-output .hocba
