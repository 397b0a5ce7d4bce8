"""The tier-2 assessment of one target: a run's results in, the answer and every requirement's status out.

The requirements are data (harness/catalogue/tier_policy.yaml); what a run measures for one is a
function here, by the name the policy gives. The assessment judges the run's reference
toolchain (the catalogue's default when the run has it, else its newest rustc) on a
reference runtime chosen by rule, per (target, toolchain): of the columns that may be a
reference (harness/catalogue/runtimes.yaml, recorded in the run header), the newest that ran the
toolchain's artifacts and implements every WASI version its std imports (read from the
artifacts of Rust's own tests and the hello-world probe, which use std alone); newer such
columns that do not implement it are named, with what they implement instead.

The evidence is weighed in kinds kept apart:
- blockers, the target's: a cell of its std on the reference that does not pass (Rust's own
  tests, probes that use std alone), a newer reference column refusing what std imports, a
  measured requirement not met;
- runtime findings: probes that bring WASI bindings of their own (a case's `evidence:
  [wasi-bindings]`, or an artifact importing a WASI version std does not), which speak for
  that crate and the runtime lines, wherever they fail;
- findings to triage: failures on other runtimes that no expectation explains;
- cells the harness could not judge (infra-error, lost): the run is incomplete there.
The answer: "not ready" with a blocker; else "incomplete" with a cell not judged; else "not
measured" when a requirement a run can measure has no data in this run; else "ready" (with
caveats, when there are known failures elsewhere). Nothing here renders text for a page;
harness/report/dossier.py does.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml

from harness.artifacts.wasi_imports import wasi_versions
from harness.catalogue.build_profiles import DEFAULT as DEFAULT_PROFILE
from harness.catalogue.targets import Target, all_targets
from harness.catalogue.toolchains import all_toolchains
from harness.report.history import History
from harness.report.libtests import by_module, is_libtest, not_passed
from harness.report.model import runtimes_of
from harness.report.rust_ci import JOB as RUST_CI_JOB
from harness.report.rust_ci import TARGET as RUST_CI_TARGET
from harness.report.rust_ci import compare_with_rust_ci, rust_ci_sentence
from harness.report.toolchains import differences, rustc_of, toolchain_order
from harness.results.record import FAIL, NA, XFAIL, CellKind, CellResult, TestResult
from harness.results.run_header import columns_of
from harness.results.store import Results
from harness.results.verdict import FAILING_TESTS, ReasonCode, TestOutcome, Verdict

POLICY_FILE = Path(__file__).resolve().parent.parent / "catalogue" / "tier_policy.yaml"
MET, NOT_MET, OUTSIDE = "met", "not met", "outside what a test run can show"
NOT_MEASURED = "not measured in this run"  # a requirement a run can measure, without data in this one
STATUSES = (MET, NOT_MET, NOT_MEASURED, OUTSIDE)
HELLO_WORLD, CODEGEN, BINDINGS = "hello-world", "codegen", "wasi-bindings"  # the evidence tags of the suites
# The answers, from the most to the least certain.
NOT_READY, INCOMPLETE, UNMEASURED = "not ready", "incomplete", "not measured"
READY, READY_WITH_CAVEATS = "ready", "ready with caveats"
ANSWERS = (NOT_READY, INCOMPLETE, UNMEASURED, READY_WITH_CAVEATS, READY)


# ---- the policy ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    id: str
    tier: int
    text: str  # the policy's requirement, paraphrased
    measure: str | None = None  # what the run measures for it
    outside: str | None = None  # why no run can show it
    same_as: str | None = None  # the requirement whose status it shares


@dataclass(frozen=True)
class Policy:
    url: str
    build_time_ratio: float
    requirements: tuple[Requirement, ...]


@cache
def load_policy(path: Path = POLICY_FILE) -> Policy:
    data = yaml.safe_load(path.read_text())
    return Policy(data["policy"], float(data["build_time_ratio"]),
                  tuple(Requirement(**entry) for entry in data["requirements"]))


@dataclass(frozen=True)
class Status:
    status: str  # MET, NOT_MET, NOT_MEASURED or OUTSIDE
    evidence: str


# ---- the evidence of one target -------------------------------------------------------------------------


def headline(reason: str) -> str:
    """The first sentence of a reason (the rest is in the matrix)."""
    text = " ".join(reason.split())
    match = re.match(r"(.{40,300}?(?<!e\.g)(?<!i\.e)(?<!etc)[.;])(\s|$)", text)
    cut = not match and len(text) > 300  # no sentence end: cut between words, and say so
    found = match.group(1) if match else text[:300].rsplit(" ", 1)[0] if cut else text
    opened: list[int] = []  # a cut inside parentheses ends before the first one left open
    for i, char in enumerate(found):
        if char == "(":
            opened.append(i)
        elif char == ")" and opened:
            opened.pop()
    if opened and opened[0] >= 20:
        found = found[:opened[0]]
    return found.rstrip(" .;:,") + (" ..." if cut else "")


@dataclass(frozen=True)
class Reference:
    """The reference runtime of one (target, toolchain), and why."""

    runtime: str | None
    wasi: tuple[str, ...]  # the WASI versions the toolchain's artifacts for the target import
    why: str
    refused: tuple[tuple[str, str], ...] = ()  # newer reference columns that do not implement it
    not_run: tuple[tuple[str, str], ...] = ()  # newer reference columns of the run that ran none of
    # the artifacts, with why (e.g. unavailable)


@dataclass
class Finding:
    """A blocker or a caveat: what it is, and where it shows."""

    text: str
    cells: list[CellResult] = field(default_factory=list)
    tests: list[tuple[CellResult, TestResult]] = field(default_factory=list)


class TargetEvidence:
    """What one target's cells of a run say, as the assessment needs it."""

    def __init__(self, results: Results, triple: str, history: History | None = None,
                 policy: Policy | None = None) -> None:
        self.results, self.triple, self.history = results, triple, history
        self.policy = policy or load_policy()
        self.target: Target | None = all_targets().get(triple)

    @cached_property
    def all_cells(self) -> list[CellResult]:
        """Every cell of the target that is std evidence (not wasi-testsuite's), any toolchain."""
        return [c for c in self.results.for_target(self.triple) if c.is_std_evidence]

    @cached_property
    def toolchain(self) -> str:
        """The toolchain the assessment judges: the catalogue's default when the run has it,
        else the run's newest rustc."""
        names = toolchain_order(self.results)
        default = next((t.name for t in all_toolchains().values() if t.default), "")
        return default if default in names else (names[-1] if names else "")

    def cells_of(self, toolchain: str, profile: str = DEFAULT_PROFILE) -> list[CellResult]:
        """A toolchain's cells under one build profile (the default: what the target ships)."""
        return [c for c in self.all_cells if c.toolchain == toolchain and c.build_profile == profile]

    @cached_property
    def cells(self) -> list[CellResult]:
        """The judged toolchain's cells."""
        return self.cells_of(self.toolchain)

    @cached_property
    def columns(self) -> dict[str, dict]:  # type: ignore[type-arg]
        """What the run header says of each runtime column (a file from before it said so: what
        this harness's catalogue says)."""
        return self.results.run.columns or columns_of(self.results.runtimes)

    @cached_property
    def reference(self) -> Reference:
        return reference_of(self.cells, self.columns)

    def on_reference(self) -> list[CellResult]:
        return [c for c in self.cells if c.runtime == self.reference.runtime]

    def own_bindings(self, cell: CellResult) -> bool:
        """Whether a probe brings WASI bindings of its own (its case says `wasi-bindings`, or its
        artifact imports a WASI version the target's std does not): it speaks for that crate and
        the runtime lines, not for the target's std."""
        if cell.kind is not CellKind.FIXTURE:
            return False
        if BINDINGS in cell.evidence:
            return True
        spoken = set(self.reference.wasi)
        return bool(spoken) and bool(wasi_versions(cell.wasi_imports) - spoken)

    def is_std(self, cell: CellResult) -> bool:
        """Whether a cell is evidence about the target's std: Rust's own tests, probes of std alone."""
        return not self.own_bindings(cell)

    @cached_property
    def unjudged(self) -> list[CellResult]:
        """The judged toolchain's cells the harness could not judge (infra-error, lost)."""
        return [c for c in self.cells if c.verdict is Verdict.INFRA_ERROR]

    def version_of(self, runtime: str | None) -> str:
        found = sorted({c.versions.get("runtime", "") for c in self.cells if c.runtime == runtime} - {""})
        return ", ".join(found) or "unknown"


