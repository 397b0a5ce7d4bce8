"""Replay a finished run's cells through the run's estimate: what its progress line would have said.

    python bench/eta.py RESULTS.json[.gz] [--timings FILE] [--at 2,5,10]

The cells end in the order they ended in the run (each record's `started_at` + `wall_s`, per
worker), each with the time it cost, its build (`build_s` when it built) and whether it was its
worker's first; the estimate starts from the timings in FILE (default: the file's own
`timings`, else none: a cold run's estimate) and from each cell's build group, kind and
whether it ran, as the records say them. At each minute given (and at half the cells) it
prints the ETA against the time that really remained, and the error. A tuning aid for the
priors of harness/run/estimate.py: the run's own progress lines are the measurement.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from harness.catalogue.build_profiles import DEFAULT as DEFAULT_PROFILE  # noqa: E402
from harness.results.record import cell_name  # noqa: E402
from harness.run.estimate import Progress  # noqa: E402


def node_of(cell: dict[str, Any]) -> tuple[str, str]:
    """(suite, item name) of a record, as the estimate keys them."""
    profile = cell.get("build_profile") or DEFAULT_PROFILE
    name = cell_name(cell["case"], cell["target"], cell["runtime"],
                     profile="" if profile == DEFAULT_PROFILE else profile)
    suite = cell.get("suite") or cell["case"].split(".", 1)[0]
    return suite, name


def waited(cell: dict[str, Any], wall: float) -> float:
    """About how long a cell waited for another worker's build (the records do not keep it; the
    run's estimate was told): its wall time beyond its runtime's, its build's and a margin."""
    if cell.get("built") or not cell.get("build_key"):
        return 0.0
    own = (cell.get("duration_s") or 0.0) + (cell.get("compile_s") or 0.0) + (cell.get("startup_s") or 0.0)
    return max(wall - own - WAIT_MARGIN_S, 0.0)


WAIT_MARGIN_S = 2.0


def replay(cells: list[dict[str, Any]], workers: int, known: dict[str, float],
           at_s: list[float]) -> list[tuple[str, float, float, float]]:
    """(label, elapsed s, ETA s, remaining s) at each time of `at_s` and at half the cells."""
    timed = [c for c in cells if c.get("started_at") is not None]
    start = min(c["started_at"] for c in timed)
    end = max(c["started_at"] + c.get("wall_s", 0.0) for c in timed)
    plan = {}
    for cell in cells:
        suite, name = node_of(cell)
        ran = bool(cell.get("ran"))
        plan[f"{suite}::{name}"] = (cell.get("build_key") if ran else None, cell.get("kind") == "libtest",
                                    not ran)
    progress = Progress.of(plan, workers, known, plan)
    ordered = sorted(timed, key=lambda c: c["started_at"] + c.get("wall_s", 0.0))
    free_since: dict[str, float] = {}  # worker -> when it ended its last cell
    out: list[tuple[str, float, float, float]] = []
    marks = sorted(at_s)
    half = len(ordered) // 2
    for index, cell in enumerate(ordered, 1):
        ended = cell["started_at"] + cell.get("wall_s", 0.0) - start
        while marks and marks[0] <= ended:
            mark = marks.pop(0)
            out.append((f"after {mark / 60:.0f} min", mark, progress.eta_s, end - start - mark))
        suite, name = node_of(cell)
        worker = cell.get("worker") or "main"
        first = worker not in free_since
        # what the cell cost its worker, as the run's progress counts it: since the worker
        # ended its last cell (the harness's turn between cells included)
        seconds = ended - free_since.get(worker, cell["started_at"] - start)
        wall = float(cell.get("wall_s") or 0.0)
        free_since[worker] = ended
        build_s = cell.get("build_s") if cell.get("built") else (0.0 if cell.get("build_key") else None)
        progress.done(f"{suite}::{name}", seconds, build_s, waited(cell, wall), first, wall)
        if index == half:
            out.append((f"half the cells ({half})", ended, progress.eta_s, end - start - ended))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--timings", type=Path, help="the timings the run started from (default: none)")
    parser.add_argument("--at", default="2,5,10", help="minutes (default 2,5,10)")
    args = parser.parse_args()
    raw = args.results.read_bytes()
    data = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    known = json.loads(args.timings.read_text()) if args.timings else data.get("timings", {})
    workers = len({c.get("worker") for c in data["cells"] if c.get("worker")}) or 1
    rows = replay(data["cells"], workers, known, [float(m) * 60 for m in args.at.split(",")])
    for label, _, eta, left in rows:
        error = (eta - left) / left * 100 if left > 0 else 0.0
        print(f"{label:>24}: ETA {eta / 60:5.1f} min, remained {left / 60:5.1f} min ({error:+.0f}%)")
    worst = max((abs(eta - left) / left for _, _, eta, left in rows if left > 0), default=0.0)
    print(f"cells={len(data['cells'])} workers={workers} worst_error_pct={worst * 100:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
