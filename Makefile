# airspec's two entry points: `make demo` (the main job on the bundled example) and `make test` (everything CI runs).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE := examples/kubernetes-helm/airflow-spec.yaml

.PHONY: demo test golden schema docs catalog chart-catalog bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/airspec validate $(EXAMPLE)
	$(BIN)/airspec compile $(EXAMPLE) -o build
	@echo "airspec is installed in $(VENV): '. $(BIN)/activate' puts it on PATH (everyday use: 'pipx install .')"

test: $(VENV)/.installed
	bash scripts/install-validators.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy airspec
	$(BIN)/pytest

# Regenerate what is generated and committed; review the result with `git diff`.
golden: $(VENV)/.installed
	$(BIN)/pytest tests/test_golden.py --update-golden -q

schema: $(VENV)/.installed
	$(BIN)/airspec schema -o schema/airflow-spec.schema.json

docs: $(VENV)/.installed
	$(BIN)/python tools/readme.py

catalog: $(VENV)/.installed
	$(BIN)/python tools/build_catalog.py --out airspec/catalog/data

chart-catalog: $(VENV)/.installed
	$(BIN)/python tools/build_chart_catalog.py ../shared/upstream/helm-chart --out airspec/catalog/charts

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .venv-airflow .tools build