@dataclass(frozen=True)
class ProfileEffect:
    """What building with another profile (panic=unwind) changed on the reference runtime, per
    test of the test binaries both builds ran: fixed (failed, crashed, timed out or an expected
    failure under the default, passed under it), broken (the other way round), and tests that
    run only under it (upstream's cfg(panic = "unwind") tests)."""

    profile: str
    runtime: str
    cells: int  # its cells on the reference runtime
    fixed: list[tuple[CellResult, TestResult]]
    broken: list[tuple[CellResult, TestResult]]
    only_there: int
    passed: int  # its tests that passed


def profile_effect(evidence: TargetEvidence, profile: str) -> ProfileEffect | None:
    """The effect of `profile` against the default on the target's reference runtime, or None
    when the run has no cell of that profile there."""
    runtime = evidence.reference.runtime
    other = [c for c in evidence.cells_of(evidence.toolchain, profile) if c.runtime == runtime]
    if not other or runtime is None:
        return None
    default = {c.case: c for c in evidence.on_reference()}
    not_working = FAILING_TESTS | {TestOutcome.XFAIL}
    fixed, broken, only_there = [], [], 0
    for cell in other:
        before = {t.name: t.outcome for t in (default[cell.case].tests or [])} if cell.case in default else {}
        for test in cell.tests or []:
            was = before.get(test.name)
            if was is None:
                only_there += 1
            elif was in not_working and test.outcome is TestOutcome.PASSED:
                fixed.append((cell, test))
            elif was is TestOutcome.PASSED and test.outcome in not_working:
                broken.append((cell, test))
    passed = sum(1 for c in other for t in c.tests or [] if t.outcome is TestOutcome.PASSED)
    return ProfileEffect(profile, runtime, len(other), fixed, broken, only_there, passed)


