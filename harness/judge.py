"""Judging: outcome + expectation -> verdict, from the guest's own output and exit status."""

from __future__ import annotations

import re

from harness.expect import Expectation
from harness.expectations import Rule
from harness.outcome import Outcome
from harness.runtime import Runtime
from harness.verdict import Verdict

# What Rust's std prints when a guest panics or main returns Err (the guest's own words,
# as opposed to the runtime's trap report and backtrace that follow).
PANIC = re.compile(
    r"^thread '[^']*' (?:\(\d+\) )?panicked at ([^\n]*?):\n(.*?)(?=\nnote: |\nstack backtrace|\Z)",
    re.MULTILINE | re.DOTALL,
)
# std prints main's Err as `Error: {:?}`; Wasmtime's own report starts "Error: failed to ...".
MAIN_ERROR = re.compile(r"^Error: (?!failed to )(.+)$", re.MULTILINE)
MESSAGE_CHARS = 300


def judge(outcome: Outcome, expect: Expectation, rule: Rule | None,
          runtime: Runtime) -> tuple[Verdict, str]:
    """The verdict of a cell that ran, and the reason for it."""
    if outcome.spawn_error:
        return Verdict.UNAVAILABLE, f"runtime could not be started: {outcome.spawn_error}"
    if rule is not None and rule.kind == "unsupported":
        assert rule.expect is not None
        problems = rule.expect.mismatches(outcome.exit_code, outcome.stdout, outcome.stderr)
        if not problems and not outcome.timed_out:
            return Verdict.UNSUPPORTED, rule.reason
        verdict, why = classify(outcome, problems, runtime)
        return verdict, f"documented failure not seen ({why}); documented: {rule.reason}"
    problems = expect.mismatches(outcome.exit_code, outcome.stdout, outcome.stderr)
    if not problems and runtime.is_load_error(outcome.exit_code, outcome.stdout, outcome.stderr):
        # the status is the runtime's own, not the guest's: a guest that never ran never passes
        problems = ["the exit status matches, but it is the runtime's: the guest never ran"]
    if not problems and not outcome.timed_out:
        if rule is not None and rule.kind == "xfail" and rule.intermittent:
            return Verdict.PASS, f"passed this time; known to fail intermittently: {rule.reason}"
        if rule is not None and rule.kind == "xfail":
            return Verdict.XPASS, f"expected to fail but passed (stale expectation): {rule.reason}"
        return Verdict.PASS, ""
    verdict, why = classify(outcome, problems, runtime)
    if rule is not None and rule.kind == "xfail":
        return Verdict.XFAIL, f"{rule.reason} (observed: {verdict.value}: {why})"
    return verdict, why


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
