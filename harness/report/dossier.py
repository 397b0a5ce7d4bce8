"""evidence/<target>.md: a tier-2 dossier that argues, requirement by requirement.

First the answer (ready / ready with caveats / not ready / not measured / incomplete), the
reference runtime and why, and the blockers, each with the cells and tests that show it, the
requirements not measured, the cells not judged, and why the answer differs from upstream's
tier; then the findings weighed apart (other runtimes' failures to triage, probes with WASI
bindings of their own); then the toolchains of the run; then every requirement of Rust's
Target Tier Policy with its status; then the evidence itself. The statuses come from
harness/report/assessment.py; this module only renders them with the run's cells.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.report.assessment import (
    HELLO_WORLD,
    Assessment,
    Finding,
    TargetEvidence,
    assess,
    build_status,
    group_by_rule,
    headline,
    measure_build_time,
    module_counts,
    profile_effect,
)
from harness.report.history import History
from harness.report.libtests import is_libtest
from harness.report.matrix_md import header_lines, unsupported_by_harness, version_rows
from harness.report.model import counts, features_of, runtimes_of
from harness.report.security import security_sentence
from harness.report.toolchains import rustc_of
from harness.report.wasi_compare import Comparison, suite_key
from harness.results.record import FAIL, NA, PASS, UNAVAILABLE, UNSUPPORTED, XFAIL, CellKind, CellResult
from harness.results.store import Results
from harness.results.verdict import FAILING_TESTS

MATRIX = "../matrix.html"
LINKS = 6  # cells linked per finding (the rest are counted)
TRIAGE_WEIGHT = ("They do not weigh on the answer: only the reference runtime's failures block the "
                 "target, and a failure elsewhere that no expectation explains is a runtime's bug or a "
                 "std defect the reference does not show until someone triages it into a rule of "
                 "suites/expectations/.")
BINDINGS_WEIGHT = ("These probes bring WASI bindings of their own (a crate's, not std's), so what they "
                   "show is about that crate and each runtime line, never a blocker of the target.")


def _link(cell: CellResult, text: str | None = None) -> str:
    return f"[{text or cell.name(bool(cell.toolchain))}]({MATRIX}#{cell.anchor})"


def _links(cells: list[CellResult]) -> str:
    shown = ", ".join(_link(c, f"{c.case} @ {c.runtime}") for c in cells[:LINKS])
    return shown + (f" and {len(cells) - LINKS} more" if len(cells) > LINKS else "")


def line(finding: Finding) -> str:
    where = []
    if finding.cells:
        where.append(f"cells: {_links(finding.cells)}")
    if finding.tests:
        names = sorted({t.name for _, t in finding.tests})
        shown = ", ".join(f"`{n}`" for n in names[:LINKS])
        more = f" and {len(names) - LINKS} more" if len(names) > LINKS else ""
        cells = sorted({c.anchor: c for c, _ in finding.tests}.values(), key=lambda c: c.anchor)
        where.append(f"tests: {shown}{more} (in {_links(cells)})")
    return f"{finding.text}" + (f" ({'; '.join(where)})" if where else "")


def pointer(finding: Finding) -> str:
    """Where it shows, in a few words: the first cell or test, linked."""
    if finding.cells:
        more = len(finding.cells) - 1
        first = finding.cells[0]
        return _link(first, f"{first.case} @ {first.runtime}") + (f" and {more} more" if more else "")
    cell, test = finding.tests[0]
    more = len(finding.tests) - 1
    return f"`{test.name}` in {_link(cell, cell.case)}" + (f" and {more} more" if more else "")


# ---- the document -------------------------------------------------------------------------------


def render(results: Results, triple: str, history: History | None = None,
           comparisons: Sequence[Comparison] = ()) -> str:
    assessment = assess(results, triple, history)
    if assessment is None:
        runtimes = _wasi(TargetEvidence(results, triple, history), comparisons)
        said = ("No std evidence for this target in this run, only WebAssembly/wasi-testsuite's tests "
                "(which test the runtimes)." if runtimes else "No cells for this target in this run; "
                "nothing is shown.")
        return "\n".join([f"# Tier-2 dossier: {triple}", "", said, *runtimes]) + "\n"
    target = assessment.evidence
    blockers, caveats = assessment.blockers, assessment.caveats
    reference = target.reference
    rustc = rustc_of(results, target.toolchain)
    intro = (f"**{triple}: {assessment.answer}.** Evidence from the conformance harness: "
             f"{len(target.cells)} cells built by {target.toolchain} (rustc {rustc}); the reference "
             f"runtime is {reference.runtime} ({target.version_of(reference.runtime)}): {reference.why}.")
    if reference.not_run:
        intro += " Newer columns that may be a reference ran none of its artifacts: " + "; ".join(
            f"{n} ({why})" for n, why in reference.not_run) + "."
    if blockers:
        intro += f" {len(blockers)} blocker{'s' if len(blockers) > 1 else ''}: " + " ".join(
            f"({i}) {headline(f.text)}" + (f" ({pointer(f)})." if f.cells or f.tests else ".")
            for i, f in enumerate(blockers, 1))
    if assessment.unjudged:
        n = sum(len(f.cells) for f in assessment.unjudged)
        intro += (f" The run is incomplete: the harness could not judge {n} cell{'s' if n > 1 else ''} "
                  f"({pointer(assessment.unjudged[0])}), its own failure and no verdict on the target.")
    if assessment.not_measured:
        intro += (" Not measured in this run: "
                  + ", ".join(f"{r.id} ({headline(st.evidence)})" for r, st in assessment.not_measured) + ".")
    if assessment.triage:
        n = sum(len(f.cells) for f in assessment.triage)
        intro += (f" {n} failing cell{'s' if n > 1 else ''} on other runtimes that no expectation explains "
                  f"{'are' if n > 1 else 'is'} listed as findings to triage, apart from the blockers.")
    if assessment.field_note:
        intro += f" {assessment.field_note}"
    lines = [f"# Tier-2 dossier: {triple}", "", intro, ""]
    unsupported = security_sentence(results)
    if unsupported:
        lines += [unsupported, ""]
    if blockers:
        lines += ["## Blockers", "", *_numbered(blockers), ""]
    if assessment.unjudged:
        lines += ["## Not judged: the run is incomplete", "",
                  "Cells the harness could not judge (an infrastructure error, a lost worker) say nothing "
                  "about the target; run them again.", ""]
        lines += [f"- {line(f)}" for f in assessment.unjudged] + [""]
    if assessment.not_measured:
        lines += ["## Not measured in this run", "",
                  "Requirements a run can measure that this run holds no data for; the answer stays "
                  "\"not measured\" until a run measures them.", ""]
        lines += [f"- {r.id}: {r.text} ({st.evidence})" for r, st in assessment.not_measured] + [""]
    if assessment.triage:
        lines += ["## Findings to triage (other runtimes)", "", TRIAGE_WEIGHT, ""]
        lines += [f"- {line(f)}" for f in assessment.triage] + [""]
    if assessment.bindings:
        lines += ["## Runtime findings: probes with WASI bindings of their own", "", BINDINGS_WEIGHT, ""]
        lines += [f"- {line(f)}" for f in assessment.bindings] + [""]
    if caveats:
        lines += ["## Caveats", ""] + [f"- {line(f)}" for f in caveats] + [""]
    lines += [*_toolchains(assessment), ""]
    lines += [
        "## The Target Tier Policy, requirement by requirement",
        "",
        f"Requirements of the [Target Tier Policy]({target.policy.url}) for tier 2 and the tier-3 ones "
        "they include, in paraphrase. Status: **met**, **not met**, **not measured in this run** "
        "(a run can measure it; this one holds no data for it), or **outside what a test run can "
        "show** (people, intent, licenses).",
        "",
        "| tier | requirement | status | evidence |",
        "|---|---|---|---|",
    ]
    for requirement, status in assessment.rows:
        lines.append(f"| {requirement.tier} | {requirement.text} | **{status.status}** | "
                     f"{_cell(status.evidence)} |")
    lines += ["", *_core_and_std(target), *_unwind(target), "", *_probes(target), "", *_builds(target), "",
              *_baseline(target), "", *_how_to(target), "", *_known(target), "", *_unsupported(target),
              *_wasi(target, comparisons),
              "", "## Reproduce", "", "```sh", f"git checkout {results.header('harness_revision')}",
              f"python -m harness setup --toolchains {target.toolchain}",
              f"pytest suites/ -n auto --targets {triple} --toolchains {target.toolchain}", "```", "",
              "## Run", "", *header_lines(results)]
    return "\n".join(lines) + "\n"


def _numbered(findings: list[Finding]) -> list[str]:
    """An ordered list whose every item stays in one list (one line each, numbered)."""
    return [f"{i}. {' '.join(line(f).split())}" for i, f in enumerate(findings, 1)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _toolchains(assessment: Assessment) -> list[str]:
    """One row per toolchain of the run: the WASI its std speaks and its own reference runtime."""
    lines = ["## Toolchains and the WASI their std speaks", "",
             "| toolchain | rustc | WASI its artifacts import | its reference runtime | why | "
             "Rust's tests passed there |", "|---|---|---|---|---|---:|"]
    for view in assessment.toolchains:
        if view.unknown_target:
            lines.append(f"| {view.name} | {view.rustc} | (does not know the target) | | | |")
            continue
        refused = "; ".join(f"{n} {v}" for n, v in view.reference.refused)
        why = view.reference.why + (f"; newer, refused: {refused}" if refused else "")
        lines.append(f"| {view.name} | {view.rustc} | {', '.join(view.reference.wasi) or 'unknown'} | "
                     f"{view.reference.runtime or 'none'} | {_cell(why)} | {view.passed_tests} |")
    return lines


def _core_and_std(target: TargetEvidence) -> list[str]:
    lines = ["## Core and std: Rust's own tests", "",
             f"Pass rates per library module on {target.reference.runtime}, from core's, alloc's and std's "
             "own tests (suites/upstream.yaml); `ignored` counts tests upstream marks `#[ignore]` "
             "and `#[should_panic]` tests libtest cannot run where a panic aborts the process.", ""]
    modules = module_counts(target)
    if not modules:
        return [*lines, "Rust's own tests did not run on the reference runtime in this run."]
    lines += ["| module | passed | failed | xfail | ignored | skipped |", "|---|---:|---:|---:|---:|---:|"]
    for module, n in modules.items():
        failing = sum(n.get(o, 0) for o in FAILING_TESTS)
        lines.append(f"| {module} | {n.get('passed', 0)} | {failing} | {n.get('xfail', 0)} | "
                     f"{n.get('ignored', 0)} | {n.get('skipped', 0)} |")
    others = []
    for runtime in runtimes_of(target.cells, target.results.runtimes):
        if runtime == target.reference.runtime:
            continue
        mine = [c for c in target.cells if c.runtime == runtime and is_libtest(c) and c.ran]
        if mine:
            passed = sum(c.test_counts["passed"] for c in mine)
            failing = sum(c.failing_tests for c in mine)
            others.append(f"{runtime}: {passed} passed, {failing} failing")
    if others:
        lines += ["", "On the other runtimes: " + "; ".join(others) + "."]
    return lines


def _unwind(target: TargetEvidence) -> list[str]:
    """What building with panic=unwind changed on the reference runtime (a run with --profiles
    abort,unwind); nothing without it."""
    effect = profile_effect(target, "unwind")
    if effect is None:
        return []
    fixed_cases = sorted({c.case for c, _ in effect.fixed})
    lines = ["", "### Fixed by panic=unwind", "",
             f"Built with `--profiles unwind` (std built with panic=unwind and wasm exception handling), "
             f"the same test binaries on {effect.runtime}: {effect.passed} tests passed in "
             f"{effect.cells} cells; {len(effect.fixed)} tests that fail, crash or are expected to "
             f"fail under panic=abort pass" + (f" (in {', '.join(fixed_cases)})" if fixed_cases else "")
             + f"; {len(effect.broken)} that pass under panic=abort do not; {effect.only_there} tests "
             "exist only under panic=unwind (upstream's cfg(panic = \"unwind\") tests). libtest still "
             "reports `#[should_panic]` tests ignored on every wasm target, whatever the panic "
             "strategy."]
    lines += [f"- {_link(c, f'{c.case}: {t.name}')}: now {t.outcome}" for c, t in effect.broken[:20]]
    return lines


def _probes(target: TargetEvidence) -> list[str]:
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


def _builds(target: TargetEvidence) -> list[str]:
    built, speed = build_status(target), measure_build_time(target)
    return ["## Builds", "", f"- per toolchain: {built.evidence}.", f"- build time: {speed.evidence}."]


def _baseline(target: TargetEvidence) -> list[str]:
    lines = ["## Baseline runtimes and versions", "",
             f"The target needs {target.target.baseline}." if target.target else "",
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


def _how_to(target: TargetEvidence) -> list[str]:
    hello = next((c for c in target.on_reference() if HELLO_WORLD in c.evidence), None)
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


def _known(target: TargetEvidence) -> list[str]:
    lines = ["## Known failures", ""]
    cells = [c for c in target.all_cells if c.category == XFAIL]
    if not cells:
        return [*lines, "None in this run."]
    for source, mine in group_by_rule(cells).items():
        link = next((c.link for c in mine if c.link), None)
        lines.append(f"- {headline(mine[0].expectation_reason)} ({source}"
                     + (f", [issue]({link})" if link else "") + f"): {_links(mine)}")
    return lines


def _wasi(target: TargetEvidence, comparisons: Sequence[Comparison] = ()) -> list[str]:
    """wasi-testsuite's tests of this WASI version, per runtime: beside the evidence, not in it;
    and how they compare with the suite's own results, when given."""
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
    suites = {suite_key(c.wasi_suite) for c in cells}
    for comparison in comparisons:
        rows = [r for r in comparison.compared if suite_key(r.suite) in suites]
        if rows:
            differ = [r for r in rows if not r.agrees]
            lines += ["", f"Against {comparison.reference.runtime} {comparison.reference.version}'s own "
                          f"results ({comparison.reference.path.name}), {comparison.column}: "
                          f"{len(rows) - len(differ)} of {len(rows)} tests agree"
                          + (": " + "; ".join(f"{r.test} ({r.ours} here, {r.theirs} there)" for r in differ)
                             if differ else ".")]
    return lines


def _unsupported(target: TargetEvidence) -> list[str]:
    lines = ["## Unsupported by design, or not applicable", ""]
    cells = [c for c in target.cells if c.category in (UNSUPPORTED, NA)]
    if not cells:
        return [*lines, "None in this run."]
    reasons: dict[str, list[CellResult]] = {}
    for cell in cells:
        reasons.setdefault(headline(cell.reason) or "no reason recorded", []).append(cell)
    for reason, mine in sorted(reasons.items()):
        lines.append(f"- {reason}: {_links(mine)}")
    return lines
