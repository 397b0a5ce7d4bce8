"""history.html: the share of cells passing night by night, per target (a line per runtime) and per
runtime (a line per target), and the dates a cell first regressed or was fixed."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from harness.report.history import Event, History
from harness.report.site import urls
from harness.report.site.charts import Series, line_chart
from harness.results.record import NA, PASS, UNAVAILABLE, CellKey
from harness.results.store import ordered

Counts = dict[tuple[str, str], tuple[int, int]]  # (target, runtime) -> (passing, judged)


@dataclass(frozen=True)
class EventRow:
    date: str
    name: str
    before: str
    after: str
    reason: str
    href: str  # the cell's page in the newest run, "" when it has none


def night_counts(history: History) -> list[tuple[str, Counts]]:
    """Per night: the std cells that pass, of those judged (not n/a, not unavailable)."""
    nights = []
    for run in history.runs:
        counts: dict[tuple[str, str], list[int]] = {}
        for state in run.cells.values():
            if not state.std or state.label in (NA, UNAVAILABLE):
                continue
            slot = counts.setdefault((state.line[0], state.line[1]), [0, 0])
            slot[0] += state.label == PASS
            slot[1] += 1
        nights.append((run.date, {k: (p, n) for k, (p, n) in counts.items()}))
    return nights


def _series(nights: list[tuple[str, Counts]], match: str, by_target: bool) -> list[Series]:
    names: list[str] = ordered(k[1] if by_target else k[0] for _, c in nights for k in c
                               if (k[0] if by_target else k[1]) == match)
    series = []
    for name in names:
        key = (match, name) if by_target else (name, match)
        points = tuple((date, 100 * c[key][0] / c[key][1]) for date, c in nights if c.get(key, (0, 0))[1])
        href = f"#runtime-{name}" if by_target else f"#target-{name}"
        series.append(Series(name, points, href))
    return series


def _events(history: History, kind: str, newest: set[CellKey]) -> list[EventRow]:
    several = history.several_toolchains

    def row(e: Event) -> EventRow:
        href = urls.cell_page(e.cell) if e.cell.key in newest else ""
        return EventRow(e.date, e.cell.name(several), e.before.label, e.cell.label, e.cell.reason[:200], href)

    return [row(e) for e in history.first_seen(kind)]


def history_context(history: History, current: set[CellKey]) -> dict[str, object]:
    """The template context of history.html (`current`: the cells that have a page on the site)."""
    nights = night_counts(history)
    targets = ordered(k[0] for _, c in nights for k in c)
    runtimes = ordered((k[1] for _, c in nights for k in c),
                       [r for run in history.runs for r in run.runtimes])
    charts: list[tuple[str, str, Markup]] = []
    for target in targets:
        charts.append((f"target-{target}", target, line_chart(
            _series(nights, target, True), f"{target}: std cells passing, per runtime")))
    runtime_charts = [(f"runtime-{r}", r, line_chart(_series(nights, r, False),
                                                     f"{r}: std cells passing, per target"))
                      for r in runtimes]
    return {
        "nights": len(history.runs), "first": history.runs[0].date if history.runs else "",
        "last": history.runs[-1].date if history.runs else "", "target_charts": charts,
        "runtime_charts": runtime_charts, "regressions": _events(history, "regression", current),
        "fixes": _events(history, "fix", current),
        "flaky": [(events[-1].cell.name(history.several_toolchains),
                   "; ".join(f"{e.date}: {e.before.label} -> {e.cell.label}" for e in events))
                  for events in history.flaky().values()],
    }
