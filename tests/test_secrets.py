"""No secret in any output (issue #13, items 1-4; issue #14 for import): a value that is, or sits under, a
sensitive option, key or variable name, or a URL's userinfo, is never printed by validate, lint (every format), diff
(text, json) or import (its report and the spec it writes), except by `diff --show-secrets`. Messages name the field,
never the value.

Commands run in-process (click's runner) so that the property test stays within a few seconds.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airspec.cli import cli
from airspec.diff import run as run_diff
from airspec.diff.output import as_json, as_text
from airspec.errors import AirspecError
from airspec.mask import MASK, Masker, sensitive_name, tree_secrets
from tests.conftest import ROOT
from tests.diff_support import compiled, example

LINT_FORMATS = ("text", "json", "sarif", "github", "junit")
SPEC_HEAD = 'name: leak\nairflow:\n  version: "3.3"\n'


def _run(*args: str) -> str:
    """stdout and stderr of `airspec ARGS`, an error printed as `main` prints it."""
    result = CliRunner().invoke(cli, list(args))
    error = result.exception
    if isinstance(error, AirspecError):
        return result.output + str(error)
    if error is not None and not isinstance(error, SystemExit):
        raise error
    return result.output


# ------------------------------------------------------------------------------------------------- inputs


def dev_spec(v: str) -> str:
    """A development_only spec holding literal secrets wherever the spec takes one (valid: lint runs its rules)."""
    return (
        SPEC_HEAD
        + "development_only: true\nexecutor: CeleryExecutor\ntargets: [compose]\n"
        + f"database:\n  kind: external\n  url: postgresql://airflow:{v}@db/airflow\n"
        + f"celery:\n  broker:\n    kind: external\n    url: redis://:{v}@redis:6379/0\n"
        + f"  result_backend:\n    url: db+postgresql://u:{v}@db/r\n"
        + f"secrets:\n  fernet_key: {v}\n  api_secret_key: {v}\n  jwt_secret: {v}\n"
    )


def bad_spec(v: str) -> str:
    """Secrets in places and shapes validation refuses: every message must name the field only."""
    return (
        SPEC_HEAD
        + "executor: CeleryExecutor\ntargets: [compose]\n"
        + f"database:\n  kind: bundled\n  password: {v}\n"
        + f'celery:\n  broker:\n    kind: external\n    url: "redis://:{v}\\x01@r:6379/0"\n'
        + f"secrets:\n  fernet_key: [{v}]\n  api_secret_key: {{literal: [{v}]}}\n  jwt_secret: {v}\n"
        + f"config:\n  core:\n    fernet_key: [{v}]\n  database:\n    sql_alchemy_conn: {v}\n"
        + f"  smtp:\n    smtp_password: {v}\n"
    )


def prod_spec(v: str) -> str:
    """Literal secrets in a spec that is not development_only: refused by the semantic checks."""
    return (
        SPEC_HEAD
        + "targets: [compose]\n"
        + f"database:\n  kind: bundled\n  password: {v}\n"
        + f"secrets:\n  fernet_key: {v}\n  jwt_secret: {v}\n"
        + f"config:\n  database:\n    sql_alchemy_conn: postgresql://u:{v}@h/db\n"
        + f"environments:\n  prod:\n    secrets:\n      api_secret_key: {v}\n"
    )


def airflow_cfg(v: str) -> str:
    return (
        "[core]\n"
        f"fernet_key = {v} ; rotated\n"
        "executor = LocalExecutor\n"
        "[database]\n"
        f"sql_alchemy_conn = postgresql://u:{v}@h/db # prod db\n"
        "[api]\n"
        f"secret_key = {v} # x\n"
        "[api_auth]\n"
        f"jwt_secret = {v}\n"
        "[celery]\n"
        f"broker_url = redis://:{v}@r:6379/0\n"
        f"result_backend = db+postgresql://u:{v}@db/r\n"
        "[smtp]\n"
        f"smtp_password = {v}\n"
        "[logging]\n"
        f"remote_base_log_folder = s3://{v}@bucket/logs\n"
    )


def helm_values(v: str) -> str:
    return (
        "airflowVersion: 3.3.2\n"
        "defaultAirflowTag: 3.3.2\n"
        f"fernetKey: {v}\n"
        f"webserverSecretKey: {v}\n"
        f"apiSecretKey: {v}\n"
        f"jwtSecret: {v}\n"
        f"data:\n  metadataConnection:\n    user: airflow\n    pass: {v}\n"
        f"  brokerUrl: redis://:{v}@r:6379/0\n"
        f"env:\n  - name: AIRFLOW__CORE__FERNET_KEY\n    value: {v}\n"
        f"  - name: AIRFLOW_CONN_WAREHOUSE\n    value: postgres://u:{v}@h/x\n"
        f"  - name: AIRFLOW__API__SECRET_KEY\n    value: {v}\n"
        f"secret:\n  - envName: AWS_SECRET_ACCESS_KEY\n    secretName: aws\n    secretKey: key\n"
        f"extraEnv: |\n  - name: AWS_SECRET_ACCESS_KEY\n    value: {v}\n"
        f"extraSecrets:\n  aws:\n    stringData: |\n      AWS_SECRET_ACCESS_KEY: {v}\n"
        f"kerberos:\n  keytabBase64Content: {v}\n"
        "extraConfigMaps:\n  hooks:\n    data: |\n"
        f"      SLACK_WEBHOOK_URL: https://hooks.slack.com/services/{v}\n"
        "config:\n"
        f"  core:\n    fernet_key: {v}\n    parallelism: 32  # inline\n"
        f"  database:\n    sql_alchemy_conn: postgresql://u:{v}@h/db # prod\n"
        f"  api:\n    secret_key: '{v} # rotated'\n"
        f"  smtp:\n    smtp_password: {v}\n"
    )


def compose(v: str) -> str:
    return (
        "services:\n  airflow-scheduler:\n    image: apache/airflow:3.3.2\n    environment:\n"
        f"      AIRFLOW__CORE__FERNET_KEY: {v}\n"
        f"      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: postgresql://u:{v}@db/airflow\n"
        f"      AIRFLOW__API_AUTH__JWT_SECRET: {v}\n"
        f"      AIRFLOW__SMTP__SMTP_PASSWORD: {v}\n"
        f"      AIRFLOW_CONN_WAREHOUSE: postgres://u:{v}@h/x\n"
        f"      AWS_SECRET_ACCESS_KEY: {v}\n"
        f"      POSTGRES_PASSWORD: {v}\n"
        "  airflow-worker:\n    image: apache/airflow:3.3.2\n    environment:\n"
        f"      - AIRFLOW__CORE__FERNET_KEY={v}\n"
        f"      - AIRFLOW__API__SECRET_KEY={v} # x\n"
    )


def _write_inputs(folder: Path, v: str) -> dict[str, Path]:
    files = {
        "dev-spec/airflow-spec.yaml": dev_spec(v),
        "bad-spec/airflow-spec.yaml": bad_spec(v),
        "prod-spec/airflow-spec.yaml": prod_spec(v),
        "airflow.cfg": airflow_cfg(v),
        "values.yaml": helm_values(v),
        "docker-compose.yaml": compose(v),
    }
    out = {}
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out[name] = path
    return out


def _outputs(folder: Path, v: str) -> dict[str, str]:
    """Every output of validate, lint (each format) and diff (text, json) over inputs holding `v`."""
    paths = _write_inputs(folder, v)
    outputs: dict[str, str] = {}
    for name in ("dev-spec", "bad-spec", "prod-spec"):
        spec = str(paths[f"{name}/airflow-spec.yaml"])
        for fmt in ("text", "json"):
            outputs[f"validate {name} {fmt}"] = _run("validate", spec, "--format", fmt)
            outputs[f"compile {name} {fmt}"] = _run(
                "compile", spec, "-o", str(folder / "build"), "--check", "--format", fmt
            )
    every = [str(p) for p in paths.values()]
    for fmt in LINT_FORMATS:
        outputs[f"lint {fmt}"] = _run("lint", *every, "--format", fmt, "--airflow-version", "3.3")
    outputs.update(_diff_outputs(folder, v))
    outputs.update(_import_outputs(folder, paths))
    return outputs


def _import_outputs(folder: Path, paths: dict[str, Path]) -> dict[str, str]:
    """What `airspec import` prints (text, json) and the spec it writes, for each input kind alone, all of them
    together, and Helm values with the compose file as an environment overlay."""
    cfg, values, compose = (str(paths[n]) for n in ("airflow.cfg", "values.yaml", "docker-compose.yaml"))
    runs = {
        "all": [cfg, values, compose],
        "airflow.cfg": [cfg],
        "values": [values],
        "compose": [compose],
        "env": [values, "--env", f"local={compose}", "--env", f"local={cfg}"],
    }
    outputs: dict[str, str] = {}
    for name, args in runs.items():
        for fmt in ("text", "json") if name == "all" else ("text",):
            spec = folder / "imported" / f"{name}-{fmt}.yaml"
            shown = _run("import", *args, "-o", str(spec), "--format", fmt, "--airflow-version", "3.3")
            outputs[f"import {name} {fmt}"] = shown + (
                spec.read_text(encoding="utf-8") if spec.exists() else ""
            )
    return outputs


_COMPILED: dict[str, Path] = {}


def _compiled_once(name: str) -> Path:
    """Each example compiled once per session; every example of the property test copies it."""
    if name not in _COMPILED:
        out = Path(tempfile.mkdtemp(prefix="airspec-secrets-"))
        compiled(example(name), out / "out")
        _COMPILED[name] = out / "out"
    return _COMPILED[name]


def _diff_outputs(folder: Path, v: str) -> dict[str, str]:
    outputs: dict[str, str] = {}
    helm = folder / "deployed-helm"
    shutil.copytree(_compiled_once("kubernetes-helm"), helm)
    values = (helm / "helm/values.yaml").read_text(encoding="utf-8")
    (helm / "helm/values.yaml").write_text(values + _deployed_only(v), encoding="utf-8")
    cfg = (helm / "airflow.cfg").read_text(encoding="utf-8")
    (helm / "airflow.cfg").write_text(
        cfg.replace("[core]\n", f"[core]\nfernet_key = {v}\n", 1)
        + f'\n[smtp]\nsmtp_password = {v}\n[secrets]\nbackend_kwargs = {{"token": "{v}"}}\n',
        encoding="utf-8",
    )
    compose_dir = folder / "deployed-compose"
    shutil.copytree(_compiled_once("celery-compose"), compose_dir)
    path = compose_dir / "compose/docker-compose.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "AIRFLOW__CORE__DAGS_FOLDER: /opt/airflow/dags",
        f"AIRFLOW__CORE__DAGS_FOLDER: http://u:{v}@h/x\n      AIRFLOW_CONN_WAREHOUSE: postgres://u:{v}@h/x\n"
        f"      AWS_SECRET_ACCESS_KEY: {v}",
        1,
    )
    path.write_text(text, encoding="utf-8")
    for spec, deployed in (("kubernetes-helm", helm), ("celery-compose", compose_dir)):
        # What `airspec diff --format text|json` prints, from one comparison (each costs ~0.5 s).
        found = run_diff(str(ROOT / example(spec)), str(deployed))
        outputs[f"diff {spec} text"] = as_text(found)
        outputs[f"diff {spec} json"] = as_json(found)
    return outputs


def _deployed_only(v: str) -> str:
    """Helm values a cluster has and the spec does not: credentials the diff must not print."""
    return (
        f"extraEnv: |\n  - name: AWS_SECRET_ACCESS_KEY\n    value: {v}\n"
        f"kerberos:\n  enabled: false\n  keytabBase64Content: {v}\n"
        "extraConfigMaps:\n  hooks:\n    data: |\n"
        f"      SLACK_WEBHOOK_URL: https://hooks.slack.com/services/{v}\n"
        f"webserverSecretKey: {v}\n"
        f"extraSecrets:\n  aws:\n    stringData: |\n      AWS_SECRET_ACCESS_KEY: {v}\n"
    )


SECRETS = st.text(
    alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789", min_size=6, max_size=24
).map(lambda s: "Zq" + s)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=SECRETS)
def test_no_output_holds_a_secret(secret: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("leak")
    leaks = [name for name, text in _outputs(folder, secret).items() if secret in text]
    assert leaks == [], f"{secret!r} printed by: {leaks}"


def test_the_property_test_sees_real_findings(tmp_path: Path) -> None:
    """The inputs above are not silently ignored: every command found something to say about them."""
    outputs = _outputs(tmp_path, "ZqProbeSecret9")
    assert "AS209" in outputs["lint text"] and "AS207" in outputs["lint text"]
    assert "AS102" in outputs["lint text"]
    assert "secrets.fernet_key" in outputs["validate bad-spec text"]
    assert "database.password" in outputs["validate prod-spec text"]
    assert "celery.broker.url" in outputs["validate bad-spec text"]
    assert 'keytabBase64Content": "***"' in outputs["diff kubernetes-helm text"]
    assert "extraEnv" in outputs["diff kubernetes-helm text"]
    assert "extraConfigMaps" in outputs["diff kubernetes-helm text"]
    assert "AWS_SECRET_ACCESS_KEY" in outputs["diff celery-compose text"]
    assert MASK in outputs["diff kubernetes-helm text"]
    assert "secret reference" in outputs["import all text"]  # literal secrets became references ...
    assert (
        "secret reference" in outputs["import compose text"]
        and "AWS_SECRET_ACCESS_KEY" in outputs["import compose text"]
    )
    assert "[local]" in outputs["import env text"]  # ... in an environment overlay too
    assert "environments:" in outputs["import env text"]


# ------------------------------------------------------------------------------------- the reported cases


def test_validation_names_the_field_not_the_value(tmp_path: Path) -> None:
    spec = tmp_path / "airflow-spec.yaml"
    spec.write_text(
        SPEC_HEAD
        + "executor: CeleryExecutor\ntargets: [compose]\ndatabase:\n  password: 987654321\n"
        + 'secrets:\n  jwt_secret: ["S3CRET"]\n'
        + 'celery:\n  broker:\n    kind: external\n    url: "redis://:S3CRET\\x01@r:6379/0"\n',
        encoding="utf-8",
    )
    out = _run("validate", str(spec))
    assert "987654321" not in out and "S3CRET" not in out
    assert "database.password: expected a string or a mapping" in out
    assert "secrets.jwt_secret: expected a string or a mapping" in out
    assert "celery.broker.url: expected a single line without control characters" in out
    assert "not shown: this field holds a secret" in out


@pytest.mark.parametrize(
    "line",
    [
        "[database]\nsql_alchemy_conn = postgresql://u:PWsecret@h/db # prod db\n",
        "[core]\nfernet_key = PWsecret ; rotated\n",
        "[api]\nsecret_key = PWsecret # x\n",
    ],
)
def test_inline_comment_names_the_option_only(tmp_path: Path, line: str) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text(line, encoding="utf-8")
    for fmt in LINT_FORMATS:
        out = _run("lint", str(cfg), "--format", fmt, "--airflow-version", "3.3", "--select", "AS209")
        assert "AS209" in out
        assert "PWsecret" not in out and "PWsec" not in out


def test_inline_comment_still_quotes_an_ordinary_value(tmp_path: Path) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[core]\nparallelism = 32  # per scheduler\n", encoding="utf-8")
    out = _run("lint", str(cfg), "--airflow-version", "3.3", "--select", "AS209")
    assert "('32  # per scheduler', not '32')" in out


def test_invalid_fernet_key_is_not_quoted_even_in_part(tmp_path: Path) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[core]\nfernet_key = ABCDEFGHIJKLMNOPQRSTUVWXYZ\n", encoding="utf-8")
    out = _run("lint", str(cfg), "--airflow-version", "3.3", "--select", "AS207")
    assert "[core] fernet_key: the fernet key is not 32 url-safe base64-encoded bytes" in out
    assert "ABCD" not in out


def test_diff_masks_deployed_only_credentials(tmp_path: Path) -> None:
    outputs = _diff_outputs(tmp_path, "ZqDeployedOnly42")
    for name, text in outputs.items():
        assert "ZqDeployedOnly42" not in text, name
    report = json.loads(outputs["diff kubernetes-helm json"])
    changes = {c["location"]: c for c in report["changes"] if c["artifact"] == "helm-values"}
    assert changes["extraEnv"]["deployed_value"] == MASK
    assert changes["kerberos"]["deployed_value"]["keytabBase64Content"] == MASK
    shown = _run(
        "diff",
        str(ROOT / example("kubernetes-helm")),
        "--against",
        str(tmp_path / "deployed-helm"),
        "--show-secrets",
    )
    assert "ZqDeployedOnly42" in shown


def test_one_masking_module_knows_the_names() -> None:
    assert sensitive_name("keytabBase64Content") and sensitive_name("SLACK_WEBHOOK_URL")
    assert not sensitive_name("fernetKeySecretName")
    found = set(
        tree_secrets(
            {"env": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "v1x"}]}, Masker(False).path_sensitive
        )
    )
    assert found == {"v1x"}