def reference_of(cells: list[CellResult], columns: dict[str, dict]) -> Reference:  # type: ignore[type-arg]
    """The reference runtime of one (target, toolchain)'s cells, chosen by rule (see the module)."""
    imported = tuple(sorted(wasi_versions(i for c in std_artifacts(cells) for i in c.wasi_imports)))
    ran = {c.runtime for c in cells if c.ran}
    present = {c.runtime for c in cells}
    candidates = sorted((n for n, column in columns.items() if column.get("reference") and n in present),
                        key=lambda n: columns[n].get("major", 0), reverse=True)
    # supported release lines first (a line without security fixes only when none ran), newest first
    eligible = sorted((n for n in candidates if n in ran),
                      key=lambda n: (columns[n].get("security_fixes") is not False,
                                     columns[n].get("major", 0)), reverse=True)
    if not eligible:
        return Reference(None, imported, "no runtime that may be a reference ran this target's artifacts",
                         not_run=_idle(candidates, cells))
    implementing = [n for n in eligible if set(imported) <= set(columns[n].get("wasi", []))]
    chosen = implementing[0] if implementing else eligible[0]
    newer = sorted((n for n in eligible if n not in implementing
                    and columns[n].get("major", 0) > columns[chosen].get("major", 0)),
                   key=lambda n: columns[n].get("major", 0), reverse=True)
    refused = tuple((n, _instead(imported, columns[n].get("wasi", []))) for n in newer)
    idle = _idle([n for n in candidates[:candidates.index(chosen)] if n not in ran], cells)
    speaks = f"WASI {', '.join(imported)}" if imported else "no WASI imports it recorded"
    if implementing:
        why = ("the newest runtime that may be a reference, ran the artifacts and implements what "
               f"the toolchain's std imports ({speaks})")
        major = columns[chosen].get("major", 0)
        passed_over = [n for n in implementing if columns[n].get("major", 0) > major]
        if passed_over:  # newer lines that get no more security fixes
            why += (", of the release lines that still get security fixes (not "
                    f"{', '.join(passed_over)})")
    else:
        why = (f"no runtime that ran the artifacts implements what the toolchain's std imports "
               f"({speaks}): the newest that ran them")
    return Reference(chosen, imported, why, refused, idle)


def _idle(runtimes: list[str], cells: list[CellResult]) -> tuple[tuple[str, str], ...]:
    """Columns that ran none of the cells, each with the first reason its cells give."""
    reasons = {}
    for cell in cells:
        if cell.runtime in runtimes and cell.runtime not in reasons:
            reasons[cell.runtime] = f"{cell.label}: {headline(cell.reason)}" if cell.reason else cell.label
    return tuple((n, reasons[n]) for n in runtimes if n in reasons)


def std_artifacts(cells: list[CellResult]) -> list[CellResult]:
    """The cells whose artifacts import what the toolchain's std imports: Rust's own tests and
    the hello-world probe, which use std alone (a fixture may bring a WASI binding crate of its
    own, e.g. the final 0.3.0 for a std on its release candidate); all cells when there are none."""
    std = [c for c in cells if c.wasi_imports and (c.kind is CellKind.LIBTEST or HELLO_WORLD in c.evidence)]
    return std or cells


def _instead(imported: Iterable[str], implemented: Iterable[str]) -> str:
    """What a column lacks of what the artifacts import, and what it has in its place."""
    missing = sorted(set(imported) - set(implemented))
    families = {v.rsplit(".", 1)[0].split("-")[0][:3] for v in missing}  # "0.3" of "0.3.0-rc-..."
    instead = sorted(v for v in set(implemented) - set(imported) if v[:3] in families)
    return f"lacks {', '.join(missing)}" + (f", has {', '.join(instead)}" if instead else "")


