"""evidence/<target>.md: what this run shows for the tier-2 requirements runtime tests can speak to.

Every sentence is derived from the cells; nothing is claimed that the cells do not show.
The requirements quoted in paraphrase are from Rust's Target Tier Policy (tier 2).
"""

from __future__ import annotations

from collections.abc import Callable

from harness.record import FAIL, NA, PASS, UNAVAILABLE, UNSUPPORTED, XFAIL, CellResult
from harness.report.matrix_md import FAIL_NOTE, header_lines
from harness.report.model import counts, failing_breakdown, features_of, runtimes_of
from harness.results import Results
from harness.verdict import Verdict

MATRIX = "../matrix.html"
POLICY = "https://doc.rust-lang.org/rustc/target-tier-policy.html#tier-2-target-policy"


def _link(cell: CellResult, text: str | None = None) -> str:
    return f"[{text or cell.name()}]({MATRIX}#{cell.anchor})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def pytest_command(target: str) -> str:
    return f"pytest suites/ -n auto --targets {target}"


# Failing verdicts that say nothing about the target: shown apart from failing features.
STALE = frozenset({Verdict.XPASS})  # the behaviour passed; the xfail expectation is stale
HARNESS = frozenset({Verdict.INFRA_ERROR})  # the harness or Docker failed: not known


def _broken(cell: CellResult) -> bool:
    """A failing verdict that is a finding about the target or runtime."""
    return cell.category == FAIL and cell.verdict not in STALE | HARNESS


def _features(cells: list[CellResult], test: Callable[[CellResult], bool]) -> list[str]:
    """The features (row groups) with at least one cell passing `test`."""
    return [f for f in features_of(cells) if any(test(c) for c in cells if c.feature == f)]


def feature_status(cells: list[CellResult]) -> str:
    """A conservative status for one feature's cells: a headline, then the counts."""
    n = counts(cells)
    broken = [c for c in cells if _broken(c)]
    stale = sum(1 for c in cells if c.verdict in STALE)
    harness = sum(1 for c in cells if c.verdict in HARNESS)
    if broken:
        headline = f"**fails** in {_plural(len(broken), 'cell')} ({failing_breakdown(broken)})"
    elif n[XFAIL]:
        headline = f"**known failures** in {_plural(n[XFAIL], 'cell')} (xfail)"
    elif n[PASS]:
        headline = "works in every cell that ran" if not harness else "works where known"
    elif n[UNSUPPORTED]:
        headline = "unsupported by design"
    else:
        headline = "not shown (no cell passed or ran as documented)"
    notes = [
        f"works in {n[PASS]}" if n[PASS] and (broken or n[XFAIL] or n[UNSUPPORTED]) else "",
        f"unsupported by design in {n[UNSUPPORTED]}"
        if n[UNSUPPORTED] and (n[PASS] or broken or n[XFAIL])
        else "",
        f"{_plural(n[XFAIL], 'known failure')} (xfail)" if n[XFAIL] and broken else "",
        f"{_plural(stale, 'stale xfail expectation')} (xpass)" if stale else "",
        f"{harness} not known (infra-error)" if harness else "",
        f"{n[UNAVAILABLE]} not run (unavailable)" if n[UNAVAILABLE] else "",
        f"{n[NA]} N/A" if n[NA] else "",
    ]
    return "; ".join([headline, *(note for note in notes if note)])


def summary_line(target: str, cells: list[CellResult]) -> str:
    """The top line: counts, and the failing features named when there are any."""
    n = counts(cells)
    if not cells:
        return f"**{target}: no cells in this run; nothing is shown.**"
    parts = [f"{n[PASS]} of {len(cells)} cells pass"]
    if n[UNSUPPORTED]:
        parts.append(f"{n[UNSUPPORTED]} unsupported by design")
    if n[NA]:
        parts.append(f"{n[NA]} N/A (not run: the case does not apply, or the runtime "
                     "cannot run this kind of artifact)")
    if n[XFAIL]:
        parts.append(f"{n[XFAIL]} known {'failure' if n[XFAIL] == 1 else 'failures'} (xfail)")
    if n[UNAVAILABLE]:
        parts.append(f"{n[UNAVAILABLE]} not run (runtime or toolchain unavailable)")
    if n[FAIL]:
        parts.append(f"{n[FAIL]} failing ({failing_breakdown(cells)})")
    problems = []
    failing = _features(cells, _broken)
    if failing:
        problems.append(f"failing features: {', '.join(failing)}")
    stale = _features(cells, lambda c: c.verdict in STALE)
    if stale:
        problems.append(f"stale xfail expectations (xpass) in: {', '.join(stale)}")
    unknown = _features(cells, lambda c: c.verdict in HARNESS)
    if unknown:
        problems.append(f"harness errors (infra-error) in: {', '.join(unknown)}")
    if problems:
        verdict = "NOT every cell matches its expectation: " + "; ".join(problems)
    elif n[PASS] == 0:
        verdict = "no cell passed"
    else:
        verdict = "every cell that ran matched its expectation"
        if n[XFAIL]:
            verdict += " (known failures included)"
    return f"**{target}: {verdict}. {'; '.join(parts)}.**"


def _builds(cells: list[CellResult]) -> list[str]:
    errors = [c for c in cells if c.verdict is Verdict.BUILD_ERROR]
    artifacts = {c.artifact_sha256 for c in cells if c.artifact_sha256}
    lines = [
        "### Builds reliably",
        "",
        "> The target must build reliably in CI.",
        "",
        f"- build-error cells in this run: {len(errors)} of {len(cells)}.",
        f"- distinct artifacts built: {len(artifacts)}.",
    ]
    lines += [f"  - {_link(c)}: {c.reason or 'no reason recorded'}" for c in errors]
    lines.append("- One run shows one build; reliability over time is what the nightly diffs show.")
    return lines


