"""The judge: verdicts come from the guest's output and exit status, overrides applied."""

from __future__ import annotations

import pytest

from harness.judge import judge
from harness.outcome import Outcome
from harness.suite import Expectation, Matcher, Override
from runners.wasmtime import Wasmtime45

EXPECT = Expectation(exit_code=0, stdout=Matcher("contains", ("check: ok",)))
UNSUPPORTED = Override(
    "unsupported",
    "no threads here",
    None,
    None,
    expect=Expectation(3, stdout=Matcher("contains", ("spawn: unsupported",))),
)
XFAIL = Override("xfail", "known bug", None, None, link="https://example.invalid/1")


def outcome(
    exit_code: int | None = 0, stdout: str = "check: ok\n", stderr: str = "", **extra: object
) -> Outcome:
    return Outcome(exit_code=exit_code, stdout=stdout, stderr=stderr, duration_s=0.1, **extra)


@pytest.mark.parametrize(
    ("run", "override", "verdict"),
    [
        (outcome(), None, "pass"),
        (outcome(1, "check: FAILED: 2 != 3\n"), None, "fail"),
        (outcome(0, "nothing\n"), None, "fail"),
        (outcome(None, "", timed_out=True), None, "timeout"),
        (outcome(None, "", signal=11), None, "crash"),
        (outcome(1, "", "Error: failed to instantiate: unknown import `wasi:x`"), None, "load-error"),
        (outcome(3, "spawn: unsupported: Unsupported\n"), UNSUPPORTED, "unsupported"),
        (outcome(0, "check: ok\n"), UNSUPPORTED, "fail"),
        (outcome(1, "check: FAILED\n"), XFAIL, "xfail"),
        (outcome(None, "", timed_out=True), XFAIL, "xfail"),
        (outcome(), XFAIL, "xpass"),
        (outcome(None, "", spawn_error="No such file or directory: 'wasmtime-45'"), None, "unavailable"),
        (outcome(1, "", "jco: not found", failed_step="jco"), None, "infra-error"),
    ],
)
def test_verdicts(run: Outcome, override: Override | None, verdict: str) -> None:
    got, reason = judge(run, EXPECT, override, Wasmtime45())
    assert got.value == verdict
    if verdict != "pass":
        assert reason


def test_a_guest_that_prints_a_load_error_text_is_not_a_load_error() -> None:
    """Only the runtime's own refusal counts: a guest that printed anything ran."""
    run = outcome(1, "started\n", "failed to instantiate (printed by the guest)")
    assert judge(run, EXPECT, None, Wasmtime45())[0].value == "fail"


def test_reasons_name_the_failed_check() -> None:
    run = outcome(1, "a: ok\nb: FAILED: expected 4 got 3\n")
    verdict, reason = judge(run, EXPECT, None, Wasmtime45())
    assert verdict.value == "fail"
    assert "b: FAILED: expected 4 got 3" in reason
    assert "exit code 1, expected 0" in reason


def test_an_unsupported_cell_that_fails_differently_says_so() -> None:
    verdict, reason = judge(outcome(134, "", "panicked"), EXPECT, UNSUPPORTED, Wasmtime45())
    assert verdict.value == "fail"
    assert "documented failure not seen" in reason and "no threads here" in reason


def test_an_intermittent_xfail_that_passes_is_a_pass_and_says_so() -> None:
    flaky = Override("xfail", "loses output at exit, now and then", None, None, intermittent=True)
    verdict, reason = judge(outcome(), EXPECT, flaky, Wasmtime45())
    assert verdict.value == "pass"
    assert "intermittently" in reason
    assert judge(outcome(1, "x"), EXPECT, flaky, Wasmtime45())[0].value == "xfail"
