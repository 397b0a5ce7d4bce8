"""What a kind's run found reaches the record once, through the cell runner (harness/cells/evidence.py)."""

from __future__ import annotations

from harness.cells.evidence import Evidence
from harness.cells.kinds import keep_output
from harness.results.record import CellFinding, CellResult, FindingKind
from harness.results.verdict import Verdict
from harness.sandbox.outcome import Outcome
from harness.suites.rules import Rule, RuleKind, Selector


def blank() -> CellResult:
    return CellResult(case="c", target="wasm32-wasip1", runtime="wasmtime-49", verdict=Verdict.INFRA_ERROR,
                      repro="the builder's repro")


def test_a_run_that_lost_its_sandbox_keeps_its_output_but_did_not_run() -> None:
    found = Evidence(versions={"rustc": "1.97.1"})
    found.versions["runtime"] = "49.0.3"
    keep_output(found, Outcome(exit_code=3, stdout="out\n", stderr="err\n", duration_s=0.5, stdout_bytes=4))
    found.ran = False  # the sandbox went away during the rerun
    record = blank()
    found.write(record)
    assert (record.ran, record.exit_code, record.stdout, record.stderr) == (False, 3, "out", "err")
    assert list(record.versions.items()) == [("rustc", "1.97.1"), ("runtime", "49.0.3")]
    assert record.repro == "the builder's repro"  # nothing found overrides what the runner set


def test_the_rule_the_imports_decide_and_the_findings_are_written() -> None:
    found = Evidence(wasi_imports=["wasi_snapshot_preview1"], command=["wasmtime-49", "run", "x.wasm"])
    found.rule = Rule(kind=RuleKind.XFAIL, reason="a bug", selector=Selector(), source="f.yaml:3")
    found.findings.append(CellFinding(FindingKind.LOST_OUTPUT, "lost output"))
    record = blank()
    found.write(record)
    assert (record.expectation, record.expectation_reason, record.expectation_source) == (
        "xfail", "a bug", "f.yaml:3")
    assert record.wasi_imports == ["wasi_snapshot_preview1"] and record.command[0] == "wasmtime-49"
    assert [f.kind for f in record.findings] == [FindingKind.LOST_OUTPUT]
    assert not record.ran and record.exit_code is None  # no run's output was kept


def test_nothing_found_leaves_the_record_as_the_runner_made_it() -> None:
    record = blank()
    Evidence().write(record)
    assert record == blank()
