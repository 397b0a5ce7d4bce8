"""evidence/<target>.md: a tier-2 dossier that argues, requirement by requirement.

First the answer (ready / ready with caveats / not ready) and the blockers, each with the
cells and tests that show it; then every requirement of Rust's Target Tier Policy for
tier 2 (and the tier-3 ones it inherits) with a status: met, not met, or outside what a
test run can show; then the evidence itself. Every sentence comes from the run (and the
nightly history, when given); nothing is claimed that the cells do not show.

The reference runtime of a target is the newest Wasmtime of the run that runs it: the
runtime Rust's own CI uses for wasm targets. A blocker is a cell on it (built by the
run's reference toolchain) that does not pass, or any failure no expectation explains.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from harness.record import (
    FAIL,
    NA,
    PASS,
    UNAVAILABLE,
    UNSUPPORTED,
    XFAIL,
    CellKind,
    CellResult,
    TestResult,
)
from harness.report.history import History
from harness.report.libtests import by_module, is_libtest, not_passed
from harness.report.matrix_md import header_lines, unsupported_by_harness, version_rows
from harness.report.model import counts, features_of, runtimes_of
from harness.report.toolchains import differences, rustc_of, toolchain_order
from harness.results import Results
from harness.targets import all_targets
from harness.verdict import Verdict

MATRIX = "../matrix.html"
POLICY = "https://doc.rust-lang.org/rustc/target-tier-policy.html"
MET, NOT_MET, OUTSIDE = "met", "not met", "outside what a test run can show"
LINKS = 6  # cells linked per finding (the rest are counted)


def _link(cell: CellResult, text: str | None = None) -> str:
    return f"[{text or cell.name(bool(cell.toolchain))}]({MATRIX}#{cell.anchor})"


def _links(cells: list[CellResult]) -> str:
    shown = ", ".join(_link(c, f"{c.case} @ {c.runtime}") for c in cells[:LINKS])
    return shown + (f" and {len(cells) - LINKS} more" if len(cells) > LINKS else "")


def _headline(reason: str) -> str:
    """The first sentence of a reason (the rest is in the matrix)."""
    text = " ".join(reason.split())
    match = re.match(r"(.{40,300}?(?<!e\.g)(?<!i\.e)(?<!etc)[.;])(\s|$)", text)
    return (match.group(1) if match else text[:300]).rstrip(".;")


def _major(runtime: str) -> int:
    match = re.search(r"(\d+)$", runtime)
    return int(match.group(1)) if match else 0


@dataclass
class Finding:
    """A blocker or a caveat: what it is, and where it shows."""

    text: str
    cells: list[CellResult] = field(default_factory=list)
    tests: list[tuple[CellResult, TestResult]] = field(default_factory=list)

    def line(self) -> str:
        where = []
        if self.cells:
            where.append(f"cells: {_links(self.cells)}")
        if self.tests:
            names = sorted({t.name for _, t in self.tests})
            shown = ", ".join(f"`{n}`" for n in names[:LINKS])
            more = f" and {len(names) - LINKS} more" if len(names) > LINKS else ""
            cells = sorted({c.anchor: c for c, _ in self.tests}.values(), key=lambda c: c.anchor)
            where.append(f"tests: {shown}{more} (in {_links(cells)})")
        return f"{self.text}" + (f" ({'; '.join(where)})" if where else "")

    def pointer(self) -> str:
        """Where it shows, in a few words: the first cell or test, linked."""
        if self.cells:
            more = len(self.cells) - 1
            return _link(self.cells[0], f"{self.cells[0].case} @ {self.cells[0].runtime}") + (
                f" and {more} more" if more else "")
        cell, test = self.tests[0]
        more = len(self.tests) - 1
        return f"`{test.name}` in {_link(cell, cell.case)}" + (f" and {more} more" if more else "")


@dataclass
class Target:
    """What one target's cells say, as the dossier needs it."""

    results: Results
    triple: str
    history: History | None = None

    @cached_property
    def all_cells(self) -> list[CellResult]:
        return [c for c in self.results.for_target(self.triple) if c.is_std_evidence]

    @cached_property
    def toolchain(self) -> str:
        names = toolchain_order(self.results)
        return "debian-sid" if "debian-sid" in names else (names[-1] if names else "")

    @cached_property
    def cells(self) -> list[CellResult]:
        """The reference toolchain's cells."""
        return [c for c in self.all_cells if c.toolchain in (self.toolchain, "")]

    @cached_property
    def reference(self) -> str | None:
        """The newest Wasmtime column that runs this target."""
        ran = {c.runtime for c in self.cells if c.category != NA and c.runtime.startswith("wasmtime-")}
        return max(ran, key=_major, default=None)

    def on_reference(self) -> list[CellResult]:
        return [c for c in self.cells if c.runtime == self.reference]

    def version_of(self, runtime: str | None) -> str:
        found = sorted({c.versions.get("runtime", "") for c in self.cells if c.runtime == runtime} - {""})
        return ", ".join(found) or "unknown"


