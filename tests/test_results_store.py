"""The results store: records appended per process, merged atomically, torn lines skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.results.record import CellKind, CellResult
from harness.results.run_header import RunHeader
from harness.results.store import RecordWriter, Results, load_results, read_records, write_results
from harness.results.verdict import ReasonCode, Verdict
from harness.run.finish import judged_lost


def record(case: str, target: str = "wasm32-wasip1", runtime: str = "wasmtime-45") -> CellResult:
    return CellResult(case=case, target=target, runtime=runtime, toolchain="debian-sid",
                      verdict=Verdict.PASS, ran=True)


def test_records_from_several_writers_are_all_read(tmp_path: Path) -> None:
    first = RecordWriter(tmp_path, "run1", "gw0")
    second = RecordWriter(tmp_path, "run1", "gw1")
    first.append(record("a"))
    second.append(record("b"))
    first.append(record("c"))
    RecordWriter(tmp_path, "other-run", "gw0").append(record("z"))
    assert sorted(r.case for r in read_records(tmp_path, "run1")[0]) == ["a", "b", "c"]


def test_a_line_torn_by_a_crash_is_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    writer = RecordWriter(tmp_path, "run1", "gw0")
    writer.append(record("a"))
    with open(writer.path, "a") as handle:
        handle.write('{"case": "b", "tar')
    assert [r.case for r in read_records(tmp_path, "run1")[0]] == ["a"]


def test_results_json_is_sorted_and_shaped(tmp_path: Path) -> None:
    path = write_results(
        tmp_path / "out" / "results.json",
        Results(RunHeader(date="d"), (record("b", "wasm32-wasip2"), record("a", "wasm32-wasip2"),
                                      record("c"))),
    )
    data = json.loads(path.read_text())
    assert data["run"] == RunHeader(date="d").to_json()
    assert data["format_version"] == 3
    assert [(c["target"], c["case"]) for c in data["cells"]] == [
        ("wasm32-wasip1", "c"),
        ("wasm32-wasip2", "a"),
        ("wasm32-wasip2", "b"),
    ]
    assert not list(path.parent.glob("*.tmp"))


def test_a_cell_that_started_and_left_no_record_is_lost(tmp_path: Path) -> None:
    """The identity of a started cell is in the record file before it runs: a worker that dies
    mid-cell (or a Ctrl-C) leaves a lost cell, named without parsing any pytest node id."""
    writer = RecordWriter(tmp_path, "run1", "gw0")
    done, lost = record("a"), record("b", "wasm32-wasip1-threads", "pulley-45")
    lost.kind, lost.library, lost.test_binary = CellKind.LIBTEST, "core", "coretests"
    writer.started(done)
    writer.append(done)
    writer.started(lost)
    records, unfinished = read_records(tmp_path, "run1")
    assert [r.case for r in records] == ["a"]
    assert [(c.case, c.target, c.runtime, c.toolchain, c.kind, c.test_binary) for c in unfinished] == [
        ("b", "wasm32-wasip1-threads", "pulley-45", "debian-sid", CellKind.LIBTEST, "coretests")]


def test_a_lost_cell_is_an_infra_error_with_its_reason(tmp_path: Path) -> None:
    # Whatever verdict the identity carries (here a pass), the judgment makes it an infra-error.
    lost = judged_lost(record("a", runtime="jco"))
    assert lost.verdict is Verdict.INFRA_ERROR and lost.reason_code is ReasonCode.LOST
    assert lost.reason.startswith("lost:")
    # The identity a started cell left in the records, judged: its reason is added.
    writer = RecordWriter(tmp_path, "run1", "gw0")
    writer.started(record("b"))
    (unfinished,) = read_records(tmp_path, "run1")[1]
    assert unfinished.reason == "" and unfinished.reason_code is not ReasonCode.LOST
    judged = judged_lost(unfinished)
    assert (judged.verdict, judged.reason_code) == (Verdict.INFRA_ERROR, ReasonCode.LOST)
    assert judged.reason.startswith("lost:")
    # A lost record is a whole record: it validates like any other.
    path = write_results(tmp_path / "r.json", Results(RunHeader(), (lost,)))
    assert load_results(path).cells == (lost,)


def test_a_record_survives_its_round_trip_through_results_json(tmp_path: Path) -> None:
    from harness.results.record import CellFinding, FindingKind, TestResult

    full = record("a")
    full.tests = [TestResult("m::t1", "passed", 0.01), TestResult("m::t2", "crashed", None, "boom")]
    full.versions = {"rustc": "1.97.1"}
    full.attempts_s, full.first_attempt = [0.5, 0.4], {"exit_code": None, "signal": 9, "stdout": "",
                                                       "stderr": "killed"}
    full.findings = [CellFinding(FindingKind.LOST_OUTPUT, "lost output, not a crash", ["m::t2"])]
    path = write_results(tmp_path / "r.json.gz", Results(RunHeader(date="d"), (full, record("b"))))
    assert load_results(path).cells == (full, record("b"))
    assert json.loads(__import__("gzip").decompress(path.read_bytes()))["cells"][0]["test_counts"] == {
        "passed": 1, "failed": 0, "crashed": 1, "timeout": 0, "intermittent": 0, "lost": 0,
        "ignored": 0, "skipped": 0, "xfail": 0, "xpass": 0}


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d["cells"][0].update(verdict="passs"), "cells[0].verdict: 'passs' is not one of"),
        (lambda d: d["cells"][1].pop("runtime"), "cells[1]: 'runtime' is missing"),
        (lambda d: d["cells"][0].update(ran="yes"), "cells[0].ran: 'yes' is not of type 'boolean'"),
        (lambda d: d["cells"][0].update(colour="red"), "cells[0]: unknown field 'colour'"),
        (lambda d: d.update(format_version=9), "format_version: 9: written by a newer harness"),
        (lambda d: d["run"].update(targets="wasm32-wasip1"),
         "run.targets: 'wasm32-wasip1' is not of type 'array'"),
    ],
)
def test_a_damaged_results_file_gets_one_line_naming_the_field(tmp_path: Path, damage, message) -> None:  # type: ignore[no-untyped-def]
    path = write_results(tmp_path / "r.json", Results(RunHeader(date="d"), (record("a"), record("b"))))
    data = json.loads(path.read_text())
    damage(data)
    path.write_text(json.dumps(data))
    with pytest.raises(UserError) as info:
        load_results(path)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{path}: {message}"), text


def test_a_results_file_of_format_1_is_read(tmp_path: Path) -> None:
    old = {"run": {"builder": "docker", "runtimes": ["jco"]},
           "cells": [{"case": "a", "target": "wasm32-wasip1", "runtime": "jco", "verdict": "pass",
                      "ran": True, "reason": "", "flags": ["--env", "K=V"], "suite": "s.yaml"}]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    (cell,) = load_results(path).cells
    assert (cell.toolchain, cell.command, cell.verdict) == ("debian-sid", ["--env", "K=V"], Verdict.PASS)


def test_a_change_to_one_fixture_changes_only_its_own_build_key(tmp_path: Path) -> None:
    from harness.artifacts.workspace import Workspace
    from harness.builder import build_key
    from harness.catalogue.targets import all_targets
    from tests.conftest import write_workspace

    root = write_workspace(tmp_path / "ws", {"one": [], "two": []})
    target = all_targets()["wasm32-wasip1"]
    before = {c: build_key(Workspace(root), c, target, "image-a") for c in ("one", "two")}
    (root / "one" / "src" / "main.rs").write_text('fn main() { println!("changed"); }\n')
    after = {c: build_key(Workspace(root), c, target, "image-a") for c in ("one", "two")}
    assert after["one"] != before["one"]
    assert after["two"] == before["two"]
    assert build_key(Workspace(root), "two", target, "image-b") != after["two"]


def test_cache_info_and_clear(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from harness.artifacts.cache import cache_command, cache_dir

    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    (cache_dir("artifacts") / "a.wasm").write_bytes(b"\0" * 2_000_000)
    assert cache_command("info") == 0
    assert "artifacts" in capsys.readouterr().out
    assert cache_command("clear") == 0
    assert not (tmp_path / "cache").exists()


def test_a_run_whose_controller_died_is_recovered_from_its_records(tmp_path: Path) -> None:
    from harness.run.recover import recover

    RecordWriter(tmp_path, "20260101T000000-old", "gw0").append(record("old"))
    RecordWriter(tmp_path, "20260102T000000-new", "gw0").append(record("a"))
    RecordWriter(tmp_path, "20260102T000000-new", "gw1").append(record("b", runtime="wazero"))
    results = load_results(recover(tmp_path))  # validated against the schema
    assert [c.case for c in results.cells] == ["a", "b"]
    assert results.run.run_id == "20260102T000000-new"
    assert results.run.runtimes == ["wasmtime-45", "wazero"]
    assert "recovered" in (results.run.versions_error or "")
    assert [c.case for c in load_results(recover(tmp_path, "20260101T000000-old")).cells] == ["old"]
    with pytest.raises(UserError, match="no records of run nope"):
        recover(tmp_path, "nope")
