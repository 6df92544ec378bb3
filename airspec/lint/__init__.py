"""`airspec lint`: checks of specs and of raw airflow.cfg, Helm values, compose and workflow files.

engine.py runs the rules listed in rules/__init__.py (one module per rule; a rule's docstring is its
documentation); inputs.py reads the inputs with positions (airflow.cfg through airspec/cfgfile.py); suppress.py,
config.py and baseline.py decide which findings are shown. Formatting is in airspec/report/.
"""

# Input kinds, as `--kind` names them. A rule applies to a kind when its RULE names a check for it. Here, not in
# model.py, so that the CLI names them for every command without importing the lint machinery.
KINDS = ("spec", "airflow.cfg", "helm-values", "compose", "workflow", "statsd-mapping", "grafana-dashboard")
