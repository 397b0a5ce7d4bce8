"""Bad suites through pytest itself: one clear message naming file, line and key, no
traceback, and only that suite fails; the other suites are still collected (running them
anyway is proven in tests/test_reliability.py)."""

from __future__ import annotations

import pytest

from tests.conftest import write_workspace

GOOD = "cases:\n  - id: good.case\n    fixture: hello\n    targets: [wasm32-wasip1]\n"
CASE = "cases:\n  - id: bad.case\n    fixture: hello\n"

MISTAKES = {
    "yaml-syntax": ("cases:\n  - id: [\n", 3, "not valid YAML"),
    "missing-id": ("cases:\n  - fixture: hello\n", 2, "cases[0]: 'id' is required"),
    "missing-fixture": ("cases:\n  - id: bad.case\n", 2, "cases[0]: needs one of fixture or libtest"),
    "unknown-key": (CASE + "    argz: [x]\n", 4,
                    "cases[0].argz: unknown key 'argz' (did you mean 'args'?)"),
    "unknown-target": (CASE + "    targets: [wasm32-wasi]\n", 4,
                       "cases[0].targets[0]: unknown value 'wasm32-wasi'"),
    "unknown-runtime": (CASE + "    overrides:\n      - runtimes: [wasmer]\n"
                        "        skip: {reason: not here}\n", 5,
                        "cases[0].overrides[0].runtimes[0]: unknown runtime 'wasmer'"),
    "unknown-feature": (CASE + "    features: [socket]\n", 4,
                        "cases[0].features[0]: unknown value 'socket' (did you mean 'sockets'?)"),
    "bad-regex": (CASE + "    expect: {stderr: {regex: 'a[b'}}\n", 4,
                  "cases[0].expect.stderr.regex: invalid regex"),
    "override-without-reason": (CASE + "    overrides:\n      - runtimes: [jco]\n"
                                "        unsupported: {expect: {exit_code: 3}}\n", 6,
                                "cases[0].overrides[0].unsupported: 'reason' is required"),
    "missing-crate": ("cases:\n  - id: bad.case\n    fixture: nosuch\n", 3,
                      "cases[0].fixture: no crate 'nosuch'"),
    "missing-bin": ("cases:\n  - id: bad.case\n    fixture: multi:three\n", 3,
                    "cases[0].fixture: crate 'multi' has no bin 'three'"),
    "timeout-words": (CASE + "    timeout: soon\n", 4, "cases[0].timeout: "),
    "timeout-zero": (CASE + "    timeout: 0s\n", 4, "cases[0].timeout: "),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_bad_suite_fails_alone_with_file_line_and_key(pytester: pytest.Pytester,
                                                        mistake: str) -> None:
    text, line, message = MISTAKES[mistake]
    write_workspace(pytester.path / "fixtures", {"hello": [], "multi": ["one", "two"]})
    (pytester.path / "suites").mkdir()
    (pytester.path / "suites" / "bad.yaml").write_text(text)
    (pytester.path / "suites" / "good.yaml").write_text(GOOD)
    result = pytester.runpytest("suites", "--fixtures-dir", "fixtures", "--co", "-q",
                                "-p", "no:cacheprovider", "--runtimes", "wasmtime-45")
    output = result.stdout.str()
    errors = [entry for entry in output.splitlines() if f"bad.yaml:{line}: " in entry]
    assert errors and message in errors[0], output
    assert "Traceback" not in output and 'File "' not in output
    assert "good.yaml::good.case[wasm32-wasip1-wasmtime-45]" in output  # still collected
    assert result.ret != pytest.ExitCode.OK


def test_a_fixtures_workspace_without_a_lock_file_is_one_clear_error(pytester: pytest.Pytester) -> None:
    """Not one build-error per cell: the run stops before any cell, saying how to fix it."""
    write_workspace(pytester.path / "fixtures", {"hello": []})
    (pytester.path / "fixtures" / "Cargo.lock").unlink()
    (pytester.path / "suites").mkdir()
    (pytester.path / "suites" / "good.yaml").write_text(GOOD)
    result = pytester.runpytest_subprocess("suites", "--fixtures-dir", "fixtures",
                                           "-p", "no:cacheprovider", "--runtimes", "wasmtime-45")
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output
    assert "has no Cargo.lock" in output and "python -m harness lock" in output
    assert result.stdout.str().count("has no Cargo.lock") <= 1  # (pytest repeats it on stderr)
    assert "build-error" not in output and "PASSED" not in output
