"""A wasi-testsuite test's JSON spec (`<test>.json` beside `<test>.wasm`) as one guest run.

Both forms of the spec are read. The plain one: `args`, `env`, `root` (a folder next
to the spec, the guest's `/`; earlier `dirs`, a list of folders preopened under their
own names), `exit_code`, `stdout`, `stderr`. The operations one: `operations` (`run`,
`wait`, `read`, `write`, `connect`, `send`, `recv`, `request`, `kill`), `proposals`
and `world` (and `servers`, the HTTP servers a test talks to). No spec means: run, and
exit 0.

A spec without a conversation runs the guest once, with all its input given up front,
and is judged by what it left behind: `write`s to stdin become the guest's stdin, `read`s
of stdout or stderr become prefixes each stream must start with (the suite's runner reads
exactly the payload's length, so later output does not matter), and `wait` names the exit
status. A spec that talks to the running guest (`connect`, `send`, `recv`, `request`,
`kill`, the `wasi:http/service` world, `servers`) becomes a `ConversationScript`: its servers
and every operation after `run`, in order, which the sandbox's executor performs
(harness/sandbox/conversation.py). What the harness still cannot do (a second `run`, a UDP
connection) is named in `unsupported`: such a test is never run and never a pass.
"""

from __future__ import annotations

import json
import re
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.suites.yaml_files import SuiteError

PLAIN_KEYS = frozenset({"args", "env", "root", "dirs", "exit_code", "stdout", "stderr"})
OPERATION_KEYS = frozenset({"operations", "proposals", "world", "servers"})
IGNORED_KEYS = frozenset({"debug"})  # debug output of the suite's own runner
CLI_WORLD = "wasi:cli/command"
HTTP_SERVICE_WORLD = "wasi:http/service"
WORLDS = (CLI_WORLD, HTTP_SERVICE_WORLD)
SERVER_NAME = re.compile(r"^[A-Za-z0-9_]+$")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
MODES = ("static", "echo-body", "echo-headers")
FIRST_PORT = 18080  # the servers' ports: the sandbox has its own loopback, one guest at a time
# Operations that need the harness to talk to a guest while it runs, and what they do.
CONVERSATION = {
    "connect": "a TCP connection to the running guest",
    "send": "sending to the running guest over TCP",
    "recv": "receiving from the running guest over TCP",
    "request": "an HTTP request to the running guest",
    "kill": "a signal to the running guest",
}


@dataclass(frozen=True)
class ConversationScript:
    """What the harness does with the running guest: the HTTP servers it calls (each on a port
    of its own, `FIRST_PORT` on) and the operations after `run`, as the executor's steps."""

    servers: tuple[dict[str, Any], ...] = ()
    steps: tuple[dict[str, Any], ...] = ()

    @property
    def server_env(self) -> dict[str, str]:
        """The addresses the guest learns its servers by: HTTP_SERVER_<NAME>=127.0.0.1:<port>."""
        return {f"HTTP_SERVER_{s['name'].upper()}": f"127.0.0.1:{s['port']}" for s in self.servers}

    def request(self, step_timeout_s: float) -> dict[str, Any]:
        return {"servers": list(self.servers), "steps": list(self.steps), "step_timeout_s": step_timeout_s}


@dataclass(frozen=True)
class WasiSpec:
    """One guest run and what it must do."""

    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)  # the guest's whole environment
    dirs: dict[str, Path] = field(default_factory=dict)  # guest path -> folder beside the spec
    stdin: str = ""
    stdout: str = ""  # a prefix
    stderr: str = ""  # a prefix
    exit_code: int = 0
    proposals: tuple[str, ...] = ()
    world: str = CLI_WORLD
    unsupported: str = ""  # why the harness cannot run it; "" when it can
    conversation: ConversationScript | None = None  # the steps with the running guest, when it needs any

    @property
    def serves(self) -> bool:
        """The guest serves HTTP requests (its world is wasi:http/service)."""
        return self.world == HTTP_SERVICE_WORLD

    @property
    def network(self) -> bool:
        return "sockets" in self.proposals


@dataclass(frozen=True)
class WasiTest:
    """What a wasi-testsuite case runs: a prebuilt binary and its spec."""

    wasm: Path
    spec: WasiSpec
    suite: str  # the manifest's name, e.g. "WASI Rust tests [wasm32-wasip3]"


