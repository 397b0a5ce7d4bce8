"""The progress line's estimate follows the run: synthetic runs on two workers, cold (no
timings: builds dominate) and loaded (timings from an idle run, every cell 2.5 times slower),
and a real cold run replayed (tests/data/cold-run.json.gz), checked against the time that
really remained at several points."""

from __future__ import annotations

import gzip
import heapq
import json
import random
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from harness.run.estimate import PRIOR_FIXTURE_S, PRIOR_INSTANT_S, Progress

ROOT = Path(__file__).resolve().parent.parent

WORKERS = 2


@dataclass(frozen=True)
class SimCell:
    node: str
    group: str
    libtest: bool
    run_s: float  # the guest's time, on this run's machine
    build_s: float  # its group's build, on this run's machine


@dataclass(frozen=True)
class Done:
    node: str
    end: float
    seconds: float
    build_s: float
    waited_s: float


def simulate(cells: list[SimCell]) -> list[Done]:
    """Two workers pulling the next cell as they free up (the schedule's order); the first
    cell of a group builds it, a later one that starts during that build waits for it."""
    free = [(0.0, w) for w in range(WORKERS)]
    built_at: dict[str, float] = {}
    done = []
    for cell in cells:
        start, worker = heapq.heappop(free)
        if cell.group not in built_at:
            built_at[cell.group] = start + cell.build_s
            end, build, waited = built_at[cell.group] + cell.run_s, cell.build_s, 0.0
        else:
            waited = max(built_at[cell.group] - start, 0.0)
            end, build = start + waited + cell.run_s, 0.0
        done.append(Done(cell.node, end, end - start, build, waited))
        heapq.heappush(free, (end, worker))
    return sorted(done, key=lambda d: d.end)


def schedule_order(cells: list[SimCell]) -> list[SimCell]:
    """As harness/schedule.py orders an untimed run: the first cell of each build, then the rest."""
    seen: set[str] = set()
    firsts = [c for c in cells if c.group not in seen and not seen.add(c.group)]  # type: ignore[func-returns-value]
    return firsts + [c for c in cells if c not in firsts]


def estimate_at(progress: Progress, finished: list[Done], at: float) -> tuple[float, float]:
    """Feed the completions up to `at`; the estimate then and what really remained."""
    for item in [d for d in finished if d.end <= at]:
        progress.done(item.node, item.seconds, item.build_s, item.waited_s)
    return progress.eta_s, max(d.end for d in finished) - at


def cold_matrix(seed: int) -> list[SimCell]:
    """A first run's shape, as a real one has it: fixture crates on four targets under nine
    runtime columns (builds of seconds, cells of a fraction of one), and Rust's test binaries
    (three test crates a target, minutes to build) whose cases differ a hundredfold: most run
    in about a second, core's and alloc's tests for many."""
    rng = random.Random(seed)
    cells = []
    for crate in range(20):
        for target in range(4):
            group, build = f"fixture{crate} t{target}", rng.uniform(2, 14)
            mean = rng.lognormvariate(-1.8, 1.0)
            cells += [SimCell(f"suites/hello.yaml::case{crate}[t{target}-r{runtime}]", group, False,
                              mean * rng.uniform(0.5, 1.5), build) for runtime in range(9)]
    for case in range(30):
        crate = ("core", "alloc", "std")[min(case, 2)]
        mean = (6.0, 15.0)[case] if case < 2 else rng.lognormvariate(0.0, 0.5)
        for target in range(4):
            group = f"tests {crate} t{target}"
            build = rng.uniform(100, 200)
            cells += [SimCell(f"suites/upstream.yaml::{crate}{case}[t{target}-r{runtime}]", group, True,
                              mean * rng.uniform(0.5, 1.5), build) for runtime in range(9)]
    return cells


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_cold_runs_estimate_is_within_30_percent_after_2_5_and_10_minutes(seed: int) -> None:
    cells = schedule_order(cold_matrix(seed))
    finished = simulate(cells)
    assert max(d.end for d in finished) > 15 * 60  # long enough to check at ten minutes
    progress = Progress.of([c.node for c in cells], WORKERS, {},
                           {c.node: (c.group, c.libtest, False) for c in cells})
    said = []
    for minute in (2, 5, 10):
        estimate, remaining = estimate_at(progress, finished, minute * 60)
        said.append(estimate)
        assert abs(estimate - remaining) <= 0.3 * remaining, (minute, estimate, remaining)
    assert said[-1] < said[0]  # it falls as the run goes


