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
    def is_good(self) -> bool:
        """Whether the pytest item passes (or is skipped) with this verdict."""
        return self in GOOD_VERDICTS


GOOD_VERDICTS = frozenset({Verdict.PASS, Verdict.XFAIL, Verdict.UNSUPPORTED, Verdict.UNAVAILABLE})
# The verdicts counted as "fail" in summaries: every verdict that fails the pytest item.
FAILING_VERDICTS: tuple[Verdict, ...] = tuple(v for v in Verdict if not v.is_good)

# Report symbols: readable without colour.
SYMBOLS: dict[Verdict, str] = {
    Verdict.PASS: "✔",
    Verdict.FAIL: "✘",
    Verdict.LOAD_ERROR: "L",
    Verdict.TIMEOUT: "T",
    Verdict.CRASH: "C",
    Verdict.XFAIL: "x",
    Verdict.XPASS: "X!",
    Verdict.UNSUPPORTED: "U",
    Verdict.BUILD_ERROR: "B",
    Verdict.UNAVAILABLE: "-",
    Verdict.INFRA_ERROR: "I",
}


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
