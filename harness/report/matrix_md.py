"""matrix.md: run header, legend, per target x runtime summary, one table per target."""

from __future__ import annotations

from collections.abc import Sequence

from harness.report.answers import markdown_lines, target_answers
from harness.report.libtests import is_libtest, rate
from harness.report.model import counts, failing_breakdown, features_of, runtimes_of
from harness.report.security import security_sentence
from harness.report.toolchains import build_order, differences, rustc_of, summary_groups, toolchain_order
from harness.report.wasi_compare import Comparison
from harness.report.wasi_links import link_lines, wasi_links
from harness.results.record import CATEGORIES, FAIL, NA_SYMBOL, CellResult
from harness.results.store import Results, ordered
from harness.results.verdict import FAILING_VERDICTS, ReasonCode, Verdict

WASI_TITLE = "WASI runtime conformance (WebAssembly/wasi-testsuite)"
WASI_NOTE = ("The prebuilt tests of WebAssembly/wasi-testsuite, run in the same sandbox: evidence "
             "about each runtime's WASI, not about Rust's std. They are left out of the summary "
             "above and out of every tier-2 requirement (the dossiers list them apart). Their "
             "target is the WASI version of their suite; rows are grouped by suite. "
             "The harness talks to a running guest as the tests ask (stdin and stdout in turns, "
             "TCP connections, HTTP requests, signals); `unsupported by harness` marks a test "
             "with an operation it cannot perform yet (several `run`s in one test, a connection "
             "other than TCP): such a test is never run and never a pass.")
LINKS_NOTE = ("From the probes of this run whose artifacts import one WASI 0.3 version (the async-main "
              "fixtures, std for wasm32-wasip3): a column links a version when such a guest ran, and "
              "refuses it when it would not instantiate one.")
FAIL_NOTE = "`fail` counts every failing verdict: " + ", ".join(f"`{v}`" for v in FAILING_VERDICTS) + "."


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def header_lines(results: Results) -> list[str]:
    """The run header and component versions, shared by the Markdown reports."""
    lines = [
        f"- date: {results.header('date')}",
        f"- harness revision: `{results.header('harness_revision')}`",
        f"- host: {results.header('host')}",
        f"- builder: {results.header('builder')}",
        f"- image: `{results.header('image')}` (`{results.header('image_id')}`)",
        "",
        "| component | package version | the binary reports |",
        "|---|---|---|",
    ]
    lines += [f"| {_escape(k)} | {_escape(p)} | {_escape(b)} |" for k, p, b in version_rows(results)]
    unsupported = security_sentence(results)
    return [*lines, "", unsupported] if unsupported else lines


def version_rows(results: Results) -> list[tuple[str, str, str]]:
    """(component, package version, what the runtime binary itself printed) for the header:
    packages from the image labels, binaries from the cells (the same when both agree)."""
    binary: dict[str, set[str]] = {}
    for cell in results.cells:
        reported = cell.versions.get("runtime")
        if reported:
            binary.setdefault(cell.runtime, set()).add(reported)
    packages = dict(results.versions())
    rows = []
    for name in sorted(set(packages) | set(binary)):
        said = ", ".join(sorted(binary.get(name, ())))
        rows.append((name, packages.get(name, ""), "" if said == packages.get(name) else said))
    return rows


def legend_lines() -> list[str]:
    lines = ["| symbol | meaning |", "|---|---|"]
    lines += [f"| {v.symbol} | {v.legend} |" for v in Verdict]
    lines.append(f"| {NA_SYMBOL} | not applicable: not run, by a documented skip (reason in the cell) |")
    lines.append("| (blank) | no such cell in this run |")
    return lines


def summary_lines(results: Results, wasi: bool = False) -> list[str]:
    """One row per target x runtime (x build: toolchain and profile, with several) with each
    category's count: of the std evidence, or (`wasi`) of wasi-testsuite's tests."""
    names = ["N/A" if c == "n/a" else c for c in CATEGORIES]
    several = results.several_builds and not wasi
    extra = "build | " if several else ""
    lines = [
        f"| {'WASI version' if wasi else 'target'} | runtime | {extra}" + " | ".join(names)
        + (" | of which unsupported by harness" if wasi else "") + " | total |",
        "|---|---|" + ("---|" if several else "") + "---:|" * (len(names) + 1 + wasi),
    ]
    for target, runtime, build, mine in summary_groups(results, wasi):
        numbers = counts(mine)
        row = [str(numbers[c]) for c in CATEGORIES]
        breakdown = failing_breakdown(mine)
        if breakdown:
            row[CATEGORIES.index(FAIL)] += f" ({breakdown})"
        which = f"{build} | " if several else ""
        if wasi:
            row.append(str(unsupported_by_harness(mine)))
        lines.append(f"| {target} | {runtime} | {which}" + " | ".join(row) + f" | {len(mine)} |")
    return lines


def unsupported_by_harness(cells: list[CellResult]) -> int:
    """wasi-testsuite cells not run because the harness cannot perform their operations."""
    return sum(1 for c in cells if c.reason_code is ReasonCode.HARNESS_CANNOT)