def _key(cell: CellResult) -> str:
    """The rule that decided a cell, or its verdict and reason when none did."""
    return cell.expectation_source or f"unexplained {cell.verdict}: {_headline(cell.reason)}"


def _group(cells: Iterable[CellResult]) -> dict[str, list[CellResult]]:
    """Cells by the rule that decided them (or by verdict and reason when none did)."""
    groups: dict[str, list[CellResult]] = {}
    for cell in cells:
        groups.setdefault(_key(cell), []).append(cell)
    return groups


def findings(target: Target) -> tuple[list[Finding], list[Finding]]:
    """(blockers, caveats) of a target."""
    blockers: list[Finding] = []
    caveats: list[Finding] = []
    reference = target.reference
    ref_cells = target.on_reference()
    version = target.version_of(reference)
    not_passing = [c for c in ref_cells if c.category in (FAIL, XFAIL) and c.verdict is not Verdict.XPASS]
    for source, cells in _group(not_passing).items():
        total = sum(1 for c in ref_cells if c.category != NA)
        other = sorted({c.runtime for c in target.cells if _key(c) == source} - {reference}, key=_major)
        also = f" (the same on {', '.join(other)})" if other else ""
        known = source and not source.startswith("unexplained")
        what = (f"{_headline(cells[0].expectation_reason)} (known: {source})" if known
                else f"no expectation explains it: {_headline(cells[0].reason)}")
        blockers.append(Finding(f"{len(cells)} of {total} cells on {reference} ({version}), the newest "
                                f"Wasmtime of the run, do not pass{also}: {what}", cells))
    unexplained = [c for c in target.cells if c.category == FAIL and c.runtime != reference
                   and c.verdict is not Verdict.XPASS and _key(c) not in _group(not_passing)]
    for cells in _group(unexplained).values():
        runtimes = ", ".join(sorted({c.runtime for c in cells}, key=_major))
        what = f"{cells[0].verdict}: {_headline(cells[0].reason)}"
        if cells[0].verdict is Verdict.INFRA_ERROR:
            text = f"the harness could not judge {len(cells)} cell(s) on {runtimes} ({what})"
        else:
            text = f"{len(cells)} cell(s) on {runtimes} fail with no expectation to explain them ({what})"
        blockers.append(Finding(text, cells))
    failing_tests = [(c, t) for c in ref_cells if is_libtest(c) for t in not_passed(c)
                     if t.outcome in ("failed", "crashed", "timeout")]
    if failing_tests:
        blockers.append(Finding(f"{len(failing_tests)} of Rust's own tests fail on {reference} with "
                                "no expectation to explain them", tests=failing_tests))
    for source, cells in _group(c for c in target.cells if c.category == XFAIL
                                and c.runtime != reference).items():
        names = sorted({c.runtime for c in cells}, key=_major)
        caveats.append(Finding(f"known failure on {', '.join(names)}: "
                               f"{_headline(cells[0].expectation_reason)} ({source})", cells))
    for reason, tests in _test_rules(ref_cells).items():
        caveats.append(Finding(f"{len(tests)} of Rust's own tests are known to fail on {reference}: "
                               f"{_headline(reason)}", tests=tests))
    for source, cells in _group(c for c in target.cells if c.verdict is Verdict.XPASS).items():
        caveats.append(Finding(f"passes although {source} says it fails: that expectation is stale "
                               f"({_headline(cells[0].expectation_reason)})", cells))
    for cells in _group(c for c in ref_cells if c.verdict is Verdict.UNSUPPORTED and c.ran).values():
        caveats.append(Finding(f"unsupported by design: {_headline(cells[0].expectation_reason)}", cells))
    for diff in differences(target.results):
        if diff.target == target.triple and "regressed" in diff.summary:
            caveats.append(Finding(f"{diff.case} on {diff.runtime}: {diff.summary}", list(diff.cells)))
    return blockers, caveats


