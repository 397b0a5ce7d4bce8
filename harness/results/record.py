"""The cell result: one typed record per cell, as written to results.json and read by every report.

Its JSON form is published as `harness/results/results.schema.json` (format version
FORMAT_VERSION); `harness.results.store` validates files against it (and upgrades older ones).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

from harness.catalogue.build_profiles import DEFAULT as DEFAULT_PROFILE
from harness.results.verdict import FAILING_TESTS, ReasonCode, TestOutcome, Verdict

FORMAT_VERSION = 3

# Report categories: every cell falls in exactly one.
PASS, UNSUPPORTED, NA, XFAIL, UNAVAILABLE, FAIL = "pass", "unsupported", "n/a", "xfail", "unavailable", "fail"
CATEGORIES = (PASS, UNSUPPORTED, NA, XFAIL, UNAVAILABLE, FAIL)
NA_SYMBOL = "N/A"
NO_FEATURE = "(no feature)"
CellKey = tuple[str, str, str, str, str]  # case, target, runtime, toolchain, build profile


class CellKind(StrEnum):
    """What a cell's guest is; each kind is run its own way (harness/cells/kinds/)."""

    FIXTURE = "fixture"  # a program of the fixtures workspace, judged by its case's expectation
    LIBTEST = "libtest"  # a test binary of Rust's own tests or a user's crate: every test's result
    # a prebuilt test of WebAssembly/wasi-testsuite: evidence about a runtime's WASI, kept apart
    # from the evidence about Rust's std
    WASI_TESTSUITE = "wasi-testsuite"


def cell_name(case: str, target: str, runtime: str, toolchain: str = "", profile: str = "") -> str:
    """The pytest item name: `case[target-runtime]`, or `case[target-runtime@toolchain]` on a
    run with several toolchains (pass the toolchain only then), ending `+profile` for a build
    profile other than the default (`+unwind`)."""
    built = ("@" + toolchain if toolchain else "") + ("+" + profile if profile else "")
    return f"{case}[{target}-{runtime}{built}]"


class FindingKind(StrEnum):
    """What a run found beside its verdict, that the harness confirmed by running again."""

    # the process ended as libtest (or the guest) ends, exit 0, without the output it owed: the
    # runtime lost the tail of stdout; the tests without a result ran again
    LOST_OUTPUT = "lost-output"
    # the guest's process died once and not when run again alone
    INTERMITTENT_CRASH = "intermittent-crash"


@dataclass
class CellFinding:
    """One finding of a cell's run: its kind, what happened, and the tests concerned."""

    kind: FindingKind
    detail: str
    tests: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": str(self.kind), "detail": self.detail}
        if self.tests:
            out["tests"] = self.tests
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> CellFinding:
        return cls(FindingKind(raw["kind"]), str(raw["detail"]), list(raw.get("tests") or []))


@dataclass
class TestResult:
    """One test of a libtest cell."""

    __test__ = False  # not a test class for pytest

    name: str
    outcome: TestOutcome
    duration_s: float | None = None
    message: str = ""  # what the test printed when it failed, bounded
    reason: str = ""  # the expectation's reason (xfail, xpass, skipped) or upstream's ignore note
    attempts_s: list[float] | None = None  # a timeout or crash rerun alone: each attempt's duration

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "outcome": str(self.outcome)}
        if self.duration_s is not None:
            out["duration_s"] = self.duration_s
        if self.message:
            out["message"] = self.message
        if self.reason:
            out["reason"] = self.reason
        if self.attempts_s is not None:
            out["attempts_s"] = self.attempts_s
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> TestResult:
        return cls(**{**raw, "outcome": TestOutcome(raw["outcome"])})


