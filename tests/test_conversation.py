"""Conversations with a running guest (wasi-testsuite's operations), run by the executor here on the
host: the guests are small real programs (Python) standing in for a runtime, as a TCP echo
server, an HTTP service and a client of the servers the harness starts."""

from __future__ import annotations

import json
import socket
import sys
import textwrap
import time
from pathlib import Path

import pytest

from harness.sandbox import executor
from harness.suites.wasi_spec import FIRST_PORT, load_spec

PY = sys.executable
ECHO = textwrap.dedent("""\
    import socket
    server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
    print(f"127.0.0.1:{server.getsockname()[1]}", flush=True)
    connection, _ = server.accept()
    connection.sendall(connection.recv(100))
""")
# An HTTP service printing its address on stderr first, as `wasmtime serve` does; it ends on SIGINT.
SERVICE = textwrap.dedent("""\
    import signal, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args): pass
        def do_GET(self):
            body = b"hey\\n" if self.path == "/" else b""
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("content-type", "text/plain"); self.send_header("content-length", str(len(body)))
            self.end_headers(); self.wfile.write(body)
    server = HTTPServer(("127.0.0.1", 0), Handler)
    print(f"Serving HTTP on http://127.0.0.1:{server.server_address[1]}/", file=sys.stderr, flush=True)
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    server.serve_forever()
""")
# A client of the harness's servers: calls each and prints what came back.
CLIENT = textwrap.dedent("""\
    import http.client, os, sys
    host, port = os.environ["HTTP_SERVER_MAIN"].split(":")
    for method, path, body in (("POST", "/echo", "ping"), ("GET", "/hello", None), ("GET", "/nope", None)):
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        connection.request(method, path, body=body)
        response = connection.getresponse()
        print(method, path, response.status, response.read().decode(), flush=True)
    dead_host, dead_port = os.environ["HTTP_SERVER_DEAD"].split(":")
    try:
        http.client.HTTPConnection(dead_host, int(dead_port), timeout=5).request("GET", "/")
    except OSError:
        print("dead: refused", flush=True)
""")


@pytest.fixture(autouse=True)
def scratch_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor, "SCRATCH_ROOT", str(tmp_path / "scratch"))
    monkeypatch.setitem(executor.BASE_ENV, "PATH", "/usr/local/bin:/usr/bin:/bin")


def spec(tmp_path: Path, data: dict) -> dict:
    """The executor's conversation for a wasi-testsuite spec, as the harness sends it."""
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    talk = load_spec(path).conversation
    assert talk is not None
    return talk.request(step_timeout_s=5)


def converse(argv: list[str], conversation: dict, env: dict[str, str] | None = None,
             timeout_s: float = 30) -> dict:
    if env:
        code = argv[-1]
        argv = [*argv[:-1], "import os; os.environ.update(" + repr(env) + ")\n" + code]
    return executor.handle({"argv": argv, "timeout_s": timeout_s, "conversation": conversation})["result"]


def test_a_tcp_conversation_connects_sends_and_receives(tmp_path: Path) -> None:
    talk = spec(tmp_path, {"proposals": ["sockets"], "operations": [
        {"type": "run"}, {"type": "connect", "id": "echo", "protocol_type": "tcp"},
        {"type": "send", "id": "echo", "payload": "Hello, world"},
        {"type": "recv", "id": "echo", "payload": "Hello, world"}, {"type": "wait"}]})
    result = converse([PY, "-c", ECHO], talk)
    said = result["conversation"]
    assert said["ok"], said
    assert [s["op"] for s in said["steps"]] == ["connect", "send", "recv", "wait"]
    assert result["exit_code"] == 0


