"""The libtest runner against a fake binary (named as such) that behaves like libtest with
panic=abort: one test's abort ends the process, and the others must still get results."""

from __future__ import annotations

import json

import pytest

from harness.cells.judgment import judge_tests, summary
from harness.cells.libtest import JSON_ARGS, Limits, listed_tests, parse_events, run_binary
from harness.results.record import FindingKind
from harness.results.verdict import Verdict
from harness.sandbox.outcome import Outcome
from harness.suites.rules import Rule, Selector


class FakeLibtestBinary:
    """A fake test binary: each test passes, fails, aborts, hangs, is ignored (upstream's
    #[ignore]), is a should_panic test (which libtest ignores on wasm), prints, or needs N
    seconds of CPU ("work:N": it times out under a shorter per-test limit)."""

    def __init__(self, tests: dict[str, str], json_list: bool = True) -> None:
        self.tests, self.calls = tests, []  # type: ignore[var-annotated]
        self.limits: list[Limits] = []
        self.json_list = json_list  # a libtest that lists in JSON (newer than Rust 1.85)
        self.started: dict[str, int] = {}  # how often each test started

    def __call__(self, args: list[str], limits: Limits) -> Outcome:
        self.calls.append(args)
        self.limits.append(limits)
        timeout_s, idle_s = limits.total_s, limits.test_cpu_s
        if args[:1] == ["--list"] and "json" in args:
            if not self.json_list:
                return Outcome(1, "", "error: unrecognized option: json listing\n", 0.01)
            events = [{"type": "suite", "event": "discovery"}]
            events += [{"type": "test", "event": "discovered", "name": n,
                        "ignore": self.tests[n] == "ignored"} for n in sorted(self.tests)]
            return Outcome(0, "".join(json.dumps(e) + "\n" for e in events), "", 0.01)
        if args[:1] == ["--list"]:
            names = [n for n in sorted(self.tests)
                     if "--ignored" not in args or self.tests[n] == "ignored"]
            text = "".join(f"{name}: test\n" for name in names) + "\n2 tests, 0 benchmarks\n"
            return Outcome(0, text, "", 0.01)
        assert args[: len(JSON_ARGS)] == list(JSON_ARGS)
        rest = args[len(JSON_ARGS):]
        exact = "--exact" in rest
        skips = {rest[i + 1] for i, a in enumerate(rest) if a == "--skip"}
        filters = [a for i, a in enumerate(rest) if a not in ("--exact", "--skip")
                   and (i == 0 or rest[i - 1] != "--skip")]
        chosen = [n for n in sorted(self.tests) if n not in skips
                  and (not filters or (n in filters if exact else any(f in n for f in filters)))]
        out = [json.dumps({"type": "suite", "event": "started", "test_count": len(chosen)})]
        for name in chosen:
            out.append(json.dumps({"type": "test", "event": "started", "name": name}))
            self.started[name] = self.started.get(name, 0) + 1
            behaviour = self.tests[name]
            if behaviour == "abort-once":  # a crash that does not recur
                behaviour = "abort" if self.started[name] == 1 else "ok"
            if behaviour == "abort":
                return Outcome(134, "\n".join(out) + "\n",
                               f"thread 'main' panicked at src/lib.rs:1:1:\n{name} went wrong\n", 0.02)
            if behaviour == "hang":
                return Outcome(None, "\n".join(out) + "\n", "", idle_s or timeout_s, timed_out=True)
            if behaviour.startswith("work:"):
                needs = float(behaviour[len("work:"):])
                if idle_s is not None and needs > idle_s:
                    return Outcome(None, "\n".join(out) + "\n", "", idle_s, timed_out=True)
                behaviour = "ok"
            glued = ""
            if behaviour.startswith("print:"):
                out.append(behaviour[len("print:"):])
                behaviour = "ok"
            if behaviour.startswith("glue:"):  # print! without a newline: glued to the event
                glued, behaviour = behaviour[len("glue:"):], "ok"
            event = {"ok": "ok", "fail": "failed", "ignored": "ignored",
                     "should_panic": "ignored"}[behaviour]
            record = {"type": "test", "name": name, "event": event, "exec_time": 0.001}
            if event == "failed":
                record["stdout"] = "assertion failed"
            out.append(glued + json.dumps(record).replace('{"type"', '{ "type"'))
        failed = sum(self.tests[n] == "fail" for n in chosen)
        out.append(json.dumps({"type": "suite", "event": "failed" if failed else "ok"}))
        return Outcome(101 if failed else 0, "\n".join(out) + "\n", "", 0.05)


