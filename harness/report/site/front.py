"""What the front page says: per target the answer of its assessment (harness/report/assessment.py,
rendered as it comes), its blockers and reference runtime, its trend over the last nights; per
runtime column its version and pass rates. Every number carries the link to the cells behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from harness.catalogue.build_profiles import DEFAULT as DEFAULT_PROFILE
from harness.report.assessment import Assessment, Finding, assess, headline
from harness.report.history import History
from harness.report.site import urls
from harness.report.site.charts import Frame, Series, line_chart
from harness.results.record import NA, PASS, UNAVAILABLE, CellKind, CellResult
from harness.results.store import Results
from harness.results.verdict import TestOutcome

TREND_NIGHTS = 14
NOT_RUN_TESTS = (TestOutcome.IGNORED, TestOutcome.SKIPPED)
PASSED_TESTS = (TestOutcome.PASSED, TestOutcome.XPASS)
HEADLINE_CHARS = 180  # of a blocker's headline on the front page
NO_EVIDENCE = "not measured"  # shown when the run has no cell of the target's std at all


@dataclass(frozen=True)
class Rate:
    """`passed` of `total`, and where the cells behind it are."""

    passed: int
    total: int
    href: str

    @property
    def percent(self) -> float:
        return 100 * self.passed / self.total if self.total else 0.0

    @property
    def text(self) -> str:
        return f"{self.percent:.1f} % ({self.passed}/{self.total})" if self.total else "none ran"


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass
class TargetRow:
    target: str
    answer: str
    toolchain: str
    dossier: str
    blockers: list[tuple[Link, list[Link]]] = field(default_factory=list)  # headline, its cells
    reference: str = ""
    reference_version: str = ""
    reference_href: str = ""
    reference_why: str = ""
    field_note: str = ""
    toolchains: list[tuple[str, str, str]] = field(default_factory=list)  # name, rustc, its reference
    trend: Markup | None = None

    @property
    def answer_class(self) -> str:
        return self.answer.replace(" ", "-")


@dataclass
class RuntimeColumn:
    name: str
    version: str
    wasi: dict[str, Rate]  # per WASI version (the target of wasi-testsuite's cells)
    rust: dict[str, Rate]  # per target: Rust's own tests
    security: str = ""  # "yes", "no" or "" (not tracked): whether its line still gets security fixes
    security_note: str = ""


def short(text: str, limit: int = HEADLINE_CHARS) -> str:
    """At most `limit` characters, cut at a word with an ellipsis (the dossier has the rest)."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:(") + " …"


def finding_links(finding: Finding, limit: int = 12) -> list[Link]:
    """The cells (and tests) behind a finding, as links to their pages."""
    links = [Link(f"{c.case} @ {c.runtime}", urls.cell_page(c)) for c in finding.cells[:limit]]
    links += [Link(f"{t.name} ({c.case} @ {c.runtime})", urls.test_link(c, t.name))
              for c, t in finding.tests[:limit]]
    return links


def _first_href(finding: Finding) -> str:
    if finding.cells:
        return urls.cell_page(finding.cells[0])
    if finding.tests:
        cell, test = finding.tests[0]
        return urls.test_link(cell, test.name)
    return ""


def target_row(results: Results, target: str, assessment: Assessment | None,
               history: History | None) -> TargetRow:
    dossier = f"evidence/{target}.html"
    if assessment is None:
        return TargetRow(target, NO_EVIDENCE, "", dossier="",
                         reference_why="the run has no cell of this target's std")
    evidence = assessment.evidence
    reference = evidence.reference.runtime or ""
    row = TargetRow(
        target, assessment.answer, evidence.toolchain, dossier,
        blockers=[(Link(short(headline(b.text)), _first_href(b) or dossier), finding_links(b))
                  for b in assessment.blockers],
        reference=reference or "none",
        reference_version=evidence.version_of(reference) if reference else "",
        reference_href=urls.matrix(target=target, runtime=reference, toolchain=evidence.toolchain
                                   if results.several_builds else "") if reference else "",
        reference_why=evidence.reference.why, field_note=assessment.field_note,
        toolchains=[(v.name, v.rustc, v.reference.runtime or "none") for v in assessment.toolchains])
    if history is not None:
        row.trend = trend(history, target)
    return row