@pytest.mark.parametrize("slower", [2.0, 3.0])
def test_a_cold_run_on_a_slower_machine_is_followed_once_builds_are_done(slower: float) -> None:
    """Builds and cells `slower` times longer than the priors say: the first minutes
    underestimate, then the builds done (of any suite) correct every suite's estimate."""
    cells = [replace(c, run_s=c.run_s * slower, build_s=c.build_s * slower)
             for c in schedule_order(cold_matrix(1))]
    finished = simulate(cells)
    progress = Progress.of([c.node for c in cells], WORKERS, {},
                           {c.node: (c.group, c.libtest, False) for c in cells})
    first = progress.eta_s
    for minute in (5, 10, 20):
        estimate, remaining = estimate_at(progress, finished, minute * 60)
        assert abs(estimate - remaining) <= 0.3 * remaining, (minute, estimate, remaining)
    assert estimate > first  # the estimate grew with what the machine showed


def idle_and_loaded(seed: int, load: float) -> tuple[dict[str, float], list[SimCell]]:
    """Timings from an idle run, then the same cells (artifacts cached) `load` times slower,
    each with some noise, longest first as the schedule orders a timed run."""
    rng = random.Random(seed)
    idle = {}
    cells = []
    for case in range(120):
        libtest = case < 30
        for runtime in range(9):
            node = f"suites/{'upstream' if libtest else 'hello'}.yaml::case{case}[t-r{runtime}]"
            idle[node] = rng.uniform(5, 120) if libtest else rng.uniform(0.3, 3)
            cells.append(SimCell(node, f"g{case}", libtest, idle[node] * load * rng.uniform(0.8, 1.2), 0.0))
    known = {node.partition("::")[2]: seconds for node, seconds in idle.items()}
    return known, sorted(cells, key=lambda c: -idle[c.node])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_loaded_runs_estimate_after_half_the_cells_is_within_30_percent(seed: int) -> None:
    known, cells = idle_and_loaded(seed, load=2.5)
    finished = simulate(cells)
    progress = Progress.of([c.node for c in cells], WORKERS, known,
                           {c.node: (c.group, c.libtest, False) for c in cells})
    half = finished[len(finished) // 2].end
    estimate, remaining = estimate_at(progress, finished, half)
    assert abs(estimate - remaining) <= 0.3 * remaining, (estimate, remaining)
    assert "cells take 2.5x their last timings" in progress.line()


def test_a_warm_idle_run_keeps_the_last_runs_timings() -> None:
    known, cells = idle_and_loaded(4, load=1.0)
    progress = Progress.of([c.node for c in cells], WORKERS, known,
                           {c.node: (c.group, c.libtest, False) for c in cells})
    before = progress.eta_s
    assert before == pytest.approx((sum(known.values()) + PRIOR_INSTANT_S * len(known)) / WORKERS)
    assert "cells take" not in progress.line()
    assert "from the last run's timings of 1080 of them" in progress.estimate()


def test_a_cell_that_used_no_build_does_not_count_its_group_as_built() -> None:
    """A cell its runtime cannot run ends at once, without building: its group's build is
    still outstanding for the cells that can run."""
    nodes = {"suites/a.yaml::x[t1-r1]": ("x t1", False, False),
             "suites/a.yaml::x[t2-r1]": ("x t2", False, False),
             "suites/a.yaml::x[t2-r2]": ("x t2", False, False)}
    progress = Progress.of(list(nodes), 1, {}, nodes)
    progress.done("suites/a.yaml::x[t1-r1]", 101.0, 100.0)  # built its group in 100 s
    progress.done("suites/a.yaml::x[t2-r2]", 0.01, None)  # N/A: used no build
    left = progress.eta_s
    # t2's build (100 s seen, drawn towards the prior; taken as half done, as builds under way
    # are) and its cell
    assert left > 10
    progress.done("suites/a.yaml::x[t2-r1]", 1.0, 0.0)  # found it built after all
    assert progress.eta_s == 0


def test_cells_judged_without_running_take_a_turn_and_build_nothing() -> None:
    nodes = {"suites/a.yaml::x[t1-r1]": ("x t1", False, False),
             "suites/a.yaml::x[t1-r2]": (None, False, True),  # its runtime cannot run the target
             "suites/a.yaml::y[t1-r2]": (None, False, True)}
    progress = Progress.of(list(nodes), 1, {}, nodes)
    before = progress.eta_s
    progress.done("suites/a.yaml::x[t1-r2]", 0.01, None)
    assert progress.eta_s == pytest.approx(before - PRIOR_INSTANT_S)  # one turn less, nothing built
    progress.done("suites/a.yaml::x[t1-r1]", 31.0, 30.0)
    assert progress.eta_s == pytest.approx(PRIOR_INSTANT_S)  # the last one: a turn


def test_a_cell_that_waited_for_another_workers_build_is_not_a_slow_cell() -> None:
    nodes = {f"suites/a.yaml::x[t1-r{n}]": ("x t1", False, False) for n in range(6)}
    progress = Progress.of(list(nodes), 2, {}, nodes)
    progress.done("suites/a.yaml::x[t1-r1]", 61.0, 0.0, 60.0)  # waited 60 s, ran 1 s
    progress.done("suites/a.yaml::x[t1-r0]", 61.0, 60.0)  # built in 60 s, ran 1 s
    # the case's mean: 1 s twice (the builder's run counts too), drawn towards the prior (one
    # build is too few to scale it by)
    mean = (1.0 + 1.0 + 4 * PRIOR_FIXTURE_S) / (2 + 4)
    assert progress.eta_s == pytest.approx(4 * mean / 2)


def test_a_workers_first_cell_does_not_set_the_pace_of_the_others() -> None:
    """The first cell of each worker also starts what the others reuse (the sandbox)."""
    nodes = {f"suites/a.yaml::x[t1-r{n}]": ("x t1", False, False) for n in range(10)}
    progress = Progress.of(list(nodes), 1, {}, nodes)
    progress.done("suites/a.yaml::x[t1-r0]", 70.0, 50.0, first=True)  # 20 s of start-up
    progress.done("suites/a.yaml::x[t1-r1]", 1.0, 0.0)
    assert progress.eta_s == pytest.approx(8 * (1.0 + 4 * PRIOR_FIXTURE_S) / (1 + 4))


def test_a_real_cold_runs_estimate_is_within_30_percent_after_2_5_and_10_minutes() -> None:
    """The cells of a cold full matrix (2026-12-07, 2790 cells on 2 workers, 29 min) replayed
    in the order they ended, from the timings that run started with (2 cells of a slice): the
    estimate after 2, 5 and 10 minutes. The priors were measured on this run, so this holds
    the way they are used (per case, the machine's speed from the builds, the builds under
    way), not the priors themselves."""
    sys.path.insert(0, str(ROOT / "bench"))
    from eta import replay

    data = json.loads(gzip.decompress((ROOT / "tests" / "data" / "cold-run.json.gz").read_bytes()))
    rows = replay(data["cells"], 2, data["timings"], [120.0, 300.0, 600.0])
    assert [label for label, *_ in rows][:3] == ["after 2 min", "after 5 min", "after 10 min"]
    for label, _, estimate, remaining in rows[:3]:
        assert abs(estimate - remaining) <= 0.3 * remaining, (label, estimate / 60, remaining / 60)


def test_a_real_loaded_runs_estimate_after_half_the_cells_is_within_30_percent() -> None:
    """The cells of a warm full matrix beside two CPU burners (2026-12-07: 12.7 min, 7.0 min
    idle) replayed from the idle run's timings: its second half is mostly short cells and
    cells judged without running, whose cost is the harness's turn between cells more than
    their own time; the fit of pace and turn follows it."""
    sys.path.insert(0, str(ROOT / "bench"))
    from eta import replay

    data = json.loads(gzip.decompress((ROOT / "tests" / "data" / "loaded-run.json.gz").read_bytes()))
    rows = replay(data["cells"], 2, data["timings"], [])
    (label, _, estimate, remaining), = rows
    assert label.startswith("half the cells")
    assert abs(estimate - remaining) <= 0.3 * remaining, (estimate, remaining)


def test_the_turn_between_cells_is_what_a_worker_spent_beyond_the_cells_own_time() -> None:
    """A cell judged without running costs only the turn, as measured: 0.2 s here (a loaded
    machine), not the prior."""
    nodes = {f"suites/a.yaml::x[t1-r{n}]": (None, False, True) for n in range(20)}
    progress = Progress.of(list(nodes), 1, {}, nodes)
    for n in range(10):
        progress.done(f"suites/a.yaml::x[t1-r{n}]", 0.21, None, own_s=0.01)
    turn = (10 * 0.2 + 4 * PRIOR_INSTANT_S) / (10 + 4)  # drawn towards the prior while few
    assert progress.remaining.turn == pytest.approx(turn)
    assert progress.eta_s == pytest.approx(10 * turn)
