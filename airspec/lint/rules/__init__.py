"""Every lint rule, one module each, named here once: ids are stable and never reused (a retired rule keeps its
module, with no checks, so its id stays taken). Each module declares its rule as `RULE = Rule(...)`, naming the
check for each kind of input it reads; nothing is found by name.
"""

from __future__ import annotations

import functools
import importlib

from airspec.lint.model import Rule

MODULES = (
    "as000_spec_invalid",
    "as101_expose_config",
    "as102_literal_secret",
    "as103_default_credentials",
    "as104_git_ssh_known_hosts",
    "as105_sensitive_fields_shown",
    "as106_plain_http_base_url",
    "as107_xcom_pickling",
    "as201_single_scheduler",
    "as202_no_resource_limits",
    "as203_ephemeral_workers_local_logs",
    "as204_remote_log_provider_missing",
    "as205_visibility_timeout",
    "as206_failed_pods_no_logs",
    "as207_invalid_fernet_key",
    "as208_cfg_percent",
    "as209_cfg_inline_comment",
    "as210_option_type",
    "as211_option_enum",
    "as301_metrics_off",
    "as302_statsd_unknown_metric",
    "as303_remote_logging_no_folder",
    "as304_debug_logging",
    "as401_option_moved",
    "as402_option_removed",
    "as403_default_changed",
    "as404_invalid_value",
    "as405_removed_value",
    "as406_unknown_option",
    "as407_airflow3_preview",
    "as408_webserver_on_airflow3",
    "as501_min_file_process_interval",
    "as502_parsing_processes_cpu",
    "as503_load_examples",
    "as601_unused_executor_options",
    "as602_image_tag_mismatch",
    "as603_autoscale_above_concurrency",
    "as604_parallelism_below_capacity",
    "as605_config_conflict",
    "as606_dagbag_timeout",
    "as607_sqlite_distributed",
    "as608_option_set_twice",
    "as701_unpinned_actions",
    "as702_latest_tag",
    "as703_workflow_permissions",
)


@functools.cache
def rules() -> tuple[Rule, ...]:
    """The rules, in id order. Rule modules are imported on first use, once per process."""
    found: list[Rule] = []
    for name in MODULES:
        rule = importlib.import_module(f"{__name__}.{name}").RULE
        if not isinstance(rule, Rule):
            raise TypeError(f"{name}.RULE is not a Rule")
        found.append(rule)
    return tuple(found)