@dataclass
class CellResult:
    """Everything known about one cell after its run."""

    case: str
    target: str
    runtime: str
    verdict: Verdict
    reason: str = ""
    ran: bool = False
    toolchain: str = ""  # "" for a prebuilt guest (no toolchain built it)
    # the build profile (harness/catalogue/build_profiles.yaml): abort, unwind
    build_profile: str = DEFAULT_PROFILE
    kind: CellKind = CellKind.FIXTURE
    reason_code: ReasonCode | None = None  # why a cell was not run or not built, for grouping
    library: str = ""  # libtest: the library its tests exercise (core, alloc, std) or the crate
    test_binary: str = ""  # libtest: the cargo test target ("lib": the crate's unit tests)
    wasi_suite: str = ""  # wasi-testsuite: the suite (manifest name) the test belongs to
    suite: str = ""
    line: int = 0
    description: str = ""
    features: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # what it is evidence of (hello-world, codegen)
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
    wasi_imports: list[str] = field(default_factory=list)  # what the artifact imports of WASI
    build_s: float | None = None  # how long building the artifact took (its first build)
    build_key: str | None = None  # the build that made it (the artifacts of one crate share it)
    built: bool = False  # this cell's run did that build (its build_s is time of this run)
    compile_s: float | None = None  # the runtime's ahead-of-time compile, when this cell ran it
    startup_s: float | None = None  # a test binary's listing: runtime start, load, instantiation
    worker: str = ""  # the pytest-xdist worker that ran it ("main" without xdist)
    started_at: float | None = None  # when it started (Unix time)
    builder: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)  # the guest's argv in the sandbox
    repro: str = ""
    attempts_s: list[float] | None = None  # a run that timed out or crashed, rerun: each attempt's duration
    first_attempt: dict[str, Any] | None = None  # that rerun's first run: exit_code, signal, stdout, stderr
    findings: list[CellFinding] = field(default_factory=list)  # lost output, a crash that did not recur
    conversation: dict[str, Any] | None = None  # a conversation with the guest: ok, failure, steps
    tests: list[TestResult] | None = None  # libtest cells: every test's result

    # ---- JSON -----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["verdict"] = self.verdict.value
        out["kind"] = self.kind.value
        out["reason_code"] = None if self.reason_code is None else self.reason_code.value
        out["findings"] = [f.to_json() for f in self.findings]
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
        values["kind"] = CellKind(raw["kind"])
        if raw.get("reason_code") is not None:
            values["reason_code"] = ReasonCode(raw["reason_code"])
        values["findings"] = [CellFinding.from_json(f) for f in raw.get("findings") or []]
        if raw.get("tests") is not None:
            values["tests"] = [TestResult.from_json(t) for t in raw["tests"]]
        return cls(**values)

    # ---- identity and presentation --------------------------------------------------

    @property
    def key(self) -> CellKey:
        return (self.case, self.target, self.runtime, self.toolchain, self.build_profile)

    @property
    def profile_suffix(self) -> str:
        """"" under the default build profile, else its name."""
        return "" if self.build_profile == DEFAULT_PROFILE else self.build_profile

    @property
    def build(self) -> str:
        """What built it, as the matrix sets builds side by side: the toolchain, with the build
        profile when it is not the default (`debian-sid +unwind`)."""
        return f"{self.toolchain} +{self.build_profile}" if self.profile_suffix else self.toolchain

    def name(self, with_toolchain: bool = False) -> str:
        """The pytest item name (with the toolchain on runs with several)."""
        return cell_name(self.case, self.target, self.runtime, self.toolchain if with_toolchain else "",
                         self.profile_suffix)

    @property
    def anchor(self) -> str:
        """The HTML id of the cell in matrix.html."""
        return cell_anchor(self.key)

    @property
    def group(self) -> str:
        """The row group: a wasi-testsuite test's suite, else the first feature the case lists."""
        if self.kind is CellKind.WASI_TESTSUITE:
            return self.wasi_suite
        return self.features[0] if self.features else NO_FEATURE

    @property
    def is_libtest(self) -> bool:
        return self.kind is CellKind.LIBTEST

    @property
    def is_std_evidence(self) -> bool:
        """Whether it speaks for Rust's std (a probe or Rust's own tests), not a runtime's WASI."""
        return self.kind is not CellKind.WASI_TESTSUITE

    @property
    def not_applicable(self) -> bool:
        """An `unsupported` cell that was not run (a skip, or a runtime that cannot run it)."""
        return self.verdict is Verdict.UNSUPPORTED and not self.ran

    @property
    def category(self) -> str:
        if self.not_applicable:
            return NA
        return self.verdict.category

    @property
    def symbol(self) -> str:
        return NA_SYMBOL if self.not_applicable else self.verdict.symbol

    @property
    def label(self) -> str:
        """The verdict as shown to readers ("n/a" for not-run unsupported cells)."""
        return NA if self.not_applicable else str(self.verdict)

    @property
    def test_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(map(str, TestOutcome), 0)
        for test in self.tests or []:
            counts[test.outcome] += 1
        return counts

    @property
    def failing_tests(self) -> int:
        return sum(1 for t in self.tests or [] if t.outcome in FAILING_TESTS)


def cell_anchor(key: tuple[str, str, str, str, str]) -> str:
    """The HTML id of the cell (case, target, runtime, toolchain, build profile) in matrix.html."""
    case, target, runtime, toolchain, profile = key
    text = f"cell-{case}__{target}__{runtime}"
    if toolchain:
        text += f"__{toolchain}"
    if profile != DEFAULT_PROFILE:
        text += f"__{profile}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", text)
