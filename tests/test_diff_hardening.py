"""`airspec diff` against sources that misbehave (issue "Hardening II"), each with a local stand-in, never the network:
13. a server that drips its answer, and a FIFO or device given as a file: bounded in time, refused before opening;
14. kubectl that prints without end, or leaves helpers behind: stopped at the file size cap, its process group killed;
15. input that used to end in a traceback (deep JSON, bad URLs, bytes that are not UTF-8, JSON that is no
    configuration): one line, exit 2;
16. deployed text with escape sequences: shown escaped in text output (and in error messages), escaped by JSON.

A failure must never exit 1 (that means drift), and every test here takes a few seconds at most.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from airspec import loader
from airspec.diff.sources import MAX_JSON_DEPTH, json_depth
from airspec.errors import InputError
from airspec.terminal import printable
from tests.conftest import ROOT
from tests.diff_support import compiled, example

SPEC = example("minimal")  # Airflow 3, compose: k8s:// needs kubectl only, http:// asks /api/v2/config first
DEEP = 100_000
K8S = "k8s://airflow/analytics"
KUBECTL_ARGS = "kubectl get configmap analytics-airflow-config --namespace airflow --output yaml"
HIDDEN = "Local\x1b[8mHIDDEN\x1b[0mExecutor"  # displays as `LocalExecutor` on a terminal
NASTY = (  # every kind of character a terminal acts on, or that does not show
    "a\x1b[2Jb",  # CSI: clear the screen
    "\x1b]8;;https://example.invalid/\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "x\x9b31mred",  # C1 CSI
    "over\rwrite",
    "bell\x07nul\x7fdel\x85nel",
    "abc\u202edcba",  # right-to-left override
    "zero\u200bwidth\u2066isolate\u2069\u2028sep",
)


def diff(*args: str, path: str | None = None, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """`airspec diff ARGS` in a new process, as in tests/diff_support.run_diff, but failing (not waiting two minutes)
    when it hangs."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "AIRSPEC_AIRFLOW_"))}
    environ = {
        k: v for k, v in environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    environ["PYTHONPATH"] = str(ROOT)
    environ["NO_PROXY"] = "127.0.0.1,localhost"
    if path is not None:
        environ["PATH"] = path
    try:
        return subprocess.run(
            [sys.executable, "-m", "airspec", "diff", *args],
            capture_output=True,
            text=True,
            errors="backslashreplace",
            cwd=ROOT,
            env=environ,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`airspec diff {' '.join(args)}` hung: no answer within {timeout:g} s")


def one_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single `error: ...` line of a failed diff (exit 2, no traceback, nothing on stdout), without `error: `."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "error: " in result.stderr and result.stderr.count("\n") == 1, result.stderr
    where, _, message = result.stderr.rstrip("\n").partition("error: ")
    return f"{where}{message}"  # `FILE:LINE:COL: ` stays before a message that has a position


def shown_safely(text: str) -> bool:
    return all(c.isprintable() or c == "\n" for c in text)


# --- stand-ins: an HTTP server in a thread, kubectl on PATH -------------------------------------------------------

Respond = Callable[[BaseHTTPRequestHandler, threading.Event], None]


@contextmanager
def serve(respond: Respond) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering every request with `respond(handler, stop)`; its URL."""
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with contextlib.suppress(OSError):  # the client hung up: what a deadline does
                respond(self, stop)

        do_POST = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def json_answer(body: bytes, status: int = 200, reason: str | None = None) -> Respond:
    def respond(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(status, reason)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def fake_kubectl(bin_dir: Path, body: str) -> str:
    """A `kubectl` (Python) script running `body`, alone on a PATH of its own; that PATH."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "kubectl"
    script.write_text(f"#!{sys.executable}\nimport os, subprocess, sys, time\n{body}")
    script.chmod(0o755)
    return str(bin_dir)


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for a reaper does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:  # no /proc
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state != "Z"


# --- 13. a deadline for the whole exchange; no FIFOs or devices -----------------------------------------------------


def drip_body(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Headers at once, then the body a byte at a time, each well within any per-read timeout."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000000")
    handler.end_headers()
    handler.wfile.write(b'{"sections": [')
    while not stop.wait(0.2):
        handler.wfile.write(b" ")


def drip_headers(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not stop.wait(0.2):
        handler.wfile.write(b"a")


@pytest.mark.parametrize("respond", [drip_body, drip_headers], ids=["body", "headers"])
def test_server_dripping_its_answer_is_cut_at_the_timeout(respond: Respond) -> None:
    with serve(respond) as url:
        started = time.monotonic()
        result = diff(SPEC, "--against", url, "--timeout", "1.5")
        took = time.monotonic() - started
    assert one_error(result) == f"{url}/api/v2/config: no complete answer within 1.5 s (--timeout)"
    assert took < 4.5


def test_tls_handshake_dripping_is_cut_at_the_timeout() -> None:
    """The deadline covers the TLS handshake too: a server that answers the ClientHello a byte at a time."""
    stop = threading.Event()

    def drip(listener: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn:
                conn.recv(4096)  # the ClientHello
                conn.sendall(b"\x16\x03\x03\x40\x00")  # a handshake record of 16 KiB follows...
                while not stop.wait(0.2):
                    conn.sendall(b"\x02")  # ...slowly

    with socket.create_server(("127.0.0.1", 0)) as listener:
        threading.Thread(target=drip, args=(listener,), daemon=True).start()
        url = f"https://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        try:
            result = diff(SPEC, "--against", url, "--timeout", "1.5")
        finally:
            stop.set()
    assert one_error(result) == f"{url}/api/v2/config: no complete answer within 1.5 s (--timeout)"
    assert time.monotonic() - started < 4.5


def test_timeout_must_be_a_positive_number_of_seconds() -> None:
    for value in ("0", "-3", "nan", "inf"):
        assert "expected seconds, more than 0" in one_error(
            diff(SPEC, "--against", "http://127.0.0.1:9", "--timeout", value)
        )


def test_fifo_as_spec_or_source_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "airflow.cfg"
    os.mkfifo(fifo)
    refused = f"{fifo}: is a FIFO (named pipe), not a regular file"
    assert one_error(diff(str(fifo), "--against", str(tmp_path), timeout=8)) == refused
    assert one_error(diff(SPEC, "--against", str(fifo), timeout=8)) == refused
    assert (
        one_error(diff(SPEC, "--against", str(tmp_path), timeout=8)) == refused
    )  # found in the folder by name


def test_socket_and_device_are_refused(tmp_path: Path) -> None:
    assert one_error(diff(SPEC, "--against", "/dev/zero", timeout=8)) == (
        "/dev/zero: is a character device, not a regular file"
    )
    path = tmp_path / "airflow.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert one_error(diff(SPEC, "--against", str(path), timeout=8)) == (
            f"{path}: is a socket, not a regular file"
        )


def test_read_text_checks_what_it_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A path that is a regular file when looked at and a FIFO when opened (it was swapped in between): the open
    does not block, and what was opened is checked again."""
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)

    def regular(path: str) -> os.stat_result:
        found = os.stat(path)
        return os.stat_result((stat.S_IFREG | 0o644, *tuple(found)[1:]))

    monkeypatch.setattr(loader, "os", types.SimpleNamespace(**{**vars(os), "stat": regular}))
    outcome: list[BaseException | str] = []

    def read() -> None:
        try:
            outcome.append(loader.read_text(str(fifo)))
        except BaseException as exc:  # reported below
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(3)
    assert not reader.is_alive(), "read_text blocked opening a FIFO"
    assert isinstance(outcome[0], InputError)
    assert outcome[0].bare == f"{fifo}: is a FIFO (named pipe), not a regular file"


# --- 14. kubectl: output capped, its whole process group killed -----------------------------------------------------


def test_kubectl_printing_300_mb_is_stopped_at_the_cap(tmp_path: Path) -> None:
    path = fake_kubectl(
        tmp_path / "bin",
        "chunk = b'a: ' + b'x' * (1 << 20) + b'\\n'\nfor _ in range(300):\n    sys.stdout.buffer.write(chunk)\n",
    )
    started = time.monotonic()
    result = diff(SPEC, "--against", K8S, path=path)
    assert one_error(result) == f"`{KUBECTL_ARGS}` printed more than 4 MiB; stopped it there"
    assert time.monotonic() - started < 4


def test_kubectl_timeout_kills_its_grandchildren(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    path = fake_kubectl(
        tmp_path / "bin",
        "helper = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(helper.pid))\n"
        "sys.stdout.write('apiVersion: v1\\n'); sys.stdout.flush()\n"
        "time.sleep(60)\n",
    )
    started = time.monotonic()
    result = diff(SPEC, "--against", K8S, "--timeout", "1", path=path)
    assert one_error(result) == f"`{KUBECTL_ARGS}` did not finish in 1 s (--timeout)"
    assert time.monotonic() - started < 4
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 2
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild), f"kubectl's child {grandchild} outlived the timeout"


def test_kubectl_helper_holding_stdout_open_is_killed_too(tmp_path: Path) -> None:
    """kubectl is done but something it started still holds its stdout: the output never ends, so the group goes."""
    pid_file = tmp_path / "grandchild.pid"
    path = fake_kubectl(
        tmp_path / "bin",
        "helper = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(helper.pid))\n",
    )
    result = diff(SPEC, "--against", K8S, "--timeout", "1", path=path)
    assert one_error(result) == f"`{KUBECTL_ARGS}` did not finish in 1 s (--timeout)"
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 2
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)


# --- 15. tracebacks that are one line now ---------------------------------------------------------------------------


def test_deep_json_from_a_live_server() -> None:
    body = b'{"sections": ' + b"[" * DEEP + b"]" * DEEP + b"}"
    with serve(json_answer(body)) as url:
        result = diff(SPEC, "--against", url)
    assert one_error(result) == f"{url}/api/v2/config: the response is JSON nested deeper than 64 levels"


def test_deep_json_in_an_error_response() -> None:
    body = b'{"detail": ' + b"[" * DEEP + b"]" * DEEP + b"}"
    with serve(json_answer(body, status=500)) as url:
        result = diff(SPEC, "--against", url)
    assert one_error(result) == f"{url}/api/v2/config: 500 Internal Server Error"


def test_server_that_does_not_speak_http() -> None:
    def garbage(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n")

    with serve(garbage) as url:
        message = one_error(diff(SPEC, "--against", url))
    assert message.startswith(f"cannot read {url}/api/v2/config: ")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://127.0.0.1:abc/", "Port could not be cast to integer value as 'abc'"),
        ("http://127.0.0.1:99999/", "Port out of range 0-65535"),
    ],
)
def test_malformed_url_is_one_line(url: str, why: str) -> None:
    assert one_error(diff(SPEC, "--against", url)) == f"{url}: not a valid URL ({why})"


def test_kubectl_printing_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = fake_kubectl(
        tmp_path / "bin", "sys.stdout.buffer.write(b'apiVersion: v1\\nkind: \\xff\\xfe\\n')\n"
    )
    assert one_error(diff(SPEC, "--against", K8S, path=path)) == (
        f"`{KUBECTL_ARGS}` printed bytes that are not UTF-8 text (at byte 21)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1,2,3]\n", "a JSON array; expected an Airflow configuration response (an object with 'sections')"),
        ('{"sections": ' + "[" * DEEP + "]" * DEEP + "}", "JSON nested deeper than 64 levels"),
        ("[1," + "[" * DEEP + "]" * DEEP + "]", "brackets nested deeper than 64 levels (JSON?)"),
        ("[" * DEEP + "]" * DEEP, "nesting deeper than 64 levels"),
        (
            '{"sections": [{"name": "core", "options": 5}]}',
            "not an Airflow configuration response (a section's options are not a list)",
        ),
    ],
    ids=["list", "deep-sections", "deep-list-one-line", "deep-list", "options-not-a-list"],
)
def test_saved_json_that_is_no_configuration(tmp_path: Path, text: str, message: str) -> None:
    saved = tmp_path / "baseline.json"
    saved.write_text(text)
    assert message in one_error(diff(SPEC, "--against", str(saved)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: ConfigMap\nmetadata: [1]\ndata: {airflow.cfg: 5}\n", "the ConfigMap has no airflow.cfg key"),
        (
            "kind: List\nitems:\n- {kind: ConfigMap, data: 5}\n",
            "expected one ConfigMap with an airflow.cfg key",
        ),
    ],
    ids=["metadata-not-a-mapping", "data-not-a-mapping"],
)
def test_configmap_of_an_odd_shape(tmp_path: Path, text: str, message: str) -> None:
    saved = tmp_path / "configmap.yaml"
    saved.write_text(text)
    assert message in one_error(diff(SPEC, "--against", str(saved)))


def test_json_depth_is_counted_without_parsing() -> None:
    assert json_depth("") == 0
    assert json_depth('{"a": [1, {"b": []}]}') == 4
    assert (
        json_depth('["[[[[", "\\"[[[", "\\\\"]') == 1
    )  # brackets in strings, escaped quotes, an escaped backslash
    assert json_depth("[" * DEEP + "]" * DEEP) == DEEP
    assert MAX_JSON_DEPTH == loader.MAX_DEPTH


# --- 16. what the deployment says is shown, not obeyed ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("LocalExecutor", "LocalExecutor"),
        ("café 東京 ✓", "café 東京 ✓"),
        (HIDDEN, "Local\\x1b[8mHIDDEN\\x1b[0mExecutor"),
        (NASTY[1], "\\x1b]8;;https://example.invalid/\\x1b\\link\\x1b]8;;\\x1b\\"),
        (NASTY[2], "x\\x9b31mred"),
        (NASTY[3], "over\\rwrite"),
        (NASTY[4], "bell\\x07nul\\x7fdel\\x85nel"),
        (NASTY[5], "abc\\u202edcba"),
        (NASTY[6], "zero\\u200bwidth\\u2066isolate\\u2069\\u2028sep"),
        ("tab\there\nand\x00\U000e0041", "tab\\there\\nand\\x00\\U000e0041"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert shown_safely(printable(text)) and printable(printable(text)) == printable(text)


def test_deployed_values_with_escape_sequences(tmp_path: Path) -> None:
    folder = tmp_path / "deployed\x1b[2J"  # a file name is the deployment's too
    compiled(SPEC, folder)
    cfg = folder / "airflow.cfg"
    text = cfg.read_text().replace("executor = LocalExecutor", f"executor = {HIDDEN}")
    # A carriage return ends a line for Airflow's reader (and airspec's, which reads as Airflow does), so such a
    # value cannot stand in an airflow.cfg that Airflow reads: it goes to the YAML cases below.
    in_cfg = [value for value in NASTY if "\r" not in value]
    extra = "".join(f"option_{i} = {value}\n" for i, value in enumerate(in_cfg))
    cfg.write_text(text.replace("[core]\n", f"[core]\n{extra}opt\x1b[2Jion = 1\n"))

    result = diff(SPEC, "--against", str(folder))
    assert result.returncode == 1, result.stderr
    assert shown_safely(result.stdout), result.stdout
    assert (
        "  changed       [core] executor: spec LocalExecutor, deployed Local\\x1b[8mHIDDEN\\x1b[0mExecutor"
        in (result.stdout)
    )
    assert (
        "[core] opt\\x1b[2Jion: deployed 1" in result.stdout
    )  # names as written: Airflow never reads this one
    assert f"<- {tmp_path}/deployed\\x1b[2J/airflow.cfg" in result.stdout
    for value in in_cfg:
        assert printable(value) in result.stdout

    as_json = diff(SPEC, "--against", str(folder), "--format", "json")
    assert as_json.returncode == 1
    assert as_json.stdout.isascii()  # every control character (and all non-ASCII) as a \u escape
    deployed = {c["location"]: c["deployed_value"] for c in json.loads(as_json.stdout)["changes"]}
    assert deployed["[core] executor"] == HIDDEN
    assert [deployed[f"[core] option_{i}"] for i in range(len(in_cfg))] == [v.strip() for v in in_cfg]


def test_kubectl_stderr_with_escape_sequences(tmp_path: Path) -> None:
    message = (
        "Error from server: \x1b[2J\x1b]8;;https://example.invalid/\x1b\\click\x1b]8;;\x1b\\ \u202eevil\x9b"
    )
    path = fake_kubectl(tmp_path / "bin", f"sys.stderr.write({message!r} + '\\n')\nsys.exit(1)\n")
    error = one_error(diff(SPEC, "--against", K8S, path=path))
    assert shown_safely(error)
    assert error == f"`{KUBECTL_ARGS}` failed: {printable(message)}"


def test_server_error_with_escape_sequences() -> None:
    body = json.dumps({"detail": "denied\x1b[2J\x1b[8mhidden\u202e"}).encode()
    with serve(json_answer(body, status=418, reason="Teapot\x1b[31m")) as url:
        error = one_error(diff(SPEC, "--against", url))
    assert error == f"{url}/api/v2/config: 418 Teapot\\x1b[31m: denied\\x1b[2J\\x1b[8mhidden\\u202e"