def _key(cell: CellResult) -> str:
    """The rule that decided a cell, or its verdict and reason when none did."""
    return cell.expectation_source or f"unexplained {cell.verdict}: {headline(cell.reason)}"


def group_by_rule(cells: Iterable[CellResult]) -> dict[str, list[CellResult]]:
    """Cells by the rule that decided them (or by verdict and reason when none did)."""
    groups: dict[str, list[CellResult]] = {}
    for cell in cells:
        groups.setdefault(_key(cell), []).append(cell)
    return groups


def _major(evidence: TargetEvidence, runtime: str) -> int:
    return int(evidence.columns.get(runtime, {}).get("major", 0))


# ---- blockers, caveats and the other findings -----------------------------------------------------------


@dataclass
class Weighing:
    """A target's findings, in the kinds the answer weighs apart (see the module)."""

    blockers: list[Finding] = field(default_factory=list)  # the target's std: they decide "not ready"
    caveats: list[Finding] = field(default_factory=list)  # known failures elsewhere, stale rules
    bindings: list[Finding] = field(default_factory=list)  # probes with WASI bindings of their own
    triage: list[Finding] = field(default_factory=list)  # other runtimes' failures no rule explains
    unjudged: list[Finding] = field(default_factory=list)  # cells the harness could not judge


def _by_major(evidence: TargetEvidence, runtimes: Iterable[str]) -> list[str]:
    return sorted(set(runtimes), key=lambda n: (_major(evidence, n), n))


def weigh(evidence: TargetEvidence) -> Weighing:
    """Every finding of a target, each in its kind."""
    found = Weighing()
    reference = evidence.reference.runtime
    judged = [c for c in evidence.cells if c.verdict is not Verdict.INFRA_ERROR]
    std = [c for c in judged if evidence.is_std(c)]
    ref_cells = [c for c in std if c.runtime == reference]
    version = evidence.version_of(reference)
    refused = dict(evidence.reference.refused)
    stated: set[str] = set()  # rules said once, with the refusal
    if refused:
        cells = [c for c in std if c.runtime in refused and c.category in (FAIL, XFAIL)]
        sources = sorted({c.expectation_source for c in cells if c.expectation_source})
        stated |= set(sources)
        names = ", ".join(_by_major(evidence, refused))
        alike: dict[str, list[str]] = {}  # what they lack (and have instead) -> the runtimes
        for name, lacks in refused.items():
            alike.setdefault(lacks, []).append(name)
        offer = "; ".join(f"each {lacks}" if len(alike) == 1 else f"{', '.join(sorted(n))} {lacks}"
                          for lacks, n in alike.items())
        imported = ", ".join(evidence.reference.wasi)
        found.blockers.append(Finding(
            f"the newest runtimes that may be a reference ({names}) refuse this toolchain's artifacts: its "
            f"std imports WASI {imported} ({offer})"
            + (f" (known: {', '.join(sources)})" if sources else ""), cells))
    not_passing = [c for c in ref_cells if c.category in (FAIL, XFAIL) and c.verdict is not Verdict.XPASS]
    groups = group_by_rule(not_passing)
    total = sum(1 for c in ref_cells if c.category != NA)
    for source, cells in groups.items():
        other = _by_major(evidence, {c.runtime for c in std if _key(c) == source} - {reference})
        also = f" (the same on {', '.join(other)})" if other else ""
        known = not source.startswith("unexplained")
        what = (f"{headline(cells[0].expectation_reason)} (known: {source})" if known
                else f"no expectation explains it: {headline(cells[0].reason)}")
        found.blockers.append(Finding(f"{len(cells)} of {total} cells on {reference} ({version}), the "
                                      f"reference runtime, do not pass{also}: {what}", cells))
    failing_tests = [(c, t) for c in ref_cells if is_libtest(c) for t in not_passed(c)
                     if t.outcome in FAILING_TESTS]
    if failing_tests:
        found.blockers.append(Finding(f"{len(failing_tests)} of Rust's own tests fail on {reference} with "
                                      "no expectation to explain them", tests=failing_tests))
    # probes with bindings of their own: the crate's and the runtimes' findings, wherever they fail
    spoken = set(evidence.reference.wasi)
    theirs = [c for c in judged if not evidence.is_std(c) and c.category in (FAIL, XFAIL)
              and c.verdict is not Verdict.XPASS]
    for source, cells in group_by_rule(theirs).items():
        cases = ", ".join(sorted({c.case for c in cells}))
        extra = sorted(wasi_versions(i for c in cells for i in c.wasi_imports) - spoken)
        brings = f"WASI {', '.join(extra)}" if extra else "WASI bindings of their own"
        known = not source.startswith("unexplained")
        what = (f"{headline(cells[0].expectation_reason)} (known: {source})" if known
                else f"no expectation explains it: {cells[0].verdict}: {headline(cells[0].reason)}")
        runtimes = ", ".join(_by_major(evidence, {c.runtime for c in cells}))
        found.bindings.append(Finding(f"{cases} (bringing {brings}) do not pass on {runtimes}: {what}",
                                      cells))
    unexplained = [c for c in std if c.category == FAIL and c.runtime != reference
                   and c.verdict is not Verdict.XPASS and _key(c) not in groups]
    for cells in group_by_rule(unexplained).values():
        runtimes = ", ".join(_by_major(evidence, {c.runtime for c in cells}))
        found.triage.append(Finding(f"{len(cells)} cell(s) on {runtimes} fail with no expectation to explain "
                                    f"them ({cells[0].verdict}: {headline(cells[0].reason)})", cells))
    for cells in group_by_rule(evidence.unjudged).values():
        runtimes = ", ".join(_by_major(evidence, {c.runtime for c in cells}))
        found.unjudged.append(Finding(f"the harness could not judge {len(cells)} cell(s) on {runtimes} "
                                      f"({headline(cells[0].reason) or 'no reason recorded'})", cells))
    known_elsewhere = [c for c in std if c.category == XFAIL and c.runtime != reference]
    for source, cells in group_by_rule(known_elsewhere).items():
        if source in stated or source in groups:  # said with the blocker (the same on ...)
            continue
        columns = ", ".join(_by_major(evidence, {c.runtime for c in cells}))
        found.caveats.append(Finding(f"known failure on {columns}: "
                                     f"{headline(cells[0].expectation_reason)} ({source})", cells))
    for reason, tests in _test_rules(ref_cells).items():
        found.caveats.append(Finding(f"{len(tests)} of Rust's own tests are known to fail on {reference}: "
                                     f"{headline(reason)}", tests=tests))
    for source, cells in group_by_rule(c for c in judged if c.verdict is Verdict.XPASS).items():
        found.caveats.append(Finding(f"passes although {source} says it fails: that expectation is stale "
                                     f"({headline(cells[0].expectation_reason)})", cells))
    for cells in group_by_rule(c for c in ref_cells if c.verdict is Verdict.UNSUPPORTED and c.ran).values():
        why = headline(cells[0].expectation_reason or cells[0].reason) or "no reason recorded"
        found.caveats.append(Finding(f"unsupported by design: {why}", cells))
    for diff in differences(evidence.results):
        if diff.target == evidence.triple and "regressed" in diff.summary:
            found.caveats.append(Finding(f"{diff.case} on {diff.runtime}: {diff.summary}", list(diff.cells)))
    return found


