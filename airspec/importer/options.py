"""Airflow options (airflow.cfg lines, Helm `config:`/`env:`, compose AIRFLOW__ variables) -> spec keys.

Where each option goes is read backwards from `airspec.options.PLACES`, the table compile writes with, so the two
cannot disagree; secrets from `options.SECRET_SETTINGS`; everything else goes to `config:` if the target version's
catalog has it. Options the target version moved or renamed are moved first, with the catalog's own change facts
(what lint AS401/AS402 report).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from airspec.catalog import Catalog
from airspec.importer.draft import CONFIG, DROPPED, MODELLED, SECRET, Draft
from airspec.lint.model import Opt
from airspec.mask import embeds_secret, url_secrets
from airspec.options import PLACES, SECRET_SETTINGS

Convert = Callable[[str], Any]


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValueError("not True or False")


def _int(text: str) -> int:
    return int(text.strip())


def _seconds(text: str) -> int | float:
    number = float(text.strip())
    if number < 0 or number != number:
        raise ValueError("not a duration")
    return int(number) if number.is_integer() else number


def _text(text: str) -> str:
    if text != text.strip() or not text:
        raise ValueError("blank or padded")
    return text


def _expose(text: str) -> bool | str:
    return "non-sensitive-only" if text.strip().lower() == "non-sensitive-only" else _bool(text)


def _autoscale(text: str) -> dict[str, int]:
    high, low = (int(p) for p in text.split(","))
    return {"max": high, "min": low}


# The spec key of each PLACES setting that is a plain value (the rest are handled where noted).
SPEC_KEYS: dict[str, tuple[tuple[str, ...], Convert]] = {
    "load_examples": (("core", "load_examples"), _bool),
    "parallelism": (("core", "parallelism"), _int),
    "max_active_tasks_per_dag": (("core", "max_active_tasks_per_dag"), _int),
    "max_active_runs_per_dag": (("core", "max_active_runs_per_dag"), _int),
    "dagbag_import_timeout": (("core", "dagbag_import_timeout"), _seconds),
    "dag_file_processor_timeout": (("core", "dag_processor_timeout"), _seconds),
    "min_file_process_interval": (("core", "min_file_process_interval"), _seconds),
    "refresh_interval": (("core", "refresh_interval"), _seconds),
    "parsing_processes": (("core", "parsing_processes"), _int),
    "standalone_dag_processor": (("dag_processor", "enabled"), _bool),
    "default_task_retries": (("task_defaults", "retries"), _int),
    "default_task_retry_delay": (("task_defaults", "retry_delay"), _seconds),
    "max_task_retry_delay": (("task_defaults", "max_retry_delay"), _seconds),
    "default_task_execution_timeout": (("task_defaults", "execution_timeout"), _seconds),
    "expose_config": (("api_server", "expose_config"), _expose),
    "base_url": (("api_server", "base_url"), _text),
    "api_workers": (("api_server", "workers"), _int),
    "api_worker_timeout": (("api_server", "worker_timeout"), _seconds),
    "logging_level": (("logging", "level"), lambda t: t.strip().upper()),
    "remote_base_log_folder": (("logging", "remote", "base_folder"), _text),
    "remote_log_conn_id": (("logging", "remote", "conn_id"), _text),
    "encrypt_s3_logs": (("logging", "remote", "encrypt"), _bool),
    "statsd_on": (("metrics", "statsd", "enabled"), _bool),
    "statsd_host": (("metrics", "statsd", "host"), _text),
    "statsd_port": (("metrics", "statsd", "port"), _int),
    "statsd_prefix": (("metrics", "statsd", "prefix"), _text),
    "worker_concurrency": (("celery", "workers", "concurrency"), _int),
    "worker_autoscale": (("celery", "workers", "autoscale"), _autoscale),
    "visibility_timeout": (("celery", "visibility_timeout"), _seconds),
    "k8s_namespace": (("kubernetes_executor", "namespace"), _text),
    "delete_worker_pods": (("kubernetes_executor", "delete_worker_pods"), _bool),
    "delete_worker_pods_on_failure": (("kubernetes_executor", "delete_worker_pods_on_failure"), _bool),
    "worker_pods_creation_batch_size": (("kubernetes_executor", "worker_pods_creation_batch_size"), _int),
}
# Settings read elsewhere: the executor and the DAG folder shape components; remote_logging needs a provider.
STRUCTURAL = ("executor", "dags_folder", "remote_logging")
SECRETS = {s.setting: tuple(str(p) for p in s.origin) for s in SECRET_SETTINGS}
_PROVIDERS = {
    "s3": "s3",
    "gs": "gcs",
    "wasb": "wasb",
    "cloudwatch": "cloudwatch",
    "hdfs": "hdfs",
    "oss": "oss",
}
_ENV_REF = re.compile(r"^\$\{?(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}?$")


def setting_at(section: str, name: str) -> str | None:
    """The PLACES setting an option is (any place Airflow has kept it), or None."""
    return next((s for s, places in PLACES.items() if (section, name) in places), None)


def migrated(opt: Opt, target: Catalog, draft: Draft) -> Opt | None:
    """The option where the target version reads it (moved/renamed: reported), or None when it was removed."""
    if target.option(opt.section, opt.name) is not None:
        return opt
    change = target.change(opt.section, opt.name)
    if change is None or change.kind not in ("moved", "renamed", "removed"):
        return opt
    if change.target is None:
        draft.row(opt.key, opt.label, DROPPED, "", f"removed in Airflow {target.line}")
        return None
    new = opt._replace(section=change.new_section or opt.section, name=change.new_option or opt.name)
    draft.row(opt.key, opt.label, "moved", "", f"{change.kind} to {change.target} in Airflow {target.line}")
    return new


def env_reference(raw: str) -> str | None:
    """`${VAR}`, `$VAR`, `${VAR:-x}` -> VAR."""
    match = _ENV_REF.match(raw.strip())
    return match.group("name") if match else None


def route(opt: Opt, target: Catalog, draft: Draft, style: str) -> tuple[str, str] | None:
    """Put one option into the draft. Returns (section, name) when it went to `config:` (checked later against
    what compile writes itself)."""
    setting = setting_at(opt.section, opt.name)
    known = target.option(opt.section, opt.name)
    if setting in SECRETS or (known is not None and known.sensitive) or indirect(opt, target):
        secret(opt, setting, draft, style)
        return None
    if opt.value is None:
        draft.person(
            opt.key, opt.label, "its value is not in the file (a template or ${VAR}); set it in the spec"
        )
        return None
    default, whose = effective_default(target, opt.section, opt.name, draft.chart_config)
    if default is not None and setting not in STRUCTURAL and is_default(default, opt.value):
        # what runs anyway: the spec leaves it out (unset_defaults sets a spec key whose own default differs)
        draft.row(opt.key, opt.label, DROPPED, "", f"equal to {whose}")
        draft.defaulted.add(setting or f"[{opt.section}] {opt.name}")
        return None
    if any(url_secrets(opt.value)) or embeds_secret(opt.value):
        why = "its value holds a credential (a URL's user info, or text that sets a secret): not copied"
        draft.person(opt.key, opt.label, why)
        return None
    if setting in SPEC_KEYS:
        path, convert = SPEC_KEYS[setting]
        try:
            value = convert(opt.value)
        except ValueError:
            draft.person(opt.key, opt.label, f"the value does not fit the spec's {'.'.join(path)}")
            return None
        draft.put(path, value)
        draft.opts[".".join(path)] = opt
        draft.row(opt.key, opt.label, MODELLED, ".".join(path))
        return None
    if setting == "remote_logging":
        return None  # settled by logging() once the base folder is known
    if setting in STRUCTURAL:
        return None  # read by the component pass (executor, DAG folder)
    if known is None:
        hint = target.suggest(opt.section, opt.name)
        why = f"not an option of Airflow {target.line}" + (f" (did you mean {hint}?)" if hint else "")
        draft.person(opt.key, opt.label, why)
        return None
    draft.put(("config", opt.section, opt.name), opt.value)
    draft.row(opt.key, opt.label, CONFIG, f"config.{opt.section}.{opt.name}")
    return opt.section, opt.name


def effective_default(
    target: Catalog, section: str, name: str, chart_config: dict[str, Any] | None
) -> tuple[str | None, str]:
    """The value an option has when no file sets it, and whose default that is: in a Helm deployment the chart's
    own `config:` default where it has one (None for a template: not known here), else Airflow's."""
    if chart_config is not None:
        options = chart_config.get(section)
        value = options.get(name) if isinstance(options, dict) else None
        if value is not None:
            text = "True" if value is True else "False" if value is False else str(value)
            return (None if "{{" in text else text), "the chart's default"
    option = target.option(section, name)
    return (option.default if option is not None else None), f"Airflow {target.line}'s default"


