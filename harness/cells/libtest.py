"""Running a libtest binary (a cargo test target) under a runtime, one test's crash at a time.

On the wasm targets std is built with panic=abort: the first test that panics (or
calls process::abort, or traps) ends the whole process. So the binary runs with one
test thread and libtest's JSON events, a test that started and never finished is
recorded as crashed (or timed out, when the process went silent), and the rest run
again, filtered by their exact names, until every test has a result. A test a rule
skips is never started (`--skip NAME --exact`).

A crash or a timeout no rule expects is confirmed: the test runs again alone before its
result stands (a crash that does not recur is `intermittent`, with both outputs). A process
that ends as libtest ends (exit 0, or 101 when tests failed) before its suite's end event has
lost the tail of its output, which is no crash: the tests without a result run again, and are
judged by that run (`lost` if the output is lost again).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from harness.cells.judgment import first_line, judge_test
from harness.results.record import CellFinding, FindingKind, TestResult
from harness.results.verdict import TestOutcome
from harness.sandbox.outcome import Outcome
from harness.suites.rules import Rule, for_test

MESSAGE_CHARS = 2000
# libtest's JSON events with times, one test at a time (so the crashing one is the last
# started), output not captured: a panic's message is lost with libtest's capture buffer
# when the process aborts, and goes to stderr with --nocapture. Its unstable options need
# RUSTC_BOOTSTRAP=1 in the guest.
JSON_ARGS = ("-Zunstable-options", "--format", "json", "--report-time", "--test-threads", "1",
             "--nocapture")
# libtest reports a #[should_panic] test as ignored on every wasm target but Emscripten, with
# panic=unwind too (library/test/src/lib.rs, 1.97 and 1.98); a test ignored upstream is listed
# by `--list --ignored`.
SHOULD_PANIC = ("#[should_panic]: libtest ignores it on the wasm targets (it assumes a panic aborts "
                "the process, and it has no process per test)")
EVENT = re.compile(r'\{\s*"type"\s*:')
ENV = {"RUSTC_BOOTSTRAP": "1"}

LIST_TIMEOUT_S = 300.0
# A test's limit is CPU time without output, which a busy machine does not stretch; a test that
# waits (sleeps, deadlocks) is caught by wall time without output, this many times the limit.
IDLE_WALL_MULTIPLE = 3.0
# A test that ran out of its limit runs again alone with this many times the limit before its
# timeout stands (the record keeps both durations).
CONFIRM_MULTIPLE = 2.0
# How libtest itself ends a run: 0 when every test passed, 101 when some failed.
LIBTEST_EXITS = (0, 101)
LOST_NAMED = 20  # tests named in a lost-output finding


@dataclass(frozen=True)
class Limits:
    """How long one process of the binary may take: in all (wall time), and per test (CPU time,
    and wall time, without any output)."""

    total_s: float
    test_cpu_s: float | None = None
    test_wall_s: float | None = None

    @classmethod
    def per_test(cls, total_s: float, test_s: float) -> Limits:
        return cls(total_s, test_s, test_s * IDLE_WALL_MULTIPLE)


# Run one process of the binary with these libtest arguments (the caller adds the runtime).
RunArgs = Callable[[list[str], Limits], Outcome]


@dataclass
class Events:
    """What one run of the binary said: results by test, and the test it was in when it ended."""

    results: dict[str, TestResult] = field(default_factory=dict)
    current: str | None = None  # started, no result yet
    output: dict[str, list[str]] = field(default_factory=dict)  # non-JSON stdout lines per test
    finished: bool = False  # the suite's own end event came


def parse_events(stdout: str) -> Events:
    """libtest's JSON events (one per line; other lines are test output, kept per test)."""
    events = Events()
    for raw in stdout.splitlines():
        # With --nocapture, what a test prints without a newline is glued to the next event.
        match = EVENT.search(raw)
        line = raw[match.start():] if match else raw
        if match and match.start() > 0 and events.current is not None:
            events.output.setdefault(events.current, []).append(raw[: match.start()])
        event = _json(line)
        if event is None:
            if events.current is not None:
                events.output.setdefault(events.current, []).append(line)
            continue
        kind, what, name = event.get("type"), event.get("event"), event.get("name")
        if kind == "suite" and what in ("ok", "failed"):
            events.finished = True
        if kind != "test" or not isinstance(name, str):
            continue
        if what == "started":
            events.current = name
        elif what in ("ok", "failed", "ignored", "timeout"):
            if what == "timeout":  # libtest's warning that a test runs long: not a result
                continue
            outcome = {"ok": TestOutcome.PASSED, "failed": TestOutcome.FAILED,
                       "ignored": TestOutcome.IGNORED}[what]
            message = str(event.get("stdout") or event.get("message") or "")
            if outcome is TestOutcome.FAILED and name in events.output:
                message = "\n".join(events.output[name]) + ("\n" + message if message else "")
            events.results[name] = TestResult(
                name, outcome, _seconds(event.get("exec_time")),
                message=message[-MESSAGE_CHARS:] if outcome is TestOutcome.FAILED else "",
                reason=message if outcome is TestOutcome.IGNORED else "")
            if events.current == name:
                events.current = None
    return events


