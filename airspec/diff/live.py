"""Live sources: a Helm release in a cluster (k8s://NAMESPACE/RELEASE) and a running Airflow's REST API.

k8s:// runs the user's own `kubectl` and `helm` (current context, their credentials):
    kubectl get configmap RELEASE-airflow-config --namespace NAMESPACE --output yaml   (the chart's airflow.cfg)
    helm get values RELEASE --namespace NAMESPACE --output yaml                       (user-supplied values)
helm is needed only when the spec makes Helm values.

http(s)://HOST:PORT[/prefix] reads GET /api/v2/config (Airflow 3) or /api/v1/config (Airflow 2), trying the spec's
major version first. The server must expose its configuration (`[api] expose_config`, `[webserver]` on 2.x); it
hides sensitive values, which are then unverifiable. Credentials come from the environment, never the command line:
    AIRSPEC_AIRFLOW_TOKEN                               a bearer token (Airflow 3: a JWT from POST /auth/token)
    AIRSPEC_AIRFLOW_USERNAME, AIRSPEC_AIRFLOW_PASSWORD  Airflow 3: exchanged for a token at POST /auth/token
                                                        (SimpleAuthManager and FAB); Airflow 2: HTTP basic auth
Only the standard library speaks HTTP here; proxies and CA bundles come from the usual environment variables.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from airspec.artifacts import Artifact
from airspec.diff import sources
from airspec.diff.sources import Deployed
from airspec.errors import InputError

TOKEN_ENV = "AIRSPEC_AIRFLOW_TOKEN"
USERNAME_ENV = "AIRSPEC_AIRFLOW_USERNAME"
PASSWORD_ENV = "AIRSPEC_AIRFLOW_PASSWORD"
TIMEOUT = 30.0
MAX_RESPONSE = 32 * 1024 * 1024
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def is_live(source: str) -> bool:
    return source.startswith(("k8s://", "http://", "https://"))


def read(source: str, artifacts: list[Artifact], major: int, environ: Mapping[str, str]) -> list[Deployed]:
    if source.startswith("k8s://"):
        return read_k8s(source, artifacts, environ)
    return [read_api(source, major, environ)]


# --- Kubernetes -------------------------------------------------------------------------------------------------


def read_k8s(source: str, artifacts: list[Artifact], environ: Mapping[str, str]) -> list[Deployed]:
    parts = source.removeprefix("k8s://").strip("/").split("/")
    if len(parts) != 2 or not all(_LABEL.match(p) for p in parts):
        raise InputError(f"{source}: expected k8s://NAMESPACE/RELEASE (lower-case DNS labels)")
    namespace, release = parts
    path = environ.get("PATH")
    kinds = {a.kind for a in artifacts}
    kubectl = _tool("kubectl", path, f"k8s:// reads ConfigMap {release}-airflow-config with it")
    helm = (
        _tool("helm", path, f"k8s:// reads release {release}'s values with it")
        if "helm-values" in kinds
        else None
    )

    name = f"{release}-airflow-config"
    label = f"k8s://{namespace}/{release}"
    manifest = _run(
        [kubectl, "get", "configmap", name, "--namespace", namespace, "--output", "yaml"], environ
    )
    out = sources.read_yaml(f"{label} configmap/{name}", manifest, artifacts)
    if helm is not None:
        values = _run([helm, "get", "values", release, "--namespace", namespace, "--output", "yaml"], environ)
        out += sources.read_yaml(f"{label} helm get values {release}", values, artifacts)
    return out


def _tool(name: str, path: str | None, why: str) -> str:
    found = shutil.which(name, path=path)
    if found is None:
        raise InputError(f"{name} is not on PATH ({why}); install it or diff against saved manifests")
    return found


def _run(args: list[str], environ: Mapping[str, str]) -> str:
    shown = " ".join([args[0].rsplit("/", 1)[-1], *args[1:]])
    try:
        proc = subprocess.run(
            args,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            env=dict(environ),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"`{shown}` did not finish in 120 s") from None
    except OSError as exc:
        raise InputError(f"cannot run `{shown}`: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        why = lines[-1].strip() if lines else f"exit status {proc.returncode}"
        raise InputError(f"`{shown}` failed: {why}")
    return proc.stdout


# --- REST API ---------------------------------------------------------------------------------------------------


def read_api(source: str, major: int, environ: Mapping[str, str]) -> Deployed:
    base = _base_url(source)
    token = environ.get(TOKEN_ENV) or None
    username = environ.get(USERNAME_ENV) or None
    password = environ.get(PASSWORD_ENV)
    if username is not None and password is None:
        raise InputError(f"{USERNAME_ENV} is set but {PASSWORD_ENV} is not")
    versions = ("v2", "v1") if major >= 3 else ("v1", "v2")
    last: InputError | None = None
    for version in versions:
        url = f"{base}/api/{version}/config"
        auth = _authorization(base, version, token, username, password)
        try:
            payload = _get_json(url, auth)
        except _NotFound as exc:
            last = InputError(f"{exc.url}: 404 Not Found (is this an Airflow API server?)")
            continue
        return sources.api_config(url, payload)
    assert last is not None
    raise last


def _base_url(source: str) -> str:
    parsed = urllib.parse.urlsplit(source)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError(f"{source}: expected http(s)://HOST:PORT")
    if parsed.username is not None or parsed.password is not None:
        raise InputError(
            f"credentials in the URL are not accepted; set {TOKEN_ENV}, or {USERNAME_ENV} and {PASSWORD_ENV}"
        )
    if parsed.query or parsed.fragment:
        raise InputError(f"{parsed.scheme}://{parsed.netloc}: give the server's address without a query")
    path = parsed.path.rstrip("/")
    for suffix in ("/api/v2/config", "/api/v1/config", "/api/v2", "/api/v1"):
        path = path.removesuffix(suffix)
    return f"{parsed.scheme}://{parsed.netloc}{path}"


def _authorization(
    base: str, version: str, token: str | None, username: str | None, password: str | None
) -> str | None:
    if token is not None:
        return f"Bearer {token}"
    if username is None or password is None:
        return None
    if version == "v2":
        return f"Bearer {_token(base, username, password)}"
    pair = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {pair}"


def _token(base: str, username: str, password: str) -> str:
    """POST /auth/token, as Airflow 3's SimpleAuthManager (and FAB) serve it."""
    url = f"{base}/auth/token"
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    try:
        payload = _send(request)
    except _NotFound:
        raise InputError(
            f"{url}: 404 Not Found: this server issues no tokens there; set {TOKEN_ENV} instead"
        ) from None
    token = payload.get("access_token") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not token:
        raise InputError(f"{url}: the response holds no access_token")
    return token