def _how_to_test(target: str, cells: list[CellResult]) -> list[str]:
    n = counts(cells)
    ran = len(cells) - n[NA] - n[UNAVAILABLE]
    return [
        "### Tests run and pass, and how to run them",
        "",
        "> The target must document how to build for it and how to run tests for it, "
        "using emulation if possible.",
        "",
        f"- cells run: {ran} of {len(cells)}; pass: {n[PASS]}; unsupported as documented: "
        f"{n[UNSUPPORTED]}; known failures (xfail): {n[XFAIL]}; failing: {n[FAIL]}.",
        "- The runtimes below are the emulation: each runs the built artifact on the host.",
        "- Run them with:",
        "",
        "```sh",
        "python -m harness setup",
        pytest_command(target),
        "python -m harness report reports/results.json",
        "```",
    ]


def _baseline(results: Results, cells: list[CellResult]) -> list[str]:
    lines = [
        "### Baseline runtimes and versions",
        "",
        "> The target must document its baseline expectations for runtime environments, "
        "libraries and similar.",
        "",
        "| runtime | version | pass | unsupported | N/A | xfail | unavailable | fail |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    header_versions = dict(results.versions())
    for runtime in runtimes_of(cells, results.runtimes):
        mine = [c for c in cells if c.runtime == runtime]
        found = sorted({c.versions.get("runtime", "") for c in mine} - {""})
        version = ", ".join(found) or header_versions.get(runtime, "unknown")
        n = counts(mine)
        lines.append(
            f"| {runtime} | {version} | {n[PASS]} | {n[UNSUPPORTED]} | {n[NA]} | {n[XFAIL]} "
            f"| {n[UNAVAILABLE]} | {n[FAIL]} |"
        )
    rustc = sorted({c.versions.get("rustc", "") for c in cells} - {""})
    rustc_text = ", ".join(rustc) or header_versions.get("rustc", "unknown")
    lines += ["", f"rustc: {rustc_text}; builder: {results.header('builder')}."]
    return lines


def _std_parts(cells: list[CellResult]) -> list[str]:
    lines = [
        "### Which parts of std work, are unsupported by design, or fail",
        "",
        "> Tier 2 targets must not leave significant portions of core or the standard "
        "library unimplemented, unless they cannot possibly be supported on the target.",
        "",
        "| feature | status | pass | unsupported | N/A | xfail | unavailable | fail |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    details: list[str] = []
    for feature in features_of(cells):
        mine = [c for c in cells if c.feature == feature]
        n = counts(mine)
        lines.append(
            f"| {feature} | {feature_status(mine)} | {n[PASS]} | {n[UNSUPPORTED]} | {n[NA]} "
            f"| {n[XFAIL]} | {n[UNAVAILABLE]} | {n[FAIL]} |"
        )
        details += ["", f"#### {feature}", ""]
        for category in (PASS, UNSUPPORTED, NA, XFAIL, UNAVAILABLE, FAIL):
            group = [c for c in mine if c.category == category]
            if group:
                links = ", ".join(_link(c, f"{c.case} @ {c.runtime}") for c in group)
                details.append(f"- {category} ({len(group)}): {links}")
    lines += ["", "Rows group cases by the first feature each lists.", *details]
    return lines


def _failures(cells: list[CellResult]) -> list[str]:
    lines = ["## Known failures and unexpected results", ""]
    bad = [c for c in cells if c.category in (FAIL, XFAIL)]
    if not bad:
        return [*lines, "None in this run."]
    for cell in bad:
        reason = cell.reason or "no reason recorded"
        lines.append(f"- {_link(cell)}: **{cell.verdict}**: {reason}")
        if cell.link:
            lines.append(f"  - issue: {cell.link}")
        if cell.repro:
            lines.append(f"  - reproduce: `{cell.repro}`")
    return lines


def _unsupported(cells: list[CellResult]) -> list[str]:
    lines = ["## Unsupported by design", ""]
    group = [c for c in cells if c.category in (UNSUPPORTED, NA)]
    if not group:
        return [*lines, "None in this run."]
    reasons: dict[str, list[CellResult]] = {}  # N/A reasons included
    for cell in group:
        reasons.setdefault(cell.reason or "no reason recorded", []).append(cell)
    for reason, mine in sorted(reasons.items()):
        links = ", ".join(_link(c, f"{c.case} @ {c.runtime}") for c in mine)
        lines.append(f"- {reason}: {links}")
    return lines


def render(results: Results, target: str) -> str:
    """The evidence report for one target."""
    cells = results.for_target(target)
    lines = [
        f"# Tier-2 evidence: {target}",
        "",
        summary_line(target, cells),
        "",
        "This report answers, from one run of the conformance harness, the requirements of "
        f"Rust's Target Tier Policy for tier 2 ({POLICY}) that runtime testing can speak to. "
        "The others (maintainers, value to users, burden on Rust developers, CI time) are "
        "outside its reach. Counts are cells: case x runtime. " + FAIL_NOTE,
        "",
        "## Requirements",
        "",
        *_builds(cells),
        "",
        *_how_to_test(target, cells),
        "",
        *_baseline(results, cells),
        "",
        *_std_parts(cells),
        "",
        *_failures(cells),
        "",
        *_unsupported(cells),
        "",
        "## Reproduce",
        "",
        "```sh",
        f"git checkout {results.header('harness_revision')}",
        "python -m harness setup",
        pytest_command(target),
        "```",
        "",
        *header_lines(results),
    ]
    return "\n".join(lines) + "\n"