class FakeLossyLibtestBinary(FakeLibtestBinary):
    """A fake test binary on a runtime that loses the tail of stdout when its reader lags (as
    Jco does): the first `lossy_runs` runs of tests that start `cut_at` end their output right
    after its "started" event, with exit code 0 (the tests after it did run)."""

    def __init__(self, tests: dict[str, str], cut_at: str, lossy_runs: int) -> None:
        super().__init__(tests)
        self.cut_at, self.lossy_runs = cut_at, lossy_runs

    def __call__(self, args: list[str], limits: Limits) -> Outcome:
        outcome = super().__call__(args, limits)
        started = json.dumps({"type": "test", "event": "started", "name": self.cut_at})
        if args[:1] == ["--list"] or started not in outcome.stdout or self.lossy_runs == 0:
            return outcome
        self.lossy_runs -= 1
        kept = outcome.stdout[: outcome.stdout.index(started) + len(started) + 1]
        return Outcome(0, kept, "", outcome.duration_s)


def rule(kind: str, *tests: str, intermittent: bool = False) -> Rule:
    return Rule(kind, f"{kind} these", Selector(tests=tests), "x.yaml:1", shared=True,
                intermittent=intermittent)


def outcomes(run) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {t.name: t.outcome for t in run.tests}


def test_every_test_has_a_result_although_two_abort_the_process() -> None:
    binary = FakeLibtestBinary({"a::one": "ok", "a::two": "abort", "b::three": "ok",
                                "b::four": "fail", "c::five": "abort", "c::six": "ignored",
                                "c::seven": "should_panic"})
    run = run_binary(binary, [], timeout_s=600, test_timeout_s=60)
    assert outcomes(run) == {"a::one": "passed", "a::two": "crashed", "b::four": "failed",
                             "b::three": "passed", "c::five": "crashed", "c::six": "ignored",
                             "c::seven": "ignored"}
    crashed = next(t for t in run.tests if t.name == "a::two")
    assert "a::two went wrong" in crashed.message and "exit code 134" in crashed.message
    # a crash is confirmed: the test ran again alone, crashed again, and both attempts are kept
    assert crashed.message.startswith("crashed, and again when run again alone")
    assert crashed.message.count("a::two went wrong") == 2
    assert crashed.attempts_s is not None and len(crashed.attempts_s) == 2
    # one listing, the whole binary, then after each abort the crashed test alone and the rest
    # by exact name
    assert len(binary.calls) == 6
    assert binary.calls[2][-2:] == ["--exact", "a::two"]
    assert binary.calls[3][-5:] == ["b::four", "b::three", "c::five", "c::seven", "c::six"]
    assert "--exact" in binary.calls[3]
    assert binary.calls[4][-2:] == ["--exact", "c::five"]
    assert summary(run.tests) == "2 passed, 1 failed, 2 crashed, 2 ignored"
    reasons = {t.name: t.reason for t in run.tests if t.outcome == "ignored"}
    assert reasons["c::six"] == "marked #[ignore]"
    assert reasons["c::seven"].startswith("#[should_panic]: libtest ignores it on the wasm targets")


def test_a_hanging_test_is_its_own_timeout_and_the_rest_still_run() -> None:
    binary = FakeLibtestBinary({"a": "ok", "b": "hang", "c": "ok"})
    run = run_binary(binary, [], timeout_s=600, test_timeout_s=5)
    assert outcomes(run) == {"a": "passed", "b": "timeout", "c": "passed"}


def test_a_timeout_is_confirmed_alone_with_a_longer_limit_before_it_stands() -> None:
    """A test that needs more than its limit (as a slow or busy machine makes it) runs again
    alone with twice the limit: it passes there, and the record keeps both attempts; a test
    that never ends times out twice. The per-test limit is CPU time, with a wall-time backstop."""
    binary = FakeLibtestBinary({"a": "ok", "b": "work:7", "c": "hang", "d": "ok"})
    run = run_binary(binary, [], timeout_s=600, test_timeout_s=5)
    assert outcomes(run) == {"a": "passed", "b": "passed", "c": "timeout", "d": "passed"}
    slow = next(t for t in run.tests if t.name == "b")
    assert slow.attempts_s is not None and len(slow.attempts_s) == 2 and slow.message == ""
    hang = next(t for t in run.tests if t.name == "c")
    assert hang.attempts_s is not None and len(hang.attempts_s) == 2
    assert "run again alone" in hang.message
    alone = [(call, limits) for call, limits in zip(binary.calls, binary.limits, strict=True)
             if call[-2:] in (["--exact", "b"], ["--exact", "c"])]
    assert [limits.test_cpu_s for _, limits in alone] == [10.0, 10.0]  # twice the limit of 5 s
    assert all(limits.test_wall_s and limits.test_wall_s > limits.test_cpu_s for _, limits in alone)


