"""A conversation with a running guest, inside the sandbox (standard library only, beside
harness/sandbox/executor.py): wasi-testsuite's operations beyond one run with its input up front.

Before the guest starts, the HTTP servers it calls (`servers`) listen on loopback at the
ports the harness chose (the sandbox has its own loopback and runs one process at a time,
so fixed ports keep the guest's argv verbatim). Then the steps, in order, each bounded by
its own time limit and the process's: `read` (exactly the payload, from the stream's
cursor), `write` (to stdin), `connect` (to the `host:port` line the guest prints on
stdout), `send`, `recv` (until the payload's length arrived), `request` (HTTP to the
address the runtime printed on stderr; status, the listed headers and the body compared),
`kill` (a signal to the runtime process) and `wait` (its exit status). The first step that
fails ends the conversation; whatever still runs is killed by the executor afterwards, and
every server and socket is closed. Counts are bounded.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

MAX_STEPS, MAX_SERVERS, MAX_ENDPOINTS, MAX_BODY = 64, 8, 64, 1 << 20
URL = re.compile(rb"http://\S+")


class Stream(Protocol):
    """A captured stream of the guest (harness/sandbox/executor.py's _Capture)."""

    def take(self, size: int, deadline: float) -> bytes: ...

    def line(self, deadline: float, match: re.Pattern[bytes] | None = None) -> bytes | None: ...


class StepFailed(Exception):
    """A step whose expectation the guest did not meet; the message says how."""


# ---- the servers the guest calls ---------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """One endpoint per (method, path): a static response, the request's body echoed, or its
    method, path, headers and trailers echoed as headers; 404 elsewhere."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *_: Any) -> None:
        pass

    def _request_body(self) -> tuple[bytes, list[tuple[str, str]]]:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = b""
            while (size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)) > 0:
                body += self.rfile.read(size)
                self.rfile.readline()
            trailers = []
            while (line := self.rfile.readline()) not in (b"", b"\r\n", b"\n"):
                name, _, value = line.decode("latin-1").partition(":")
                trailers.append((name.strip().lower(), value.strip()))
            return body[:MAX_BODY], trailers
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_BODY)), []

    def _respond(self, status: int, headers: list[tuple[str, str]], body: bytes = b"",
                 chunks: list[bytes] | None = None, trailers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if chunks is None:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Transfer-Encoding", "chunked")
            if trailers:
                self.send_header("Trailer", ", ".join(trailers))
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        if chunks is None:
            self.wfile.write(body)
            return
        for chunk in chunks:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        ends = "".join(f"{k}: {v}\r\n" for k, v in (trailers or {}).items())
        self.wfile.write(b"0\r\n" + ends.encode() + b"\r\n")

    def _dispatch(self) -> None:
        body, trailers = self._request_body()
        self.server.requests.append(f"{self.command} {self.path}")
        endpoint = self.server.routes.get((self.command, self.path))
        if endpoint is None:
            return self._respond(404, [])
        mode = endpoint.get("mode", "static")
        if mode == "echo-body":
            return self._respond(200, [], body)
        if mode == "echo-headers":
            echoed = [("x-request-method", self.command), ("x-request-path", self.path)]
            for name in dict.fromkeys(k.lower() for k in self.headers):
                echoed += [(f"x-echo-{name}", v) for v in self.headers.get_all(name, [])]
            echoed += [(f"x-trailer-{k}", v) for k, v in trailers]
            return self._respond(200, echoed)
        response = endpoint.get("response", "")
        if isinstance(response, str):
            response = {"body": response}
        headers = list(response.get("headers", {}).items())
        status = int(response.get("status", 200))
        if response.get("chunks") is not None:
            return self._respond(status, headers, chunks=[c.encode() for c in response["chunks"]],
                                 trailers=response.get("trailers", {}))
        return self._respond(status, headers, str(response.get("body", "")).encode())

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    routes: dict[tuple[str, str], dict[str, Any]]
    requests: list[str]


def start_servers(specs: list[dict[str, Any]]) -> list[_Server]:
    """The listening servers of a conversation; a `closed` one must find nothing listening."""
    servers: list[_Server] = []
    try:
        for spec in specs[:MAX_SERVERS]:
            port = int(spec["port"])
            if spec.get("kind", "listening") == "closed":
                with socket.socket() as probe:
                    probe.settimeout(1)
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        raise RuntimeError(f"the closed server {spec['name']}: port {port} is in use")
                continue
            server = _Server(("127.0.0.1", port), _Handler)
            server.routes = {(e.get("method", "GET").upper(), e.get("path", "/")): e
                             for e in spec.get("endpoints", [])[:MAX_ENDPOINTS]}
            server.requests = []
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: list[_Server]) -> None:
    for server in servers:
        server.shutdown()
        server.server_close()


# ---- the steps ----------------------------------------------------------------------------------


