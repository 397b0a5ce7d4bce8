"""Judgment: every verdict of the harness, and every test outcome under its rule, decided here.

A cell that runs is judged from the guest's own exit status and output against its
expectation (the case's own, or the rule that decides the cell); a libtest cell from its
tests, each judged under the test-level rule that decides it; a cell that is not run
(a skip, a runtime or a toolchain that cannot, a lost sandbox) gets its verdict and a
reason code here too, so that reports group cells by code, never by reason text.
"""

from __future__ import annotations

import re

from harness.catalogue.targets import Target
from harness.results.record import TestResult
from harness.results.verdict import FAILING_TESTS, Judgment, ReasonCode, TestOutcome, Verdict
from harness.runtime import Runtime
from harness.sandbox.outcome import Outcome
from harness.suites.expect import Expectation
from harness.suites.rules import Rule, RuleKind

# What Rust's std prints when a guest panics or main returns Err (the guest's own words,
# as opposed to the runtime's trap report and backtrace that follow).
PANIC = re.compile(
    r"^thread '[^']*' (?:\(\d+\) )?panicked at ([^\n]*?):\n(.*?)(?=\nnote: |\nstack backtrace|\Z)",
    re.MULTILINE | re.DOTALL,
)
# std prints main's Err as `Error: {:?}`; Wasmtime's own report starts "Error: failed to ...".
MAIN_ERROR = re.compile(r"^Error: (?!failed to )(.+)$", re.MULTILINE)
MESSAGE_CHARS = 300
BUILD_ERROR_CHARS = 600
NAMED_TESTS = 5  # failing tests named in a libtest cell's reason


# ---- cells that are not run -------------------------------------------------------------------------


class Stopped(Exception):
    """A cell that ends before its guest's run, with its judgment: raised by a kind's steps (its
    build failed, its runtime is missing, its rule now says skip, the compile failed), caught
    once by the cell runner (harness/cells/runner.py)."""

    def __init__(self, judgment: Judgment) -> None:
        super().__init__(f"{judgment.verdict}: {judgment.reason}")
        self.judgment = judgment


def not_applicable(rule: Rule) -> Judgment:
    """A skip rule decides the cell: it is never run."""
    return Judgment(Verdict.UNSUPPORTED, f"not applicable: {rule.reason}", ReasonCode.SKIP_RULE)


def unsupported_by_runtime(why: str) -> Judgment:
    return Judgment(Verdict.UNSUPPORTED, f"unsupported by runtime: {why}", ReasonCode.RUNTIME_CANNOT)


def unsupported_by_harness(why: str) -> Judgment:
    return Judgment(Verdict.UNSUPPORTED, f"unsupported by harness: {why}", ReasonCode.HARNESS_CANNOT)


def unknown_target(who: str, target: Target) -> Judgment:
    """A toolchain without the target: not applicable, or, for a watch row of the catalogue
    (a target upstream has that no toolchain here does yet), unavailable until one has it."""
    if target.watch:
        return toolchain_unavailable(f"{who} does not have {target.triple}, {target.watch}")
    return Judgment(Verdict.UNSUPPORTED, f"not applicable: {who} does not know {target.triple}",
                    ReasonCode.UNKNOWN_TARGET)


def std_does_not_build(who: str, target: Target, detail: str) -> Judgment:
    return Judgment(Verdict.BUILD_ERROR, f"std for {target.triple} does not build with {who}:\n{detail}",
                    ReasonCode.STD_BUILD_FAILED)


def toolchain_unavailable(why: str) -> Judgment:
    return Judgment(Verdict.UNAVAILABLE, f"toolchain: {why}", ReasonCode.TOOLCHAIN_UNAVAILABLE)


def runtime_unavailable(why: str) -> Judgment:
    return Judgment(Verdict.UNAVAILABLE, f"runtime unavailable: {why}", ReasonCode.RUNTIME_UNAVAILABLE)


def sandbox_lost(why: str) -> Judgment:
    return Judgment(Verdict.INFRA_ERROR, f"sandbox lost: {why}", ReasonCode.SANDBOX_LOST)


LOST = "lost: the cell started but left no record (its worker died or the run was interrupted)"


def lost() -> Judgment:
    return Judgment(Verdict.INFRA_ERROR, LOST, ReasonCode.LOST)


def judge_not_run(judgment: Judgment, rule: Rule | None) -> Judgment:
    """A cell stopped before its guest ran: a build error its xfail rule expects is an xfail
    (e.g. a toolchain too old for a crate); any other verdict stands."""
    if judgment.verdict is Verdict.BUILD_ERROR and rule is not None and rule.kind.expects_failure:
        observed = judgment.reason[-BUILD_ERROR_CHARS:]
        return Judgment(Verdict.XFAIL, f"{rule.reason} (observed: build-error: {observed})",
                        judgment.code or ReasonCode.BUILD_ERROR)
    return judgment