def _test_rules(cells: list[CellResult]) -> dict[str, list[tuple[CellResult, TestResult]]]:
    groups: dict[str, list[tuple[CellResult, TestResult]]] = {}
    for cell in cells:
        for test in cell.tests or []:
            if test.outcome == "xfail":
                groups.setdefault(test.reason, []).append((cell, test))
    return groups


def answer(blockers: list[Finding], caveats: list[Finding]) -> str:
    if blockers:
        return "not ready"
    return "ready with caveats" if caveats else "ready"


# ---- the requirements -------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    tier: int
    text: str  # the policy's requirement, paraphrased


TIER2 = [
    Requirement(2, "It has value to people other than its maintainers."),
    Requirement(2, "A team of at least two target maintainers is on record."),
    Requirement(2, "It places no undue burden on Rust developers not concerned with it."),
    Requirement(2, "It documents how to cross-build for it and how to run tests, with emulation "
                   "where possible."),
    Requirement(2, "It documents its baseline expectations (runtime environments, libraries, "
                   "versions)."),
    Requirement(2, "If it differs from an existing target only in baseline expectations, the "
                   "difference is justified."),
    Requirement(2, "No significant part of core or std is unimplemented or stubbed out, unless it "
                   "cannot be supported on the target."),
    Requirement(2, "The code generator has no deficiencies that invalidate Rust's safety "
                   "properties, or they are documented (ideally by a failing test)."),
    Requirement(2, "Where the platform has a C calling convention, `extern \"C\"` supports it."),
    Requirement(2, "It builds reliably in CI, for every component CI considers mandatory."),
    Requirement(2, "A subset of tests required by the approving teams passes (e.g. a working hello "
                   "world, tests that build)."),
    Requirement(2, "Building it does not take substantially longer than the slowest CI target."),
    Requirement(2, "It can be cross-compiled; building does not require the target as host."),
    Requirement(2, "Redistributing what is built for it imposes no onerous license terms."),
    Requirement(2, "It imposes no burden on pull-request authors to make its tests pass."),
    Requirement(2, "Its maintainers run the testsuite regularly and fix failures in a timely "
                   "fashion."),
]
TIER3 = [
    Requirement(3, "Target maintainers are on record."),
    Requirement(3, "Its name is consistent with existing targets and the wider ecosystem."),
    Requirement(3, "It creates no legal issues: no license incompatibilities, no proprietary "
                   "libraries needed to generate code for it."),
    Requirement(3, "It implements as much of core, alloc and std as possible and appropriate."),
    Requirement(3, "It documents how to build for it and how to run binaries and tests."),
    Requirement(3, "It imposes no burden on pull-request authors."),
    Requirement(3, "It does not break other targets."),
    Requirement(3, "An upstream code-generation backend produces code for it from any host."),
]


