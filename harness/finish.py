"""End of a run: merge the records into results.json, name lost cells, build the reports."""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from harness import PROJECT_ROOT
from harness.builder import builder_for
from harness.expectations import Expectations, expectation_files
from harness.expectations_command import usage
from harness.options import expectation_paths, selected_runtimes, selected_targets, selected_toolchains
from harness.record import WASI_TESTSUITE, CellResult
from harness.results import Results, read_records, write_results
from harness.runtime import installed_runtimes
from harness.suite import load_suite
from harness.suite_file import SuiteError
from harness.suite_paths import WASI_MANIFEST, is_suite_file, suite_files, suite_root, suites_in_args
from harness.targets import all_targets
from harness.verdict import Verdict
from harness.wasi_testsuite import CASE_PREFIX

LOST = "lost: the cell started but left no record (its worker died or the run was interrupted)"


def finish_run(config: pytest.Config, run_id: str, results_dir: Path, started: list[str]) -> int:
    """Write results.json and the reports; return a non-zero status on regressions."""
    records = read_records(results_dir, run_id)
    if not records and not started:
        return 0
    done = {r.key for r in records}
    toolchains = [t.name for t in selected_toolchains(config)]
    for nodeid in started:
        key = parse_nodeid(nodeid, toolchains)
        if key and key not in done:
            records.append(lost_record(*key))
    stale = stale_expectations(config) + stale_test_rules(config, records)
    config._wc_stale = [f"{s['source']}: {s['kind']}: {s['reason'][:120]}" for s in stale]  # type: ignore[attr-defined]
    run = run_header(config, run_id, stale)
    path = write_results(results_dir / "results.json", Results(run, tuple(records)))
    _say(f"results: {path} ({len(records)} cells)")
    try:
        from harness.report import build_reports

        build_reports(path, results_dir)
        _say(f"reports: {results_dir}")
    except Exception as error:  # the records are safe; say what went wrong with the reports
        _say(f"reports could not be built: {type(error).__name__}: {error}")
    old = config.getoption("compare")
    if old:
        from harness.report.diff import diff_command

        return diff_command(old, path, results_dir)
    return 0


def parse_nodeid(nodeid: str, toolchains: list[str]) -> tuple[str, str, str, str] | None:
    """`suites/x.yaml::case[target-runtime(@toolchain)]` -> (case, target, runtime, toolchain)."""
    name = nodeid.rsplit("::", 1)[-1]
    if not name.endswith("]") or "[" not in name:
        return None
    case, cell = name[:-1].split("[", 1)
    cell, _, toolchain = cell.partition("@")
    prebuilt = nodeid.split("::")[0].endswith(WASI_MANIFEST) or case.startswith(CASE_PREFIX)
    for triple in sorted(all_targets(), key=len, reverse=True):
        if cell.startswith(triple + "-"):
            return case, triple, cell[len(triple) + 1:], "" if prebuilt else toolchain or toolchains[0]
    return None


def lost_record(case: str, target: str, runtime: str, toolchain: str) -> CellResult:
    kind = WASI_TESTSUITE if not toolchain and case.startswith(CASE_PREFIX) else "case"
    return CellResult(case=case, target=target, runtime=runtime, toolchain=toolchain,
                      verdict=Verdict.INFRA_ERROR, reason=LOST, kind=kind)


def stale_expectations(config: pytest.Config) -> list[dict[str, str]]:
    """Rules of the suites folders of this run that decide no cell of the whole matrix."""
    stale: list[dict[str, str]] = []
    for root in _suite_roots(config):
        extra = expectation_paths(config, root / "any.yaml")[len(expectation_files(root)):]
        try:
            rows = usage(root, extra)
        except SuiteError:
            continue  # a broken file is reported by its own collection
        stale += [{"source": r.source, "kind": r.kind, "reason": r.reason} for r, n in rows if n == 0]
    return stale


def _suite_roots(config: pytest.Config) -> list[Path]:
    """The folders of the run's YAML suites (a wasi-testsuite checkout has none of its own)."""
    return sorted({suite_root(p) for p in suites_in_args(config.args) if is_suite_file(p)})


def stale_test_rules(config: pytest.Config, records: list[CellResult]) -> list[dict[str, str]]:
    """Test-level rules that selected no test of any libtest cell of this run they apply to
    (a rule whose cells did not run is not judged)."""
    libtest = [r for r in records if r.tests is not None]
    if not libtest:
        return []
    runtimes = installed_runtimes()
    stale: list[dict[str, str]] = []
    for root in _suite_roots(config):
        try:
            expectations = Expectations.load(expectation_paths(config, root / "any.yaml"), runtimes)
            cases = {c.id: c for path in suite_files(root) for c in load_suite(path, runtimes)}
        except SuiteError:
            continue
        rules = [r for r in expectations.rules if r.selector.tests is not None]
        rules += [r for c in cases.values() for r in c.overrides if r.selector.tests is not None]
        for rule in rules:
            cells = [r for r in libtest if r.case in cases and r.runtime in runtimes
                     and rule.selector.selects(cases[r.case], r.target, runtimes[r.runtime], r.toolchain)]
            if cells and not any(rule.selector.selects_test(t.name) for r in cells for t in r.tests or []):
                stale.append({"source": rule.source, "kind": rule.kind, "reason": rule.reason})
    return stale


def run_header(config: pytest.Config, run_id: str, stale: list[dict[str, str]]) -> dict[str, Any]:
    toolchains = selected_toolchains(config)
    header: dict[str, Any] = {
        "run_id": run_id,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "harness_revision": _git_revision(),
        "host": platform.node(),
        "builder": ",".join(sorted({builder_for(t).name for t in toolchains})),
        "targets": list(selected_targets(config)),
        "runtimes": list(selected_runtimes(config)),
        "toolchains": [t.name for t in toolchains],
        "argv": ["pytest", *sys.argv[1:]],
        "image": None,
        "image_id": None,
        "versions": {},
        "toolchain_versions": {},
        "stale_expectations": stale,
    }
    try:
        from harness.engine import find_engine
        from harness.images import runtimes_tag, versions_of

        client = find_engine()
        if client is not None:
            header["image"] = runtimes_tag()
            header["image_id"] = client.images.get(header["image"]).id
            header["versions"] = versions_of(header["image"], client)
        header["toolchain_versions"] = {t.name: builder_for(t).toolchain_versions() for t in toolchains}
    except Exception as error:
        header["versions_error"] = f"{type(error).__name__}: {error}"
    return header


def _git_revision() -> str:
    result = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"


def _say(message: str) -> None:
    print(f"\nwasm-conformance {message}", file=sys.stderr)
