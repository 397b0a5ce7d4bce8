"""The nightly history: a folder of results files -> pass counts over time, first-seen
regressions and fixes, and flaky cells (`python -m harness history DIR`).

Each night is read once into a small summary (harness/report/night_summary.py, kept in the
cache), and the history is computed from the summaries, so a year of full nights fits in
memory and in a minute. A cell is flaky when its verdict changed between two runs although
nothing it depends on did: the same artifact, the same versions (runtime and toolchain), the
same expectation.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from pathlib import Path

from harness.errors import UserError
from harness.report.diff import classify
from harness.report.night_summary import CellState, Line, NightSummary, results_files, summaries
from harness.results.record import CellKey
from harness.results.store import ordered

SHOWN_RUNS = 14  # date columns in the tables
CHART = (360, 60)  # width, height of each sparkline


@dataclass(frozen=True)
class Event:
    """A cell whose verdict changed from one run to the next."""

    date: str
    cell: CellState
    before: CellState
    kind: str  # "regression", "fix", "flaky" or "change"

    def line(self, several: bool) -> str:
        return (f"{self.date}: {self.cell.name(several)}: {self.before.label} -> {self.cell.label}"
                + (f" ({self.cell.reason})" if self.cell.reason else ""))


@dataclass
class History:
    runs: list[NightSummary] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # nights that could not be read
    _events: list[Event] | None = field(default=None, repr=False)
    _pass_counts: dict[int, dict[Line, tuple[int, int]]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, folder: Path, cache: Path | None = None,
             skipped: Callable[[Path, str], None] | None = None, keep_beside: bool = False) -> History:
        """The history of the results files under `folder` (a night that cannot be read is skipped
        with one line); `keep_beside` keeps each night's summary next to it."""
        paths = results_files(folder)
        if not paths:
            raise UserError(f"{folder}: no results files (*.json, *.json.gz)")
        lost: list[tuple[Path, str]] = []

        def skip(path: Path, why: str) -> None:
            lost.append((path, why))
            if skipped is not None:
                skipped(path, why)
            else:
                print(f"history: skipped {path}: {why}", file=sys.stderr)

        runs = summaries(paths, cache, skip, beside=keep_beside)
        if not runs:
            raise UserError(f"{folder}: none of its {len(paths)} results files can be read")
        return cls(runs, lost)

    @property
    def several_toolchains(self) -> bool:
        """Several builds (toolchains, or build profiles) among the runs' cells."""
        return len({s.build for r in self.runs for s in r.cells.values()}) > 1

    def runs_with_build_errors(self, target: str) -> int:
        return sum(1 for run in self.runs if target in run.build_error_targets())

    def lines(self) -> list[Line]:
        """(target, runtime, build, kind) of every cell of every run, in a stable order."""
        keys = {line for r in self.runs for line in self._passes(r)}
        runtimes = ordered([k[1] for k in keys], [x for r in self.runs for x in r.runtimes])
        return sorted(keys, key=lambda k: (k[0], runtimes.index(k[1]), k[3], k[2]))

    def _passes(self, run: NightSummary) -> dict[Line, tuple[int, int]]:
        cached = self._pass_counts.get(id(run))
        if cached is None:
            cached = self._pass_counts[id(run)] = run.passes
        return cached

    def passes(self, line: Line) -> list[tuple[str, int, int]]:
        """(date, cells that pass, cells) of a line, run by run."""
        out = []
        for run in self.runs:
            found = self._passes(run).get(line)
            if found:
                out.append((run.date, *found))
        return out

    def events(self) -> list[Event]:
        """Every verdict change from one run to the next, oldest first (computed once)."""
        if self._events is None:
            found = []
            for before, after in pairwise(self.runs):
                old = before.cells
                for key in sorted(after.cells):
                    cell, was = after.cells[key], old.get(key)
                    if was is None or was.label == cell.label:
                        continue
                    if was.signature == cell.signature:
                        kind = "flaky"
                    else:
                        change = classify(was.verdict, cell.verdict, was.intermittent or cell.intermittent)
                        kind = {"regressions": "regression", "fixes": "fix"}.get(change, "change")
                    found.append(Event(after.date, cell, was, kind))
            self._events = found
        return self._events

    def first_seen(self, kind: str) -> list[Event]:
        """Events of a kind, each cell once: the first time it happened."""
        seen: set[CellKey] = set()
        out = []
        for event in self.events():
            if event.kind == kind and event.cell.key not in seen:
                seen.add(event.cell.key)
                out.append(event)
        return out

    def flaky(self) -> dict[CellKey, list[Event]]:
        cells: dict[CellKey, list[Event]] = {}
        for event in self.events():
            if event.kind == "flaky":
                cells.setdefault(event.cell.key, []).append(event)
        return cells

    def last_passed(self, key: CellKey) -> str | None:
        """The date of the last night the cell passed, None when it never did."""
        return next((r.date for r in reversed(self.runs)
                     if (state := r.cells.get(key)) is not None and state.label == "pass"), None)