class _Spec:
    """Reading one spec file, with errors that name the file, the line and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.text = path.read_text(encoding="utf-8")
            self.data = json.loads(self.text)
        except json.JSONDecodeError as error:
            raise SuiteError(path, error.lineno, "", f"not valid JSON: {error.msg}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise SuiteError(path, 1, "", f"cannot read: {error}") from None
        if not isinstance(self.data, dict):
            raise SuiteError(path, 1, "", "a spec is a JSON object")

    def line(self, key: str) -> int:
        for number, text in enumerate(self.text.splitlines(), 1):
            if f'"{key}"' in text:
                return number
        return 1

    def error(self, key: str, message: str) -> SuiteError:
        return SuiteError(self.path, self.line(key.rsplit(".", 1)[-1].split("[")[0]), key, message)

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "expected a list of strings")
        return tuple(value)

    def mapping(self, value: Any, key: str) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.error(key, "expected an object of strings")
        return dict(value)

    def text_of(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            raise self.error(key, "expected a string")
        return value

    def integer(self, value: Any, key: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, "expected an integer")
        return value

    def folder(self, value: Any, key: str) -> Path:
        name = self.text_of(value, key)
        folder = (self.path.parent / name).resolve()
        if not folder.is_dir():
            raise self.error(key, f"no folder {name!r} beside the spec")
        return folder


def load_spec(path: Path) -> WasiSpec:
    """The spec at `path` (a `<test>.json`); the default spec when there is none."""
    if not path.is_file():
        return WasiSpec()
    spec = _Spec(path)
    keys = set(spec.data) - IGNORED_KEYS
    plain, operations = keys & PLAIN_KEYS, keys & OPERATION_KEYS
    if plain and operations:
        key = sorted(plain)[0]
        raise spec.error(key, f"{key!r} (the plain form) mixed with {sorted(operations)[0]!r} "
                              "(the operations form)")
    if operations:
        return _operations(spec)
    return _plain(spec)


def _plain(spec: _Spec) -> WasiSpec:
    data = spec.data
    dirs = {}
    if "root" in data and data["root"] is not None:
        dirs["/"] = spec.folder(data["root"], "root")
    for index, name in enumerate(spec.strings(data.get("dirs", []), "dirs")):
        dirs[name] = spec.folder(name, f"dirs[{index}]")
    return WasiSpec(
        args=spec.strings(data.get("args", []), "args"),
        env=spec.mapping(data.get("env", {}), "env"),
        dirs=dirs,
        stdout=spec.text_of(data.get("stdout", ""), "stdout"),
        stderr=spec.text_of(data.get("stderr", ""), "stderr"),
        exit_code=spec.integer(data.get("exit_code", 0), "exit_code"),
    )


def _operations(spec: _Spec) -> WasiSpec:
    data = spec.data
    operations = data.get("operations", [{"type": "run"}, {"type": "wait"}])
    if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
        raise spec.error("operations", "expected a list of objects")
    proposals = spec.strings(data.get("proposals", []), "proposals")
    world = spec.text_of(data.get("world", CLI_WORLD), "world")
    if world not in WORLDS:
        raise spec.error("world", f"unknown world {world!r} (known: {', '.join(WORLDS)})")
    fields: dict[str, Any] = {"proposals": proposals, "world": world}
    streams = {"stdin": "", "stdout": "", "stderr": ""}
    steps: list[dict[str, Any]] = []
    connections: set[str] = set()
    unsupported: list[str] = []
    runs = 0
    for index, operation in enumerate(operations):
        at = f"operations[{index}]"
        kind = operation.get("type")
        if kind != "run" and runs == 0:
            raise spec.error(f"{at}.type", f"a `{kind}` before the `run`")
        if kind == "run":
            runs += 1
            fields["args"] = spec.strings(operation.get("args", []), f"{at}.args")
            fields["env"] = spec.mapping(operation.get("env", {}), f"{at}.env")
            root = operation.get("root")
            fields["dirs"] = {"/": spec.folder(root, f"{at}.root")} if root is not None else {}
            continue
        step = _step(spec, operation, at, connections, unsupported)
        steps.append(step)
        if kind == "wait":
            fields["exit_code"] = step["exit_code"]
        elif kind in ("read", "write"):
            streams[operation["id"]] += step["payload"]
    if runs == 0:
        raise spec.error("operations", "no `run` operation")
    if runs > 1:
        unsupported.append("more than one `run`")
    servers = _servers(spec, data.get("servers", []))
    talks = servers or world != CLI_WORLD or any(s["op"] in CONVERSATION for s in steps)
    conversation = ConversationScript(tuple(servers), tuple(steps)) if talks else None
    return WasiSpec(stdin=streams["stdin"], stdout=streams["stdout"], stderr=streams["stderr"],
                    unsupported="; ".join(dict.fromkeys(unsupported)), conversation=conversation,
                    **fields)


def _step(spec: _Spec, operation: dict[str, Any], at: str, connections: set[str],
          unsupported: list[str]) -> dict[str, Any]:
    """One operation after the run as the executor's step (harness/sandbox/conversation.py)."""
    kind = operation.get("type")
    payload = operation.get("payload", "")
    if kind in ("read", "write"):
        allowed = ("stdout", "stderr") if kind == "read" else ("stdin",)
        stream = operation.get("id")
        if stream not in allowed:
            raise spec.error(f"{at}.id", f"a {kind} names {' or '.join(allowed)}, not {stream!r}")
        return {"op": kind, "id": stream, "payload": spec.text_of(payload, f"{at}.payload")}
    if kind == "wait":
        return {"op": "wait", "exit_code": spec.integer(operation.get("exit_code", 0), f"{at}.exit_code")}
    if kind == "connect":
        name = spec.text_of(operation.get("id", "server"), f"{at}.id")
        if operation.get("protocol_type", "tcp") != "tcp":
            unsupported.append(f"a {operation.get('protocol_type')} connection")
        if name in connections:
            raise spec.error(f"{at}.id", f"a second connection named {name!r}")
        connections.add(name)
        return {"op": "connect", "id": name}
    if kind in ("send", "recv"):
        name = spec.text_of(operation.get("id"), f"{at}.id")
        if name not in connections:
            raise spec.error(f"{at}.id", f"no connection named {name!r} before it")
        return {"op": kind, "id": name, "payload": spec.text_of(payload, f"{at}.payload")}
    if kind == "request":
        return _request(spec, operation, at)
    if kind == "kill":
        sent = spec.text_of(operation.get("signal", "SIGTERM"), f"{at}.signal")
        if sent not in signal.Signals.__members__:
            raise spec.error(f"{at}.signal", f"unknown signal {sent!r}")
        return {"op": "kill", "signal": sent}
    raise spec.error(f"{at}.type", f"unknown operation {kind!r} (known: run, wait, read, "
                                   f"write, {', '.join(CONVERSATION)})")