def requirement_rows(target: Target, blockers: list[Finding]) -> list[tuple[Requirement, str, str]]:
    """(requirement, status, evidence) for every requirement of both tiers."""
    std = _std_status(target)
    builds = _build_status(target)
    tests = _tests_status(target)
    speed = _build_speed(target)
    regular = _regularity(target)
    outside = (OUTSIDE, "a matter of people and intent; no run can show it")
    statuses = [
        outside,
        outside,
        outside,
        (MET, "the exact commands are in [How to build and run tests](#how-to-build-and-run-tests); "
              f"the emulation is {len(runtimes_of(target.cells, target.results.runtimes))} runtimes that "
              "run the artifacts on any x86_64 Linux host"),
        (MET, "the runtimes and versions this evidence was taken with are in "
              "[Baseline runtimes and versions](#baseline-runtimes-and-versions); "
              f"{all_targets()[target.triple].baseline}" if target.triple in all_targets() else ""),
        (OUTSIDE, "a judgment about value; the measured differences from the other wasm targets are "
                  "in the matrix"),
        std,
        _codegen_status(target),
        (OUTSIDE, "not exercised by this run (no guest calls C code)"),
        builds,
        tests,
        speed,
        (MET, "every artifact of this run was cross-compiled on an x86_64 Linux host; the target "
              "never hosts a build"),
        (OUTSIDE, "a matter of licenses (this run uses free software only: Debian's Rust, crates.io, "
                  "the runtimes' own releases)"),
        outside,
        regular,
    ]
    rows = list(zip(TIER2, statuses, strict=True))
    tier3 = [outside, (OUTSIDE, f"a judgment about the name {target.triple}"),
             (OUTSIDE, "a matter of licenses"), std, rows[3][1], outside,
             (OUTSIDE, "other targets are not built by this run"),
             (MET, "Debian's rustc (LLVM) emitted every artifact, cross-compiling from x86_64 Linux")]
    rows += list(zip(TIER3, tier3, strict=True))
    return [(r, s, e) for r, (s, e) in rows]


def _module_counts(target: Target) -> dict[str, dict[str, int]]:
    return by_module(c for c in target.on_reference() if is_libtest(c))


def _std_status(target: Target) -> tuple[str, str]:
    modules = _module_counts(target)
    if not modules:
        return (OUTSIDE, "Rust's own tests did not run on the reference runtime in this run")
    failing = [m for m, n in modules.items()
               if n.get("failed", 0) + n.get("crashed", 0) + n.get("timeout", 0)]
    passed = sum(n.get("passed", 0) for n in modules.values())
    known = sum(n.get("xfail", 0) for n in modules.values())
    broken = [c for c in target.on_reference() if c.kind is CellKind.FIXTURE and c.category in (FAIL, XFAIL)]
    text = (f"{passed} of Rust's own tests pass on {target.reference} across {len(modules)} library "
            f"modules; {known} are known to fail (see [Core and std](#core-and-std-rusts-own-tests))")
    if failing or broken:
        what = []
        if failing:
            what.append(f"tests fail in {', '.join(failing[:8])}")
        if broken:
            features = sorted({f for c in broken for f in c.features})
            what.append(f"probes do not pass for {', '.join(features)}")
        return (NOT_MET, f"{text}; {'; '.join(what)}")
    return (MET, text)


def _codegen_status(target: Target) -> tuple[str, str]:
    core = [c for c in target.on_reference() if c.case == "upstream.coretests" and is_libtest(c)]
    if not core:
        return (OUTSIDE, "core's tests did not run on the reference runtime; soundness beyond tests "
                         "is the compiler team's evaluation")
    counts_ = core[0].test_counts
    failing = counts_["failed"] + counts_["crashed"] + counts_["timeout"]
    if failing:
        return (NOT_MET, f"{failing} of core's tests fail on {target.reference}: see the blockers")
    return (MET, f"all {counts_['passed']} of core's tests that run pass on {target.reference} "
                 f"({counts_['ignored']} ignored upstream or unrunnable here); soundness beyond tests "
                 "is the compiler team's evaluation")


def _build_status(target: Target) -> tuple[str, str]:
    lines = []
    failed = False
    for toolchain in toolchain_order(target.results):
        mine = [c for c in target.all_cells if c.toolchain == toolchain]
        errors = [c for c in mine if c.verdict is Verdict.BUILD_ERROR or
                  (c.verdict is Verdict.XFAIL and "build-error" in c.reason)]
        unknown = any(c.category == NA and "does not know" in c.reason for c in mine)
        if unknown:
            lines.append(f"{toolchain}: does not know the target")
        elif errors:
            failed = failed or toolchain == target.toolchain
            lines.append(f"{toolchain}: {len(errors)} cells with build errors")
        else:
            lines.append(f"{toolchain}: every build succeeded")
    history = target.history
    if history is not None and history.runs:
        broken = history.runs_with_build_errors(target.triple)
        lines.append(f"nightly history: {len(history.runs)} runs, {broken} with build errors for "
                     f"this target")
    return (NOT_MET if failed else MET, "; ".join(lines))