def _get_json(url: str, authorization: str | None) -> Any:
    request = urllib.request.Request(url, method="GET")
    request.add_header("Accept", "application/json")
    if authorization is not None:
        # Not sent on to wherever a redirect points.
        request.add_unredirected_header("Authorization", authorization)
    return _send(request)


class _NotFound(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def _send(request: urllib.request.Request) -> Any:
    url = request.full_url
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            raw = response.read(MAX_RESPONSE + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise _NotFound(url) from None
        raise InputError(_http_error(url, exc)) from None
    except urllib.error.URLError as exc:
        reason = (
            exc.reason.strerror if isinstance(exc.reason, OSError) and exc.reason.strerror else exc.reason
        )
        raise InputError(f"cannot reach {url}: {reason}") from None
    except TimeoutError:
        raise InputError(f"{url}: no answer within {TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise InputError(f"cannot reach {url}: {exc.strerror or exc}") from None
    if len(raw) > MAX_RESPONSE:
        raise InputError(f"{url}: the response is larger than {MAX_RESPONSE // (1024 * 1024)} MiB")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{url}: the response is not JSON") from None


def _http_error(url: str, exc: urllib.error.HTTPError) -> str:
    detail = ""
    try:
        body = json.loads(exc.read(65536).decode("utf-8"))
        found = body.get("detail") if isinstance(body, dict) else None
        detail = found if isinstance(found, str) else ""
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        pass
    status = f"{exc.code} {exc.reason}"
    if exc.code == 401:
        return f"{url}: {status}: set {TOKEN_ENV}, or {USERNAME_ENV} and {PASSWORD_ENV}, to credentials it accepts"
    if exc.code == 403 and "expose" in detail:
        return f"{url}: {status}: the server does not expose its configuration (expose_config is off: [api] on 3.x, [webserver] on 2.x)"
    return f"{url}: {status}" + (f": {detail}" if detail else "")
