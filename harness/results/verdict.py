"""The outcomes of judgment: the eleven verdicts of a cell, the outcomes of a single test, and the
codes by which reports group cells that were not run or not built."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"  # ran, wrong behaviour
    LOAD_ERROR = "load-error"  # the runtime refused to instantiate
    TIMEOUT = "timeout"
    CRASH = "crash"  # the runtime itself died
    XFAIL = "xfail"
    XPASS = "xpass"  # an expected failure now passes: a stale expectation
    UNSUPPORTED = "unsupported"  # failed exactly as documented, or does not apply
    BUILD_ERROR = "build-error"
    UNAVAILABLE = "unavailable"  # runtime or toolchain missing
    INFRA_ERROR = "infra-error"  # the harness or Docker failed

    @property
    def facts(self) -> VerdictFacts:
        return TABLE[self]

    @property
    def is_good(self) -> bool:
        """Whether the pytest item passes (or is skipped) with this verdict."""
        return self.facts.good

    @property
    def symbol(self) -> str:
        return self.facts.symbol

    @property
    def legend(self) -> str:
        return self.facts.legend

    @property
    def category(self) -> str:
        """The report category of a cell with this verdict that ran (a cell that did not run and
        is unsupported is "n/a": harness/results/record.py)."""
        return self.facts.category

    @property
    def rank(self) -> int:
        """Best (0) to worst, as harness/report/diff.py orders changes."""
        return RANKED.index(self)

    @property
    def junit(self) -> JUnitKind:
        return self.facts.junit

    def pytest_outcome(self, ran: bool) -> PytestOutcome:
        """What becomes of the pytest item of a cell with this verdict."""
        return self.facts.pytest_ran if ran else self.facts.pytest_not_ran


class PytestOutcome(StrEnum):
    PASSED = "passed"
    SKIPPED = "skipped"
    XFAILED = "xfailed"
    FAILED = "failed"


class JUnitKind(StrEnum):
    """The element a cell's testcase carries in junit.xml."""

    NONE = "none"  # a plain passing testcase
    SKIPPED = "skipped"
    FAILURE = "failure"  # a finding
    ERROR = "error"  # the harness failed


@dataclass(frozen=True)
class VerdictFacts:
    """Everything a verdict means to the pytest item, the reports and the diff."""

    symbol: str  # report symbols: readable without colour
    legend: str  # the matrix's legend
    category: str  # the report category of a cell that ran
    pytest_ran: PytestOutcome  # the pytest item of a cell whose guest ran
    pytest_not_ran: PytestOutcome  # ... of one that did not run
    junit: JUnitKind

    @property
    def good(self) -> bool:
        return self.pytest_ran is not PytestOutcome.FAILED


_P, _S, _X, _F = PytestOutcome.PASSED, PytestOutcome.SKIPPED, PytestOutcome.XFAILED, PytestOutcome.FAILED
TABLE: dict[Verdict, VerdictFacts] = {
    # a pass whose guest did not run is no pass: its item fails
    Verdict.PASS: VerdictFacts("✔", "pass: behaved as the case expects", "pass", _P, _F,
                               JUnitKind.NONE),
    Verdict.FAIL: VerdictFacts("✘", "fail: ran, wrong behaviour", "fail", _F, _F, JUnitKind.FAILURE),
    Verdict.LOAD_ERROR: VerdictFacts("L", "load-error: the runtime refused to instantiate", "fail", _F, _F,
                                     JUnitKind.FAILURE),
    Verdict.TIMEOUT: VerdictFacts("T", "timeout", "fail", _F, _F, JUnitKind.FAILURE),
    Verdict.CRASH: VerdictFacts("C", "crash: the runtime itself died", "fail", _F, _F, JUnitKind.FAILURE),
    Verdict.XFAIL: VerdictFacts("x", "xfail: a known bug (see its reason and link)", "xfail", _X, _X,
                                JUnitKind.SKIPPED),
    Verdict.XPASS: VerdictFacts("X!", "xpass: an expected failure now passes (stale expectation)", "fail",
                                _F, _F, JUnitKind.FAILURE),
    Verdict.UNSUPPORTED: VerdictFacts("U", "unsupported: failed exactly as documented by design",
                                      "unsupported", _P, _S, JUnitKind.SKIPPED),
    Verdict.BUILD_ERROR: VerdictFacts("B", "build-error: the fixture did not build for the target", "fail",
                                      _F, _F, JUnitKind.FAILURE),
    Verdict.UNAVAILABLE: VerdictFacts("-", "unavailable: runtime or toolchain missing, not run",
                                      "unavailable", _S, _S, JUnitKind.SKIPPED),
    Verdict.INFRA_ERROR: VerdictFacts("I", "infra-error: the harness or Docker failed", "fail", _F, _F,
                                      JUnitKind.ERROR),
}
# Verdicts from best to worst: a change is a regression or a fix by this order (report/diff.py).
RANKED: tuple[Verdict, ...] = (
    Verdict.PASS, Verdict.XPASS, Verdict.UNSUPPORTED, Verdict.XFAIL, Verdict.UNAVAILABLE, Verdict.FAIL,
    Verdict.LOAD_ERROR, Verdict.TIMEOUT, Verdict.CRASH, Verdict.BUILD_ERROR, Verdict.INFRA_ERROR,
)