def _tests_status(target: Target) -> tuple[str, str]:
    hello = [c for c in target.on_reference() if c.case == "hello.world"]
    tests = [c for c in target.on_reference() if is_libtest(c)]
    parts = []
    ok = True
    if hello:
        parts.append(f"hello world: {hello[0].label} on {target.reference}")
        ok = ok and hello[0].verdict is Verdict.PASS
    if tests:
        passing = sum(1 for c in tests if c.verdict in (Verdict.PASS, Verdict.UNSUPPORTED))
        parts.append(f"{passing} of {len(tests)} of Rust's own test binaries pass or fail only as "
                     "expected")
        ok = ok and passing == len(tests)
    if not parts:
        return (OUTSIDE, "neither hello world nor Rust's own tests ran on the reference runtime")
    return (MET if ok else NOT_MET, "; ".join(parts))


def build_seconds(cells: Iterable[CellResult]) -> dict[str, float]:
    """What each crate took to build (one value per artifact)."""
    found: dict[str, float] = {}
    for cell in cells:
        if cell.build_s is not None and cell.artifact_sha256:
            what = cell.case.rsplit(".", 1)[0] if cell.is_libtest else cell.case.split(".")[0]
            found.setdefault(f"{what}:{cell.artifact_sha256}", cell.build_s)
    return found


def _build_speed(target: Target) -> tuple[str, str]:
    mine = list(build_seconds(target.cells).values())
    base = list(build_seconds(c for c in target.results.for_target("wasm32-wasip1")
                              if c.toolchain in (target.toolchain, "")).values())
    if not mine or not base:
        return (OUTSIDE, "this run has no build times for both this target and wasm32-wasip1")
    ratio = sum(mine) / sum(base)
    text = (f"its {len(mine)} builds took {sum(mine):.0f} s, wasm32-wasip1's {len(base)} took "
            f"{sum(base):.0f} s (x{ratio:.1f}; median {statistics.median(mine):.0f} s against "
            f"{statistics.median(base):.0f} s)")
    return (MET if ratio <= 2.0 else NOT_MET, text)


def _regularity(target: Target) -> tuple[str, str]:
    history = target.history
    if history is None or not history.runs:
        return (OUTSIDE, "one run shows one run; the nightly history (`harness report --history`) "
                         "shows how regularly the tests run")
    first, last = history.runs[0].date, history.runs[-1].date
    return (OUTSIDE, f"the harness ran the testsuite {len(history.runs)} times from {first} to "
                     f"{last}; who fixes failures is a matter of people")


# ---- the document -------------------------------------------------------------------------------