def test_rules_skip_and_expect_failures_of_single_tests() -> None:
    binary = FakeLibtestBinary({"a": "ok", "b": "hang", "c": "abort", "d": "ok", "e": "ok"})
    rules = [rule("skip", "b"), rule("xfail", "c"), rule("xfail", "d"),
             rule("xfail", "e", intermittent=True)]
    run = run_binary(binary, rules, timeout_s=600, test_timeout_s=5)
    assert outcomes(run) == {"a": "passed", "b": "skipped", "c": "xfail", "d": "xpass", "e": "passed"}
    assert next(t for t in run.tests if t.name == "b").reason == "skip these"
    # the skipped test never starts; the tests a rule expects to fail run each alone, last
    runs = binary.calls[1:]
    assert runs[0][-9:] == ["--exact", "--skip", "b", "--skip", "c", "--skip", "d", "--skip", "e"]
    assert [call[-2:] for call in runs[1:]] == [["--exact", "c"], ["--exact", "d"], ["--exact", "e"]]


def test_tests_that_crashed_last_time_run_alone_so_the_rest_need_no_restart() -> None:
    binary = FakeLibtestBinary({"a": "ok", "b": "abort", "c": "ok", "d": "abort", "e": "ok"})
    run = run_binary(binary, [], timeout_s=600, test_timeout_s=5, crashers=["b", "d"])
    assert outcomes(run) == {"a": "passed", "b": "crashed", "c": "passed", "d": "crashed", "e": "passed"}
    # the listing, the rest in one go, then b and d alone, each twice (a crash is confirmed)
    assert len(binary.calls) == 6
    assert [call[-2:] for call in binary.calls[2:]] == [["--exact", "b"]] * 2 + [["--exact", "d"]] * 2


def test_a_libtest_that_cannot_list_in_json_lists_twice_in_its_terse_format() -> None:
    binary = FakeLibtestBinary({"a": "ok", "b": "ignored"}, json_list=False)
    run = run_binary(binary, [], timeout_s=600, test_timeout_s=5)
    assert outcomes(run) == {"a": "passed", "b": "ignored"}
    assert next(t for t in run.tests if t.name == "b").reason.startswith("marked #[ignore]")
    assert [call[:3] for call in binary.calls[:3]] == [
        ["--list", "-Zunstable-options", "--format"], ["--list", "--format", "terse"],
        ["--list", "--ignored", "--format"]]


def test_test_output_stays_with_its_test_even_glued_to_an_event() -> None:
    binary = FakeLibtestBinary({"a": "print:looking at a", "b": "glue:no newline", "c": "ok"})
    events = parse_events(binary(list(JSON_ARGS), Limits(60)).stdout)
    assert events.output == {"a": ["looking at a"], "b": ["no newline"]} and events.finished
    assert {n: r.outcome for n, r in events.results.items()} == {"a": "passed", "b": "passed",
                                                                 "c": "passed"}


def test_a_binary_that_cannot_list_its_tests_gives_no_results() -> None:
    def broken(args: list[str], limits: Limits) -> Outcome:
        return Outcome(1, "", "Error: failed to instantiate: unknown import", 0.1)

    run = run_binary(broken, [], timeout_s=60, test_timeout_s=5)
    assert run.tests == [] and run.listing is not None and run.listing.exit_code == 1


def test_the_time_limit_bounds_the_reruns() -> None:
    binary = FakeLibtestBinary({f"t{i:02}": "abort" for i in range(30)})
    run = run_binary(binary, [], timeout_s=0.2, test_timeout_s=5)
    counts = {o: sum(t.outcome == o for t in run.tests) for o in ("crashed", "timeout")}
    assert counts["crashed"] >= 1 and counts["timeout"] >= 1
    assert counts["crashed"] + counts["timeout"] == 30


@pytest.mark.parametrize(
    ("text", "names"),
    [("a::b: test\nc: test\nd: bench\n\n2 tests, 1 benchmark\n", ["a::b", "c"]), ("", [])],
)
def test_listing(text: str, names: list[str]) -> None:
    assert listed_tests(text) == names