def precompile_failed(outcome: Outcome) -> Judgment:
    """The runtime's ahead-of-time compile of the guest failed: the guest never ran."""
    if outcome.timed_out:
        return Judgment(Verdict.TIMEOUT, f"the runtime's ahead-of-time compile was killed after "
                                         f"{outcome.duration_s:.0f}s (time limit)")
    return Judgment(Verdict.LOAD_ERROR, "the runtime could not compile the guest ahead of time: "
                                        f"{_tail(outcome.stderr or outcome.stdout)}")


def build_error(message: str) -> Judgment:
    return Judgment(Verdict.BUILD_ERROR, message, ReasonCode.BUILD_ERROR)


# ---- a guest that ran ---------------------------------------------------------------------------------


def judge_run(outcome: Outcome, expect: Expectation, rule: Rule | None, runtime: Runtime) -> Judgment:
    """The verdict of one run of a guest, from its exit status and output."""
    if outcome.spawn_error:
        return Judgment(Verdict.UNAVAILABLE, f"runtime could not be started: {outcome.spawn_error}",
                        ReasonCode.RUNTIME_UNAVAILABLE)
    if rule is not None and rule.kind is RuleKind.UNSUPPORTED:
        assert rule.expect is not None
        problems = rule.expect.mismatches(outcome.exit_code, outcome.stdout, outcome.stderr)
        if not problems and not outcome.timed_out:
            return Judgment(Verdict.UNSUPPORTED, rule.reason)
        verdict, why = classify(outcome, problems, runtime)
        return Judgment(verdict, f"documented failure not seen ({why}); documented: {rule.reason}")
    problems = expect.mismatches(outcome.exit_code, outcome.stdout, outcome.stderr)
    if not problems and runtime.is_load_error(outcome.exit_code, outcome.stdout, outcome.stderr):
        # the status is the runtime's own, not the guest's: a guest that never ran never passes
        problems = ["the exit status matches, but it is the runtime's: the guest never ran"]
    if not problems and not outcome.timed_out:
        return _passed(rule, "")
    verdict, why = classify(outcome, problems, runtime)
    if rule is not None and rule.kind.expects_failure:
        return Judgment(Verdict.XFAIL, f"{rule.reason} (observed: {verdict.value}: {why})")
    return Judgment(verdict, why)


def output_lost(outcome: Outcome, expect: Expectation) -> bool:
    """Whether a guest's run looks as if the runtime lost the tail of its stdout: it ended with
    the exit status the case expects (no signal, no time limit), no check it printed failed, and
    only stdout falls short of the expectation. (Only a runtime known to lose output is asked.)"""
    if outcome.timed_out or outcome.signal is not None or outcome.spawn_error or expect.stdout is None:
        return False
    return (expect.exit_code_matches(outcome.exit_code) and not expect.stdout.matches(outcome.stdout)
            and (expect.stderr is None or expect.stderr.matches(outcome.stderr))
            and not _first_failed_check(outcome.stdout))


def judge_conversation(outcome: Outcome, rule: Rule | None, runtime: Runtime) -> Judgment:
    """The verdict of a conversation with the running guest: every step as its spec says, or the
    first that was not (a runtime that never got the guest going is a load error)."""
    if outcome.spawn_error:
        return Judgment(Verdict.UNAVAILABLE, f"runtime could not be started: {outcome.spawn_error}",
                        ReasonCode.RUNTIME_UNAVAILABLE)
    said = outcome.conversation or {}
    if said.get("ok"):
        return _passed(rule, "")
    failure = str(said.get("failure") or "the conversation did not take place")
    if outcome.timed_out:
        verdict, why = Verdict.TIMEOUT, f"the guest's time limit ran out: {failure}"
    elif runtime.is_load_error(outcome.exit_code, outcome.stdout, outcome.stderr):
        verdict, why = Verdict.LOAD_ERROR, f"runtime refused to load the guest: {_tail(outcome.stderr)}"
    else:
        message = guest_message(outcome.stderr)
        verdict, why = Verdict.FAIL, f"{failure}; {message}" if message else failure
    if rule is not None and rule.kind.expects_failure:
        return Judgment(Verdict.XFAIL, f"{rule.reason} (observed: {verdict.value}: {why})")
    return Judgment(verdict, why)


def _passed(rule: Rule | None, counts: str) -> Judgment:
    """A cell that did what its case expects, under its rule (an xfail rule goes stale)."""
    if rule is not None and rule.kind.expects_failure and rule.intermittent:
        return Judgment(Verdict.PASS, f"passed this time; known to fail intermittently: {rule.reason}")
    if rule is not None and rule.kind.expects_failure:
        return Judgment(Verdict.XPASS, f"expected to fail but passed (stale expectation): {rule.reason}"
                        + (f" [{counts}]" if counts else ""))
    return Judgment(Verdict.PASS, counts)


