"""wasi-testsuite specs: both forms read as one guest run, and what cannot be run is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.suites.wasi_spec import CLI_WORLD, WasiSpec, load_spec
from harness.suites.yaml_files import SuiteError


def spec(tmp_path: Path, data: object, name: str = "t.json") -> WasiSpec:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return load_spec(path)


def test_no_spec_means_run_and_exit_zero(tmp_path: Path) -> None:
    assert load_spec(tmp_path / "absent.json") == WasiSpec()


def test_the_plain_form(tmp_path: Path) -> None:
    (tmp_path / "fs-tests.dir").mkdir()
    got = spec(tmp_path, {"args": ["a", "b"], "env": {"K": "v"}, "root": "fs-tests.dir",
                          "exit_code": 3, "stdout": "out", "stderr": "err"})
    assert got.args == ("a", "b") and got.env == {"K": "v"} and got.exit_code == 3
    assert got.dirs == {"/": (tmp_path / "fs-tests.dir").resolve()}
    assert (got.stdout, got.stderr, got.unsupported) == ("out", "err", "")


def test_the_earlier_dirs_are_preopened_under_their_own_names(tmp_path: Path) -> None:
    (tmp_path / "fixture").mkdir()
    assert spec(tmp_path, {"dirs": ["fixture"]}).dirs == {"fixture": (tmp_path / "fixture").resolve()}


def test_the_operations_form_becomes_stdin_prefixes_and_a_status(tmp_path: Path) -> None:
    got = spec(tmp_path, {"operations": [
        {"type": "run", "args": ["x"], "env": {"A": "1"}},
        {"type": "write", "id": "stdin", "payload": "one "},
        {"type": "read", "id": "stdout", "payload": "first "},
        {"type": "write", "id": "stdin", "payload": "two"},
        {"type": "read", "id": "stdout", "payload": "second"},
        {"type": "read", "id": "stderr", "payload": "warning"},
        {"type": "wait", "exit_code": 1}]})
    assert got.stdin == "one two" and got.stdout == "first second" and got.stderr == "warning"
    assert got.args == ("x",) and got.env == {"A": "1"} and got.exit_code == 1
    assert got.unsupported == "" and got.world == CLI_WORLD


RUN_WAIT = [{"type": "run"}, {"type": "wait"}]


def test_proposals_ask_for_sockets_and_http(tmp_path: Path) -> None:
    got = spec(tmp_path, {"proposals": ["sockets", "http"], "operations": RUN_WAIT})
    assert got.network and got.proposals == ("sockets", "http")


def test_a_conversation_with_the_guest_becomes_the_executors_steps(tmp_path: Path) -> None:
    got = spec(tmp_path, {"proposals": ["http"], "world": "wasi:http/service", "operations": [
        {"type": "run", "env": {"A": "b"}},
        {"type": "connect", "id": "c", "protocol_type": "tcp"},
        {"type": "send", "id": "c", "payload": "x"},
        {"type": "request", "method": "get", "path": "/", "response": {"status": 200}},
        {"type": "kill", "signal": "SIGINT"},
        {"type": "wait"}]})
    assert got.unsupported == "" and got.serves and got.env == {"A": "b"}
    assert got.conversation is not None
    assert [s["op"] for s in got.conversation.steps] == ["connect", "send", "request", "kill", "wait"]
    request = got.conversation.steps[2]
    assert request["method"] == "GET" and request["response"] == {"status": 200, "headers": {}, "body": ""}
    echo = {"path": "/x", "mode": "echo-body"}
    servers = spec(tmp_path, {"servers": [{"name": "main", "endpoints": [echo]},
                                          {"name": "dead", "kind": "closed"}], "operations": RUN_WAIT})
    assert servers.conversation is not None
    assert servers.conversation.server_env == {"HTTP_SERVER_MAIN": "127.0.0.1:18080",
                                               "HTTP_SERVER_DEAD": "127.0.0.1:18081"}


def test_what_the_harness_still_cannot_do_is_named(tmp_path: Path) -> None:
    udp = {"type": "connect", "id": "u", "protocol_type": "udp"}
    got = spec(tmp_path, {"operations": [{"type": "run"}, udp, {"type": "wait"}, {"type": "run"}]})
    assert got.unsupported == "a udp connection; more than one `run`"


@pytest.mark.parametrize(("data", "key", "message"), [
    ({"args": ["a"], "operations": []}, "args", "mixed with 'operations'"),
    ({"operations": [{"type": "run"}, {"type": "launch"}]}, "operations[1].type", "unknown operation"),
    ({"operations": [{"type": "run"}, {"type": "read", "id": "stdin"}]}, "operations[1].id",
     "stdout or stderr"),
    ({"operations": [{"type": "wait"}]}, "operations[0].type", "a `wait` before the `run`"),
    ({"operations": [{"type": "run"}, {"type": "send", "id": "x"}]}, "operations[1].id", "no connection"),
    ({"servers": [{"name": "a b"}], "operations": [{"type": "run"}]}, "servers[0].name", "letters"),
    ({"servers": [{"name": "d", "kind": "closed", "endpoints": [{}]}], "operations": [{"type": "run"}]},
     "servers[0].kind", "closed"),
    ({"world": "wasi:nope/world", "operations": [{"type": "run"}]}, "world", "unknown world"),
    ({"args": "a b"}, "args", "a list of strings"),
    ({"env": {"A": 1}}, "env", "an object of strings"),
    ({"exit_code": "1"}, "exit_code", "an integer"),
    ({"root": "missing.dir"}, "root", "no folder 'missing.dir'"),
])
def test_a_malformed_spec_names_file_line_and_key(tmp_path: Path, data: dict, key: str, message: str) -> None:
    with pytest.raises(SuiteError) as error:
        spec(tmp_path, data)
    assert error.value.key == key and message in str(error.value)
    assert str(tmp_path / "t.json") in str(error.value) and error.value.line >= 1


def test_invalid_json_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "t.json").write_text('{\n  "args": [\n}', encoding="utf-8")
    with pytest.raises(SuiteError, match=r"t\.json:3: not valid JSON"):
        load_spec(tmp_path / "t.json")
