"""git-sync clones over SSH without known hosts, so the server's identity is never checked.

Catches: a spec's `dags.git_sync` with an SSH repository (`git@...`, `ssh://...`) and no `known_hosts`; Helm
values with `dags.gitSync` over SSH and no `knownHosts`.

Why: without known_hosts git-sync accepts any host key, so anyone who can intercept or spoof the git server
(DNS, a proxy, a compromised network) serves the DAGs that Airflow then runs with its credentials.

Bad:

    dags:
      git_sync:
        repo: git@github.com:example/dags.git
        ssh_key_secret: airflow-git-ssh

Good:

    dags:
      git_sync:
        repo: git@github.com:example/dags.git
        ssh_key_secret: airflow-git-ssh
        known_hosts: |
          github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule, SpecContext

_SSH = ("git@", "ssh://")
_MESSAGE = "git-sync clones {repo!r} over SSH without known hosts, so any server can pose as it; add {key}"


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    git = ctx.resolved.spec.dags.git_sync
    if git is not None and git.repo.startswith(_SSH) and not (git.known_hosts or "").strip():
        path = ("dags", "git_sync", "repo")
        yield Hit(ctx.value(*path), _MESSAGE.format(repo=git.repo, key="dags.git_sync.known_hosts"))


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    repo = ctx.get("dags", "gitSync", "repo")
    enabled = ctx.get("dags", "gitSync", "enabled")
    if enabled is True and isinstance(repo, str) and repo.startswith(_SSH):
        known = ctx.get("dags", "gitSync", "knownHosts")
        if not (isinstance(known, str) and known.strip()):
            yield Hit(
                ctx.value("dags", "gitSync", "repo"),
                _MESSAGE.format(repo=repo, key="dags.gitSync.knownHosts"),
            )


RULE = Rule(
    id="AS104",
    name="git-ssh-known-hosts",
    severity="error",
    category="security",
    spec=check_spec,
    files={"helm-values": check_helm},
)