def findings(evidence: TargetEvidence) -> tuple[list[Finding], list[Finding]]:
    """(blockers, caveats) of a target (the rest of its findings: weigh())."""
    found = weigh(evidence)
    return found.blockers, found.caveats


def _test_rules(cells: list[CellResult]) -> dict[str, list[tuple[CellResult, TestResult]]]:
    groups: dict[str, list[tuple[CellResult, TestResult]]] = {}
    for cell in cells:
        for test in cell.tests or []:
            if test.outcome is TestOutcome.XFAIL:
                groups.setdefault(test.reason, []).append((cell, test))
    return groups


def answer(blockers: list[Finding], caveats: list[Finding], unjudged: Iterable[object] = (),
           not_measured: Iterable[object] = ()) -> str:
    """The answer, the most certain first: a blocker makes a target not ready whatever else the
    run lacks; then a cell the harness could not judge makes it incomplete, a requirement
    without data in this run not measured; only then is it ready (with caveats, when any)."""
    if blockers:
        return NOT_READY
    if any(True for _ in unjudged):
        return INCOMPLETE
    if any(True for _ in not_measured):
        return UNMEASURED
    return READY_WITH_CAVEATS if caveats else READY


# ---- what a run measures, per requirement ----------------------------------------------------------------


def _on(reference: str | None) -> str:
    """"the reference runtime (X)", or that there was none."""
    return f"the reference runtime ({reference})" if reference else "a reference runtime (none ran it)"


def module_counts(evidence: TargetEvidence) -> dict[str, dict[str, int]]:
    return by_module(c for c in evidence.on_reference() if is_libtest(c))


def _failing(counts: dict[str, int]) -> int:
    return sum(counts.get(o, 0) for o in FAILING_TESTS)


