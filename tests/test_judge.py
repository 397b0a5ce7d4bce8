"""The judge: verdicts come from the guest's output and exit status, overrides applied."""

from __future__ import annotations

import pytest

from harness.cells.judgment import guest_message, judge_run
from harness.results.verdict import Verdict
from harness.runtime import Runtime, installed_runtimes
from harness.sandbox.outcome import Outcome
from harness.suites.expect import Expectation, Matcher
from harness.suites.rules import Rule, Selector

W45 = installed_runtimes()["wasmtime-45"]


def judge(run: Outcome, expect: Expectation, rule: Rule | None, runtime: Runtime) -> tuple[Verdict, str]:
    judgment = judge_run(run, expect, rule, runtime)
    return judgment.verdict, judgment.reason


EXPECT = Expectation(exit_code=0, stdout=Matcher("contains", ("check: ok",)))
UNSUPPORTED = Rule(
    "unsupported",
    "no threads here",
    Selector(),
    "suite.yaml:1",
    expect=Expectation(3, stdout=Matcher("contains", ("spawn: unsupported",))),
)
XFAIL = Rule("xfail", "known bug", Selector(), "suite.yaml:2", link="https://example.invalid/1")


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
    ],
)
def test_verdicts(run: Outcome, override: Rule | None, verdict: str) -> None:
    got, reason = judge(run, EXPECT, override, W45)
    assert got.value == verdict
    if verdict != "pass":
        assert reason


def test_a_guest_that_prints_a_load_error_text_is_not_a_load_error() -> None:
    """Only the runtime's own refusal counts: a guest that printed anything ran."""
    run = outcome(1, "started\n", "failed to instantiate (printed by the guest)")
    assert judge(run, EXPECT, None, W45)[0].value == "fail"


def test_reasons_name_the_failed_check() -> None:
    run = outcome(1, "a: ok\nb: FAILED: expected 4 got 3\n")
    verdict, reason = judge(run, EXPECT, None, W45)
    assert verdict.value == "fail"
    assert "b: FAILED: expected 4 got 3" in reason
    assert "exit code 1, expected 0" in reason


def test_an_unsupported_cell_that_fails_differently_says_so() -> None:
    verdict, reason = judge(outcome(134, "", "panicked"), EXPECT, UNSUPPORTED, W45)
    assert verdict.value == "fail"
    assert "documented failure not seen" in reason and "no threads here" in reason


def test_an_intermittent_xfail_that_passes_is_a_pass_and_says_so() -> None:
    flaky = Rule("xfail", "loses output at exit, now and then", Selector(), "s.yaml:3", intermittent=True)
    verdict, reason = judge(outcome(), EXPECT, flaky, W45)
    assert verdict.value == "pass"
    assert "intermittently" in reason
    assert judge(outcome(1, "x"), EXPECT, flaky, W45)[0].value == "xfail"


PANIC_STDERR = """\
thread 'main' (1) panicked at src/main.rs:22:28:
called `Result::unwrap()` on an `Err` value: Os { code: 29, kind: Uncategorized, message: "I/O error" }
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
Error: failed to run main module `/artifacts/x/sockets.wasm`

Caused by:
    0: failed to invoke command default
    1: error while executing at wasm backtrace:
           0: 0x1234 - std::process::abort
"""


def test_a_failing_guests_reason_names_its_panic_not_the_runtimes_backtrace() -> None:
    verdict, reason = judge(outcome(134, "a: ok\n", PANIC_STDERR), EXPECT, None, W45)
    assert verdict.value == "fail"
    assert ("guest panicked at src/main.rs:22:28: called `Result::unwrap()` on an `Err` value: "
            "Os { code: 29, kind: Uncategorized, message: \"I/O error\" }") in reason
    assert "wasm backtrace" not in reason and "failed to invoke" not in reason


@pytest.mark.parametrize(
    ("stderr", "message"),
    [
        ("thread 'main' panicked at a.rs:1:2:\nboom\n", "guest panicked at a.rs:1:2: boom"),
        ("thread '<unnamed>' panicked at b.rs:3:4:\ntwo\nlines\nnote: run with",
         "guest panicked at b.rs:3:4: two lines"),
        ('Error: Custom { kind: Other, error: "x" }\n',
         'main returned Err: Custom { kind: Other, error: "x" }'),
        ("Error: failed to run main module\n\nCaused by: x", ""),  # Wasmtime's, not the guest's
        ("RuntimeError: unreachable\n", ""),
    ],
)
def test_guest_messages(stderr: str, message: str) -> None:
    assert guest_message(stderr) == message


def test_a_stale_test_rule_is_reported_whatever_the_cells_rule_says() -> None:
    """A test that a rule expects to fail passed (xpass): the cell is xpass, even when the cell's
    own xfail rule expects failures of other tests, which it then does not hide."""
    from harness.cells.judgment import judge_tests
    from harness.results.record import TestResult
    from harness.results.verdict import TestOutcome

    tests = [TestResult("a", TestOutcome.PASSED), TestResult("b", TestOutcome.XPASS, reason="old bug"),
             TestResult("c", TestOutcome.CRASHED, message="panicked at x.rs:1:1:\nboom")]
    assert judge_tests(tests, XFAIL).verdict is Verdict.XPASS
    assert "b" in judge_tests(tests, XFAIL).reason
    assert judge_tests(tests[:2], None).verdict is Verdict.XPASS
    # a failure no rule expects is a fail first; the cell's xfail expects it otherwise
    assert judge_tests(tests, None).verdict is Verdict.FAIL
    assert judge_tests([tests[0], tests[2]], XFAIL).verdict is Verdict.XFAIL
    assert judge_tests(tests[:1], XFAIL).verdict is Verdict.XPASS
    assert judge_tests(tests[:1], None).verdict is Verdict.PASS
