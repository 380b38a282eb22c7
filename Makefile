# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test install lint clean

# Reinstall only when the project's declared dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The baseline publishes in seconds so the service answers at once; `serve` then trains the
# selection (`train_models=default`) in the background, and it serves when ready (/v1/models).
# One BLAS/OpenMP thread: small matrices gain nothing from more, and spinning threads stall the
# other fits and the requests on 2 cores (LightGBM's own threads are HEADROOM_TRAIN_THREADS).
run: export OMP_NUM_THREADS ?= 1
run: export OPENBLAS_NUM_THREADS ?= 1
run: export MKL_NUM_THREADS ?= 1
run: $(STAMP)
	$(BIN)/headroom demo --if-empty
	$(BIN)/headroom train --models baseline --if-unserved
	$(BIN)/python -m service.security
	$(BIN)/headroom serve

# One BLAS/OpenMP thread per test worker: pytest-xdist already runs a worker per core, and
# oversubscribed BLAS threads spin (a SARIMAX fit went from 0.5 s to 27 s under load).
test: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check forecast pipelines service tests bench

clean:
	rm -rf $(VENV) .headroom .pytest_cache