def measure_std(evidence: TargetEvidence) -> Status:
    modules = module_counts(evidence)
    reference = evidence.reference.runtime
    if not modules:
        return Status(NOT_MEASURED, f"Rust's own tests did not run on {_on(reference)} in this run")
    failing = [m for m, n in modules.items() if _failing(n)]
    passed = sum(n.get(TestOutcome.PASSED, 0) for n in modules.values())
    known = sum(n.get(TestOutcome.XFAIL, 0) for n in modules.values())
    broken = [c for c in evidence.on_reference() if c.kind is CellKind.FIXTURE and evidence.is_std(c)
              and c.category in (FAIL, XFAIL) and c.verdict is not Verdict.INFRA_ERROR]
    text = (f"{passed} of Rust's own tests pass on {reference} across {len(modules)} library "
            f"modules; {known} are known to fail (see [Core and std](#core-and-std-rusts-own-tests))")
    if failing or broken:
        what = []
        if failing:
            what.append(f"tests fail in {', '.join(failing[:8])}")
        if broken:
            features = sorted({f for c in broken for f in c.features})
            what.append(f"probes do not pass for {', '.join(features)}")
        return Status(NOT_MET, f"{text}; {'; '.join(what)}")
    return Status(MET, text)


def measure_codegen(evidence: TargetEvidence) -> Status:
    reference = evidence.reference.runtime
    core = [c for c in evidence.on_reference() if CODEGEN in c.evidence and is_libtest(c)]
    if not core:
        return Status(NOT_MEASURED, "the code generator's tests (e.g. core's) did not run on "
                                    f"{_on(reference)} in this run; soundness beyond tests is the compiler "
                                    "team's evaluation")
    counts = {k: sum(c.test_counts[k] for c in core) for k in core[0].test_counts}
    failing = sum(c.failing_tests for c in core)
    names = ", ".join(sorted({c.library for c in core}))
    if failing:
        return Status(NOT_MET, f"{failing} of {names}'s tests fail on {reference}: see the blockers")
    return Status(MET, f"all {counts[TestOutcome.PASSED]} of {names}'s tests that run pass on {reference} "
                       f"({counts[TestOutcome.IGNORED]} ignored upstream or unrunnable here); soundness "
                       "beyond tests is the compiler team's evaluation")


def build_status(evidence: TargetEvidence) -> Status:
    lines = []
    failed = False
    for toolchain in toolchain_order(evidence.results):
        mine = evidence.cells_of(toolchain)
        errors = [c for c in mine if c.reason_code in (ReasonCode.BUILD_ERROR, ReasonCode.STD_BUILD_FAILED)
                  and evidence.is_std(c)]  # a binding crate that does not build is that crate's
        if any(c.reason_code is ReasonCode.UNKNOWN_TARGET for c in mine):
            lines.append(f"{toolchain}: does not know the target")
        elif errors:
            failed = failed or toolchain == evidence.toolchain
            lines.append(f"{toolchain}: {len(errors)} cells with build errors")
        elif mine:
            lines.append(f"{toolchain}: every build succeeded")
    history = evidence.history
    if history is not None and history.runs:
        broken = history.runs_with_build_errors(evidence.triple)
        lines.append(f"nightly history: {len(history.runs)} runs, {broken} with build errors for this target")
    return Status(NOT_MET if failed else MET, "; ".join(lines))


def measure_tests(evidence: TargetEvidence) -> Status:
    reference = evidence.reference.runtime
    judged = [c for c in evidence.on_reference() if c.verdict is not Verdict.INFRA_ERROR]
    hello = [c for c in judged if HELLO_WORLD in c.evidence]
    tests = [c for c in judged if is_libtest(c)]
    parts, ok = [], True
    if hello:
        parts.append(f"hello world: {hello[0].label} on {reference}")
        ok = ok and hello[0].verdict is Verdict.PASS
    if tests:
        passing = sum(1 for c in tests if c.verdict in (Verdict.PASS, Verdict.UNSUPPORTED))
        parts.append(f"{passing} of {len(tests)} of Rust's own test binaries pass or fail only as expected")
        ok = ok and passing == len(tests)
    if not parts:
        return Status(NOT_MEASURED, f"neither hello world nor Rust's own tests ran on {_on(reference)} in "
                                    "this run")
    if evidence.triple == RUST_CI_TARGET:  # what Rust's own CI runs of it, beside (not in) the verdict
        parts.append(rust_ci_sentence(compare_with_rust_ci(evidence.results, reference or ""), reference))
    return Status(MET if ok else NOT_MET, "; ".join(parts))


def build_seconds(cells: Iterable[CellResult]) -> dict[str, float]:
    """What each build took (one value per build, whichever artifacts of it the cells ran)."""
    return {c.build_key: c.build_s for c in cells if c.build_s is not None and c.build_key}


