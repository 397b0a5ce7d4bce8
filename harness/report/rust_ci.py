"""What Rust's own CI runs of the wasm targets, and how this run compares with it.

Rust's `test-various` job (rust-lang/rust#163132, compiler-team#1039) runs the library tests of
wasm32-wasip3 built with `-Cpanic=unwind` (core's, alloc's and std's) under Wasmtime. `make
rust-ci` runs the same selection here; this module says, for one runtime, which of those tests
pass and which Rust's CI would see fail (a test a rule here expects to fail still fails there).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.results.record import CellResult
from harness.results.store import Results
from harness.results.verdict import FAILING_TESTS, TestOutcome

TARGET = "wasm32-wasip3"
PROFILE = "unwind"
LIBRARIES = ("core", "alloc", "std")
JOB = "Rust's CI job `test-various` (rust-lang/rust#163132)"
WOULD_FAIL = FAILING_TESTS | {TestOutcome.XFAIL}
PASSING = frozenset({TestOutcome.PASSED, TestOutcome.XPASS})


@dataclass(frozen=True)
class RustCiComparison:
    """The library tests of Rust's CI selection on one runtime of this run."""

    runtime: str
    binaries: int
    passed: int
    would_fail: tuple[str, ...]  # "<binary>: <test>", in the order of the cells
    libraries_missing: tuple[str, ...]  # of core, alloc, std: those with no test binary here


def selection(results: Results, runtime: str, triple: str = TARGET) -> list[CellResult]:
    """The cells of Rust's CI selection (its target, panic=unwind, the library tests) on a runtime."""
    return [c for c in results.for_target(triple) if c.runtime == runtime and c.build_profile == PROFILE
            and c.tests is not None and c.library in LIBRARIES]


def compare_with_rust_ci(results: Results, runtime: str, triple: str = TARGET) -> RustCiComparison | None:
    """How the selection fared on `runtime`, or None when this run has none of it there."""
    cells = [c for c in selection(results, runtime, triple) if c.ran]
    if not cells:
        return None
    passed = sum(1 for c in cells for t in c.tests or [] if t.outcome in PASSING)
    failing = tuple(f"{c.test_binary or c.case}: {t.name}" for c in cells for t in c.tests or []
                    if t.outcome in WOULD_FAIL)
    missing = tuple(lib for lib in LIBRARIES if not any(c.library == lib for c in cells))
    return RustCiComparison(runtime, len(cells), passed, failing, missing)


def rust_ci_sentence(comparison: RustCiComparison | None, runtime: str | None) -> str:
    """One sentence for the dossier's clause on the tests Rust's CI runs."""
    if comparison is None:
        return (f"not measured in this run: {JOB} runs the library tests of {TARGET} built with "
                f"panic=unwind{f' under {runtime}' if runtime else ''}; `make rust-ci` runs them here")
    text = (f"of the library tests {JOB} runs ({TARGET}, panic=unwind), {comparison.passed} pass on "
            f"{comparison.runtime} in {comparison.binaries} test binaries")
    if comparison.would_fail:
        shown = ", ".join(comparison.would_fail[:5])
        more = f" and {len(comparison.would_fail) - 5} more" if len(comparison.would_fail) > 5 else ""
        text += f"; Rust's CI would see {len(comparison.would_fail)} fail: {shown}{more}"
    else:
        text += "; none would fail there"
    if comparison.libraries_missing:
        text += f" ({', '.join(comparison.libraries_missing)}: no test binary in this run)"
    return text
