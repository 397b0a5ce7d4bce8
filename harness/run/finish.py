"""End of a run: merge the records into results.json, name lost cells, build the reports."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.builder import builder_for
from harness.catalogue.build_profiles import PROFILES
from harness.catalogue.targets import all_targets
from harness.catalogue.toolchains import Toolchain, all_toolchains
from harness.cells.case import Case
from harness.cells.judgment import lost
from harness.results import timings
from harness.results.record import CellResult
from harness.results.run_header import describe_run
from harness.results.store import Results, load_results, read_records, write_results
from harness.results.time_spent import lines, profile
from harness.run.plan import PLAN, RunPlan
from harness.runtime import Runtime
from harness.suites.rules import Coordinates, rule_usage
from harness.suites.yaml_files import SuiteError

STALE = pytest.StashKey[list[str]]()  # the run's stale expectations, for the terminal summary
TIME_SPENT = pytest.StashKey[list[str]]()  # where the run's time went, for the terminal summary
SITE = pytest.StashKey[Path]()  # the front page of the run's site, for the terminal summary


def finish_run(config: pytest.Config, run_id: str, results_dir: Path) -> int:
    """Write results.json and the reports; return a non-zero status on regressions."""
    records, unfinished = read_records(results_dir, run_id)
    if not records and not unfinished:
        return 0
    records += [judged_lost(c) for c in unfinished]
    plan = config.stash[PLAN]
    stale = stale_expectations(plan) + stale_test_rules(plan, records)
    config.stash[STALE] = [f"{s['source']}: {s['kind']}: {s['reason'][:120]}" for s in stale]
    chosen = plan.selection
    toolchains = chosen.toolchains
    header = describe_run(
        run_id, targets=list(chosen.targets), runtimes=list(chosen.runtimes),
        toolchains=[t.name for t in toolchains], builders=[builder_for(t).name for t in toolchains],
        argv=["pytest", *sys.argv[1:]], stale=stale,
        build_profiles=[p.name for p in chosen.profiles],
        toolchain_versions=_toolchain_versions(toolchains))
    header.profile = profile(records)
    config.stash[TIME_SPENT] = lines(header.profile)
    results = Results(header, tuple(records))
    timings.remember(results)
    path = write_results(results_dir / "results.json", results)
    _say(f"results: {path} ({len(records)} cells)")
    try:
        from harness.report.site.build import write_site

        old = config.getoption("compare")
        write_site(results, results_dir, previous=(load_results(Path(old)), Path(old).name) if old else None)
        config.stash[SITE] = results_dir / "index.html"
        _say(f"reports: {results_dir}; the site: {results_dir / 'index.html'}")
        from harness.report.wasi_links import catalogue_disagreements, wasi_links

        for line in catalogue_disagreements(wasi_links(records), header.columns):
            _say(f"the runtime catalogue disagrees with this run: {line}")
    except Exception as error:  # the records are safe; say what went wrong with the reports
        _say(f"reports could not be built: {type(error).__name__}: {error}")
    old = config.getoption("compare")
    if old:
        from harness.report.diff import diff_command

        return diff_command(old, path, results_dir)
    return 0


def judged_lost(identity: CellResult) -> CellResult:
    """The record of a cell that started and left none."""
    judgment = lost()
    identity.verdict, identity.reason, identity.reason_code = judgment.verdict, judgment.reason, judgment.code
    return identity


def _toolchain_versions(toolchains: list[Toolchain]) -> dict[str, dict[str, str]]:
    try:
        return {t.name: builder_for(t).toolchain_versions() for t in toolchains}
    except Exception as error:  # e.g. a toolchain image gone: the header says so, the results stay
        return {t.name: {"error": f"{type(error).__name__}: {error}"} for t in toolchains}


def stale_expectations(plan: RunPlan) -> list[dict[str, str]]:
    """Rules of the suites folders of this run that decide no cell of the whole matrix."""
    stale: list[dict[str, str]] = []
    for root in plan.suite_roots:
        try:
            rows = rule_usage(plan.folder_cases(root), plan.rules(root), all_targets(),
                              plan.installed.values(), list(all_toolchains().values()))
        except SuiteError:
            continue  # a broken file is reported by its own collection
        stale += [{"source": r.source, "kind": r.kind, "reason": r.reason} for r, n in rows
                  if n == 0 and r.selector.tests is None]  # (test rules: stale_test_rules)
    return stale


def stale_test_rules(plan: RunPlan, records: list[CellResult]) -> list[dict[str, str]]:
    """Test-level rules that selected no test of any libtest cell of this run they apply to
    (a rule whose cells did not run is not judged)."""
    libtest = [r for r in records if r.tests is not None]
    if not libtest:
        return []
    runtimes = plan.installed
    stale: list[dict[str, str]] = []
    for root in plan.suite_roots:
        try:
            expectations = plan.rules(root)
            cases = {c.id: c for c in plan.folder_cases(root)}
        except SuiteError:
            continue
        rules = [r for r in expectations.rules if r.selector.tests is not None]
        rules += [r for c in cases.values() for r in c.overrides if r.selector.tests is not None]
        placed = [(r, _coordinates(r, cases, runtimes)) for r in libtest]
        for rule in rules:
            cells = [r for r, at in placed if at is not None and rule.selector.selects(at)]
            if cells and not any(rule.selector.selects_test(t.name) for r in cells for t in r.tests or []):
                stale.append({"source": rule.source, "kind": rule.kind, "reason": rule.reason})
    return stale


def _coordinates(record: CellResult, cases: dict[str, Case],
                 runtimes: dict[str, Runtime]) -> Coordinates | None:
    """Where a record's cell is, by the objects its names name (None: a case, runtime or target
    this run's catalogues do not know)."""
    targets, toolchains = all_targets(), all_toolchains()
    if (record.case not in cases or record.runtime not in runtimes or record.target not in targets
            or record.build_profile not in PROFILES):
        return None
    return Coordinates(cases[record.case], targets[record.target], runtimes[record.runtime],
                       toolchains.get(record.toolchain), PROFILES[record.build_profile])


def _say(message: str) -> None:
    print(f"\nwasm-conformance {message}", file=sys.stderr)
