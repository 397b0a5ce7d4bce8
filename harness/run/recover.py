"""Results of a run whose controller died: its record files become a results file.

Every worker appends each finished cell to its own record file at once, so when the
pytest controller itself is killed (or fails while finishing) the cells are still in
`<results dir>/.records/<run id>/`. `python -m harness recover DIR` writes
`DIR/results.json` from the newest run there (or the one named), with a header taken
from the records themselves; `harness report` then builds the reports from it.
"""

from __future__ import annotations

from pathlib import Path

from harness.catalogue.build_profiles import PROFILES
from harness.errors import UserError
from harness.results.run_header import describe_run
from harness.results.store import RECORDS_DIR, Results, ordered, read_records, write_results
from harness.run.finish import judged_lost
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
    cells, unfinished = read_records(results_dir, run.name)
    if not cells:
        raise UserError(f"{run}: the run recorded no cell")
    cells += [judged_lost(c) for c in unfinished]
    header = describe_run(
        run.name, targets=ordered(c.target for c in cells),
        runtimes=ordered((c.runtime for c in cells), installed_runtimes()),
        toolchains=ordered(c.toolchain for c in cells if c.toolchain),
        build_profiles=ordered((c.build_profile for c in cells), PROFILES),
        builders=[c.builder for c in cells if c.builder],
        argv=["python", "-m", "harness", "recover", str(results_dir)],
        date=max(p.stat().st_mtime for p in run.glob("*.jsonl")),
        note="recovered from the run's record files: the run header was never written")
    return write_results(results_dir / "results.json", Results(header, tuple(cells)))


def recover_command(results_dir: Path, run_id: str | None) -> int:
    print(recover(results_dir, run_id))
    return 0
