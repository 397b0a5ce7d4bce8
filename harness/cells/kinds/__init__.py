"""The kinds of case, each a strategy of harness/cells/case.py's CaseKind: fixture (a program of the
fixtures workspace), test binary (a libtest binary's tests) and prebuilt (a wasi-testsuite
binary); and what they share: the runtime's version check and one judged run of a guest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from harness.artifacts.artifact import Artifact, Build
from harness.cells.case import Cell
from harness.cells.context import Context
from harness.cells.evidence import Evidence
from harness.cells.judgment import (
    Stopped,
    judge_run,
    not_applicable,
    output_lost,
    precompile_failed,
    runtime_unavailable,
)
from harness.cells.libtest import CONFIRM_MULTIPLE
from harness.results.record import CellFinding, FindingKind
from harness.results.verdict import Judgment, Verdict
from harness.sandbox.container import ARTIFACTS_MOUNT, GuestRequest
from harness.sandbox.outcome import Outcome

EXCERPT_LINES = 15
EXCERPT_CHARS = 4000


def note_build(found: Evidence, build: Build, artifact: Artifact) -> None:
    """What the evidence says of the build that made the cell's artifact."""
    found.artifact_sha256, found.build_s, found.build_key = artifact.sha256, build.seconds, build.key
    found.built = build.fresh
    found.versions.update(build.toolchain)


def ready(cell: Cell, context: Context, found: Evidence, wasm: Path, sha256: str,
          relative: str) -> tuple[Cell, str]:
    """The cell ready to run its artifact (at `relative` in the artifact cache): its runtime's
    version recorded, its rule decided again by what the artifact imports, and the file its
    runtime runs (its ahead-of-time compile, for a runtime that compiles first). Stopped with
    the judgment of a cell that stops before its run."""
    note_runtime_version(cell, context, found)
    inside = f"{ARTIFACTS_MOUNT}/{relative}"
    settled = settle(cell, context, found, wasm, sha256, inside)
    return settled, runnable(settled, context, found, inside, sha256)


def note_runtime_version(cell: Cell, context: Context, found: Evidence) -> None:
    """The runtime's version, noted; Stopped (unavailable) when it cannot tell it."""
    version, why = context.runtime_version(cell.runtime)
    if version is None:
        raise Stopped(runtime_unavailable(why))
    found.versions["runtime"] = version


def settle(cell: Cell, context: Context, found: Evidence, artifact: Path, sha256: str,
           inside: str) -> Cell:
    """The cell once its artifact's WASI imports are read (recorded): under the rule that decides
    it now, since a rule may name what the artifact imports (a skip rule: Stopped, not run after
    all)."""
    found.wasi_imports = context.wasi_imports(artifact, sha256)
    rule = cell.expectations.for_cell(cell.at, found.wasi_imports)
    if rule == cell.rule:
        return cell
    found.rule = rule
    cell = replace(cell, rule=rule)
    if rule is not None and not rule.kind.runs:
        raise Stopped(not_applicable(rule))
    return cell


def runnable(cell: Cell, context: Context, found: Evidence, inside: str, sha256: str) -> str:
    """The file the cell's runtime runs for the artifact at `inside` (its ahead-of-time compile,
    for a runtime that compiles first; the time recorded when this cell made it); Stopped with the
    judgment of a compile that failed."""
    made = context.precompiled(cell.runtime, inside, sha256)
    found.compile_s = made.compile_s
    if made.failed is not None:
        keep_output(found, made.failed)
        raise Stopped(precompile_failed(made.failed))
    return made.path


def run_guest(cell: Cell, context: Context, found: Evidence, request: GuestRequest) -> Judgment:
    """One run of the guest, judged against the cell's expectation, confirmed where it may be the
    machine's doing or the runtime's whim: a run that hits its time limit runs once more with a
    longer one before its timeout stands; one whose process died (a crash no rule expects) runs
    once more before its crash stands, and a crash that does not recur is told as intermittent;
    one that lost its output where a rule says the runtime loses output runs once more and is
    judged by that run. The evidence keeps both attempts (attempts_s, first_attempt)."""
    found.command = request.argv
    found.repro = context.sandbox.repro(request.argv, request.copies)
    outcome = context.run_guest(request)
    judged = judge_run(outcome, cell.expect, cell.rule, cell.runtime)
    lost_rule = (cell.expectations.for_finding(str(FindingKind.LOST_OUTPUT), cell.at)
                 if judged.verdict is Verdict.FAIL and output_lost(outcome, cell.expect) else None)
    if outcome.timed_out:
        again = context.run_guest(replace(request, timeout_s=request.timeout_s * CONFIRM_MULTIPLE))
    elif judged.verdict is Verdict.CRASH or lost_rule is not None:
        again = context.run_guest(request)
    else:
        keep_output(found, outcome)
        return judged
    found.attempts_s = [round(outcome.duration_s, 3), round(again.duration_s, 3)]
    found.first_attempt = {"exit_code": outcome.exit_code, "signal": outcome.signal,
                            "stdout": excerpt(outcome.stdout), "stderr": excerpt(outcome.stderr)}
    keep_output(found, again)
    second = judge_run(again, cell.expect, cell.rule, cell.runtime)
    if judged.verdict is Verdict.CRASH and second.verdict is not Verdict.CRASH:
        then = f"{second.verdict}: {second.reason}" if second.reason else str(second.verdict)
        found.findings.append(CellFinding(FindingKind.INTERMITTENT_CRASH,
                                           f"the first run crashed ({judged.reason}); run again, {then}"))
        return Judgment(Verdict.CRASH, f"intermittent: {judged.reason}, then {then} when run again")
    if lost_rule is None:
        return second
    found.rule = lost_rule
    twice = second.verdict is Verdict.FAIL and output_lost(again, cell.expect)
    found.findings.append(CellFinding(FindingKind.LOST_OUTPUT, (
        f"lost output: the first run ended with the expected exit status {outcome.exit_code} but "
        f"short of its stdout ({outcome.stdout_bytes} bytes), as {lost_rule.source} says this "
        f"runtime does; run again, " + ("it lost its output again" if twice else f"{second.verdict}"))))
    if twice:
        return Judgment(Verdict.XFAIL, f"{lost_rule.reason} (observed: output lost twice: {second.reason})")
    if second.verdict is Verdict.PASS:
        return Judgment(Verdict.PASS, f"passed when run again; the first run lost its output: "
                                      f"{lost_rule.reason}")
    return second


def keep_output(found: Evidence, outcome: Outcome, duration_s: float | None = None) -> None:
    """What a run of the guest leaves in the evidence (the last run, for several)."""
    found.ran = found.output_kept = True
    found.exit_code = outcome.exit_code
    found.stdout = excerpt(outcome.stdout)
    found.stderr = excerpt(outcome.stderr)
    found.stdout_bytes = outcome.stdout_bytes
    found.duration_s = round(outcome.duration_s if duration_s is None else duration_s, 4)


def excerpt(text: str) -> str:
    """The first and last lines of a stream, bounded."""
    lines = text.splitlines()
    if len(lines) > 2 * EXCERPT_LINES:
        skipped = len(lines) - 2 * EXCERPT_LINES
        lines = [*lines[:EXCERPT_LINES], f"[... {skipped} lines ...]", *lines[-EXCERPT_LINES:]]
    joined = "\n".join(lines)
    if len(joined) > EXCERPT_CHARS:
        half = EXCERPT_CHARS // 2
        joined = joined[:half] + "\n[...]\n" + joined[-half:]
    return joined
