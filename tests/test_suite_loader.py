"""The suite loader: valid suites become cases; each mistake gives file, line, key."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.artifacts.workspace import Workspace
from harness.runtime import installed_runtimes
from harness.sources.registry import Options, load_cases
from harness.suites.rules import RuleBook
from harness.suites.yaml_files import SuiteError
from tests.conftest import at

RUNTIMES = installed_runtimes()
NONE = RuleBook()

GOOD = """\
cases:
  - id: hello.prints
    description: prints a line
    fixture: hello
    features: [hello, stdio]
    targets: [wasm32-wasip1, wasm32-wasip2]
    args: ["a", "é"]
    env: {K: V}
    stdin: "in"
    dirs: {/data: {a.txt: "x"}, /empty: null}
    network: loopback
    timeout: 500ms
    expect:
      exit_code: 0
      stdout: {contains: ["hello"]}
      stderr: {exact: ""}
    overrides:
      - targets: [wasm32-wasip1]
        runtimes: [wazero]
        xfail: {reason: "known bug", link: "https://example.invalid/1"}
      - runtimes: [wasmtime]
        unsupported:
          reason: "documented failure"
          expect: {exit_code: 3, stdout: {regex: "^spawn: unsupported"}}
"""


def load(tmp_path: Path, text: str, workspace: Path | None = None) -> list:
    path = tmp_path / "suite.yaml"
    path.write_text(text)
    check = Workspace(workspace).check if workspace else None
    return load_cases(path, Options(RUNTIMES, check))


def decided(case, target: str, runtime: str, expectations: RuleBook = NONE):  # type: ignore[no-untyped-def]
    """The kind of the rule deciding one cell, or None."""
    rule = expectations.for_cell(at(case, target, RUNTIMES[runtime]))
    return rule.kind if rule else None


def error_of(tmp_path: Path, text: str, workspace: Path | None = None) -> SuiteError:
    with pytest.raises(SuiteError) as info:
        load(tmp_path, text, workspace)
    return info.value


def test_a_valid_suite_becomes_cases(tmp_path: Path, workspace: Path) -> None:
    (case,) = load(tmp_path, GOOD, workspace)
    assert case.id == "hello.prints"
    assert case.targets == ("wasm32-wasip1", "wasm32-wasip2")
    assert case.args == ("a", "é")
    assert case.dirs == {"/data": {"a.txt": "x"}, "/empty": {}}
    assert case.timeout_s == 0.5
    assert case.network == "loopback"
    assert case.line == 2
    assert decided(case, "wasm32-wasip1", "wazero") == "xfail"
    assert decided(case, "wasm32-wasip2", "wasmtime-49") == "unsupported"
    assert decided(case, "wasm32-wasip2", "jco") is None
    assert case.expect.mismatches(0, "hello world", "") == []
    assert case.expect.mismatches(1, "bye", "x") == [
        "exit code 1, expected 0",
        'stdout does not match contains "hello"',
        'stderr does not match exact ""',
    ]


def test_targets_all_means_every_catalogued_target(tmp_path: Path) -> None:
    (case,) = load(tmp_path, "cases:\n  - id: a\n    fixture: hello\n")
    assert case.targets == ("wasm32-wasip1", "wasm32-wasip1-threads", "wasm32-wasip2", "wasm32-wasip3")
    assert case.timeout_s == 60.0


@pytest.mark.parametrize(
    ("text", "line", "key", "message"),
    [
        ("cases:\n  - id: [\n", 3, "", "not valid YAML"),
        ("cases:\n  - description: x\n    fixture: hello\n", 2, "cases[0]", "'id' is required"),
        ("cases:\n  - id: a\n", 2, "cases[0]", "needs one of fixture or libtest"),
        (
            "cases:\n  - id: a\n    fixture: hello\n    tagets: all\n",
            4,
            "cases[0].tagets",
            "unknown key 'tagets' (did you mean 'targets'?)",
        ),
        (
            "cases:\n  - id: a\n    fixture: hello\n    targets: [wasm32-wasip4]\n",
            4,
            "cases[0].targets[0]",
            "unknown value 'wasm32-wasip4' (did you mean 'wasm32-wasip3'?)",
        ),
        (
            "cases:\n  - id: a\n    fixture: hello\n    features: [threads]\n",
            4,
            "cases[0].features[0]",
            "unknown value 'threads' (did you mean 'thread'?)",
        ),
        (
            "cases:\n  - id: a\n    fixture: hello\n    overrides:\n      - runtimes: [wasmtim-45]\n"
            "        skip: {reason: because}\n",
            5,
            "cases[0].overrides[0].runtimes[0]",
            "unknown runtime 'wasmtim-45' (did you mean 'wasmtime-45'?)",
        ),
        (
            "cases:\n  - id: a\n    fixture: hello\n    expect:\n      stdout: {regex: '(unclosed'}\n",
            5,
            "cases[0].expect.stdout.regex",
            "invalid regex",
        ),
        (
            "cases:\n  - id: a\n    fixture: hello\n    overrides:\n      - targets: [wasm32-wasip1]\n"
            "        xfail: {link: 'https://x.invalid'}\n",
            6,
            "cases[0].overrides[0].xfail",
            "'reason' is required",
        ),
        (
            "cases:\n  - id: a\n    fixture: hello\n    timeout: -3s\n",
            4,
            "cases[0].timeout",
            "timeout must be a positive duration",
        ),
        (
            "cases:\n  - id: a\n    fixture: hello\n    timeout: 0\n",
            4,
            "cases[0].timeout",
            "timeout must be a positive duration",
        ),
    ],
)
def test_each_mistake_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, message: str
) -> None:
    error = error_of(tmp_path, text)
    assert (error.line, error.key) == (line, key)
    assert message in str(error)
    assert str(error).startswith(f"{tmp_path / 'suite.yaml'}:{line}")


def test_a_fixture_that_does_not_exist_is_named(tmp_path: Path, workspace: Path) -> None:
    error = error_of(tmp_path, "cases:\n  - id: a\n    fixture: nope\n", workspace)
    assert (error.line, error.key) == (3, "cases[0].fixture")
    assert "no crate 'nope'" in str(error)
    error = error_of(tmp_path, "cases:\n  - id: a\n    fixture: multi:three\n", workspace)
    assert "crate 'multi' has no bin 'three' (bins: one, two)" in str(error)
    error = error_of(tmp_path, "cases:\n  - id: a\n    fixture: multi\n", workspace)
    assert "several bins" in str(error)


def test_the_shipped_schema_knows_every_catalogued_target() -> None:
    from harness.catalogue.targets import all_targets
    from harness.suites.yaml_files import schema

    assert set(schema("suite.schema.json")["$defs"]["target"]["enum"]) == set(all_targets())


@pytest.mark.parametrize(
    ("written", "status", "matches"),
    [("0", 0, True), ("0", 1, False), ("[1, 134]", 134, True), ("[1, 134]", 2, False),
     ("nonzero", 3, True), ("nonzero", 0, False), ("nonzero", None, False)],
)
def test_exit_code_forms(tmp_path: Path, written: str, status: int | None, matches: bool) -> None:
    (case,) = load(tmp_path, f"cases:\n  - id: a\n    fixture: hello\n    expect: {{exit_code: {written}}}\n")
    assert case.expect.exit_code_matches(status) is matches