def build_baseline(evidence: TargetEvidence) -> str | None:
    return next((t.triple for t in all_targets().values() if t.build_baseline), None)


def measure_build_time(evidence: TargetEvidence) -> Status:
    baseline = build_baseline(evidence)
    mine = list(build_seconds(evidence.cells).values())
    base = list(build_seconds(c for c in evidence.results.for_target(baseline or "")
                              if c.toolchain == evidence.toolchain).values())
    if not mine or not base:
        return Status(NOT_MEASURED, f"this run has no build times for both this target and {baseline}")
    ratio = sum(mine) / sum(base)
    text = (f"its {len(mine)} builds took {sum(mine):.0f} s, {baseline}'s {len(base)} took "
            f"{sum(base):.0f} s (x{ratio:.1f}; median {statistics.median(mine):.0f} s against "
            f"{statistics.median(base):.0f} s)")
    return Status(MET if ratio <= evidence.policy.build_time_ratio else NOT_MET, text)


def measure_regular(evidence: TargetEvidence) -> Status:
    history = evidence.history
    if history is None or not history.runs:
        return Status(OUTSIDE, "one run shows one run; the nightly history (`harness report --history`) "
                               "shows how regularly the tests run" + _rust_ci_regular(evidence))
    first, last = history.runs[0].date, history.runs[-1].date
    return Status(OUTSIDE, f"the harness ran the testsuite {len(history.runs)} times from {first} to "
                           f"{last}; who fixes failures is a matter of people" + _rust_ci_regular(evidence))


def _rust_ci_regular(evidence: TargetEvidence) -> str:
    """For the target Rust's own CI tests: that it does, and what (rust_ci.py)."""
    if evidence.triple != RUST_CI_TARGET:
        return ""
    return (f"; {RUST_CI_JOB} runs the library tests of {RUST_CI_TARGET} built with panic=unwind under "
            "Wasmtime on every merge")


def measure_docs(evidence: TargetEvidence) -> Status:
    runtimes = len(runtimes_of(evidence.cells, evidence.results.runtimes))
    return Status(MET, "the exact commands are in [How to build and run tests](#how-to-build-and-run-tests); "
                       f"the emulation is {runtimes} runtimes that run the artifacts on the build host")


def measure_baseline(evidence: TargetEvidence) -> Status:
    target = evidence.target
    return Status(MET, "the runtimes and versions this evidence was taken with are in "
                       "[Baseline runtimes and versions](#baseline-runtimes-and-versions)"
                  + (f"; {target.baseline}" if target else ""))


def measure_cross(evidence: TargetEvidence) -> Status:
    host = evidence.results.run.text("host")
    return Status(MET, f"every artifact of this run was cross-compiled on the build host ({host}); the "
                       "target never hosts a build")


def measure_name(evidence: TargetEvidence) -> Status:
    return Status(OUTSIDE, f"a judgment about the name {evidence.triple}")


def measure_backend(evidence: TargetEvidence) -> Status:
    built = [c for c in evidence.cells if c.build_key]
    if not built:
        return Status(NOT_MEASURED, "no artifact was built in this run")
    builders = ", ".join(sorted({c.builder for c in built}))
    rustc = rustc_of(evidence.results, evidence.toolchain)
    return Status(MET, f"rustc {rustc} (LLVM), run by the {builders} builder, emitted every artifact, "
                       "cross-compiling on the build host")


MEASURES: dict[str, Callable[[TargetEvidence], Status]] = {
    "std": measure_std, "codegen": measure_codegen, "builds": build_status, "tests": measure_tests,
    "build-time": measure_build_time, "regular": measure_regular, "docs": measure_docs,
    "baseline": measure_baseline, "cross-compiled": measure_cross, "name": measure_name,
    "backend": measure_backend,
}


def requirement_rows(evidence: TargetEvidence) -> list[tuple[Requirement, Status]]:
    """Every requirement of the policy with its status and evidence."""
    statuses: dict[str, Status] = {}
    rows = []
    for requirement in evidence.policy.requirements:
        if requirement.same_as:
            status = statuses[requirement.same_as]
        elif requirement.measure:
            status = MEASURES[requirement.measure](evidence)
        else:
            status = Status(OUTSIDE, requirement.outside or "")
        statuses[requirement.id] = status
        rows.append((requirement, status))
    return rows


# ---- the toolchains of the run, and the target's place in the field ----------------------------------


@dataclass(frozen=True)
class ToolchainView:
    """One toolchain's cells of the target, in a few numbers."""

    name: str
    rustc: str
    reference: Reference
    cells: int
    passed_tests: int  # Rust's own tests that passed on its reference runtime
    unknown_target: bool