def test_a_run_that_stops_mid_test_with_exit_0_lost_its_output_and_the_rest_run_again() -> None:
    """The stream stops after "b" started, exit code 0 (Jco under load): that is lost output,
    not a crash of b. The tests without a result run again by exact name and are judged there;
    the record says what happened."""
    binary = FakeLossyLibtestBinary({"a": "ok", "b": "ok", "c": "ok", "d": "fail"}, cut_at="b",
                                    lossy_runs=1)
    run = run_binary(binary, [], timeout_s=600, test_timeout_s=5)
    assert outcomes(run) == {"a": "passed", "b": "passed", "c": "passed", "d": "failed"}
    assert all(t.attempts_s is None for t in run.tests)  # a rerun of lost output is no second attempt
    # the listing, the whole binary (cut after b started), then b, c and d by exact name
    assert [call[len(JSON_ARGS):] for call in binary.calls[1:]] == [[], ["--exact", "b", "c", "d"]]
    (finding,) = run.findings
    assert finding.kind is FindingKind.LOST_OUTPUT and finding.tests == ["b", "c", "d"]
    assert finding.detail.startswith("lost output, not a crash: 1 run(s) of the binary ended as "
                                     "libtest ends (exit code 0)")
    assert finding.detail.endswith("and every one got its result there")
    assert judge_tests(run.tests, None).verdict is Verdict.FAIL  # d's own failure, nothing else


def test_output_lost_again_on_the_rerun_is_lost_and_a_rule_on_lost_output_expects_it() -> None:
    binary = FakeLossyLibtestBinary({"a": "ok", "b": "ok", "c": "ok"}, cut_at="b", lossy_runs=2)
    run = run_binary(binary, [], timeout_s=600, test_timeout_s=5)
    assert outcomes(run) == {"a": "passed", "b": "lost", "c": "lost"}
    lost = next(t for t in run.tests if t.name == "b")
    assert lost.message.startswith("no result: the process ended as libtest ends (exit code 0)")
    assert run.findings[0].detail.endswith("and 2 still had none (lost)")
    assert judge_tests(run.tests, None).verdict is Verdict.FAIL
    # the runtime's rule on lost output (an intermittent xfail) decides the tests left without a result
    binary = FakeLossyLibtestBinary({"a": "ok", "b": "ok", "c": "ok"}, cut_at="b", lossy_runs=2)
    known = rule("xfail", intermittent=True)
    run = run_binary(binary, [], timeout_s=600, test_timeout_s=5, lost_rule=known)
    assert outcomes(run) == {"a": "passed", "b": "xfail", "c": "xfail"}
    assert judge_tests(run.tests, None).verdict is Verdict.PASS
    # once the rerun gets through, the rule decides nothing: the rerun's results stand
    binary = FakeLossyLibtestBinary({"a": "ok", "b": "ok", "c": "fail"}, cut_at="b", lossy_runs=1)
    run = run_binary(binary, [], timeout_s=600, test_timeout_s=5, lost_rule=known)
    assert outcomes(run) == {"a": "passed", "b": "passed", "c": "failed"}


def test_a_crash_that_does_not_recur_is_intermittent_with_both_attempts() -> None:
    binary = FakeLibtestBinary({"a": "ok", "b": "abort-once", "c": "ok"})
    run = run_binary(binary, [], timeout_s=600, test_timeout_s=5)
    assert outcomes(run) == {"a": "passed", "b": "intermittent", "c": "passed"}
    flaky = next(t for t in run.tests if t.name == "b")
    assert flaky.attempts_s is not None and len(flaky.attempts_s) == 2
    first, second = flaky.message.split("\nsecond attempt: ")
    assert first.startswith("crashed, then passed when run again alone")
    assert "first attempt: the process ended (exit code 134)" in first and "b went wrong" in first
    assert second == "passed"
    (finding,) = run.findings
    assert finding.kind is FindingKind.INTERMITTENT_CRASH and finding.tests == ["b"]
    # b alone right after its crash, then c by exact name
    assert [call[-2:] for call in binary.calls[2:]] == [["--exact", "b"], ["--exact", "c"]]
    # reported as such: neither a pass nor a plain failure
    judged = judge_tests(run.tests, None)
    assert judged.verdict is Verdict.FAIL
    assert "b (intermittent: crashed, then passed when run again alone" in judged.reason


def test_a_crash_a_rule_expects_is_not_run_again() -> None:
    binary = FakeLibtestBinary({"a": "ok", "b": "abort"})
    run = run_binary(binary, [rule("xfail", "b")], timeout_s=600, test_timeout_s=5)
    assert outcomes(run) == {"a": "passed", "b": "xfail"}
    assert binary.started["b"] == 1
