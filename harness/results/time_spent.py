"""Where a run's time went, from its records: per runtime and kind of cell, the builds, the
runtimes' ahead-of-time compiles and start-ups, the guests' own run time and the harness's
overhead; and how long workers sat idle at the end (the tail) waiting for the last one.

Written into every results file's header (`run.profile`), printed at the end of a run and
by bench/matrix.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.results.record import CellResult

PARTS = ("build_s", "compile_s", "startup_s", "guest_s", "overhead_s")


def _parts(cell: CellResult) -> dict[str, float]:
    """One cell's seconds split: what it built, compiled, started, ran, and the rest (harness,
    waiting for a build another worker did, the sandbox's round trips)."""
    build = cell.build_s if cell.built and cell.build_s else 0.0
    compile_ = cell.compile_s or 0.0
    startup = cell.startup_s or 0.0
    guest = max(cell.duration_s - startup, 0.0) if cell.ran else 0.0
    overhead = max(cell.wall_s - build - compile_ - startup - guest, 0.0)
    return {"build_s": build, "compile_s": compile_, "startup_s": startup, "guest_s": guest,
            "overhead_s": overhead}


def profile(cells: Iterable[CellResult]) -> dict[str, Any]:
    """The profile of a run's cells (see the module)."""
    rows: dict[tuple[str, str], dict[str, float]] = {}
    ends: dict[str, float] = {}
    starts: list[float] = []
    for cell in cells:
        row = rows.setdefault((cell.runtime, str(cell.kind)), dict.fromkeys(("cells", "ran", *PARTS), 0.0))
        row["cells"] += 1
        row["ran"] += cell.ran
        for name, seconds in _parts(cell).items():
            row[name] += seconds
        if cell.started_at is not None and cell.worker:
            starts.append(cell.started_at)
            ends[cell.worker] = max(ends.get(cell.worker, 0.0), cell.started_at + cell.wall_s)
    last = max(ends.values(), default=0.0)
    table: list[dict[str, Any]] = [
        {"runtime": runtime, "kind": kind, **{k: round(v, 1) for k, v in row.items()}}
        for (runtime, kind), row in sorted(rows.items())]
    return {
        "rows": table,
        "totals": {name: round(sum(float(r[name]) for r in table), 1) for name in PARTS},
        "workers": len(ends),
        "span_s": round(last - min(starts), 1) if starts else 0.0,
        "tail_idle_s": round(sum(last - end for end in ends.values()), 1),
    }


def lines(data: dict[str, Any]) -> list[str]:
    """The profile as a table for a terminal."""
    if not data or not data.get("rows"):
        return []
    out = [f"{'runtime':<14}{'kind':<16}{'cells':>6}{'ran':>6}" + "".join(f"{p[:-2]:>10}" for p in PARTS)]
    for row in data["rows"]:
        out.append(f"{row['runtime']:<14}{row['kind']:<16}{row['cells']:>6.0f}{row['ran']:>6.0f}"
                   + "".join(f"{row[p]:>10.1f}" for p in PARTS))
    totals = data["totals"]
    out.append(f"{'all':<14}{'':<16}{'':>6}{'':>6}" + "".join(f"{totals[p]:>10.1f}" for p in PARTS))
    out.append(f"{data['workers']} worker(s), {data['span_s']:.0f} s from the first cell's start to the "
               f"last one's end; workers idle at the end waiting for the last: {data['tail_idle_s']:.0f} s")
    return out
