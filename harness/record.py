"""The cell result: one typed record per cell, as written to results.json and read by every report.

Its JSON form is published as `harness/results.schema.json` (format version
FORMAT_VERSION); `harness.results` validates files against it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from harness.verdict import SYMBOLS, Verdict

FORMAT_VERSION = 2

# Report categories: every cell falls in exactly one.
PASS, UNSUPPORTED, NA, XFAIL, UNAVAILABLE, FAIL = "pass", "unsupported", "n/a", "xfail", "unavailable", "fail"
CATEGORIES = (PASS, UNSUPPORTED, NA, XFAIL, UNAVAILABLE, FAIL)
# The verdicts counted as "fail" in summaries: every verdict that fails the pytest item.
FAILING: tuple[Verdict, ...] = tuple(v for v in Verdict if not v.is_good)
NA_SYMBOL = "N/A"
# The kind of a cell whose guest is a prebuilt test of WebAssembly/wasi-testsuite: evidence
# about a runtime's WASI, kept apart from the evidence about Rust's std.
WASI_TESTSUITE = "wasi-testsuite"
# The start of the reason of a wasi-testsuite cell the harness cannot perform (never run).
UNSUPPORTED_BY_HARNESS = "unsupported by harness"
NO_FEATURE = "(no feature)"

# Outcomes of single tests of a libtest cell.
TEST_OUTCOMES = ("passed", "failed", "crashed", "timeout", "ignored", "skipped", "xfail", "xpass")
TEST_FAILING = frozenset({"failed", "crashed", "timeout"})


def cell_name(case: str, target: str, runtime: str, toolchain: str = "") -> str:
    """The pytest item name: `case[target-runtime]`, or `case[target-runtime@toolchain]` on a
    run with several toolchains (pass the toolchain only then)."""
    return f"{case}[{target}-{runtime}{'@' + toolchain if toolchain else ''}]"


@dataclass
class TestResult:
    """One test of a libtest cell."""

    name: str
    outcome: str  # one of TEST_OUTCOMES
    duration_s: float | None = None
    message: str = ""  # what the test printed when it failed, bounded
    reason: str = ""  # the expectation's reason (xfail, xpass, skipped) or upstream's ignore note

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "outcome": self.outcome}
        if self.duration_s is not None:
            out["duration_s"] = self.duration_s
        if self.message:
            out["message"] = self.message
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class CellResult:
    """Everything known about one cell after its run."""

    case: str
    target: str
    runtime: str
    verdict: Verdict
    reason: str = ""
    ran: bool = False
    toolchain: str = ""
    kind: str = "case"  # "case" (a fixture run), "libtest" (a test binary's tests) or
    # "wasi-testsuite" (a prebuilt test of WebAssembly/wasi-testsuite: runtime evidence, not std's)
    suite: str = ""
    line: int = 0
    description: str = ""
    features: list[str] = field(default_factory=list)
    expectation: str = "pass"  # the deciding rule's kind, or "pass"
    expectation_reason: str = ""
    expectation_source: str = ""  # "file:line" of the deciding rule
    intermittent: bool = False  # the deciding xfail is known to depend on timing
    link: str | None = None
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_bytes: int = 0
    duration_s: float = 0.0  # the runtime processes' own wall time
    wall_s: float = 0.0  # the whole cell, harness included
    artifact_sha256: str | None = None
    build_s: float | None = None  # how long building the artifact took (its first build)
    builder: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)  # the guest's argv in the sandbox
    repro: str = ""
    tests: list[TestResult] | None = None  # libtest cells: every test's result

    # ---- JSON -----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["verdict"] = self.verdict.value
        out["tests"] = None if self.tests is None else [t.to_json() for t in self.tests]
        if self.tests is not None:
            out["test_counts"] = self.test_counts
        else:
            del out["tests"]
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> CellResult:
        """A record from its (schema-valid) JSON form."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in names}
        values["verdict"] = Verdict(raw["verdict"])
        if raw.get("tests") is not None:
            values["tests"] = [TestResult(**t) for t in raw["tests"]]
        return cls(**values)

    # ---- identity and presentation --------------------------------------------------

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.case, self.target, self.runtime, self.toolchain)

    def name(self, with_toolchain: bool = False) -> str:
        """The pytest item name (with the toolchain on runs with several)."""
        return cell_name(self.case, self.target, self.runtime, self.toolchain if with_toolchain else "")

    @property
    def anchor(self) -> str:
        """The HTML id of the cell in matrix.html."""
        text = f"cell-{self.case}__{self.target}__{self.runtime}"
        if self.toolchain:
            text += f"__{self.toolchain}"
        return re.sub(r"[^A-Za-z0-9._-]", "-", text)

    @property
    def feature(self) -> str:
        """The row group: the first feature the case lists."""
        return self.features[0] if self.features else NO_FEATURE

    @property
    def not_applicable(self) -> bool:
        """An `unsupported` cell that was not run (a skip, or a runtime that cannot run it)."""
        return self.verdict is Verdict.UNSUPPORTED and not self.ran

    @property
    def category(self) -> str:
        if self.not_applicable:
            return NA
        if self.verdict in FAILING:
            return FAIL
        return str(self.verdict)

    @property
    def symbol(self) -> str:
        return NA_SYMBOL if self.not_applicable else SYMBOLS[self.verdict]

    @property
    def label(self) -> str:
        """The verdict as shown to readers ("n/a" for not-run unsupported cells)."""
        return NA if self.not_applicable else str(self.verdict)

    @property
    def test_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(TEST_OUTCOMES, 0)
        for test in self.tests or []:
            counts[test.outcome] += 1
        return counts