def _name(line: Line, several: bool) -> str:
    target, runtime, toolchain, kind = line
    if kind == "wasi-testsuite":
        return f"{target} / {runtime} / {kind}"
    return f"{target} / {runtime}" + (f" / {toolchain}" if several else "")


def render_markdown(history: History) -> str:
    several = history.several_toolchains
    dates = [r.date for r in history.runs][-SHOWN_RUNS:]
    lines = ["# Nightly history", "",
             f"{len(history.runs)} runs from {history.runs[0].date} to {history.runs[-1].date}. "
             "Each entry: cells that pass / cells.", "",
             "| target / runtime | " + " | ".join(d[:10] for d in dates) + " |",
             "|---|" + "---:|" * len(dates)]
    for line in history.lines():
        by_date = {d: f"{p}/{n}" for d, p, n in history.passes(line)}
        lines.append(f"| {_name(line, several)} | " + " | ".join(by_date.get(d, "") for d in dates) + " |")
    for title, kind in (("First-seen regressions", "regression"), ("First-seen fixes", "fix")):
        events = history.first_seen(kind)
        lines += ["", f"## {title}", ""] + ([f"- {e.line(several)}" for e in events] or ["None."])
    lines += ["", "## Flaky cells", "",
              "Cells whose verdict changed while the artifact, the versions and the expectation stayed "
              "the same.", ""]
    flaky = history.flaky()
    for events in flaky.values():
        cell = events[-1].cell
        changes = "; ".join(f"{e.date}: {e.before.label} -> {e.cell.label}" for e in events)
        lines.append(f"- {cell.name(several)}: {changes}")
    if not flaky:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def _sparkline(points: list[tuple[str, int, int]]) -> str:
    width, height = CHART
    if not points:
        return ""
    step = width / max(len(points) - 1, 1)
    top = max(n for _, _, n in points) or 1
    coords = " ".join(f"{i * step:.1f},{height - 4 - (p / top) * (height - 8):.1f}"
                      for i, (_, p, _) in enumerate(points))
    dots = "".join(f'<circle cx="{i * step:.1f}" cy="{height - 4 - (p / top) * (height - 8):.1f}" r="2">'
                   f"<title>{escape(d)}: {p}/{n}</title></circle>" for i, (d, p, n) in enumerate(points))
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="-4 0 {width + 8} {height}">'
            f'<polyline points="{coords}" fill="none" stroke="#1a7f37" stroke-width="2"/>{dots}</svg>')


CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1rem; color: #1f2328; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: 2px 6px; }
td.num { text-align: right; } .flaky { background: #fff8c5; } .regression { color: #cf222e; }
.fix { color: #1a7f37; }
"""


def render_html(history: History) -> str:
    e = escape
    several = history.several_toolchains
    rows = []
    for line in history.lines():
        points = history.passes(line)
        last = f"{points[-1][1]}/{points[-1][2]}" if points else ""
        rows.append(f'<tr class="line"><th>{e(_name(line, several))}</th><td>{_sparkline(points)}</td>'
                    f'<td class="num">{e(last)}</td></tr>')
    sections = []
    for title, kind in (("First-seen regressions", "regression"), ("First-seen fixes", "fix")):
        items = "".join(f'<li class="{kind}">{e(ev.line(several))}</li>' for ev in history.first_seen(kind))
        sections.append(f"<h2>{title}</h2><ul>{items or '<li>None.</li>'}</ul>")
    flaky = "".join(
        f'<li class="flaky" data-cell="{e(name)}">{e(name)}: '
        + e("; ".join(f"{ev.date}: {ev.before.label} -> {ev.cell.label}" for ev in events)) + "</li>"
        for events in history.flaky().values() for name in [events[-1].cell.name(several)])
    sections.append("<h2>Flaky cells</h2><p>Verdict changed while the artifact, the versions and the "
                    f"expectation stayed the same.</p><ul>{flaky or '<li>None.</li>'}</ul>")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Nightly history</title>'
            f"<style>{CSS}</style></head><body><h1>Nightly history</h1>"
            f"<p>{len(history.runs)} runs from {e(history.runs[0].date)} to {e(history.runs[-1].date)}. "
            "Each line: cells that pass, run by run (hover a point for its date).</p>"
            '<table class="history"><thead><tr><th>target / runtime</th><th>pass over time</th>'
            f"<th>last</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + "".join(sections) + '<script>document.body.dataset.ready = "1";</script></body></html>\n')


def history_command(folder: Path, out_dir: Path, keep_summaries: bool = False) -> int:
    from harness.report.output import write_text

    history = History.load(folder, keep_beside=keep_summaries)
    for name, text in (("history.md", render_markdown(history)), ("history.html", render_html(history))):
        print(write_text(Path(out_dir) / name, text))
    return 0
