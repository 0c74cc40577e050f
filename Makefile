# Every target creates .venv and installs the project on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DAGSTER_HOME_DIR := $(CURDIR)/.fitness/dagster_home

.PHONY: install run test dev lint format bench bench-full sample screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/fitness-platform run

test: $(STAMP)
	$(BIN)/pytest -q

dev: $(STAMP)
	@mkdir -p $(DAGSTER_HOME_DIR)
	@cp dagster.yaml $(DAGSTER_HOME_DIR)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) $(BIN)/dagster dev -w workspace.yaml

lint: $(STAMP)
	$(BIN)/ruff check fitness_platform fitness_platform_tests bench
	$(BIN)/ruff format --check fitness_platform fitness_platform_tests bench

format: $(STAMP)
	$(BIN)/ruff format fitness_platform fitness_platform_tests bench
	$(BIN)/ruff check --fix fitness_platform fitness_platform_tests bench

# The README's screenshots (docs/img), from the site `make run` wrote; needs Chromium.
screenshots: $(STAMP)
	$(BIN)/python -m fitness_platform_tests.screenshots .fitness/out/site docs/img

bench: $(STAMP)
	$(BIN)/python -m bench.run --profile quick

bench-full: $(STAMP)
	$(BIN)/python -m bench.run --profile full

sample: $(STAMP)
	$(BIN)/fitness-platform sample --raw-dir data/raw

clean:
	rm -rf .fitness