def wasi_lines(results: Results, comparisons: Sequence[Comparison] = ()) -> list[str]:
    """The section of wasi-testsuite's tests: a summary, how it compares with the suite's own
    results (when given), then one table per WASI version."""
    cells = [c for c in results.cells if not c.is_std_evidence]
    if not cells:
        return []
    lines = ["", f"## {WASI_TITLE}", "", WASI_NOTE, "", *summary_lines(results, wasi=True)]
    if comparisons:
        lines += ["", "### Against the suite's own results", ""]
        for comparison in comparisons:
            lines.append(f"- {comparison.summary()} (`{comparison.reference.path.name}`)")
            lines += [f"  - {r.suite}: {r.test}: harness {r.ours}, theirs {r.theirs} ({_escape(r.why)})"
                      for r in comparison.differing]
    for target in ordered(c.target for c in cells):
        mine = [c for c in cells if c.target == target]
        lines += ["", f"### {target}", "", *target_table(mine, results.runtimes, "suite / test")]
    return lines


def toolchain_lines(results: Results) -> list[str]:
    """The toolchains of the run, oldest rustc first, with what they are made of."""
    lines = ["| toolchain | rustc | lld | wasi-libc | wasm-component-ld | image |",
             "|---|---|---|---|---|---|"]
    every = results.run.toolchain_versions
    for name in toolchain_order(results):
        v = every.get(name) or {}
        lines.append(f"| {name} | {_escape(str(v.get('rustc', 'unknown')))} | {v.get('lld', '')} | "
                     f"{v.get('wasi-libc', '')} | {v.get('wasm-component-ld', '')} | "
                     f"{'`' + str(v['image']) + '`' if v.get('image') else ''} |")
    return lines


def comparison_lines(results: Results) -> list[str]:
    """Cells whose verdict is not the same under every build, and what that says."""
    found = differences(results)
    order = build_order(results)
    if not found:
        return ["Every cell has the same verdict under every build of this run."]
    lines = ["| target | case | runtime | " + " | ".join(order) + " | |",
             "|---|---|---|" + ":-:|" * len(order) + "---|"]
    for diff in found:
        by = {c.build: c.symbol for c in diff.cells}
        lines.append(f"| {diff.target} | {diff.case} | {diff.runtime} | "
                     + " | ".join(by.get(t, "") for t in order) + f" | {diff.summary} |")
    return lines


def target_table(cells: list[CellResult], column_order: list[str],
                 rows: str = "feature / case") -> list[str]:
    """Rows = features and the cases under them, columns = runtimes."""
    runtimes = runtimes_of(cells, column_order)
    by_key = {(c.case, c.runtime): c for c in cells}
    lines = [
        f"| {rows} | " + " | ".join(runtimes) + " |",
        "|---|" + ":-:|" * len(runtimes),
    ]
    for feature in features_of(cells):
        lines.append(f"| **{feature}** |" + " |" * len(runtimes))
        cases = sorted({c.case for c in cells if c.group == feature})
        for case in cases:
            symbols = [_shown(by_key[(case, r)]) if (case, r) in by_key else "" for r in runtimes]
            lines.append(f"| {case} | " + " | ".join(symbols) + " |")
    return lines


def _shown(cell: CellResult) -> str:
    """A cell's symbol; a libtest cell's with its pass rate."""
    if is_libtest(cell) and cell.ran:
        return f"{cell.symbol} {rate(cell)}"
    return cell.symbol


def render(results: Results, comparisons: Sequence[Comparison] = ()) -> str:
    """The whole matrix.md."""
    lines = ["# Rust WebAssembly targets: conformance matrix", ""]
    answers = target_answers(results)
    if answers:
        lines += ["## The answer per target", "",
                  "Tier-2 readiness of each target on its reference runtime; each dossier argues it, "
                  "requirement by requirement.", "", *markdown_lines(answers), ""]
    lines += ["## Run", ""]
    lines += header_lines(results)
    lines += ["", "### Toolchains", "", *toolchain_lines(results)]
    lines += ["", "## Legend", "", *legend_lines()]
    lines += ["", "## Summary per target and runtime", "", FAIL_NOTE, ""]
    lines += summary_lines(results)
    if results.several_builds:
        lines += ["", "## Builds compared", "",
                  "Toolchains oldest rustc first, each under its build profiles (panic=abort, then "
                  "unwind); a step from failing to passing is a fix, the other way round a "
                  "regression.", "", *comparison_lines(results)]
    for target in results.targets:
        std = [c for c in results.for_target(target) if c.is_std_evidence]
        if not std and any(not c.is_std_evidence for c in results.for_target(target)):
            continue  # only wasi-testsuite's tests: they have their own section
        for build in ordered({c.build for c in std}, build_order(results)) or [""]:
            cells = [c for c in std if c.build == build]
            title = f"{target} ({build}, rustc {rustc_of(results, cells[0].toolchain)})" \
                if results.several_builds and cells and build else target
            lines += ["", f"## {title}", ""]
            lines += (target_table(cells, results.runtimes) if cells
                      else ["No cells for this target in this run."])
    links = link_lines(wasi_links(results.cells), results.run.columns, results.runtimes)
    if links:
        lines += ["", "## WASI 0.3 versions each runtime links", "", LINKS_NOTE, "", *links]
    lines += wasi_lines(results, comparisons)
    lines += [
        "",
        "Rows are grouped by the first feature each case lists. Per-cell details "
        "(reason, output, reproduction command) are in matrix.html.",
    ]
    return "\n".join(lines) + "\n"
