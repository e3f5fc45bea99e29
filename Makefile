# Two commands matter: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/base.txt requirements/dev.txt | cksum | cut -d' ' -f1)

# `make test` uses the local PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/dit_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
DATABASE_URL ?= $(TEST_DATABASE_URL)
REDIS_URL ?= $(TEST_REDIS_URL)
TEST_ENV := SECRET_KEY=test-only-secret-key DEBUG=false SITE_URL=https://dit-portal.example SECURE_SSL_REDIRECT=false STATIC_ROOT=$(CURDIR)/test-output/static \
	DJANGO_ALLOW_ASYNC_UNSAFE=true DATABASE_URL=$(DATABASE_URL) REDIS_URL=$(REDIS_URL)
RUN_ENV := DEBUG=true DATABASE_URL= REDIS_URL= EMAIL_HOST= SITE_URL=
# `make run PORT=8001` serves on another port; e-mails link to the address being served.
PORT ?= 8000

.PHONY: install run test lint bench backup restore clean

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: install
	mkdir -p var/private
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	mkdir -p test-output/static
	$(TEST_ENV) $(BIN)/python -m pytest $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Locust (the load generator) is only needed by `make bench`, so it has its own requirements file.
BENCH_STAMP := $(VENV)/.bench-$(shell cat requirements/bench.txt | cksum | cut -d' ' -f1)
$(BENCH_STAMP): requirements/bench.txt $(STAMP)
	$(BIN)/pip install --quiet -r requirements/bench.txt
	rm -f $(VENV)/.bench-*
	touch $@

# `make bench BENCH_SCALE=0.1 BENCH_SECONDS=30` for a quicker load run, `BENCH_PORT=8801` to serve it
# on another port (see benchmarks/load/run.py).
bench: install $(BENCH_STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest benchmarks -p no:randomly --benchmark-columns=min,median,max,rounds $(ARGS)
	DATABASE_URL=$(DATABASE_URL) REDIS_URL=$(REDIS_URL) $(BIN)/python -m benchmarks.load.run \
		$(if $(BENCH_SCALE),--scale $(BENCH_SCALE)) $(if $(BENCH_SECONDS),--seconds $(BENCH_SECONDS)) \
		$(if $(BENCH_PORT),--port $(BENCH_PORT))

# Backups use the environment's DATABASE_URL (SQLite under var/ when unset) and are signed with
# BACKUP_KEY; `make backup INSECURE=1` writes (and `make restore INSECURE=1` takes) an unsigned one. See README.
backup: install
	$(BIN)/python manage.py backup $(if $(OUTPUT),--output $(OUTPUT)) $(if $(INSECURE),--insecure)

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/dit-portal-YYYYmmdd-HHMMSS.tar"; exit 2; }
	$(BIN)/python manage.py restore $(BACKUP) $(if $(INSECURE),--insecure)

clean:
	rm -rf $(VENV) var test-output staticfiles