def classify(outcome: Outcome, problems: list[str], runtime: Runtime) -> tuple[Verdict, str]:
    """Classify a run that did not meet its expectation (`problems` says how)."""
    if outcome.timed_out:
        return Verdict.TIMEOUT, f"killed after {outcome.duration_s:.1f}s (time limit)"
    if outcome.signal is not None and outcome.oom_killed:
        return Verdict.CRASH, (f"killed by the sandbox's memory limit (out of memory, "
                               f"signal {outcome.signal})")
    if outcome.signal is not None:
        return Verdict.CRASH, f"runtime killed by signal {outcome.signal}"
    if runtime.is_load_error(outcome.exit_code, outcome.stdout, outcome.stderr):
        return Verdict.LOAD_ERROR, f"runtime refused to load the guest: {_tail(outcome.stderr)}"
    reason = "; ".join(problems) + _first_failed_check(outcome.stdout)
    message = guest_message(outcome.stderr)
    return Verdict.FAIL, f"{reason}; {message}" if message else reason


def guest_message(stderr: str) -> str:
    """The guest's own account of its failure: a panic's location and message, or main's Err."""
    panic = PANIC.search(stderr)
    if panic:
        text = " ".join(panic.group(2).split())
        return f"guest panicked at {panic.group(1)}: {text[:MESSAGE_CHARS]}"
    error = MAIN_ERROR.search(stderr)
    if error:
        return f"main returned Err: {error.group(1).strip()[:MESSAGE_CHARS]}"
    return ""


def _first_failed_check(stdout: str) -> str:
    for line in stdout.splitlines():
        if ": FAILED" in line:
            return f" ({line.strip()[:300]})"
    return ""


def _tail(text: str, lines: int = 3) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept)[:500]


# ---- the tests of a libtest cell ----------------------------------------------------------------------


def judge_test(result: TestResult, rule: Rule | None) -> TestResult:
    """A test's outcome under the rule that decides it (xfail: a failure is expected)."""
    if rule is None or not rule.kind.expects_failure:
        return result
    if result.outcome in FAILING_TESTS:
        return TestResult(result.name, TestOutcome.XFAIL, result.duration_s, result.message, rule.reason,
                          attempts_s=result.attempts_s)
    if result.outcome is TestOutcome.PASSED and not rule.intermittent:
        return TestResult(result.name, TestOutcome.XPASS, result.duration_s, reason=rule.reason,
                          attempts_s=result.attempts_s)
    return result


def summary(tests: list[TestResult]) -> str:
    """E.g. "2269 passed, 150 ignored, 2 xfail" (outcomes that occur, in a fixed order)."""
    counts: dict[TestOutcome, int] = {}
    for test in tests:
        counts[test.outcome] = counts.get(test.outcome, 0) + 1
    return ", ".join(f"{counts[o]} {o}" for o in TestOutcome if counts.get(o))


def judge_tests(tests: list[TestResult], rule: Rule | None) -> Judgment:
    """A libtest cell's verdict from its judged tests, under the cell's own rule.

    fail when a test fails that no rule expects to; else xpass when a test a rule expects to
    fail passed (a stale test rule is reported whatever the cell's rule says); else xfail when
    the cell's xfail rule expects the failures; else pass (or xpass, when the cell's xfail
    rule expected a failure that did not come)."""
    if not tests:
        return Judgment(Verdict.UNSUPPORTED, "no test of this binary exists for this target: upstream "
                                             "compiles every one of them out here (cfg)")
    counts = summary(tests)
    failing = [t for t in tests if t.outcome in FAILING_TESTS]
    stale = [t.name for t in tests if t.outcome is TestOutcome.XPASS]
    failed = ""
    if failing:
        named = "; ".join(f"{t.name} ({_what(t)}: {first_line(t.message)})" for t in failing[:NAMED_TESTS])
        more = f"; and {len(failing) - NAMED_TESTS} more" if len(failing) > NAMED_TESTS else ""
        failed = f"{len(failing)} of {len(tests)} tests failed: {named}{more} [{counts}]"
    expected = rule is not None and rule.kind.expects_failure
    if failing and not expected:
        return Judgment(Verdict.FAIL, failed)
    if stale:
        return Judgment(Verdict.XPASS, f"{len(stale)} tests expected to fail passed (stale expectations): "
                                       f"{', '.join(stale[:10])} [{counts}]")
    if failing:
        assert rule is not None
        return Judgment(Verdict.XFAIL, f"{rule.reason} (observed: {failed})")
    return _passed(rule, counts)


def _what(test: TestResult) -> str:
    """A failing test's outcome as a cell's reason names it."""
    if test.outcome is TestOutcome.INTERMITTENT:
        return "intermittent: crashed, then passed when run again alone"
    if test.outcome is TestOutcome.LOST:
        return "lost: no result, its output lost twice"
    return str(test.outcome)


def first_line(message: str) -> str:
    """The most telling line of a failure: a panic's message, else the first non-empty one."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if "panicked at" in line and index + 1 < len(lines):
            return f"{line.split('panicked at', 1)[1].strip().rstrip(':')}: {lines[index + 1]}"[:200]
    return (lines[0] if lines else "no output")[:200]
