# Kaidan: `make run` serves the demo, `make test` runs the suite (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench lint messages clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The background worker (Excel imports) runs beside the web server and stops when it stops.
run: $(STAMP)
	$(BIN)/kaidan migrate --noinput
	$(BIN)/kaidan load_demo
	$(BIN)/kaidan db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	HTTPS=0 $(BIN)/kaidan serve; status=$$?; exit $$status

test: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .

# Needs GNU gettext; the compiled .mo files are committed so a fresh machine does not.
messages: $(STAMP)
	cd kaidan && ../$(BIN)/kaidan makemessages -l zh_Hans -l en --no-obsolete && ../$(BIN)/kaidan compilemessages

clean:
	rm -rf $(VENV) var
