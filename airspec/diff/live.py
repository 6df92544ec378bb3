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

Neither may take forever: `--timeout` bounds the whole read (HTTP_TIMEOUT, K8S_TIMEOUT by default), however slowly
the other side answers. kubectl and helm run in a process group of their own, killed whole (helpers they started
included) at the deadline or when they print more than a file may hold. What they and the server say is untrusted:
it is quoted in messages through `terminal.printable`.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from types import TracebackType
from typing import IO, Any

from airspec.artifacts import Artifact
from airspec.diff import sources
from airspec.diff.sources import Deployed
from airspec.errors import InputError
from airspec.loader import MAX_BYTES
from airspec.terminal import printable

TOKEN_ENV = "AIRSPEC_AIRFLOW_TOKEN"
USERNAME_ENV = "AIRSPEC_AIRFLOW_USERNAME"
PASSWORD_ENV = "AIRSPEC_AIRFLOW_PASSWORD"
HTTP_TIMEOUT = 60.0  # the whole exchange with the API server: token, config, a retry on the other version
K8S_TIMEOUT = 120.0  # kubectl and helm together
MAX_TIMEOUT = 24 * 3600.0
MAX_RESPONSE = 32 * 1024 * 1024
MAX_OUTPUT = MAX_BYTES  # what kubectl or helm may print, as much as a file may hold
MAX_STDERR = 64 * 1024  # the end of a tool's stderr is kept, for its last line
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def is_live(source: str) -> bool:
    return source.startswith(("k8s://", "http://", "https://"))


def read(
    source: str,
    artifacts: list[Artifact],
    api_versions: tuple[str, ...],
    environ: Mapping[str, str],
    timeout: float | None = None,
) -> list[Deployed]:
    """What a live source holds. `timeout` bounds the whole read, in seconds (default: HTTP_TIMEOUT for an API
    server, K8S_TIMEOUT for kubectl and helm together)."""
    if timeout is not None and not 0 < timeout <= MAX_TIMEOUT:  # not NaN either
        raise InputError(
            f"--timeout {timeout:g}: expected seconds, more than 0 and at most {MAX_TIMEOUT:.0f}"
        )
    if source.startswith("k8s://"):
        return read_k8s(source, artifacts, environ, K8S_TIMEOUT if timeout is None else timeout)
    return [read_api(source, api_versions, environ, HTTP_TIMEOUT if timeout is None else timeout)]


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


# --- Kubernetes -------------------------------------------------------------------------------------------------


def read_k8s(
    source: str, artifacts: list[Artifact], environ: Mapping[str, str], timeout: float = K8S_TIMEOUT
) -> list[Deployed]:
    parts = source.removeprefix("k8s://").strip("/").split("/")
    if len(parts) != 2 or not all(_LABEL.match(p) for p in parts):
        raise InputError(f"{printable(source)}: expected k8s://NAMESPACE/RELEASE (lower-case DNS labels)")
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
    deadline = _Deadline(timeout)
    manifest = _run(
        [kubectl, "get", "configmap", name, "--namespace", namespace, "--output", "yaml"], environ, deadline
    )
    out = sources.read_yaml(f"{label} configmap/{name}", manifest, artifacts)
    if helm is not None:
        values = _run(
            [helm, "get", "values", release, "--namespace", namespace, "--output", "yaml"], environ, deadline
        )
        out += sources.read_yaml(f"{label} helm get values {release}", values, artifacts)
    return out


def _tool(name: str, path: str | None, why: str) -> str:
    found = shutil.which(name, path=path)
    if found is None:
        raise InputError(f"{name} is not on PATH ({why}); install it or diff against saved manifests")
    return found


def _run(args: list[str], environ: Mapping[str, str], deadline: _Deadline) -> str:
    """A tool's stdout as text. It runs in a process group of its own, killed as a whole (helpers it started
    included) when it outlives the deadline or prints more than MAX_OUTPUT."""
    shown = " ".join([args[0].rsplit("/", 1)[-1], *args[1:]])
    if deadline.left() <= 0:
        raise InputError(f"`{shown}` did not start: the {deadline.seconds:g} s (--timeout) were used up")
    try:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(environ),
            start_new_session=True,
        )
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"cannot run `{shown}`: {printable(why)}") from None
    assert proc.stdout is not None and proc.stderr is not None
    out = _Drain(proc.stdout, MAX_OUTPUT, keep="head")
    err = _Drain(proc.stderr, MAX_STDERR, keep="tail")
    try:
        finished = out.done.wait(max(0.0, deadline.left()))
        if finished and not out.over:
            try:
                proc.wait(max(0.0, deadline.left()))
            except subprocess.TimeoutExpired:
                finished = False
        if not finished:
            raise InputError(f"`{shown}` did not finish in {deadline.seconds:g} s (--timeout)")
        if out.over:
            raise InputError(
                f"`{shown}` printed more than {MAX_OUTPUT // (1024 * 1024)} MiB; stopped it there"
            )
        err.done.wait(min(1.0, max(0.0, deadline.left())))  # written before it exited: in the pipe already
    finally:
        if proc.returncode is None:
            _kill_group(proc)
        out.close()
        err.close()
    if proc.returncode != 0:
        lines = [line for line in err.text().splitlines() if line.strip()]
        why = lines[-1].strip() if lines else f"exit status {proc.returncode}"
        raise InputError(f"`{shown}` failed: {printable(why)}")
    try:
        return bytes(out.data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"`{shown}` printed bytes that are not UTF-8 text (at byte {exc.start})") from None


