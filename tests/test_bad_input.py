"""Bad input gets one line per problem, naming the file, line and key (or the option) and
the valid choices, never a traceback. Bad suites through pytest itself: only that suite
fails; the other suites are still collected (running them anyway is proven in
tests/test_reliability.py). Options are refused before the first cell; commands are run as
a user runs them, in a subprocess."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.results.record import FORMAT_VERSION
from tests.conftest import write_workspace

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "tests" / "data" / "results.json"

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


def lines_with(text: str, *needles: str) -> list[str]:
    return [line for line in text.splitlines() if all(n in line for n in needles)]


def assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text and "INTERNALERROR" not in text and 'File "' not in text, text


def harness(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m harness ARGS` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "harness", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def a_suites_folder(pytester: pytest.Pytester) -> None:
    write_workspace(pytester.path / "fixtures", {"hello": []})
    (pytester.path / "suites").mkdir()
    (pytester.path / "suites" / "good.yaml").write_text(GOOD)


def run_pytest(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, str]:
    result = pytester.runpytest_subprocess("--fixtures-dir", "fixtures", "-p", "no:cacheprovider",
                                           "--runtimes", "wasmtime-45", *args)
    return result, result.stdout.str() + result.stderr.str()


def test_a_runtime_plugin_file_that_is_not_there_is_one_line(pytester: pytest.Pytester) -> None:
    a_suites_folder(pytester)
    result, output = run_pytest(pytester, "suites", "--runtime-plugin", "/nonexistent.py")
    assert_no_traceback(output)
    assert lines_with(output, "--runtime-plugin /nonexistent.py: no such file"), output
    assert len(lines_with(output, "/nonexistent.py")) == 1, output
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_compare_file_that_is_not_there_is_refused_before_the_first_cell(
        pytester: pytest.Pytester) -> None:
    a_suites_folder(pytester)
    result, output = run_pytest(pytester, "suites", "--compare", "/nonexistent.json")
    assert_no_traceback(output)
    assert len(lines_with(output, "--compare: /nonexistent.json: no such results file")) == 1, output
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "good.case" not in output and not (pytester.path / "reports" / ".records").exists()


@pytest.mark.parametrize(("option", "line"), [
    ("--expectations", "--expectations: /nonexistent: no such file or folder"),
    ("--fixtures-dir", "--fixtures-dir: /nonexistent: no Cargo.toml there"),
])
def test_a_path_option_that_is_not_there_is_one_usage_line(pytester: pytest.Pytester, option: str,
                                                          line: str) -> None:
    """Not one collection error per suite file: refused once, before collecting."""
    a_suites_folder(pytester)
    (pytester.path / "suites" / "other.yaml").write_text(GOOD.replace("good.case", "other.case"))
    result = pytester.runpytest_subprocess("suites", "-p", "no:cacheprovider", option, "/nonexistent")
    output = result.stdout.str() + result.stderr.str()
    assert_no_traceback(output)
    assert len(lines_with(output, line)) == 1, output
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_wasi_testsuite_folder_that_is_not_there_has_no_line_number(
        pytester: pytest.Pytester) -> None:
    a_suites_folder(pytester)
    result, output = run_pytest(pytester, "--wasi-testsuite", "/nonexistent")
    assert_no_traceback(output)
    assert len(lines_with(output, "--wasi-testsuite: /nonexistent: no such folder")) == 1, output
    assert "/nonexistent:1" not in output
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_every_problem_of_a_suite_is_one_line_with_the_valid_forms(pytester: pytest.Pytester) -> None:
    a_suites_folder(pytester)
    (pytester.path / "suites" / "bad.yaml").write_text(
        "cases:\n  - id: bad.one\n    fixture: hello\n    network: internet\n"
        "    expect: {exit_code: zero}\n  - id: bad.two\n    fixture: hello\n    argz: [x]\n")
    result, output = run_pytest(pytester, "suites", "--co", "-q")
    assert_no_traceback(output)
    network = lines_with(output, "bad.yaml:4: cases[0].network: unknown value 'internet'")
    assert network and "(valid: none, loopback)" in network[0], output
    exit_code = lines_with(output, "bad.yaml:5: cases[0].expect.exit_code: 'zero' is not valid")
    assert exit_code and "a list of acceptable ones" in exit_code[0] and '"nonzero"' in exit_code[0]
    assert lines_with(output, "bad.yaml:8: cases[1].argz: unknown key 'argz' (did you mean 'args'?)")
    assert "good.yaml::good.case[wasm32-wasip1-wasmtime-45]" in output
    assert result.ret != pytest.ExitCode.OK


def test_every_case_of_a_suite_that_names_something_missing_is_a_line(pytester: pytest.Pytester) -> None:
    """Checks past the schema (the fixture crate, the runtime names) report every case too."""
    a_suites_folder(pytester)
    (pytester.path / "suites" / "bad.yaml").write_text(
        "cases:\n  - id: bad.one\n    fixture: nosuch\n  - id: bad.two\n    fixture: hello\n"
        "    overrides:\n      - runtimes: [wasmer]\n        skip: {reason: not here}\n")
    result, output = run_pytest(pytester, "suites", "--co", "-q")
    assert_no_traceback(output)
    assert len(lines_with(output, "bad.yaml:3: cases[0].fixture: no crate 'nosuch'")) == 1, output
    assert len(lines_with(output, "bad.yaml:7: cases[1].overrides[0].runtimes[0]: unknown runtime "
                                  "'wasmer'")) == 1, output
    assert result.ret != pytest.ExitCode.OK


def test_a_duplicate_case_id_blames_the_newcomer_and_keeps_the_first_files_cases(
        pytester: pytest.Pytester) -> None:
    """The file added later (here one collected first) is blamed, with both places; only
    its duplicate is left out."""
    write_workspace(pytester.path / "fixtures", {"hello": []})
    suites = pytester.path / "suites"
    suites.mkdir()
    old, new = suites / "hello.yaml", suites / "added.yaml"
    old.write_text(GOOD + "  - id: hello.world\n    fixture: hello\n    targets: [wasm32-wasip1]\n")
    new.write_text("cases:\n  - id: added.case\n    fixture: hello\n    targets: [wasm32-wasip1]\n"
                   "  - id: hello.world\n    fixture: hello\n    targets: [wasm32-wasip1]\n")
    os.utime(old, (1_700_000_000, 1_700_000_000))
    result, output = run_pytest(pytester, "suites", "--co", "-q")
    assert_no_traceback(output)
    blamed = lines_with(output, "added.yaml:5: cases.id: duplicate case id 'hello.world'")
    assert blamed and "hello.yaml:5" in blamed[0], output
    assert not lines_with(output, "hello.yaml:5: cases.id")
    for kept in ("hello.yaml::good.case", "hello.yaml::hello.world", "added.yaml::added.case"):
        assert f"{kept}[wasm32-wasip1-wasmtime-45]" in output, output
    assert "added.yaml::hello.world" not in output
    assert result.ret != pytest.ExitCode.OK


def test_suites_outside_a_folder_named_suites_say_why_nothing_was_collected(
        pytester: pytest.Pytester) -> None:
    write_workspace(pytester.path / "fixtures", {"hello": []})
    (pytester.path / "checks").mkdir()
    (pytester.path / "checks" / "good.yaml").write_text(GOOD)
    result, output = run_pytest(pytester, "checks")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert len(lines_with(output, "good.yaml: reads like a suite but is not below a folder "
                                  "named `suites`")) == 1, output
    assert_no_traceback(output)


def write_suites_with_rules(root: Path, rules: str) -> Path:
    (root / "suites" / "expectations").mkdir(parents=True)
    (root / "suites" / "good.yaml").write_text(GOOD)
    (root / "suites" / "expectations" / "shared.yaml").write_text(rules)
    return root / "suites"


def test_the_expectations_command_gives_every_problem_of_a_rule_file_as_lines(tmp_path: Path) -> None:
    suites = write_suites_with_rules(tmp_path, "expectations:\n  - runtimes: [jco]\n    xfail: {}\n"
                                               "  - targets: [wasm32-wasi]\n    skip: {reason: gone}\n")
    done = harness("expectations", suites)
    assert_no_traceback(done.stdout + done.stderr)
    assert done.returncode == 2 and done.stdout == ""
    assert lines_with(done.stderr, "shared.yaml:3: expectations[0].xfail: 'reason' is required")
    unknown = lines_with(done.stderr, "shared.yaml:4: expectations[1].targets[0]: unknown value")
    assert unknown and "valid: wasm32-wasip1, " in unknown[0], done.stderr
    assert len(done.stderr.splitlines()) == 2


def test_the_expectations_command_refuses_a_folder_that_is_not_there() -> None:
    done = harness("expectations", "/nonexistent")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["error: /nonexistent: no such folder (a folder of suites "
                                        "was expected, like suites/)"]


def test_the_expectations_command_counts_rules_on_single_tests(tmp_path: Path) -> None:
    suites = write_suites_with_rules(
        tmp_path, "expectations:\n  - cases: [good.case]\n    tests: [a::b]\n"
                  "    xfail: {reason: the test panics here}\n"
                  "  - runtimes: [jco]\n    xfail: {reason: jco does not run it}\n")
    done = harness("expectations", suites)
    assert done.returncode == 0, done.stderr
    test_rule = lines_with(done.stdout, "xfail (tests)", "shared.yaml:2")
    assert test_rule and int(test_rule[0].split()[0]) > 0, done.stdout
    assert "2 rules (1 on single tests" in done.stdout


def test_a_report_into_a_folder_that_cannot_be_made_is_one_line() -> None:
    done = harness("report", RESULTS, "-o", "/proc/x")
    assert_no_traceback(done.stdout + done.stderr)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: /proc/x: No such file or directory"]


def test_a_results_file_of_a_newer_format_says_a_newer_harness_wrote_it(tmp_path: Path) -> None:
    data = json.loads(RESULTS.read_text())
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**data, "format_version": FORMAT_VERSION + 1}))
    done = harness("report", newer, "-o", tmp_path / "out")
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "written by a newer harness" in done.stderr
    assert "was expected" not in done.stderr


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_truncated_results_file_points_to_recover(tmp_path: Path, gzipped: bool) -> None:
    text = RESULTS.read_text()[:4000]
    cut = tmp_path / ("cut.json.gz" if gzipped else "cut.json")
    cut.write_bytes(gzip.compress(text.encode()) if gzipped else text.encode())
    done = harness("report", cut, "-o", tmp_path / "out")
    assert_no_traceback(done.stderr)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert "truncated" in done.stderr and f"python -m harness recover {tmp_path}" in done.stderr


def test_history_skips_an_unreadable_night_with_one_line(tmp_path: Path) -> None:
    nights = tmp_path / "nights"
    nights.mkdir()
    for night in sorted((ROOT / "tests" / "data" / "history").glob("*.json")):
        (nights / night.name).write_text(night.read_text())
    (nights / "night-2.json").write_text("{\"format_version\": 3, \"run\": {")
    done = harness("history", nights, "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [line for line in done.stderr.splitlines()
                                        if line.startswith("history: skipped ")]
    assert len(lines_with(done.stderr, "night-2.json", "truncated")) == 1
    assert (tmp_path / "out" / "history.md").is_file() and (tmp_path / "out" / "history.html").is_file()