class Conversation:
    """The steps of one conversation with the guest process `proc`."""

    def __init__(self, proc: subprocess.Popen[bytes], stdout: Stream, stderr: Stream,
                 spec: dict[str, Any], deadline: float) -> None:
        self.proc, self.stdout, self.stderr, self.spec = proc, stdout, stderr, spec
        self.deadline = deadline
        self.step_timeout = float(spec.get("step_timeout_s", 10))
        self.sockets: dict[str, socket.socket] = {}
        self.url: str | None = None

    def until(self) -> float:
        return min(self.deadline, time.monotonic() + self.step_timeout)

    def run(self) -> dict[str, Any]:
        """Every step in order, until one fails: what each did, and the first failure."""
        log: list[dict[str, Any]] = []
        failure = None
        try:
            for index, step in enumerate(self.spec.get("steps", [])[:MAX_STEPS]):
                began = time.monotonic()
                try:
                    detail = getattr(self, f"_{step['op']}")(step)
                except StepFailed as error:
                    failure = f"step {index} ({_describe(step)}): {error}"
                    log.append({"op": step["op"], "ok": False, "detail": str(error),
                                "s": round(time.monotonic() - began, 3)})
                    break
                log.append({"op": step["op"], "ok": True, "detail": detail,
                            "s": round(time.monotonic() - began, 3)})
            if failure is None and self.proc.poll() is None:
                failure = "the guest still runs after the last step"
        finally:
            for sock in self.sockets.values():
                sock.close()
        return {"ok": failure is None, "failure": failure, "steps": log}

    def _read(self, step: dict[str, Any]) -> str:
        stream = self.stdout if step.get("id", "stdout") == "stdout" else self.stderr
        want = str(step.get("payload", "")).encode()
        got = stream.take(len(want), self.until())
        if got != want:
            raise StepFailed(f"expected {want!r} on {step.get('id', 'stdout')}, got {got!r}")
        return f"{len(got)} bytes"

    def _write(self, step: dict[str, Any]) -> str:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(str(step.get("payload", "")).encode())
            self.proc.stdin.flush()
        except OSError as error:
            raise StepFailed(f"cannot write to stdin: {error}") from None
        return "written"

    def _connect(self, step: dict[str, Any]) -> str:
        line = self.stdout.line(self.until())
        if line is None:
            raise StepFailed("the guest printed no <host>:<port> line on stdout")
        host, _, port = line.decode(errors="replace").strip().rpartition(":")
        if not host or not port.isdigit():
            raise StepFailed(f"expected <host>:<port> on stdout, got {line!r}")
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.settimeout(max(0.1, self.until() - time.monotonic()))
        try:
            sock.connect((host.strip("[]"), int(port)))
        except OSError as error:
            sock.close()
            raise StepFailed(f"cannot connect to {host}:{port}: {error}") from None
        self.sockets[str(step.get("id", "server"))] = sock
        return f"{host}:{port}"

    def _socket(self, step: dict[str, Any]) -> socket.socket:
        sock = self.sockets.get(str(step.get("id")))
        if sock is None:
            raise StepFailed(f"no connection named {step.get('id')!r}")
        return sock

    def _send(self, step: dict[str, Any]) -> str:
        try:
            self._socket(step).sendall(str(step.get("payload", "")).encode())
        except OSError as error:
            raise StepFailed(f"send failed: {error}") from None
        return "sent"

    def _recv(self, step: dict[str, Any]) -> str:
        want, got = str(step.get("payload", "")).encode(), b""
        sock, until = self._socket(step), self.until()
        while len(got) < len(want) and time.monotonic() < until:
            sock.settimeout(max(0.05, until - time.monotonic()))
            try:
                chunk = sock.recv(len(want) - len(got))
            except TimeoutError:
                break
            except OSError as error:
                raise StepFailed(f"recv failed: {error}") from None
            if not chunk:
                break
            got += chunk
        if got != want:
            raise StepFailed(f"expected {want!r}, got {got!r}")
        return f"{len(got)} bytes"

    def _request(self, step: dict[str, Any]) -> str:
        if self.url is None:
            line = self.stderr.line(self.until(), URL)
            if line is None:
                raise StepFailed("the runtime printed no http:// address on stderr")
            found = URL.search(line)
            assert found is not None
            self.url = found.group().decode()
        url = urllib.parse.urlsplit(self.url)
        method, path = str(step.get("method", "GET")), str(step.get("path", "/"))
        body = str(step.get("body", "")).encode() or None
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port,
                                                timeout=max(0.1, self.until() - time.monotonic()))
        try:
            connection.request(method, path, body=body, headers=step.get("headers", {}))
            response = connection.getresponse()
            data = response.read(MAX_BODY)
        except (OSError, http.client.HTTPException) as error:
            raise StepFailed(f"{type(error).__name__}: {error}") from None
        finally:
            connection.close()
        expect = step.get("response", {})
        said = f"{response.status}, {len(data)} bytes"
        if response.status != int(expect.get("status", 200)):
            raise StepFailed(f"expected status {expect.get('status', 200)}, got {said}")
        for name, value in expect.get("headers", {}).items():
            got = ", ".join(response.headers.get_all(name) or []) or None
            if got != value:
                raise StepFailed(f"expected header {name}: {value!r}, got {got!r} ({said})")
        if data.decode("utf-8", "replace") != expect.get("body", ""):
            raise StepFailed(f"expected body {expect.get('body', '')!r}, got {data[:200]!r} ({said})")
        return said

    def _kill(self, step: dict[str, Any]) -> str:
        sent = signal.Signals[str(step.get("signal", "SIGTERM"))]
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(sent)  # the runtime process only, as the suite's runner does
        return sent.name

    def _wait(self, step: dict[str, Any]) -> str:
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            code = self.proc.wait(timeout=max(0.1, self.until() - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise StepFailed("the guest did not exit in time") from None
        expected = int(step.get("exit_code", 0))
        if code != expected:
            raise StepFailed(f"exit status {code}, expected {expected}")
        return f"exit {code}"


def _describe(step: dict[str, Any]) -> str:
    if step["op"] == "request":
        return f"request {step.get('method', 'GET')} {step.get('path', '/')}"
    if step["op"] in ("connect", "send", "recv"):
        return f"{step['op']} {step.get('id', '')}".strip()
    return str(step["op"])