def _json(line: str) -> dict | None:
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) and "type" in value else None


def _seconds(value: object) -> float | None:
    if isinstance(value, int | float):
        return round(float(value), 6)
    if isinstance(value, str):
        match = re.match(r"([0-9.]+)s?$", value)
        return round(float(match.group(1)), 6) if match else None
    return None


def listed_tests(stdout: str) -> list[str]:
    """The names `--list --format terse` prints (`name: test`), benches left out."""
    return [line[: -len(": test")] for line in stdout.splitlines() if line.endswith(": test")]


@dataclass(frozen=True)
class Listing:
    """The tests of a binary, which of them upstream marks #[ignore], and the processes that said so."""

    names: list[str]
    ignored: set[str]
    outcomes: list[Outcome]

    @property
    def failed(self) -> Outcome | None:
        """The listing process that failed (the binary cannot run here), or None."""
        last = self.outcomes[-1]
        return last if last.exit_code != 0 or last.timed_out else None


def list_tests(run: RunArgs, timeout_s: float) -> Listing:
    """One listing with libtest's JSON (`discovered` events say `ignore`); a libtest too old for
    that lists twice, all tests and then the ignored ones, in its terse format."""
    limits = Limits(min(timeout_s, LIST_TIMEOUT_S))
    first = run(["--list", "-Zunstable-options", "--format", "json"], limits)
    discovered = [e for e in map(_json, first.stdout.splitlines())
                  if e and e.get("event") == "discovered" and e.get("type") == "test"]
    if first.exit_code == 0 and not first.timed_out and (discovered or '"discovery"' in first.stdout):
        return Listing([str(e["name"]) for e in discovered],
                       {str(e["name"]) for e in discovered if e.get("ignore")}, [first])
    terse = run(["--list", "--format", "terse"], limits)
    if terse.exit_code != 0 or terse.timed_out:
        return Listing([], set(), [first, terse])
    marked = run(["--list", "--ignored", "--format", "terse"], limits)
    return Listing(listed_tests(terse.stdout), set(listed_tests(marked.stdout)), [first, terse, marked])


@dataclass
class BinaryRun:
    """Everything the runs of one binary produced."""

    tests: list[TestResult]
    outcomes: list[Outcome]  # every process, in order (the listing, then each run)
    listing: Outcome | None = None  # the listing process that failed, else the (first) listing
    findings: list[CellFinding] = field(default_factory=list)  # lost output, crashes that did not recur

    @property
    def duration_s(self) -> float:
        return sum(o.duration_s for o in self.outcomes)