def is_default(default: str, value: str) -> bool:
    """Whether `value` is `default` as the catalog records it (raw, `%%` for %), `{AIRFLOW_HOME}`-style fields
    matching anything, as Airflow fills them in."""
    if "\n" in default or "\n" in value:  # continuation lines: Airflow's parser strips their indentation
        default, value = _lines(default), _lines(value)
    if same(default.replace("%%", "%"), value) or same(default, value):
        return True
    if "{" not in default:
        return False
    try:
        parts = list(string.Formatter().parse(default))
    except ValueError:
        return False
    if not any(field is not None for _, field, _, _ in parts):  # `{{` only: Airflow formats it to `{`
        return same("".join(literal for literal, *_ in parts).replace("%%", "%"), value)
    pattern = "".join(
        re.escape(literal.replace("%%", "%")) + (".*" if field is not None else "")
        for literal, field, _, _ in parts
    )
    return re.fullmatch(pattern.strip(), value.strip(), re.DOTALL) is not None


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines())


def indirect(opt: Opt, target: Catalog) -> bool:
    """`fernet_key_cmd`, `sql_alchemy_conn_secret`: Airflow reads a sensitive option through a command or a
    secrets backend (the option itself, such as `jwt_secret`, is not one)."""
    if target.option(opt.section, opt.name) is not None:
        return False
    for suffix in ("_cmd", "_secret"):
        if opt.name.endswith(suffix):
            base = target.option(opt.section, opt.name[: -len(suffix)])
            return base is not None and base.sensitive
    return False


