"""What is left of a run, in seconds, estimated from what this run has done so far.

Four parts, each per suite file:
- cells the last run timed: their expected seconds, scaled by this run's pace (the seconds the
  timed cells done so far took over what they were expected to take), so a loaded machine's
  estimate grows with its load;
- cells never timed: the mean seconds of the untimed cells of the same case done so far (core's
  tests take a hundred times longer than one of std's small test binaries, and a cold run
  does the big ones first), drawn towards a prior scaled by the machine's speed while few are
  done; the machine's speed is what the builds done so far took over their priors (builds
  are alike from one crate to the next; cases are not);
- a turn for every cell, the time pytest and the harness take between two cells (what the
  worker's time for a cell was beyond the cell's own, as seen so far): all that a cell judged
  without running costs, and most of what the many short cells at a run's end do;
- builds outstanding: the build groups not reached yet, times the share of the groups reached
  that had to build, times the mean seconds of the builds done (a cold run is mostly builds).
The sum over workers is divided by their number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# What a cell or a build takes before this run has done any of its case, measured on a cold full
# matrix on 2 cores (2026-12-07: 2790 cells, 1944 run): a test binary's cell without its build
# takes 1.0 s (over its 31 cases, the mean of their means without the tenth at either end, the
# runtime's first compile included; core's and alloc's take 6 to 15 s, and a case's own cells
# correct its prior once done), a fixture's 0.25 s (over 39 cases); a test crate's build (core's,
# alloc's, std's tests for one target) 129 s, a fixture crate's 6 s. (The schedule puts untimed
# test binaries first with a longer guess, harness/results/timings.py: an order, not an estimate.)
PRIOR_LIBTEST_S, PRIOR_FIXTURE_S = 1.0, 0.25
PRIOR_BUILD_S, PRIOR_TEST_BUILD_S = 6.0, 130.0
# A cell judged without running still costs its worker pytest's and the harness's turn: 35 ms
# between two cells on an idle machine, 50 ms beside two CPU burners (the same run, 2026-12-07).
PRIOR_INSTANT_S = 0.035
MIN_PACE_BASIS_S = 2.0  # expected seconds of timed cells done before their pace counts
PRIOR_WEIGHT = 4  # a prior counts as that many cells (or builds) done: one odd one moves it less


@dataclass(frozen=True)
class Planned:
    """One cell as the estimate knows it before it runs."""

    suite: str
    expected_s: float | None  # the last run's seconds (without its build), None if never timed
    group: str | None = None  # the build its artifact comes from (None: nothing is built)
    libtest: bool = False  # a test binary: its tests and its build take longer than a fixture's
    instant: bool = False  # judged without running (a skip rule, a runtime that cannot): no build
    case: str = ""  # its case: the untimed cells of one case take alike

    @property
    def prior_s(self) -> float:
        """A guess for the cell, untimed."""
        return PRIOR_LIBTEST_S if self.libtest else PRIOR_FIXTURE_S

    @property
    def prior_build_s(self) -> float:
        return PRIOR_TEST_BUILD_S if self.libtest else PRIOR_BUILD_S


@dataclass
class _Tally:
    """Seconds of cells (or builds) done, and what their priors said."""

    seconds: float = 0.0
    count: int = 0
    priors: float = 0.0

    def add(self, seconds: float, prior: float) -> None:
        self.seconds, self.count, self.priors = self.seconds + seconds, self.count + 1, self.priors + prior

    def mean(self, prior: float) -> float:
        """The mean of what was done, drawn towards the prior while there is little of it."""
        return (self.seconds + prior * PRIOR_WEIGHT) / (self.count + PRIOR_WEIGHT)

    @staticmethod
    def ratio(tallies: Mapping[str, _Tally], suite: str) -> float:
        """How much longer than their priors things took in the other suites (1.0 before
        PRIOR_WEIGHT of them): a suite's prior is scaled by the machine's speed seen so far,
        its own cells then correct it."""
        seconds = priors = 0.0
        count = 0
        for name, tally in tallies.items():
            if name != suite:
                seconds, priors, count = seconds + tally.seconds, priors + tally.priors, count + tally.count
        return seconds / priors if priors > 0 and count >= PRIOR_WEIGHT else 1.0

    @staticmethod
    def mean_of(tallies: Mapping[str, _Tally], suite: str, prior: float) -> float:
        return tallies.get(suite, _Tally()).mean(prior * _Tally.ratio(tallies, suite))

    @staticmethod
    def speed(tallies: Mapping[str, _Tally]) -> float:
        """What everything in `tallies` took over its priors (1.0 before PRIOR_WEIGHT of them)."""
        return _Tally.ratio(tallies, "")


@dataclass
class Remaining:
    """The cells of a run still to finish, and what the finished ones took."""

    workers: int
    left: dict[str, Planned] = field(default_factory=dict)  # node id -> plan, not done yet
    total: dict[str, int] = field(default_factory=dict)  # suite -> cells
    timed_expected: float = 0.0  # expected seconds of the timed cells done
    timed_took: float = 0.0  # what they took (without builds)
    turns: _Tally = field(default_factory=_Tally)  # the turns between cells seen so far
    untimed: dict[str, _Tally] = field(default_factory=dict)  # case -> untimed cells done
    builds: dict[str, _Tally] = field(default_factory=dict)  # suite -> builds done
    groups_reached: set[str] = field(default_factory=set)
    groups_built: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, plans: Mapping[str, Planned], workers: int) -> Remaining:
        remaining = cls(max(1, workers), dict(plans))
        for plan in plans.values():
            remaining.total[plan.suite] = remaining.total.get(plan.suite, 0) + 1
        return remaining

    def done(self, node: str, seconds: float, build_s: float | None = 0.0, waited_s: float = 0.0,
             first: bool = False, own_s: float | None = None) -> None:
        """A cell cost its worker `seconds`, of which `own_s` were the cell's own (the rest:
        the turn between cells; None: not known, all of it the cell's), of those `build_s`
        building its artifact (0 when it found the artifact built, None when it used none: a
        cell its runtime cannot run does not show whether its group builds) and `waited_s`
        waiting for another worker's build. The `first` cell of a worker also started what the
        later ones reuse (the sandbox, the runtimes' versions): its run says nothing of theirs,
        its build does."""
        plan = self.left.pop(node, None)
        if plan is None:
            return
        if own_s is not None and not first:
            self.turns.add(max(seconds - own_s, 0.0), PRIOR_INSTANT_S)
        ran = max((seconds if own_s is None else own_s) - (build_s or 0.0) - waited_s, 0.0)
        if plan.instant or first:
            pass  # no time of its own, or a start-up's: says nothing of the others
        elif plan.expected_s is None:
            self.untimed.setdefault(plan.case, _Tally()).add(ran, plan.prior_s)
        else:
            self.timed_expected += plan.expected_s
            self.timed_took += ran

        if plan.group is not None and build_s is not None:  # (one that waited may end first)
            if build_s > 0:
                self.groups_built.add(plan.group)
                self.builds.setdefault(plan.suite, _Tally()).add(build_s, plan.prior_build_s)
            self.groups_reached.add(plan.group)

    @property
    def pace(self) -> float:
        """How many times longer than expected the timed cells take in this run (1.0 before
        enough of them are done)."""
        if self.timed_expected < MIN_PACE_BASIS_S:
            return 1.0
        return self.timed_took / self.timed_expected

    @property
    def turn(self) -> float:
        """What a cell costs its worker beside its own time (pytest's and the harness's turn
        between two cells), as seen so far: all that a cell judged without running costs."""
        return self.turns.mean(PRIOR_INSTANT_S)

    def _share_built(self) -> float:
        """The share of build groups that have to build: as seen so far, else the share of
        groups none of whose cells the last run timed (a group it timed was built then)."""
        if self.groups_reached:
            return len(self.groups_built) / len(self.groups_reached)
        timed: dict[str, bool] = {}
        for plan in self.left.values():
            if plan.group is not None:
                timed[plan.group] = timed.get(plan.group, False) or plan.expected_s is not None
        return sum(1 for t in timed.values() if not t) / len(timed) if timed else 0.0

    def cells_left(self, suite: str) -> int:
        return sum(1 for p in self.left.values() if p.suite == suite)

    def seconds_left(self, suites: Iterable[str] | None = None) -> float:
        """Wall seconds left for the cells of `suites` (default: all), on the run's workers."""
        wanted = set(self.total if suites is None else suites)
        pace, turn, share_built, work = self.pace, self.turn, self._share_built(), 0.0
        machine = _Tally.speed(self.builds)
        groups: set[str] = set()
        builds: list[float] = []
        for plan in self.left.values():
            if plan.suite not in wanted:
                continue
            if plan.instant:
                work += turn
                continue
            if plan.expected_s is not None:
                work += plan.expected_s * pace + turn
            else:
                work += self.untimed.get(plan.case, _Tally()).mean(plan.prior_s * machine)
            if plan.group is not None and plan.group not in self.groups_reached and plan.group not in groups:
                groups.add(plan.group)
                builds.append(share_built * _Tally.mean_of(self.builds, plan.suite, plan.prior_build_s))
        if self.started:  # the schedule starts each build first: the workers' builds are under way,
            builds.sort()  # about half done each, the longest ones first
            builds[-self.workers:] = [b / 2 for b in builds[-self.workers:]]
        return (work + sum(builds)) / self.workers

    @property
    def started(self) -> bool:
        """Some cell that ran has ended (the workers are past their first builds' start)."""
        return bool(self.groups_reached) or self.timed_expected > 0 or bool(self.untimed)


@dataclass
class Progress:
    """The run's estimate said up front and its progress lines (per suite file, then the ETA)."""

    remaining: Remaining
    timed: int  # cells the last run timed

    @classmethod
    def of(cls, node_ids: Iterable[str], workers: int, known: Mapping[str, float],
           plan: Mapping[str, tuple[str | None, bool, bool]] = {}) -> Progress:
        """`known`: the last run's seconds by item name; `plan`: each node's build group,
        whether it is a test binary's cell, whether it is judged without running."""
        plans = {}
        for node in node_ids:
            suite, _, name = node.partition("::")
            group, libtest, instant = plan.get(node, (None, False, False))
            plans[node] = Planned(suite, known.get(name), group, libtest, instant, name.partition("[")[0])
        return cls(Remaining.of(plans, workers), sum(1 for p in plans.values() if p.expected_s is not None))

    @property
    def workers(self) -> int:
        return self.remaining.workers

    def done(self, node: str, seconds: float, build_s: float | None = 0.0, waited_s: float = 0.0,
             first: bool = False, own_s: float | None = None) -> None:
        self.remaining.done(node, seconds, build_s, waited_s, first, own_s)

    def estimate(self) -> str:
        """What the run should take, said before it starts."""
        cells = sum(self.remaining.total.values())
        basis = (f"from the last run's timings of {self.timed} of them" if self.timed else
                 "no timings yet: the ETA follows the cells and builds done")
        return f"about {minutes(self.eta_s)} on {self.workers} worker(s) for {cells} cells, {basis}"

    @property
    def eta_s(self) -> float:
        return self.remaining.seconds_left()

    def line(self) -> str:
        """E.g. "upstream.yaml 120/480, ~6 min; thread.yaml done; ETA 9 min (pace 2.5x)"."""
        parts = []
        for suite, total in self.remaining.total.items():
            left = self.remaining.cells_left(suite)
            name = suite.rsplit("/", 1)[-1]
            parts.append(f"{name} done" if not left else
                         f"{name} {total - left}/{total}, ~{minutes(self.remaining.seconds_left([suite]))}")
        pace = self.remaining.pace
        said = f" (cells take {pace:.1f}x their last timings)" if abs(pace - 1.0) >= 0.2 else ""
        return "; ".join(parts) + f"; ETA {minutes(self.eta_s)}{said}"


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{max(seconds, 0):.0f} s"
