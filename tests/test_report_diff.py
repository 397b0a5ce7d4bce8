"""`python -m harness diff`: verdict changes between two results files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.diff import classify, diff_command
from harness.results.verdict import Verdict

RESULTS = Path(__file__).parent / "data" / "results.json"
CELL = ("hello.world", "wasm32-wasip2", "wasmtime-49")


def variant(tmp_path: Path, name: str, edit) -> Path:
    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def set_verdict(case: str, target: str, runtime: str, verdict: str, reason: str = ""):
    def edit(data: dict) -> None:
        for cell in data["cells"]:
            if (cell["case"], cell["target"], cell["runtime"]) == (case, target, runtime):
                cell.update(verdict=verdict, reason=reason)

    return edit


def test_pass_to_fail_exits_1_and_names_the_cell(tmp_path: Path, capsys) -> None:
    new = variant(tmp_path, "new.json", set_verdict(*CELL, "fail", "stdout lacks 'hello: ok'"))
    status = diff_command(RESULTS, new, tmp_path / "out")
    printed = capsys.readouterr().out
    assert status == 1
    name = "hello.world[wasm32-wasip2-wasmtime-49]"
    assert f"{name}: pass -> fail (stdout lacks 'hello: ok')" in printed
    written = (tmp_path / "out" / "diff.md").read_text(encoding="utf-8")
    assert written == printed
    regressions = written.split("## Regressions")[1].split("## Fixes")[0]
    assert name in regressions


def test_identical_files_exit_0(tmp_path: Path, capsys) -> None:
    assert diff_command(RESULTS, RESULTS, tmp_path) == 0
    counts = "regressions: 0, fixes: 0, test regressions: 0, test fixes: 0, other changes: 0"
    assert counts in capsys.readouterr().out


def test_groups_fixes_new_and_removed(tmp_path: Path, capsys) -> None:
    old = variant(tmp_path, "old.json", set_verdict(*CELL, "crash", "segfault"))

    def edit(data: dict) -> None:
        data["cells"] = [c for c in data["cells"] if c["case"] != "async.main"]
        extra = dict(data["cells"][0], case="clocks.monotonic", features=["clocks"])
        data["cells"].append(extra)

    new = variant(tmp_path, "new.json", edit)
    assert diff_command(old, new, tmp_path) == 0
    text = capsys.readouterr().out
    fixes = text.split("## Fixes")[1].split("## Other changes")[0]
    assert "hello.world[wasm32-wasip2-wasmtime-49]: crash -> pass" in fixes
    assert "clocks.monotonic[" in text.split("## New cells")[1].split("## Removed")[0]
    assert text.split("## Removed cells")[1].count("async.main[") == 6


def test_cli_exit_status(tmp_path: Path) -> None:
    new = variant(tmp_path, "new.json", set_verdict(*CELL, "timeout"))
    assert main(["diff", str(RESULTS), str(new), "-o", str(tmp_path)]) == 1
    assert main(["diff", str(RESULTS), str(tmp_path / "missing.json")]) == 2


@pytest.mark.parametrize(
    ("old", "new", "group"),
    [
        (Verdict.PASS, Verdict.FAIL, "regressions"),
        (Verdict.PASS, Verdict.UNAVAILABLE, "regressions"),
        (Verdict.PASS, Verdict.XFAIL, "regressions"),
        (Verdict.XFAIL, Verdict.CRASH, "regressions"),
        (Verdict.UNSUPPORTED, Verdict.FAIL, "regressions"),
        (Verdict.FAIL, Verdict.PASS, "fixes"),
        (Verdict.XFAIL, Verdict.XPASS, "fixes"),
        (Verdict.FAIL, Verdict.XFAIL, "fixes"),
        (Verdict.FAIL, Verdict.CRASH, "other changes"),
        (Verdict.UNAVAILABLE, Verdict.FAIL, "other changes"),
        (Verdict.INFRA_ERROR, Verdict.UNAVAILABLE, "other changes"),
    ],
)
def test_classify(old: Verdict, new: Verdict, group: str) -> None:
    assert classify(old, new) == group


def test_an_intermittent_cell_flipping_between_pass_and_xfail_is_no_regression() -> None:
    from harness.report.diff import classify

    assert classify(Verdict.PASS, Verdict.XFAIL, intermittent=True) == "other changes"
    assert classify(Verdict.XFAIL, Verdict.PASS, intermittent=True) == "other changes"
    assert classify(Verdict.PASS, Verdict.FAIL, intermittent=True) == "regressions"
    assert classify(Verdict.PASS, Verdict.XFAIL) == "regressions"


def test_single_tests_that_start_or_stop_failing_are_listed() -> None:
    from harness.report.diff import compare
    from harness.results.record import CellResult, TestResult

    def cell(*tests: TestResult) -> CellResult:
        return CellResult(case="upstream.coretests", target="wasm32-wasip1", runtime="wasmtime-45",
                          toolchain="debian-sid", verdict=Verdict.FAIL, ran=True, kind="libtest",
                          tests=list(tests))

    old = cell(TestResult("a", "passed"), TestResult("b", "crashed", message="boom"),
               TestResult("c", "passed"))
    new = cell(TestResult("a", "crashed", message="thread 'main' panicked\nindex out of range"),
               TestResult("b", "passed"), TestResult("c", "passed"))
    groups = compare((old,), (new,))
    assert [c.line() for c in groups["test regressions"]] == [
        "upstream.coretests[wasm32-wasip1-wasmtime-45]: a: passed -> crashed (index out of range)"]
    assert [c.line() for c in groups["test fixes"]] == [
        "upstream.coretests[wasm32-wasip1-wasmtime-45]: b: crashed -> passed"]
    assert groups["regressions"] == []  # the cell was failing before and after
