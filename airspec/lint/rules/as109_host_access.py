"""A compose service gets the Docker socket, runs privileged, or drops its seccomp profile.

Catches: a volume that mounts `/var/run/docker.sock` (short or long syntax), `privileged: true`, and
`security_opt: [seccomp:unconfined]` on any service.

Why: whoever controls the Docker socket controls the host: any DAG (or any task that runs code from a
dependency) in that container can start a root container that mounts `/`. `privileged` and an unconfined
seccomp profile remove the walls between the container and the kernel in the same way.

Bad:

    volumes:
      - /var/run/docker.sock:/var/run/docker.sock

Good:

    # run containers from tasks through a remote Docker/Kubernetes API with its own credentials
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.compose import services
from airspec.lint.model import FileContext, Hit, Rule
from airspec.source import Span

_SOCKET = "docker.sock"


def check_compose(ctx: FileContext) -> Iterator[Hit]:
    seen: set[Span] = set()  # an x- anchor merged into several services is one finding, at the anchor
    for hit in _hits(ctx):
        if hit.span not in seen:
            seen.add(hit.span)
            yield hit


def _hits(ctx: FileContext) -> Iterator[Hit]:
    for name, service in services(ctx):
        volumes = service.get("volumes")
        for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
            source = volume.get("source") if isinstance(volume, dict) else str(volume).split(":")[0]
            if isinstance(source, str) and source.rstrip("/").endswith(_SOCKET):
                yield Hit(
                    ctx.value("services", name, "volumes", index),
                    f"service {name} mounts the Docker socket: code in it can take over the host",
                )
        if service.get("privileged") is True:
            yield Hit(ctx.value("services", name, "privileged"), f"service {name} runs privileged")
        options = service.get("security_opt")
        for index, option in enumerate(options if isinstance(options, list) else []):
            if str(option).replace("=", ":").replace(" ", "") == "seccomp:unconfined":
                yield Hit(
                    ctx.value("services", name, "security_opt", index),
                    f"service {name} runs without a seccomp profile",
                )


RULE = Rule(
    id="AS109",
    name="host-access",
    severity="warning",
    category="security",
    files={"compose": check_compose},
)