class _Drain:
    """Reads one pipe to its end in a thread of its own, keeping at most `limit` bytes: the first ones ("head",
    reading stops past the limit and `over` is set) or the last ones ("tail", all is read)."""

    def __init__(self, pipe: IO[bytes], limit: int, keep: str) -> None:
        self.pipe = pipe
        self.fd = pipe.fileno()
        self.limit = limit
        self.keep = keep
        self.data = bytearray()
        self.over = False
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            while True:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    break
                self.data += chunk
                if len(self.data) > self.limit:
                    if self.keep == "head":
                        self.over = True
                        break
                    del self.data[: len(self.data) - self.limit]
        except OSError:
            pass  # the pipe went away; what was read is what there is
        finally:
            self.done.set()

    def close(self) -> None:
        """Closes the pipe once the reader is done with it. One still reading (something outside the process group
        holds the other end) is left to end with the process: its descriptor must not be reused under it."""
        self.thread.join(1.0)
        if not self.thread.is_alive():
            self.pipe.close()

    def text(self) -> str:
        return bytes(self.data).decode("utf-8", errors="replace")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the tool's process group (start_new_session made it its leader), then reap it."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows: no process groups to kill
            proc.kill()
    except OSError:
        pass
    with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL is not refused
        proc.wait(5)


# --- REST API ---------------------------------------------------------------------------------------------------


def read_api(
    source: str, api_versions: tuple[str, ...], environ: Mapping[str, str], timeout: float = HTTP_TIMEOUT
) -> Deployed:
    base = _base_url(source)
    token = environ.get(TOKEN_ENV) or None
    username = environ.get(USERNAME_ENV) or None
    password = environ.get(PASSWORD_ENV)
    if username is not None and password is None:
        raise InputError(f"{USERNAME_ENV} is set but {PASSWORD_ENV} is not")
    versions = api_versions  # the prefix the target line serves first (catalog runtime facts)
    last: InputError | None = None
    with _Exchange(timeout) as exchange:
        for version in versions:
            url = f"{base}/api/{version}/config"
            auth = _authorization(exchange, base, version, token, username, password)
            try:
                payload = _get_json(exchange, url, auth)
            except _NotFound as exc:
                last = InputError(f"{exc.url}: 404 Not Found (is this an Airflow API server?)")
                continue
            return sources.api_config(url, payload)
    assert last is not None
    raise last


def _base_url(source: str) -> str:
    shown = printable(source)
    try:
        parsed = urllib.parse.urlsplit(source)
        parsed.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise InputError(f"{shown}: not a valid URL ({printable(str(exc))})") from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError(f"{shown}: expected http(s)://HOST:PORT")
    if parsed.username is not None or parsed.password is not None:
        raise InputError(
            f"credentials in the URL are not accepted; set {TOKEN_ENV}, or {USERNAME_ENV} and {PASSWORD_ENV}"
        )
    if parsed.query or parsed.fragment:
        raise InputError(
            f"{printable(parsed.scheme + '://' + parsed.netloc)}: give the server's address without a query"
        )
    path = parsed.path.rstrip("/")
    for suffix in ("/api/v2/config", "/api/v1/config", "/api/v2", "/api/v1"):
        path = path.removesuffix(suffix)
    return f"{parsed.scheme}://{parsed.netloc}{path}"


def _authorization(
    exchange: _Exchange,
    base: str,
    version: str,
    token: str | None,
    username: str | None,
    password: str | None,
) -> str | None:
    if token is not None:
        return f"Bearer {token}"
    if username is None or password is None:
        return None
    if version == "v2":
        return f"Bearer {_token(exchange, base, username, password)}"
    pair = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {pair}"


def _token(exchange: _Exchange, base: str, username: str, password: str) -> str:
    """POST /auth/token, as Airflow 3's SimpleAuthManager (and FAB) serve it."""
    url = f"{base}/auth/token"
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    try:
        payload = _send(exchange, request)
    except _NotFound:
        raise InputError(
            f"{printable(url)}: 404 Not Found: this server issues no tokens there; set {TOKEN_ENV} instead"
        ) from None
    token = payload.get("access_token") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not token:
        raise InputError(f"{printable(url)}: the response holds no access_token")
    return token


