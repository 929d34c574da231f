# One entry point for people and CI alike: the README's commands and .ci/run call these.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITREP := $(BIN)/sitrep
SEEDS := ../shared/seeds/articles.jsonl
GOLD := ../shared/eval/seeds-gold.jsonl

.PHONY: install setup-test kafka-fetch kafka-start kafka-stop demo test unit integration lint \
        schemas eval eval-dev bench bench-alerts bench-extract reliability soak clean

# scripts/setup.sh is the one set-up step (.ci/run calls it too); it skips what is done.
install:  ## .venv with sitrep, its dev tools and a Java runtime; the broker's jars
	PY=$(PY) bash scripts/setup.sh

setup-test:  ## install, and the Debian-only test tools (promtool, prometheus, kcat)
	PY=$(PY) bash scripts/setup.sh test

kafka-fetch: install  ## Fetch Apache Kafka's pinned jars from Maven Central (once)
	bash deploy/kafka/kafka.sh fetch

kafka-start: install
	$(SITREP) kafka start

kafka-stop:
	-$(SITREP) kafka stop

demo: install  ## Local broker, worker, seeds/ fed in; incidents and alerts printed
	$(SITREP) demo

test: setup-test  ## Lint, types, unit and integration tests on the real broker, seeds eval
	$(BIN)/ruff check processors streams harness tests scripts
	$(BIN)/mypy
	$(BIN)/pytest -q tests/unit
	$(BIN)/pytest -q tests/integration
	$(MAKE) --no-print-directory eval

unit: install
	$(BIN)/pytest -q tests/unit

integration: setup-test
	$(BIN)/pytest -q tests/integration

eval: install  ## Seeds eval; fails below the bar of issue 3
	$(SITREP) eval $(SEEDS) $(GOLD) --min-f1 0.85 --min-field 0.85

eval-dev: install  ## The real-article dev set's dev part, by continent, country and field
	$(BIN)/python scripts/devset.py score --part dev --detail

schemas: install  ## Regenerate schemas/ from the models
	$(BIN)/python -m processors.schemas schemas

bench-extract: install
	$(BIN)/python scripts/bench_extract.py

bench-alerts: install  ## Alert quality: sitrep vs surge rule vs EARS C1 on simulated series
	$(BIN)/python scripts/bench_alerts.py

bench: install kafka-fetch  ## Throughput and latency through the real broker
	$(BIN)/python scripts/bench.py

reliability: install kafka-fetch  ## Fault tests: kill, rebalance, broker restart, bad input, replay
	$(BIN)/python scripts/reliability.py

soak: install kafka-fetch  ## Chaos soak: 30 min of faults on a dedicated broker (MINUTES=, SEED=, RATE=)
	$(BIN)/python scripts/soak.py --minutes $(or $(MINUTES),30) --seed $(or $(SEED),20) \
	    --rate $(or $(RATE),5)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