def test_a_service_answers_requests_and_ends_on_its_signal(tmp_path: Path) -> None:
    talk = spec(tmp_path, {"proposals": ["http"], "world": "wasi:http/service", "operations": [
        {"type": "run"},
        {"type": "request", "path": "/",
         "response": {"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "hey\n"}},
        {"type": "request", "path": "/whatever", "response": {"status": 404}},
        {"type": "kill", "signal": "SIGINT"}, {"type": "wait"}]})
    said = converse([PY, "-c", SERVICE], talk)["conversation"]
    assert said["ok"], said
    assert said["steps"][0]["detail"].startswith("200")


def test_the_first_step_that_fails_ends_the_conversation_and_nothing_is_left_running(tmp_path: Path) -> None:
    talk = spec(tmp_path, {"world": "wasi:http/service", "operations": [
        {"type": "run"}, {"type": "request", "path": "/", "response": {"status": 200, "body": "bye\n"}},
        {"type": "kill", "signal": "SIGINT"}, {"type": "wait"}]})
    started = time.monotonic()
    result = converse([PY, "-c", SERVICE], talk)
    said = result["conversation"]
    assert not said["ok"] and len(said["steps"]) == 1
    assert said["failure"].startswith("step 0 (request GET /): expected body 'bye\\n', got b'hey\\n'")
    assert result["signal"] == 9 and time.monotonic() - started < 10  # killed, not waited out


def test_a_guest_that_never_prints_its_address_fails_the_step_in_time(tmp_path: Path) -> None:
    talk = spec(tmp_path, {"proposals": ["sockets"], "operations": [
        {"type": "run"}, {"type": "connect", "id": "server"}, {"type": "wait"}]})
    talk["step_timeout_s"] = 1
    result = converse([PY, "-c", "import time; time.sleep(30)"], talk)
    assert result["conversation"]["failure"].startswith("step 0 (connect server): the guest printed no")
    assert result["duration_s"] < 10


def test_the_harness_serves_the_guests_servers_static_echoed_and_closed(tmp_path: Path) -> None:
    talk = spec(tmp_path, {"world": "wasi:cli/command", "servers": [
        {"name": "main", "endpoints": [{"method": "POST", "path": "/echo", "mode": "echo-body"},
                                       {"path": "/hello", "response": {"status": 201, "body": "made"}}]},
        {"name": "dead", "kind": "closed"}],
        "operations": [{"type": "run"}, {"type": "read", "id": "stdout",
                                         "payload": "POST /echo 200 ping\nGET /hello 201 made\n"
                                                    "GET /nope 404 \ndead: refused\n"},
                       {"type": "wait"}]})
    assert [s["port"] for s in talk["servers"]] == [FIRST_PORT, FIRST_PORT + 1]
    env = {"HTTP_SERVER_MAIN": f"127.0.0.1:{FIRST_PORT}", "HTTP_SERVER_DEAD": f"127.0.0.1:{FIRST_PORT + 1}"}
    said = converse([PY, "-c", CLIENT], talk, env)["conversation"]
    assert said["ok"], said
    with socket.socket() as probe:  # the servers are gone
        assert probe.connect_ex(("127.0.0.1", FIRST_PORT)) != 0


def test_a_guest_left_serving_is_killed_with_everything_it_started(tmp_path: Path) -> None:
    """A guest that ignores the signal and keeps a child process serving: after the conversation
    neither is left running (the executor kills the guest's whole process group)."""
    stubborn = textwrap.dedent("""\
        import signal, subprocess, sys, time
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
        print(child.pid, flush=True)
        time.sleep(300)
    """)
    talk = spec(tmp_path, {"proposals": ["sockets"], "operations": [
        {"type": "run"}, {"type": "read", "id": "stdout", "payload": ""},
        {"type": "kill", "signal": "SIGINT"}, {"type": "wait"}]})
    talk["step_timeout_s"] = 1
    talk["steps"].insert(0, {"op": "connect", "id": "never"})  # fails: the pid is no address
    result = converse([PY, "-c", stubborn], talk)
    assert not result["conversation"]["ok"]
    child = int(result["stdout"].split()[0])
    time.sleep(0.5)
    status = Path(f"/proc/{child}/status")
    assert not status.exists() or "zombie" in status.read_text().lower()  # killed (maybe not yet reaped)