def _request(spec: _Spec, operation: dict[str, Any], at: str) -> dict[str, Any]:
    method = spec.text_of(operation.get("method", "GET"), f"{at}.method").upper()
    response = operation.get("response", {})
    if not isinstance(response, dict):
        raise spec.error(f"{at}.response", "expected an object")
    return {"op": "request", "method": method, "path": spec.text_of(operation.get("path", "/"), f"{at}.path"),
            "headers": spec.mapping(operation.get("headers", {}), f"{at}.headers"),
            "body": spec.text_of(operation.get("body", ""), f"{at}.body"),
            "response": {"status": spec.integer(response.get("status", 200), f"{at}.response.status"),
                         "headers": spec.mapping(response.get("headers", {}), f"{at}.response.headers"),
                         "body": spec.text_of(response.get("body", ""), f"{at}.response.body")}}


def _servers(spec: _Spec, raw: Any) -> list[dict[str, Any]]:
    """The servers the guest calls, checked, each with its port."""
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise spec.error("servers", "expected a list of objects")
    servers, names = [], set()
    for index, server in enumerate(raw):
        at = f"servers[{index}]"
        name = spec.text_of(server.get("name"), f"{at}.name")
        if not SERVER_NAME.match(name) or name.upper() in names:
            raise spec.error(f"{at}.name", f"a server's name is letters, digits and _, unique: {name!r}")
        names.add(name.upper())
        kind = server.get("kind", "listening")
        endpoints = server.get("endpoints", [])
        if kind not in ("listening", "closed") or (kind == "closed" and endpoints):
            raise spec.error(f"{at}.kind", "a server is `listening`, or `closed` with no endpoints")
        if not isinstance(endpoints, list) or not all(isinstance(e, dict) for e in endpoints):
            raise spec.error(f"{at}.endpoints", "expected a list of objects")
        for number, endpoint in enumerate(endpoints):
            where = f"{at}.endpoints[{number}]"
            if str(endpoint.get("method", "GET")).upper() not in METHODS:
                raise spec.error(f"{where}.method", f"one of {', '.join(METHODS)}")
            if endpoint.get("mode", "static") not in MODES:
                raise spec.error(f"{where}.mode", f"one of {', '.join(MODES)}")
            response = endpoint.get("response", "")
            if isinstance(response, dict) and "body" in response and "chunks" in response:
                raise spec.error(f"{where}.response", "a `body` or `chunks`, not both")
            if isinstance(response, dict) and response.get("trailers") and "chunks" not in response:
                raise spec.error(f"{where}.response.trailers", "trailers need `chunks`")
        servers.append({"name": name, "kind": kind, "port": FIRST_PORT + index, "endpoints": endpoints})
    return servers