def same(a: str, b: str) -> bool:
    """Equal as Airflow reads them: booleans in any case, numbers in any spelling."""
    for convert in (_bool, float):
        try:
            return bool(convert(a) == convert(b))
        except ValueError:
            continue
    return a == b


def secret(opt: Opt, setting: str | None, draft: Draft, style: str) -> None:
    """A secret becomes a reference: an environment reference stays one, a literal value is never copied."""
    origin = SECRETS.get(setting or "")
    reference = env_reference(opt.raw)
    if not opt.raw.strip():
        draft.row(opt.key, opt.label, DROPPED, "", "empty")
        return
    if opt.name.endswith(("_cmd", "_secret")) and origin is None:
        draft.person(
            opt.key, opt.label, "a _CMD/_SECRET reference has no spec form; use {file: PATH} or {env: VAR}"
        )
        return
    if origin is None:
        draft.person(
            opt.key,
            opt.label,
            "a sensitive option with no modelled secret key; provide it from the deployment",
        )
        return
    key = ".".join(origin)
    if origin[0] == "celery" and not _celery(draft.get(("executor",))):
        draft.row(opt.key, opt.label, DROPPED, "", "no Celery executor reads it")
        return
    if key in draft.chart_secrets:
        draft.row(opt.key, opt.label, DROPPED, "", f"superseded by the chart's {draft.chart_secrets[key]}")
        return
    if setting in ("sql_alchemy_conn", "broker_url", "result_backend") and _host(opt.raw) in draft.services:
        draft.row(opt.key, opt.label, DROPPED, "", "a bundled service's connection: compile writes it")
        return
    if reference is not None:
        draft.put(origin, {"env": reference})
        draft.row(opt.key, opt.label, SECRET, key, f"kept as the environment reference {reference}")
        return
    if style == "helm":
        # named and keyed as the chart names its own Secrets (`<release>-fernet-key`, key `fernet-key`)
        name = f"airflow-{setting or 'secret'}".replace("_", "-")
        secret_key = _CHART_KEYS.get(setting or "", "value")
        ref: dict[str, Any] = {"secret": {"name": name, "key": secret_key}}
        create = f"create Kubernetes Secret {name} with key `{secret_key}` holding it"
    else:
        variable = "AIRFLOW_" + (setting or "secret").upper()
        ref = {"env": variable}
        create = f"put it in the environment variable {variable} (.env)"
    draft.put(origin, ref)
    draft.row(opt.key, opt.label, SECRET, key, "a literal secret was not copied; the spec references it")
    draft.todos.append(f"{key}: the value at {opt.key.file}:{opt.key.line} was not copied; {create}")


# The key each Secret of the chart holds its value under.
_CHART_KEYS = {
    "fernet_key": "fernet-key",
    "api_secret_key": "api-secret-key",
    "jwt_secret": "jwt-secret",
    "sql_alchemy_conn": "connection",
    "broker_url": "connection",
    "result_backend": "connection",
}


def _celery(executor: Any) -> bool:
    names = executor if isinstance(executor, list) else [executor]
    return any(isinstance(n, str) and "Celery" in n for n in names)


def _host(url: str) -> str | None:
    try:
        return urlsplit(url.strip()).hostname
    except ValueError:
        return None


def remote_provider(folder: str | None) -> str | None:
    if not folder or "://" not in folder:
        return None
    return _PROVIDERS.get(folder.split("://", 1)[0])