def render(results: Results, triple: str, history: History | None = None) -> str:
    target = Target(results, triple, history)
    cells = target.cells
    if not cells:
        return f"# Tier-2 dossier: {triple}\n\nNo cells for this target in this run; nothing is shown.\n"
    blockers, caveats = findings(target)
    verdict = answer(blockers, caveats)
    rustc = rustc_of(results, target.toolchain)
    intro = (f"**{triple}: {verdict}.** Evidence from the conformance harness: {len(cells)} cells "
             f"built by {target.toolchain} (rustc {rustc}); the reference runtime is "
             f"{target.reference} ({target.version_of(target.reference)}), the newest Wasmtime of "
             "the run.")
    if blockers:
        intro += f" {len(blockers)} blocker{'s' if len(blockers) > 1 else ''}: " + " ".join(
            f"({i}) {_headline(f.text)} ({f.pointer()})." for i, f in enumerate(blockers, 1))
    lines = [f"# Tier-2 dossier: {triple}", "", intro, ""]
    if blockers:
        lines += ["## Blockers", ""] + [f"{i}. {f.line()}" for i, f in enumerate(blockers, 1)] + [""]
    if caveats:
        lines += ["## Caveats", ""] + [f"- {f.line()}" for f in caveats] + [""]
    lines += [
        "## The Target Tier Policy, requirement by requirement",
        "",
        f"Requirements of the [Target Tier Policy]({POLICY}) for tier 2 and the tier-3 ones "
        "they include, in paraphrase. Status: **met**, **not met**, or **outside what a test "
        "run can show** (people, intent, licenses).",
        "",
        "| tier | requirement | status | evidence |",
        "|---|---|---|---|",
    ]
    for requirement, status, evidence in requirement_rows(target, blockers):
        lines.append(f"| {requirement.tier} | {requirement.text} | **{status}** | {_cell(evidence)} |")
    lines += ["", *_core_and_std(target), "", *_probes(target), "", *_builds(target), "",
              *_baseline(target), "", *_how_to(target), "", *_known(target), "", *_unsupported(target),
              *_wasi(target),
              "", "## Reproduce", "", "```sh", f"git checkout {results.header('harness_revision')}",
              f"python -m harness setup --toolchains {target.toolchain}",
              f"pytest suites/ -n auto --targets {triple} --toolchains {target.toolchain}", "```", "",
              "## Run", "", *header_lines(results)]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _core_and_std(target: Target) -> list[str]:
    lines = ["## Core and std: Rust's own tests", "",
             f"Pass rates per library module on {target.reference}, from core's, alloc's and std's "
             "own tests (suites/upstream.yaml); `ignored` counts tests upstream marks `#[ignore]` "
             "and `#[should_panic]` tests libtest cannot run where a panic aborts the process.", ""]
    modules = _module_counts(target)
    if not modules:
        return [*lines, "Rust's own tests did not run on the reference runtime in this run."]
    lines += ["| module | passed | failed | xfail | ignored | skipped |", "|---|---:|---:|---:|---:|---:|"]
    for module, n in modules.items():
        failing = n.get("failed", 0) + n.get("crashed", 0) + n.get("timeout", 0)
        lines.append(f"| {module} | {n.get('passed', 0)} | {failing} | {n.get('xfail', 0)} | "
                     f"{n.get('ignored', 0)} | {n.get('skipped', 0)} |")
    others = []
    for runtime in runtimes_of(target.cells, target.results.runtimes):
        if runtime == target.reference:
            continue
        mine = [c for c in target.cells if c.runtime == runtime and is_libtest(c) and c.ran]
        if mine:
            passed = sum(c.test_counts["passed"] for c in mine)
            failing = sum(c.failing_tests for c in mine)
            others.append(f"{runtime}: {passed} passed, {failing} failing")
    if others:
        lines += ["", "On the other runtimes: " + "; ".join(others) + "."]
    return lines


def _probes(target: Target) -> list[str]:
    cells = [c for c in target.cells if c.kind is CellKind.FIXTURE]
    lines = ["## The harness's own probes, per std feature", "",
             "| feature | " + " | ".join(runtimes_of(cells, target.results.runtimes)) + " |",
             "|---|" + ":-:|" * len(runtimes_of(cells, target.results.runtimes))]
    for feature in features_of(cells):
        row = []
        for runtime in runtimes_of(cells, target.results.runtimes):
            mine = [c for c in cells if c.group == feature and c.runtime == runtime]
            n = counts(mine)
            if n[NA] == len(mine):
                row.append("N/A")
                continue
            row.append(f"{n[PASS]}/{len(mine) - n[NA]}" + (f" ({n[XFAIL]} xfail)" if n[XFAIL] else "")
                       + (f" ({n[FAIL]} fail)" if n[FAIL] else ""))
        lines.append(f"| {feature} | " + " | ".join(row) + " |")
    lines += ["", "Each entry: cells that pass of those that apply (unsupported by design counts as "
                  "applying and not passing)."]
    return lines