GOOD_VERDICTS = frozenset(v for v in Verdict if v.is_good)
# The verdicts counted as "fail" in summaries: every verdict that fails the pytest item.
FAILING_VERDICTS: tuple[Verdict, ...] = tuple(v for v in Verdict if not v.is_good)
SYMBOLS: dict[Verdict, str] = {v: v.symbol for v in Verdict}


class TestOutcome(StrEnum):
    """What became of one test of a libtest cell; in the order reports list them."""

    __test__ = False  # not a test class for pytest

    PASSED = "passed"
    FAILED = "failed"
    CRASHED = "crashed"  # the process ended while the test ran (a panic, trap or abort)
    TIMEOUT = "timeout"  # the test went silent for its time limit, twice
    # ended the process once, then passed when run again alone: a crash that did not recur
    INTERMITTENT = "intermittent"
    # never reported: its process ended as libtest ends (exit 0) without the test's result, and
    # so did the rerun (the runtime lost the tail of stdout)
    LOST = "lost"
    XFAIL = "xfail"  # failed as a rule expects
    XPASS = "xpass"  # passed where a rule expects a failure: a stale rule
    IGNORED = "ignored"  # upstream's #[ignore], or a #[should_panic] libtest cannot run here
    SKIPPED = "skipped"  # never started: a skip rule


# The outcomes of a test that failed with no rule expecting it.
FAILING_TESTS = frozenset({TestOutcome.FAILED, TestOutcome.CRASHED, TestOutcome.TIMEOUT,
                           TestOutcome.INTERMITTENT, TestOutcome.LOST})


class ReasonCode(StrEnum):
    """Why a cell was not run, or not built: what reports group by (never the reason's words)."""

    SKIP_RULE = "skip-rule"  # an expectation says the case does not apply
    RUNTIME_CANNOT = "runtime-cannot"  # the runtime cannot run such artifacts (or grant sockets)
    HARNESS_CANNOT = "harness-cannot"  # the harness cannot perform what the test needs
    UNKNOWN_TARGET = "unknown-target"  # the toolchain does not know the target
    STD_BUILD_FAILED = "std-build-failed"  # the toolchain's std for the target does not build
    BUILD_ERROR = "build-error"  # the case's own build failed
    TOOLCHAIN_UNAVAILABLE = "toolchain-unavailable"
    RUNTIME_UNAVAILABLE = "runtime-unavailable"
    SANDBOX_LOST = "sandbox-lost"
    LOST = "lost"  # started, never recorded (a worker died, or the run was interrupted)


@dataclass(frozen=True)
class Judgment:
    """A verdict, why, and (for cells the reports group by cause) a reason code
    (harness/cells/judgment.py decides them)."""

    verdict: Verdict
    reason: str
    code: ReasonCode | None = None
