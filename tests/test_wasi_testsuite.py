"""The wasi-testsuite importer on the project's sample (tests/wasi-testsuite-sample/)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.report.wasi_compare import compare_all, outcome_of
from harness.results.record import CellKind, CellResult
from harness.results.run_header import RunHeader, columns_of
from harness.results.store import Results, load_results, write_results
from harness.results.verdict import ReasonCode, Verdict
from harness.runtime import installed_runtimes
from harness.sources.registry import Options, load_cases
from harness.sources.wasi_testsuite import find_manifests, load_checkout
from harness.suites.yaml_files import SuiteError

SAMPLE = Path(__file__).parent / "wasi-testsuite-sample"
P1 = "Sample WAT tests [wasm32-wasip1]"


def build_sample(out: Path) -> Path:
    spec = importlib.util.spec_from_file_location("sample_build", SAMPLE / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(out)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("wts") / "wasi-testsuite")


@pytest.fixture(scope="module")
def cases(checkout: Path) -> dict:
    return {c.id: c for c in load_checkout(checkout, installed_runtimes())}


def test_every_test_becomes_a_case_of_its_wasi_version(cases: dict) -> None:
    assert sorted(cases) == [
        "wasi.wat.component-run-err", "wasi.wat.component-run-ok", "wasi.wat.create-once",
        "wasi.wat.echo-stdin", "wasi.wat.env-and-args", "wasi.wat.exit-code",
        "wasi.wat.known-failure", "wasi.wat.needs-connect", "wasi.wat.print-hello"]
    assert cases["wasi.wat.print-hello"].targets == ("wasm32-wasip1",)
    assert cases["wasi.wat.component-run-ok"].targets == ("wasm32-wasip3",)
    assert cases["wasi.wat.print-hello"].kind.test.suite == P1
    assert cases["wasi.wat.print-hello"].expect.stdout.describe() == 'prefix "hello"'
    assert cases["wasi.wat.exit-code"].expect.exit_code == 33
    assert cases["wasi.wat.env-and-args"].env == {"ONLY": "this"}
    assert cases["wasi.wat.echo-stdin"].stdin == "ping\n"
    talk = cases["wasi.wat.needs-connect"].kind.test.spec.conversation
    assert [step["op"] for step in talk.steps] == ["connect", "send", "recv", "wait"]
    assert cases["wasi.wat.needs-connect"].network == "loopback"


def test_the_checkouts_expectations_are_the_cases_own_rules(cases: dict) -> None:
    rules = {next(iter(r.selector.runtimes)): r for r in cases["wasi.wat.known-failure"].overrides}
    assert sorted(rules) == ["wasmedge", "wasmtime", "wazero"]
    wasmtime = rules["wasmtime"]
    assert wasmtime.kind == "xfail" and wasmtime.link == "https://example.invalid/known-failure"
    assert wasmtime.source == "wasi-testsuite/expectations/wasmtime/linux.toml:9"
    assert wasmtime.reason == "wasi-testsuite's expectations for wasmtime say it fails: It exits 1 on purpose"
    assert rules["wazero"].kind == "skip"
    assert wasmtime.selector.targets == frozenset({"wasm32-wasip1"})
    # an entry naming a test the suite folder lacks is left out; other tests have no rules
    assert all(not c.overrides for i, c in cases.items() if i != "wasi.wat.known-failure")


def test_a_folder_without_tests_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="is this a wasi-testsuite checkout"):
        find_manifests(tmp_path)


def test_a_yaml_suite_can_name_a_checkout(checkout: Path, tmp_path: Path) -> None:
    suite = tmp_path / "suites" / "wasi.yaml"
    suite.parent.mkdir()
    suite.write_text(f"wasi-testsuite:\n  path: {checkout}\n  timeout: 5s\n", encoding="utf-8")
    loaded = load_cases(suite, Options(installed_runtimes()))
    assert len(loaded) == 9 and {c.timeout_s for c in loaded} == {5.0}
    suite.write_text("wasi-testsuite:\n  path: nowhere\n", encoding="utf-8")
    with pytest.raises(SuiteError, match=r"wasi\.yaml:2: wasi-testsuite\.path: no such folder"):
        load_cases(suite, Options(installed_runtimes()))


def test_collection_gives_one_cell_per_runtime_that_can_run_it(checkout: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "--wasi-testsuite", str(checkout), "--runtimes", "wasmtime-49,wazero"],
        capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    items = [line.split("::", 1)[1] for line in done.stdout.splitlines() if "::" in line]
    assert "wasi.wat.print-hello[wasm32-wasip1-wasmtime-49]" in items
    assert "wasi.wat.component-run-ok[wasm32-wasip3-wazero]" in items  # reported unsupported by runtime
    assert len(items) == 9 * 2


def cell(test: str, verdict: Verdict, reason: str = "", runtime: str = "wasmtime-49",
         version: str = "49.0.3") -> CellResult:
    return CellResult(case=f"wasi.wat.{test}", target="wasm32-wasip1", runtime=runtime,
                      verdict=verdict, reason=reason, kind=CellKind.WASI_TESTSUITE, wasi_suite=P1,
                      versions={"runtime": version},
                      reason_code=ReasonCode.HARNESS_CANNOT if reason.startswith("unsupported by harness")
                      else None)


def results_file(tmp_path: Path, cells: list[CellResult]) -> Path:
    runtimes = sorted({c.runtime for c in cells})
    header = RunHeader(runtimes=runtimes, columns=columns_of(runtimes))
    return write_results(tmp_path / "results.json", Results(header, tuple(cells)))


def test_comparison_with_the_suites_own_runner(tmp_path: Path) -> None:
    ours = [cell("print-hello", Verdict.PASS), cell("exit-code", Verdict.LOAD_ERROR, "link error"),
            cell("known-failure", Verdict.XFAIL, "known"),
            cell("needs-udp", Verdict.UNSUPPORTED, "unsupported by harness: a udp connection")]
    results = results_file(tmp_path, ours)
    reference = tmp_path / "reference.json"
    runtime = {"name": "wasmtime", "version": "49.0.3"}
    reference.write_text(json.dumps({"results": [{"name": P1, "runtime": runtime, "tests": [
        {"name": "print-hello", "executed": True, "outcome": "pass", "failures": []},
        {"name": "exit-code", "executed": True, "outcome": "pass", "failures": []},
        {"name": "known-failure", "executed": True, "outcome": "xfail", "failures": ["exit 1"]},
        {"name": "needs-udp", "executed": True, "outcome": "pass", "failures": []},
        {"name": "echo-stdin", "executed": True, "outcome": "pass", "failures": []}]}]}))
    (comparison,) = compare_all([reference], load_results(results))
    assert comparison.column == "wasmtime-49" and comparison.versions_note == ""
    by = {r.test: r for r in comparison.rows}
    assert by["print-hello"].agrees and by["known-failure"].agrees
    assert not by["exit-code"].agrees and by["exit-code"].why == "link error"
    assert by["needs-udp"].ours == "unsupported by harness"  # never counted as agreeing
    assert comparison.alone == [f"only the runner has {P1}: echo-stdin"]
    assert outcome_of(cell("x", Verdict.CRASH)) == "fail"


def test_a_published_daily_file_is_matched_by_runtime_and_version(tmp_path: Path) -> None:
    """The suite's daily results have no `outcome`: a test with failures failed. Its runtime is
    matched with the column of the same major version, and suite names match whatever their case
    and spacing."""
    ours = [cell("print-hello", Verdict.PASS, runtime="wasmtime-46", version="46.0.1"),
            cell("print-hello", Verdict.FAIL, "stdout differs", runtime="wasmtime-49"),
            cell("exit-code", Verdict.PASS, runtime="wasmtime-46", version="46.0.1")]
    daily = tmp_path / "2026-06-08_00_25.json"
    daily.write_text(json.dumps({"execution": {}, "results": [
        {"name": P1.replace("tests", " Tests"), "runtime": {"name": "wasmtime", "version": "46.0.0"},
         "tests": [{"name": "print-hello", "executed": True, "failures": []},
                   {"name": "exit-code", "executed": True, "failures": ["exit status 1, expected 33"]}]}]}))
    (comparison,) = compare_all([daily], load_results(results_file(tmp_path, ours)))
    assert comparison.column == "wasmtime-46"
    assert [(r.test, r.ours, r.theirs) for r in comparison.rows] == [
        ("print-hello", "pass", "pass"), ("exit-code", "pass", "fail")]
    assert [r.why for r in comparison.differing] == ["exit status 1, expected 33"]


def test_a_test_skipped_here_by_a_rule_is_not_a_disagreement_and_a_dev_build_still_matches(
        tmp_path: Path) -> None:
    """The checkout's expectations skip a test the daily run ran (and failed); a binary built
    from source says "dev" for its version: it is matched with the family's column all the same."""
    ours = [cell("print-hello", Verdict.PASS, runtime="wazero", version="dev"),
            cell("readlink", Verdict.UNSUPPORTED, "not applicable: skip", runtime="wazero", version="dev")]
    daily = tmp_path / "latest.json"
    daily.write_text(json.dumps({"results": [
        {"name": P1, "runtime": {"name": "wazero", "version": "v1.12.1-0.20260529094615-5500f5c25288"},
         "tests": [{"name": "print-hello", "executed": True, "failures": []},
                   {"name": "readlink", "executed": True, "failures": ["exit 1"]}]}]}))
    (comparison,) = compare_all([daily], load_results(results_file(tmp_path, ours)))
    assert comparison.column == "wazero"
    assert [r.test for r in comparison.skipped_here] == ["readlink"] and comparison.differing == []
    assert "1 agree, 0 differ, 1 skipped here by a rule" in comparison.summary()


def test_the_reports_compare_with_the_suites_own_results_when_given(tmp_path: Path) -> None:
    from harness.report import build_reports

    ours = [cell("print-hello", Verdict.PASS), cell("exit-code", Verdict.FAIL, "exit status 1")]
    reference = tmp_path / "runner.json"
    tests = [{"name": "print-hello", "outcome": "pass"}, {"name": "exit-code", "outcome": "pass"}]
    runtime = {"name": "wasmtime", "version": "49.0.3"}
    reference.write_text(json.dumps({"results": [{"name": P1, "runtime": runtime, "tests": tests}]}))
    build_reports(results_file(tmp_path, ours), tmp_path / "out", wasi_references=[reference])
    matrix = (tmp_path / "out" / "matrix.md").read_text()
    assert "### Against the suite's own results" in matrix
    assert "wasmtime 49.0.3 against wasmtime-49 (49.0.3): 1 agree, 1 differ" in matrix
    assert "exit-code: harness fail, theirs pass" in matrix
    dossier = (tmp_path / "out" / "evidence" / "wasm32-wasip1.md").read_text()
    assert "wasmtime-49: 1 of 2 tests agree: exit-code (fail here, pass there)" in dossier