def run_binary(run: RunArgs, rules: list[Rule], timeout_s: float, test_timeout_s: float,
               crashers: Iterable[str] = (), max_runs: int = 500,
               lost_rule: Rule | None = None) -> BinaryRun:
    """List the tests, run them all, rerun after each crash; apply the test-level rules.
    `test_timeout_s` is a test's limit (CPU time without output, see Limits). Tests known to
    end the process (a rule expects them to fail, or `crashers`: they crashed last time) run
    each alone after the others, so that a crash does not cost a restart of the rest. A test
    whose output was lost twice is judged under its own rule, else under `lost_rule` (the rule
    that says the runtime loses output)."""
    listing = list_tests(run, timeout_s)
    outcomes = list(listing.outcomes)
    if listing.failed is not None:
        return BinaryRun([], outcomes, listing.failed)
    names = listing.names
    decided = {name: for_test(rules, name) for name in names}
    skipped = {n for n, rule in decided.items() if rule is not None and not rule.kind.runs}
    expected = {n for n, rule in decided.items() if rule is not None and rule.kind.expects_failure}
    known = set(crashers) | expected
    alone = [n for n in names if n in known and n not in skipped]
    results: dict[str, TestResult] = {}
    left = timeout_s - sum(o.duration_s for o in outcomes)
    outcome = outcomes[-1]
    runs = 0
    lost_runs: list[tuple[Outcome, list[str]]] = []  # each run that lost output, its tests without a result
    intermittent: list[str] = []
    never_reported: set[str] = set()  # tests whose output was lost on the rerun too
    groups = [[n for n in names if n not in skipped and n not in known], *([n] for n in alone)]
    excluded = [a for n in sorted(skipped | set(alone)) for a in ("--skip", n)]
    for index, group in enumerate(groups):
        # the main group: every test but those excluded; later, the rest of a group by exact name
        filters = group if index else []
        pending = list(group)
        lost_in_a_row = 0
        while pending and left > 0 and runs < max_runs:
            runs += 1
            args = ["--exact", *filters] if filters else (["--exact", *excluded] if excluded else [])
            outcome = run([*JSON_ARGS, *args], Limits.per_test(left, test_timeout_s))
            outcomes.append(outcome)
            left -= outcome.duration_s
            events = parse_events(outcome.stdout)
            before = len(results)
            results.update({n: r for n, r in events.results.items() if n in decided})
            culprit = events.current
            missing = [n for n in group if n not in results]
            lost = lost_output(outcome, events) and bool(missing)
            if lost:  # no crash: the tests without a result run again, by exact name
                lost_runs.append((outcome, missing))
            elif culprit is not None and culprit in decided and culprit not in results:
                result = _ended_in(culprit, outcome, events)
                if result.outcome is TestOutcome.TIMEOUT and left > 0:
                    result, again = _confirm(run, culprit, result, Limits.per_test(
                        left, test_timeout_s * CONFIRM_MULTIPLE))
                    outcomes.append(again)
                    left -= again.duration_s
                elif result.outcome is TestOutcome.CRASHED and culprit not in expected and left > 0:
                    result, again = _confirm(run, culprit, result, Limits.per_test(left, test_timeout_s))
                    outcomes.append(again)
                    left -= again.duration_s
                    if result.outcome is TestOutcome.INTERMITTENT:
                        intermittent.append(culprit)
                results[culprit] = result
            pending = [n for n in group if n not in results]
            lost_in_a_row = lost_in_a_row + 1 if lost else 0
            if len(results) == before and (not lost or lost_in_a_row > 1):
                if lost:
                    never_reported.update(pending)
                break  # no test got a result: another run would do the same
            filters = pending  # the rest, by exact name (a crash ended the run, or output was lost)
    for name in (n for n in names if n not in results and n not in skipped):
        if left <= 0:
            results[name] = TestResult(name, TestOutcome.TIMEOUT, None, message=(
                f"not run: the case's time limit ({timeout_s:.0f}s) was used up before this test\n"
                f"{outcome.stderr.strip()}")[-MESSAGE_CHARS:])
        elif name in never_reported:
            results[name] = TestResult(name, TestOutcome.LOST, None, message=(
                f"no result: the process ended as libtest ends ({_status(outcome)}) before "
                f"reporting this test, and again when the tests without a result ran again: its "
                f"output was lost\n{outcome.stderr.strip()}")[-MESSAGE_CHARS:])
        else:
            results[name] = TestResult(name, TestOutcome.CRASHED, None, message=(
                f"not run: the binary ended before this test started\n{outcome.stderr.strip()}")
                [-MESSAGE_CHARS:])
    for name in skipped:
        results[name] = TestResult(name, TestOutcome.SKIPPED, reason=decided[name].reason)  # type: ignore[union-attr]
    for result in results.values():
        if result.outcome is TestOutcome.IGNORED:
            note = "marked #[ignore]" if result.name in listing.ignored else SHOULD_PANIC
            result.reason = f"{note}: {result.reason}" if result.reason else note
    def deciding(name: str) -> Rule | None:  # a test's own rule; for one never reported, the runtime's
        lost = decided[name] is None and results[name].outcome is TestOutcome.LOST
        return lost_rule if lost else decided[name]

    judged = [judge_test(results[n], deciding(n)) for n in names]
    findings = [*_lost_finding(lost_runs, results), *(
        CellFinding(FindingKind.INTERMITTENT_CRASH, f"{name}: {first_line(results[name].message)}", [name])
        for name in intermittent)]
    return BinaryRun(judged, outcomes, listing.outcomes[0], findings)


def lost_output(outcome: Outcome, events: Events) -> bool:
    """Whether a run of the binary lost the tail of its output: it ended as libtest ends (no
    signal, no time limit, libtest's own exit code) but its suite's end event never came."""
    return (not events.finished and not outcome.timed_out and outcome.signal is None
            and outcome.spawn_error is None and outcome.exit_code in LIBTEST_EXITS)