def _builds(target: Target) -> list[str]:
    _, evidence = _build_status(target)
    _, speed = _build_speed(target)
    return ["## Builds", "", f"- per toolchain: {evidence}.", f"- build time: {speed}."]


def _baseline(target: Target) -> list[str]:
    triple = target.triple
    lines = ["## Baseline runtimes and versions", "",
             f"The target needs {all_targets()[triple].baseline}." if triple in all_targets() else "",
             "", "| runtime | package | the binary reports | pass | unsupported | N/A | xfail | "
             "unavailable | fail |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    packages = {name: (package, binary) for name, package, binary in version_rows(target.results)}
    for runtime in runtimes_of(target.cells, target.results.runtimes):
        mine = [c for c in target.cells if c.runtime == runtime]
        n = counts(mine)
        package, binary = packages.get(runtime, ("", ""))
        lines.append(f"| {runtime} | {package} | {binary or target.version_of(runtime)} | {n[PASS]} | "
                     f"{n[UNSUPPORTED]} | {n[NA]} | {n[XFAIL]} | {n[UNAVAILABLE]} | {n[FAIL]} |")
    return lines


def _how_to(target: Target) -> list[str]:
    hello = next((c for c in target.on_reference() if c.case == "hello.world"), None)
    test = next((c for c in target.on_reference() if is_libtest(c) and c.command), None)
    lines = ["## How to build and run tests", "",
             "Every command runs on an x86_64 Linux host; the runtimes are the emulation.", "",
             "```sh", "# the harness (builds the toolchain and runtime images once)",
             f"python -m harness setup --toolchains {target.toolchain}",
             f"pytest suites/ -n auto --targets {target.triple}",
             "# by hand, with cargo and a runtime",
             f"cargo build --release --target {target.triple}",
             f"RUSTC_BOOTSTRAP=1 cargo test --no-run --release --target {target.triple}"]
    if hello is not None and hello.command:
        lines.append(" ".join(hello.command).replace("/artifacts/", "target/"))
    if test is not None:
        lines.append(" ".join(test.command))
    lines.append("```")
    return lines


def _known(target: Target) -> list[str]:
    lines = ["## Known failures", ""]
    cells = [c for c in target.all_cells if c.category == XFAIL]
    if not cells:
        return [*lines, "None in this run."]
    for source, mine in _group(cells).items():
        link = next((c.link for c in mine if c.link), None)
        lines.append(f"- {_headline(mine[0].expectation_reason)} ({source}"
                     + (f", [issue]({link})" if link else "") + f"): {_links(mine)}")
    return lines


def _wasi(target: Target) -> list[str]:
    """wasi-testsuite's tests of this WASI version, per runtime: beside the evidence, not in it."""
    cells = [c for c in target.results.for_target(target.triple) if not c.is_std_evidence]
    if not cells:
        return []
    lines = ["", "## WASI runtime conformance (not std evidence)", "",
             "WebAssembly/wasi-testsuite's own tests of this WASI version, run in the same sandbox: "
             "they tell a runtime's failures apart from std's. Nothing above counts them.", "",
             "| runtime | pass | xfail | fail | unsupported by harness | not run | tests |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for runtime in runtimes_of(cells, target.results.runtimes):
        mine = [c for c in cells if c.runtime == runtime]
        n = counts(mine)
        harness = unsupported_by_harness(mine)
        lines.append(f"| {runtime} | {n[PASS]} | {n[XFAIL]} | {n[FAIL]} | {harness} | "
                     f"{n[NA] + n[UNAVAILABLE] + n[UNSUPPORTED] - harness} | {len(mine)} |")
    return lines


def _unsupported(target: Target) -> list[str]:
    lines = ["## Unsupported by design, or not applicable", ""]
    cells = [c for c in target.cells if c.category in (UNSUPPORTED, NA)]
    if not cells:
        return [*lines, "None in this run."]
    reasons: dict[str, list[CellResult]] = {}
    for cell in cells:
        reasons.setdefault(_headline(cell.reason) or "no reason recorded", []).append(cell)
    for reason, mine in sorted(reasons.items()):
        lines.append(f"- {reason}: {_links(mine)}")
    return lines
