"""Judging: outcome + expectation -> verdict, from the guest's own output and exit status."""

from __future__ import annotations

from harness.outcome import Outcome
from harness.runtime import Runtime
from harness.suite import Expectation, Override
from harness.verdict import Verdict


def judge(outcome: Outcome, expect: Expectation, override: Override | None,
          runtime: Runtime) -> tuple[Verdict, str]:
    """The verdict of a cell that ran, and the reason for it."""
    if outcome.spawn_error:
        return Verdict.UNAVAILABLE, f"runtime could not be started: {outcome.spawn_error}"
    if outcome.failed_step:
        return _failure(Verdict.INFRA_ERROR, f"preparation step {outcome.failed_step!r} failed: "
                        f"{_tail(outcome.stderr or outcome.stdout)}", override)
    if override is not None and override.kind == "unsupported":
        assert override.expect is not None
        problems = override.expect.mismatches(outcome.exit_code, outcome.stdout, outcome.stderr)
        if not problems:
            return Verdict.UNSUPPORTED, override.reason
        verdict, why = _bad(outcome, problems, runtime)
        return verdict, f"documented failure not seen ({why}); documented: {override.reason}"
    problems = expect.mismatches(outcome.exit_code, outcome.stdout, outcome.stderr)
    if not problems and not outcome.timed_out:
        if override is not None and override.kind == "xfail" and override.intermittent:
            return Verdict.PASS, f"passed this time; known to fail intermittently: {override.reason}"
        if override is not None and override.kind == "xfail":
            return Verdict.XPASS, f"expected to fail but passed (stale expectation): {override.reason}"
        return Verdict.PASS, ""
    verdict, why = _bad(outcome, problems, runtime)
    return _failure(verdict, why, override)


def _failure(verdict: Verdict, why: str, override: Override | None) -> tuple[Verdict, str]:
    if override is not None and override.kind == "xfail":
        return Verdict.XFAIL, f"{override.reason} (observed: {verdict.value}: {why})"
    return verdict, why


def _bad(outcome: Outcome, problems: list[str], runtime: Runtime) -> tuple[Verdict, str]:
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
    return Verdict.FAIL, "; ".join(problems) + _first_failed_check(outcome.stdout)


def _first_failed_check(stdout: str) -> str:
    for line in stdout.splitlines():
        if ": FAILED" in line:
            return f" ({line.strip()[:300]})"
    return ""


def _tail(text: str, lines: int = 3) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept)[:500]