def toolchain_views(evidence: TargetEvidence) -> list[ToolchainView]:
    views = []
    for name in toolchain_order(evidence.results):
        cells = evidence.cells_of(name)
        if not cells:
            continue
        reference = reference_of(cells, evidence.columns)
        passed = sum(c.test_counts[TestOutcome.PASSED] for c in cells
                     if c.runtime == reference.runtime and is_libtest(c))
        views.append(ToolchainView(name, rustc_of(evidence.results, name), reference, len(cells), passed,
                                   any(c.reason_code is ReasonCode.UNKNOWN_TARGET for c in cells)))
    return views


def field_note(evidence: TargetEvidence, verdict: str = "", weighing: Weighing | None = None,
               not_measured: Sequence[tuple[Requirement, Status]] = ()) -> str:
    """Where upstream has the target and, when this run's answer is not "ready", why in one
    sentence: a std on an older WASI than upstream's, the blockers, the cells not judged or the
    requirements not measured."""
    target = evidence.target
    if target is None or not target.upstream:
        return ""
    upstream = f"Upstream, {evidence.triple} is {target.upstream}."
    spoken = set(evidence.reference.wasi)
    if (spoken and target.upstream_wasi and target.upstream_wasi not in spoken
            and verdict not in (READY, READY_WITH_CAVEATS)):
        rustc = rustc_of(evidence.results, evidence.toolchain)
        speaks = ", ".join(sorted(spoken))
        return (f"{upstream} This run's std ({evidence.toolchain}, rustc {rustc}) speaks WASI {speaks}, not "
                f"{target.upstream_wasi}: a newer std exists that this run did not have, so what is \"not "
                "ready\" here is this toolchain's std, not today's target.")
    reference = evidence.reference.runtime
    if verdict == NOT_READY and weighing is not None and weighing.blockers:
        n = len(weighing.blockers)
        return (f"{upstream} This run differs on the target's own evidence, not a runtime's or a binding "
                f"crate's: {n} blocker{'s' if n > 1 else ''} in its std on {_on(reference)}, said above.")
    if verdict == INCOMPLETE and weighing is not None:
        n = sum(len(f.cells) for f in weighing.unjudged)
        return (f"{upstream} This run cannot confirm it: the harness could not judge {n} of the target's "
                "cells (its own failure, not the target's), so the run is incomplete.")
    if verdict == UNMEASURED and not_measured:
        what = "; ".join(f"{r.id}: {headline(st.evidence)}" for r, st in not_measured)
        return f"{upstream} This run cannot confirm it: it did not measure what the policy asks ({what})."
    return upstream


# ---- the whole assessment -------------------------------------------------------------------------------

# The measures whose shortfalls are cells or tests, already blockers; any other measured
# requirement that is not met is a blocker of its own.
CELL_MEASURES = frozenset({"std", "codegen", "builds", "tests"})


@dataclass
class Assessment:
    evidence: TargetEvidence
    answer: str
    blockers: list[Finding]
    caveats: list[Finding]
    rows: list[tuple[Requirement, Status]]
    toolchains: list[ToolchainView]
    field_note: str
    bindings: list[Finding] = field(default_factory=list)  # probes with WASI bindings of their own
    triage: list[Finding] = field(default_factory=list)  # other runtimes' failures no rule explains
    unjudged: list[Finding] = field(default_factory=list)  # cells the harness could not judge

    @property
    def not_measured(self) -> list[tuple[Requirement, Status]]:
        """The requirements a run can measure that have no data in this one."""
        return [(r, st) for r, st in self.rows if st.status == NOT_MEASURED and not r.same_as]

    @property
    def incomplete(self) -> bool:
        """Whether the harness could not judge some of the target's cells."""
        return bool(self.unjudged)


def assess(results: Results, triple: str, history: History | None = None,
           policy: Policy | None = None) -> Assessment | None:
    """The assessment of a target, or None when the run has no std evidence for it."""
    evidence = TargetEvidence(results, triple, history, policy)
    if not evidence.cells:
        return None
    weighing = weigh(evidence)
    rows = requirement_rows(evidence)
    for requirement, status in rows:
        if status.status == NOT_MET and requirement.measure not in CELL_MEASURES and not requirement.same_as:
            weighing.blockers.append(Finding(f"not met: {requirement.text.rstrip('.')}: {status.evidence}"))
    missing = [(r, st) for r, st in rows if st.status == NOT_MEASURED and not r.same_as]
    verdict = answer(weighing.blockers, weighing.caveats, weighing.unjudged, missing)
    return Assessment(evidence, verdict, weighing.blockers, weighing.caveats, rows, toolchain_views(evidence),
                      field_note(evidence, verdict, weighing, missing), weighing.bindings, weighing.triage,
                      weighing.unjudged)
