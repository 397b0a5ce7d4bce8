"""A wasi-testsuite test's JSON spec (`<test>.json` beside `<test>.wasm`) as one guest run.

Both forms of the spec are read. The plain one: `args`, `env`, `root` (a folder next
to the spec, the guest's `/`; earlier `dirs`, a list of folders preopened under their
own names), `exit_code`, `stdout`, `stderr`. The operations one: `operations` (`run`,
`wait`, `read`, `write`, `connect`, `send`, `recv`, `request`, `kill`), `proposals`
and `world` (and `servers`, the HTTP servers a test talks to). No spec means: run, and
exit 0.

The harness runs a guest once, with all its input given up front, and judges what it
left behind. So `write`s to stdin become the guest's stdin, `read`s of stdout or stderr
become prefixes each stream must start with (the suite's runner reads exactly the
payload's length, so later output does not matter), and `wait` names the exit status.
What needs a conversation with a running guest (`connect`, `send`, `recv`, `request`,
`kill`, the `wasi:http/service` world, `servers`) is named in `unsupported`, and such a
test is reported as unsupported by the harness, never run and never a pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.suite_file import SuiteError

PLAIN_KEYS = frozenset({"args", "env", "root", "dirs", "exit_code", "stdout", "stderr"})
OPERATION_KEYS = frozenset({"operations", "proposals", "world", "servers"})
IGNORED_KEYS = frozenset({"debug"})  # debug output of the suite's own runner
CLI_WORLD = "wasi:cli/command"
# Operations that need the harness to talk to a guest while it runs, and what they do.
CONVERSATION = {
    "connect": "a TCP connection to the running guest",
    "send": "sending to the running guest over TCP",
    "recv": "receiving from the running guest over TCP",
    "request": "an HTTP request to the running guest",
    "kill": "a signal to the running guest",
}


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
    fields: dict[str, Any] = {"proposals": proposals, "world": world}
    streams = {"stdin": "", "stdout": "", "stderr": ""}
    missing: list[str] = []
    runs = 0
    for index, operation in enumerate(operations):
        at = f"operations[{index}]"
        kind = operation.get("type")
        if kind == "run":
            runs += 1
            fields["args"] = spec.strings(operation.get("args", []), f"{at}.args")
            fields["env"] = spec.mapping(operation.get("env", {}), f"{at}.env")
            root = operation.get("root")
            fields["dirs"] = {"/": spec.folder(root, f"{at}.root")} if root is not None else {}
        elif kind == "wait":
            fields["exit_code"] = spec.integer(operation.get("exit_code", 0), f"{at}.exit_code")
        elif kind in ("read", "write"):
            stream = operation.get("id")
            allowed = ("stdout", "stderr") if kind == "read" else ("stdin",)
            if stream not in allowed:
                raise spec.error(f"{at}.id", f"a {kind} names {' or '.join(allowed)}, not {stream!r}")
            streams[stream] += spec.text_of(operation.get("payload", ""), f"{at}.payload")
        elif kind in CONVERSATION:
            if kind not in missing:
                missing.append(kind)
        else:
            raise spec.error(f"{at}.type", f"unknown operation {kind!r} (known: run, wait, read, "
                                           f"write, {', '.join(CONVERSATION)})")
    if runs == 0:
        raise spec.error("operations", "no `run` operation")
    reasons = [f"the `{k}` operation ({CONVERSATION[k]})" for k in missing]
    if world != CLI_WORLD:
        reasons.append(f"the world {world} (the guest serves requests)")
    if data.get("servers"):
        reasons.append("`servers` (HTTP servers for the guest to call)")
    if runs > 1:
        reasons.append("more than one `run`")
    return WasiSpec(stdin=streams["stdin"], stdout=streams["stdout"], stderr=streams["stderr"],
                    unsupported="; ".join(reasons), **fields)
