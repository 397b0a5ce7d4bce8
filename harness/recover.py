"""Results of a run whose controller died: its record files become a results file.

Every worker appends each finished cell to its own record file at once, so when the
pytest controller itself is killed (or fails while finishing) the cells are still in
`<results dir>/.records/<run id>/`. `python -m harness recover DIR` writes
`DIR/results.json` from the newest run there (or the one named), with a header taken
from the records themselves; `harness report` then builds the reports from it.
"""

from __future__ import annotations

import platform
import subprocess
import time
from pathlib import Path
from typing import Any

from harness import PROJECT_ROOT
from harness.errors import UserError
from harness.results import RECORDS_DIR, Results, ordered, read_records, write_results
from harness.runtime import installed_runtimes


def recover(results_dir: Path, run_id: str | None = None) -> Path:
    """Write results.json from a run's records; the path written."""
    runs = sorted((p for p in (results_dir / RECORDS_DIR).glob("*") if p.is_dir()), key=lambda p: p.name)
    if run_id is not None:
        runs = [p for p in runs if p.name == run_id]
    if not runs:
        raise UserError(f"{results_dir / RECORDS_DIR}: no records of "
                        f"{'run ' + run_id if run_id else 'any run'}")
    run = runs[-1]
    cells = read_records(results_dir, run.name)
    if not cells:
        raise UserError(f"{run}: the run recorded no cell")
    written = max(p.stat().st_mtime for p in run.glob("*.jsonl"))
    revision = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=False).stdout.strip()
    header: dict[str, Any] = {
        "run_id": run.name,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(written)),
        "harness_revision": revision or "unknown",
        "host": platform.node(),
        "builder": ",".join(ordered(c.builder for c in cells if c.builder)) or None,
        "targets": ordered(c.target for c in cells),
        "runtimes": ordered((c.runtime for c in cells), installed_runtimes()),
        "toolchains": ordered(c.toolchain for c in cells if c.toolchain),
        "argv": ["python", "-m", "harness", "recover", str(results_dir)],
        "image": None,
        "image_id": None,
        "versions": {},
        "toolchain_versions": {},
        "versions_error": "recovered from the run's record files: the run header was never written",
        "stale_expectations": [],
    }
    return write_results(results_dir / "results.json", Results(header, tuple(cells)))


def recover_command(results_dir: Path, run_id: str | None) -> int:
    print(recover(results_dir, run_id))
    return 0
