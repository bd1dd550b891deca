# Every target bootstraps .venv on a fresh machine (Python >= 3.11).
PY ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test bench lint docs clean

$(STAMP): pyproject.toml
	@test -n "$(PY)" || { echo "Hearthkeeper needs Python >= 3.11; none found on PATH." >&2; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

# The learned spam scorer, trained from the data the package ships (hearthkeeper/text/model/).
MODEL := src/hearthkeeper/text/model/spam_nb.json.gz
$(MODEL): $(STAMP) src/hearthkeeper/text/model/training.tsv.gz src/hearthkeeper/text/model/written.tsv.gz \
		src/hearthkeeper/text/scorer.py
	$(BIN)/python -m hearthkeeper.text.train

venv: $(STAMP) $(MODEL)

demo: venv
	$(BIN)/hearth demo

test: venv
	$(BIN)/pytest -n auto --durations=30

bench: venv
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/normalise_speed.py
	$(BIN)/python benchmarks/store_bulk.py
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/webchat_roundtrip.py
	$(BIN)/python benchmarks/matrix_roundtrip.py
	$(BIN)/python benchmarks/telegram_roundtrip.py
	# Step 13's figures (start-up, engine on the synthetic stream and on varied real chat,
	# import, report at 200,000 messages), each beside the code before step 13, measured in
	# this one run: benchmarks/compare.py --full for 1M.
	$(BIN)/python benchmarks/compare.py
	# Step 14: messages/s with 1, 2 and 4 engine workers on PostgreSQL, and a takeover.
	$(BIN)/python benchmarks/workers.py --messages 10000

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

docs: venv
	$(BIN)/python -m hearthkeeper.playbook.reference docs/playbook.md

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