def std_rate(cells: list[CellResult]) -> tuple[int, int]:
    """(cells that pass, cells that were judged: not n/a, not unavailable)."""
    judged = [c for c in cells if c.category not in (NA, UNAVAILABLE)]
    return sum(1 for c in judged if c.category == PASS), len(judged)


def trend(history: History, target: str) -> Markup | None:
    """The share of the target's std cells that passed, night by night (the last nights); None when
    no night has them."""
    points = []
    for run in history.runs[-TREND_NIGHTS:]:
        judged = [s for s in run.cells.values() if s.line[0] == target and s.std
                  and s.label not in (NA, UNAVAILABLE)]
        passed, total = sum(1 for s in judged if s.label == PASS), len(judged)
        if total:
            points.append((run.date, 100 * passed / total))
    if not points:
        return None
    return line_chart([Series(target, tuple(points), f"history.html#target-{target}")],
                      f"std cells passing, last {len(points)} nights", x_label="night", y_label="%",
                      frame=Frame(width=320, height=124, left=40, right=34, top=22, bottom=32, legend=False))


def test_rate(cells: list[CellResult], href: str) -> Rate:
    """Rust's own tests that passed, of those that ran (ignored and skipped left out)."""
    passed = total = 0
    for cell in cells:
        for test in cell.tests or []:
            if test.outcome in NOT_RUN_TESTS:
                continue
            total += 1
            passed += test.outcome in PASSED_TESTS
    return Rate(passed, total, href)


def runtime_columns(results: Results, toolchains: dict[str, str]) -> list[RuntimeColumn]:
    """Per runtime column: its version, wasi-testsuite's pass rate per WASI version, and the pass rate
    of Rust's own tests per target (the build each target's assessment judges, `toolchains`)."""
    columns = []
    for runtime in results.runtimes:
        mine = [c for c in results.cells if c.runtime == runtime]
        versions = sorted({c.versions.get("runtime", "") for c in mine} - {""})
        wasi, rust = {}, {}
        for target in results.targets:
            suite = [c for c in mine if c.target == target and c.kind is CellKind.WASI_TESTSUITE]
            if suite:
                passed, total = std_rate(suite)
                wasi[target] = Rate(passed, total, urls.matrix(target=target, runtime=runtime,
                                                               kind=str(CellKind.WASI_TESTSUITE)))
            tests = [c for c in mine if c.target == target and c.kind is CellKind.LIBTEST
                     and c.toolchain == toolchains.get(target, c.toolchain)
                     and c.build_profile == DEFAULT_PROFILE and c.ran]
            if tests:
                rust[target] = test_rate(tests, urls.matrix(
                    target=target, runtime=runtime, kind=str(CellKind.LIBTEST),
                    toolchain=tests[0].build if results.several_builds else ""))
        version = ", ".join(versions) or str(results.run.versions.get(runtime, "") or "unknown")
        said = results.run.columns.get(runtime, {})
        fixes = said.get("security_fixes")
        security = "" if fixes is None else "yes" if fixes else "no"
        columns.append(RuntimeColumn(runtime, version, wasi, rust, security, said.get("security_note", "")))
    return columns


def front_page(results: Results, history: History | None = None) -> dict[str, object]:
    """The template context of index.html."""
    rows = [target_row(results, t, assess(results, t, history), history) for t in results.targets
            if any(c.is_std_evidence for c in results.for_target(t))]
    columns = runtime_columns(results, {r.target: r.toolchain for r in rows if r.toolchain})
    wasi_targets = [t for t in results.targets if any(t in c.wasi for c in columns)]
    rust_targets = [t for t in results.targets if any(t in c.rust for c in columns)]
    return {"rows": rows, "columns": columns, "wasi_targets": wasi_targets, "rust_targets": rust_targets,
            "several_toolchains": results.several_toolchains}
