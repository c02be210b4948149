# The two set-up commands: `make test` and `make demo`. Both install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test test-repeat demo bench lint typecheck check install dovecot chromium postgresql clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

dovecot:
	@command -v dovecot >/dev/null 2>&1 || { \
	  echo "Installing Dovecot (dovecot-imapd dovecot-lmtpd) through apt-get"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends dovecot-imapd dovecot-lmtpd >/dev/null; }

# The PostgreSQL tests start their own cluster (initdb in a temporary directory) from Debian's binaries.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing PostgreSQL (postgresql) through apt-get"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }

# The browser tests drive Debian's chromium through Debian's chromedriver; nothing is ever downloaded by a tool.
chromium:
	@{ test -x /usr/bin/chromium && test -x /usr/bin/chromedriver; } || { \
	  echo "Installing Chromium (chromium chromium-driver) through apt-get"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check bot sandbox tests bench
	$(BIN)/mypy --strict bot sandbox

test: $(STAMP) dovecot chromium postgresql lint
	$(BIN)/python -m pytest -q

# The whole suite N times in a row (default 5), one summary line per run; fails if any run failed.
N ?= 5
test-repeat: $(STAMP) dovecot chromium postgresql lint
	@failed=0; for i in $$(seq $(N)); do \
	  $(BIN)/python -m pytest -q -p no:cacheprovider > .test-repeat.log 2>&1; rc=$$?; \
	  echo "run $$i/$(N): $$(tail -n 1 .test-repeat.log)"; \
	  if [ $$rc -ne 0 ]; then failed=$$((failed + 1)); grep -E '^(FAILED|ERROR)' .test-repeat.log; \
	    cp .test-repeat.log .test-repeat-$$i.log; fi; \
	done; rm -f .test-repeat.log; echo "$$failed of $(N) runs failed"; test $$failed -eq 0

demo: $(STAMP) dovecot
	$(BIN)/python -m bot demo $(ARGS)

# Bytecode first: the bench runs the bot with PYTHONDONTWRITEBYTECODE, and without .pyc files every process
# would compile bot/ from source (~0.15 s CPU), which an installed bot never does.
bench: $(STAMP) dovecot
	$(BIN)/python -m compileall -q bot sandbox bench >/dev/null
	$(BIN)/python -m bench $(ARGS)

check: $(STAMP)
	$(BIN)/python -m bot check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
