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
from harness.results import read_records, write_results
from harness.targets import all_targets
from harness.verdict import Verdict


def finish_run(config: pytest.Config, run_id: str, results_dir: Path, started: list[str]) -> int:
    """Write results.json and the reports; return a non-zero status on regressions."""
    from harness.plugin import selected_runtimes, selected_targets

    records = read_records(results_dir, run_id)
    if not records and not started:
        return 0
    done = {(r["case"], r["target"], r["runtime"]) for r in records}
    for nodeid in started:
        key = parse_nodeid(nodeid)
        if key and key not in done:
            records.append(lost_record(*key))
    run = run_header(config, run_id, list(selected_targets(config)), list(selected_runtimes(config)))
    path = write_results(results_dir / "results.json", run, records)
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


def parse_nodeid(nodeid: str) -> tuple[str, str, str] | None:
    """`suites/x.yaml::case[target-runtime]` -> (case, target, runtime)."""
    name = nodeid.rsplit("::", 1)[-1]
    if not name.endswith("]") or "[" not in name:
        return None
    case, cell = name[:-1].split("[", 1)
    for triple in sorted(all_targets(), key=len, reverse=True):
        if cell.startswith(triple + "-"):
            return case, triple, cell[len(triple) + 1:]
    return None


def lost_record(case: str, target: str, runtime: str) -> dict[str, Any]:
    return {
        "case": case, "target": target, "runtime": runtime, "features": [], "suite": "",
        "description": "", "verdict": Verdict.INFRA_ERROR.value,
        "reason": "lost: the cell started but left no record (its worker died or the run was interrupted)",
        "expectation": "pass", "expectation_reason": "", "link": None, "ran": False,
        "exit_code": None, "stdout": "", "stderr": "", "duration_s": 0.0, "artifact_sha256": None,
        "builder": "", "versions": {}, "flags": [], "repro": "",
    }


def run_header(config: pytest.Config, run_id: str, targets: list[str], runtimes: list[str]) -> dict:
    builder = config.getoption("builder")
    header: dict[str, Any] = {
        "run_id": run_id,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "harness_revision": _git_revision(),
        "host": platform.node(),
        "builder": builder,
        "targets": targets,
        "runtimes": runtimes,
        "argv": ["pytest", *sys.argv[1:]],
        "image": None,
        "image_id": None,
        "versions": {},
    }
    try:
        from harness.engine import find_engine
        from harness.image import component_versions, image_tag

        client = find_engine()
        if client is not None:
            header["image"] = image_tag()
            header["image_id"] = client.images.get(header["image"]).id
            header["versions"] = component_versions(client)
    except Exception as error:
        header["versions_error"] = f"{type(error).__name__}: {error}"
    return header


def _git_revision() -> str:
    result = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"


def _say(message: str) -> None:
    print(f"\nwasm-conformance {message}", file=sys.stderr)