def _status(outcome: Outcome) -> str:
    return f"exit code {outcome.exit_code}"


def _lost_finding(lost_runs: list[tuple[Outcome, list[str]]],
                  results: dict[str, TestResult]) -> list[CellFinding]:
    """The lost-output finding of a binary's runs (none when no run lost output)."""
    if not lost_runs:
        return []
    rerun = list(dict.fromkeys(n for _, missing in lost_runs for n in missing))
    still = [n for n in rerun if results[n].outcome is TestOutcome.LOST]
    statuses = ", ".join(sorted({_status(o) for o, _ in lost_runs}))
    detail = (f"lost output, not a crash: {len(lost_runs)} run(s) of the binary ended as libtest "
              f"ends ({statuses}) before libtest's end of the suite, with {len(rerun)} test(s) "
              f"started or due without a result; they ran again by exact name")
    detail += (f", and {len(still)} still had none (lost)" if still
               else ", and every one got its result there")
    more = [f"... and {len(rerun) - LOST_NAMED} more"] if len(rerun) > LOST_NAMED else []
    shown = rerun[:LOST_NAMED] + more
    return [CellFinding(FindingKind.LOST_OUTPUT, detail, shown)]


def _confirm(run: RunArgs, name: str, first: TestResult, limits: Limits) -> tuple[TestResult, Outcome]:
    """A test that timed out or crashed, run again alone (a timeout with a longer limit): a
    second failure confirms the first and stands, with both attempts' durations and outputs; a
    timeout that passes there passes (the machine was slow), a crash that does not recur is
    `intermittent`."""
    again = run([*JSON_ARGS, "--exact", name], limits)
    events = parse_events(again.stdout)
    crashed = first.outcome is TestOutcome.CRASHED
    outcome: TestOutcome
    second = events.results.get(name)
    if second is None and events.current == name and not lost_output(again, events):
        second = _ended_in(name, again, events)
    if second is None:
        why = ("its output was lost (" + _status(again) + ")" if lost_output(again, events)
               else "the process ended before the test started again")
        second = TestResult(name, first.outcome, None, message=f"{why}:\n{again.stderr.strip()}")
    attempts = [first.duration_s or 0.0, second.duration_s or again.duration_s]
    took = ", ".join(f"{a:.1f}s" for a in attempts)
    if crashed:
        outcome = TestOutcome.INTERMITTENT if second.outcome is TestOutcome.PASSED else second.outcome
        then = {TestOutcome.INTERMITTENT: "then passed", TestOutcome.CRASHED: "and again"}.get(
            outcome, f"then {outcome}")
        note = f"crashed, {then} when run again alone ({took})"
    else:
        outcome = second.outcome
        note = f"timed out, then run again alone with {CONFIRM_MULTIPLE:g} times the limit ({took})"
    half = MESSAGE_CHARS // 2
    if outcome is TestOutcome.PASSED:
        message = ""
    elif crashed:
        second_text = second.message or "passed"
        message = f"{note}\nfirst attempt: {first.message[:half]}\nsecond attempt: {second_text[:half]}"
    else:
        message = f"{note}\n{second.message}"
    return (TestResult(name, outcome, second.duration_s, message[:MESSAGE_CHARS], second.reason,
                       attempts_s=[round(a, 3) for a in attempts]), again)


def _ended_in(name: str, outcome: Outcome, events: Events) -> TestResult:
    """The test the process died in: a timeout when it went silent, else a crash with what it
    printed (the panic message is on stderr, the trap report after it)."""
    printed = "\n".join(events.output.get(name, []))
    # the beginning: the test's own output, then its panic message, then the runtime's trap
    # report and backtrace (the part that is cut when it is long)
    text = "\n".join(part for part in (printed, outcome.stderr.strip()) if part)
    if outcome.timed_out:
        message = f"no output for the test's time limit; killed\n{text}"
        # its own time: the process's, less the tests that finished before it in that process
        own = outcome.duration_s - sum(r.duration_s or 0.0 for r in events.results.values())
        return TestResult(name, TestOutcome.TIMEOUT, round(max(own, 0.0), 3), message=message[:MESSAGE_CHARS])
    how = f"signal {outcome.signal}" if outcome.signal else f"exit code {outcome.exit_code}"
    if outcome.oom_killed:
        how += ", the sandbox's memory limit"
    return TestResult(name, TestOutcome.CRASHED, None,
                      message=f"the process ended ({how}):\n{text}"[:MESSAGE_CHARS])