def _get_json(exchange: _Exchange, url: str, authorization: str | None) -> Any:
    request = urllib.request.Request(url, method="GET")
    request.add_header("Accept", "application/json")
    if authorization is not None:
        # Not sent on to wherever a redirect points.
        request.add_unredirected_header("Authorization", authorization)
    return _send(exchange, request)


class _NotFound(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = printable(url)


class _Exchange:
    """One deadline for every request to one server, redirects and error bodies included.

    A socket timeout bounds each read, not the exchange: a server that sends a byte every few seconds would keep
    one going forever. So each connection's socket is duplicated as it connects (before TLS, so a handshake is
    covered too), and when the deadline passes a timer shuts the duplicates down, which ends whatever read is
    waiting on them; the request then fails and `expired` says why."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        exchange = self

        class Http(_Watched):
            watcher = exchange

        class Https(http.client.HTTPSConnection, _Watched):
            watcher = exchange

        class HttpHandler(urllib.request.HTTPHandler):
            def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(Http, req)

        class HttpsHandler(urllib.request.HTTPSHandler):
            def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(Https, req)

        self.opener = urllib.request.build_opener(HttpHandler, HttpsHandler)

    def __enter__(self) -> _Exchange:
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def left(self) -> float:
        return self.end - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        copy = sock.dup()  # shutdown() acts on the connection: through a copy, whatever wraps the original
        with self._lock:
            self._sockets.append(copy)
            expired = self.expired
        if expired:
            _shut(copy)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            watched = list(self._sockets)
        for sock in watched:
            _shut(sock)

    def timed_out(self, url: str) -> InputError:
        return InputError(f"{printable(url)}: no complete answer within {self.seconds:g} s (--timeout)")


class _Watched(http.client.HTTPConnection):
    """A connection whose socket the exchange can end at its deadline."""

    watcher: _Exchange

    def connect(self) -> None:
        super().connect()  # for HTTPS, the plain socket: HTTPSConnection.connect wraps it after this returns
        self.watcher.watch(self.sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _send(exchange: _Exchange, request: urllib.request.Request) -> Any:
    url = request.full_url
    left = exchange.left()
    if left <= 0:
        raise exchange.timed_out(url)
    try:
        try:
            with exchange.opener.open(request, timeout=left) as response:
                raw = response.read(MAX_RESPONSE + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise _NotFound(url) from None
            raise InputError(_http_error(url, exc)) from None
    except (InputError, _NotFound):
        if exchange.expired:  # the error body was cut short
            raise exchange.timed_out(url) from None
        raise
    except urllib.error.URLError as exc:
        if exchange.expired or isinstance(exc.reason, TimeoutError):
            raise exchange.timed_out(url) from None
        reason = (
            exc.reason.strerror if isinstance(exc.reason, OSError) and exc.reason.strerror else exc.reason
        )
        raise InputError(f"cannot reach {printable(url)}: {printable(str(reason))}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # OSError: a timeout or reset while reading; HTTPException: not HTTP (a bad status line, a cut-short body);
        # ValueError: a redirect to a URL http.client cannot use (http.client.InvalidURL).
        if exchange.expired or isinstance(exc, TimeoutError):
            raise exchange.timed_out(url) from None
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        raise InputError(f"cannot read {printable(url)}: {printable(why)}") from None
    if exchange.expired:  # the body ended early (no Content-Length): it is not all there
        raise exchange.timed_out(url)
    if len(raw) > MAX_RESPONSE:
        raise InputError(f"{printable(url)}: the response is larger than {MAX_RESPONSE // (1024 * 1024)} MiB")
    return _json_body(raw, url)


def _json_body(raw: bytes, url: str) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{printable(url)}: the response is not JSON") from None
    if sources.json_depth(text) > sources.MAX_JSON_DEPTH:
        raise InputError(
            f"{printable(url)}: the response is JSON nested deeper than {sources.MAX_JSON_DEPTH} levels"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise InputError(f"{printable(url)}: the response is not JSON") from None


def _http_error(url: str, exc: urllib.error.HTTPError) -> str:
    detail = ""
    try:
        body = _json_body(exc.read(65536), url)
        found = body.get("detail") if isinstance(body, dict) else None
        detail = found if isinstance(found, str) else ""
    except (OSError, http.client.HTTPException, InputError):
        pass
    status = printable(f"{exc.code} {exc.reason}")
    shown = printable(url)
    if exc.code == 401:
        return f"{shown}: {status}: set {TOKEN_ENV}, or {USERNAME_ENV} and {PASSWORD_ENV}, to credentials it accepts"
    if exc.code == 403 and "expose" in detail:
        return f"{shown}: {status}: the server does not expose its configuration (expose_config is off: [api] on 3.x, [webserver] on 2.x)"
    return f"{shown}: {status}" + (f": {printable(detail)}" if detail else "")
