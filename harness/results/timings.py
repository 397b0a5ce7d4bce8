"""How long each cell took last time, and how slow each runtime was: the order cells start in,
the run's estimate and ETA, and the runtimes' time limits.

After each run, every cell's wall time is kept in the cache by its item name
(`case[target-runtime]`), and each runtime's measured slowdown. The next run starts the
longest cells first (so that the workers end together instead of one finishing a long
binary alone), bases its estimate on them (harness/run/estimate.py, which scales them by the
run's own pace), and gives a slower runtime's cells time limits that many times longer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from harness.artifacts.cache import cache_dir
from harness.results.record import CellResult
from harness.results.store import Results
from harness.results.verdict import FAILING_TESTS, TestOutcome, Verdict
from harness.runtime import Runtime

FILE = "cell-seconds.json"
SLOWDOWN_FILE = "runtime-slowdown.json"
CRASHERS_FILE = "crashers.json"  # a test binary's cell -> the tests that ended its process last time
# For a cell never timed: about what a test binary's tests take, or a fixture's single run.
UNKNOWN_LIBTEST_S, UNKNOWN_S = 30.0, 1.0
MIN_GUEST_S = 1.0  # a test binary that takes the fastest runtime less measures no slowdown


def load() -> dict[str, float]:
    return _read(cache_dir("timings") / FILE)


def save(seconds: Mapping[str, float]) -> None:
    """Merge this run's wall times into the kept ones (cells not run keep their old time)."""
    kept = load() | {k: round(v, 3) for k, v in seconds.items()}
    path = cache_dir("timings") / FILE
    temporary = path.with_name(f"{FILE}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(kept, sort_keys=True))
    temporary.replace(path)


def slowdowns(cells: Iterable[CellResult]) -> dict[str, float]:
    """Each runtime's slowdown in a run: its guest time (without the runtime's start-up) over
    the fastest runtime's on the same build of the same binary (an unwind build runs faster
    than an abort one, and fewer runtimes run it), summed over the binaries that take the
    fastest one at least MIN_GUEST_S (short ones measure start-ups, not guests); 1.0 for the
    fastest."""
    def guest(cell: CellResult) -> float:
        return max(cell.duration_s - (cell.startup_s or 0.0), 0.0)

    def binary(cell: CellResult) -> tuple[str, str, str, str]:  # one build of one test binary
        return cell.case, cell.target, cell.toolchain, cell.build_profile

    timed = [c for c in cells if c.tests and c.duration_s > 0]
    fastest: dict[tuple[str, str, str, str], float] = {}
    for cell in timed:
        fastest[binary(cell)] = min(fastest.get(binary(cell), guest(cell)), guest(cell))
    spent: dict[str, list[float]] = {}
    for cell in timed:
        best = fastest[binary(cell)]
        if best >= MIN_GUEST_S:
            sums = spent.setdefault(cell.runtime, [0.0, 0.0])
            sums[0], sums[1] = sums[0] + guest(cell), sums[1] + best
    return {runtime: round(took / best, 2) for runtime, (took, best) in spent.items()}


def save_slowdowns(measured: Mapping[str, float]) -> None:
    path = cache_dir("timings") / SLOWDOWN_FILE
    kept = _read(path) | dict(measured)
    temporary = path.with_name(f"{SLOWDOWN_FILE}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(kept, sort_keys=True))
    temporary.replace(path)


def slowdown(runtime: Runtime, measured: Mapping[str, float]) -> float:
    """How many times longer the runtime's time limits are: measured last run, else declared."""
    return max(1.0, measured.get(runtime.name, runtime.slowdown))


def load_slowdowns() -> dict[str, float]:
    return _read(cache_dir("timings") / SLOWDOWN_FILE)


def _read(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


def save_crashers(crashers: Mapping[str, list[str]]) -> None:
    """Merge this run's tests that ended their process (crashed or timed out), per cell."""
    path = cache_dir("timings") / CRASHERS_FILE
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        kept = {}
    kept = (kept if isinstance(kept, dict) else {}) | dict(crashers)
    temporary = path.with_name(f"{CRASHERS_FILE}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(kept, sort_keys=True))
    temporary.replace(path)


def load_crashers() -> dict[str, list[str]]:
    try:
        data = json.loads((cache_dir("timings") / CRASHERS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): [str(n) for n in v] for k, v in data.items()} if isinstance(data, dict) else {}


def crashers_of(cell: CellResult) -> list[str]:
    """The tests of a cell that ended their process: crashed or timed out (judged or not)."""
    return [t.name for t in cell.tests or []
            if t.outcome in FAILING_TESTS - {TestOutcome.FAILED, TestOutcome.LOST}
            or "the process ended" in t.message]


def remember(results: Results) -> None:
    """Keep what a run measured for the next: each cell's wall time (less the build it did), each
    runtime's slowdown, the tests that ended their process."""
    cells = [c for c in results.cells if c.verdict is not Verdict.INFRA_ERROR]
    # without the build a cell did (the next run finds its artifact in the cache)
    save({results.name_of(c): max(c.wall_s - (c.build_s or 0.0 if c.built else 0.0), 0.0) for c in cells})
    save_slowdowns(slowdowns(cells))
    save_crashers({results.name_of(c): crashers_of(c) for c in cells if c.tests is not None})


def expected(name: str, known: Mapping[str, float], libtest: bool = False) -> float:
    return known.get(name, UNKNOWN_LIBTEST_S if libtest else UNKNOWN_S)
