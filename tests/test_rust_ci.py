"""The comparison with Rust's own CI selection (wasm32-wasip3, panic=unwind, library tests)."""

from __future__ import annotations

from harness.report.rust_ci import compare_with_rust_ci, rust_ci_sentence
from harness.results.record import CellKind, CellResult, TestResult
from harness.results.run_header import RunHeader
from harness.results.store import Results
from harness.results.verdict import TestOutcome, Verdict


def binary(library: str, name: str, tests: list[TestResult], profile: str = "unwind",
           runtime: str = "wasmtime-45") -> CellResult:
    return CellResult(case=f"upstream.{name}", target="wasm32-wasip3", runtime=runtime,
                      verdict=Verdict.PASS, ran=True, kind=CellKind.LIBTEST, library=library,
                      test_binary=name, build_profile=profile, toolchain="debian-sid", tests=tests)


def results(*cells: CellResult) -> Results:
    return Results(RunHeader(runtimes=["wasmtime-45"]), cells)


def test_the_tests_rust_ci_runs_are_counted_and_its_failures_named() -> None:
    run = results(
        binary("core", "coretests", [TestResult("a", TestOutcome.PASSED),
                                     TestResult("b", TestOutcome.XFAIL)]),
        binary("alloc", "alloctests", [TestResult("c", TestOutcome.PASSED),
                                       TestResult("d", TestOutcome.CRASHED),
                                       TestResult("e", TestOutcome.IGNORED)]),
        # an abort build is not what Rust's CI runs
        binary("core", "coretests", [TestResult("z", TestOutcome.FAILED)], profile="abort"),
    )
    comparison = compare_with_rust_ci(run, "wasmtime-45")
    assert comparison is not None
    assert (comparison.passed, comparison.would_fail) == (2, ("alloctests: d", "coretests: b"))
    assert comparison.libraries_missing == ("std",)
    assert rust_ci_sentence(comparison, "wasmtime-45") == (
        "of the library tests Rust's CI job `test-various` (rust-lang/rust#163132) runs (wasm32-wasip3, "
        "panic=unwind), 2 pass on wasmtime-45 in 2 test binaries; Rust's CI would see 2 fail: "
        "alloctests: d, coretests: b (std: no test binary in this run)")


def test_a_run_without_the_selection_does_not_measure_it() -> None:
    run = results(binary("core", "coretests", [TestResult("a", TestOutcome.PASSED)], profile="abort"))
    assert compare_with_rust_ci(run, "wasmtime-45") is None
    assert rust_ci_sentence(None, "wasmtime-45").startswith("not measured in this run:")


def test_the_wasip3_dossier_says_what_rust_ci_would_see() -> None:
    from harness.report.assessment import assess
    from harness.results.run_header import columns_of

    runtimes = ["wasmtime-45"]
    header = RunHeader(runtimes=runtimes, columns=columns_of(runtimes), toolchains=["debian-sid"])
    cells = [binary("core", "coretests", [TestResult("a", TestOutcome.PASSED)], profile="abort"),
             binary("core", "coretests", [TestResult("a", TestOutcome.PASSED),
                                          TestResult("b", TestOutcome.CRASHED)])]
    assessment = assess(Results(header, tuple(cells)), "wasm32-wasip3")
    assert assessment is not None
    rows = {r.id: s for r, s in assessment.rows}
    assert "Rust's CI would see 1 fail: coretests: b" in rows["tests"].evidence
    assert "runs the library tests of wasm32-wasip3 built with panic=unwind" in rows["regular"].evidence
