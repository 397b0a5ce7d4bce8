"""The nightly history: a folder of results files -> pass counts over time, first-seen
regressions and fixes, and flaky cells (`python -m harness history DIR`).

A cell is flaky when its verdict changed between two runs although nothing it depends on
did: the same artifact, the same versions (runtime and toolchain), the same expectation.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from pathlib import Path

from harness.errors import UserError
from harness.record import PASS, CellKey, CellKind, CellResult
from harness.report.diff import classify
from harness.results import Results, load_results, ordered

SHOWN_RUNS = 14  # date columns in the tables
CHART = (360, 60)  # width, height of each sparkline


@dataclass(frozen=True)
class HistoryRun:
    path: Path
    date: str
    results: Results

    @property
    def cells(self) -> dict[CellKey, CellResult]:
        return {c.key: c for c in self.results.cells}


def _signature(cell: CellResult) -> str:
    """What a cell's verdict depends on besides chance."""
    return json.dumps([cell.artifact_sha256, cell.versions, cell.expectation, cell.expectation_source,
                       cell.command], sort_keys=True)


@dataclass(frozen=True)
class Event:
    """A cell whose verdict changed from one run to the next."""

    date: str
    cell: CellResult
    before: CellResult
    kind: str  # "regression", "fix", "flaky" or "change"

    def line(self, several: bool) -> str:
        return (f"{self.date}: {self.cell.name(several)}: {self.before.label} -> {self.cell.label}"
                + (f" ({self.cell.reason[:160]})" if self.cell.reason else ""))


@dataclass
class History:
    runs: list[HistoryRun] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path) -> History:
        paths = sorted(p for p in Path(folder).rglob("*") if p.name.endswith((".json", ".json.gz")))
        if not paths:
            raise UserError(f"{folder}: no results files (*.json, *.json.gz)")
        runs = []
        for path in paths:
            try:
                results = load_results(path)
            except UserError as error:  # one bad night does not hide the others
                print(f"skipped: {error}", file=sys.stderr)
                continue
            runs.append(HistoryRun(path, str(results.run.date or path.name), results))
        if not runs:
            raise UserError(f"{folder}: none of its {len(paths)} results files could be read")
        return cls(sorted(runs, key=lambda r: (r.date, str(r.path))))

    @property
    def several_toolchains(self) -> bool:
        """Several builds (toolchains, or build profiles) among the runs' cells."""
        return len({c.build for r in self.runs for c in r.results.cells}) > 1

    def runs_with_build_errors(self, target: str) -> int:
        return sum(1 for run in self.runs if any(
            c.target == target and c.verdict.value == "build-error" for c in run.results.cells))

    def lines(self) -> list[Line]:
        """(target, runtime, toolchain) of every cell of every run, in a stable order."""
        keys = {_line(c) for r in self.runs for c in r.results.cells}
        runtimes = ordered([k[1] for k in keys], [x for r in self.runs for x in r.results.runtimes])
        return sorted(keys, key=lambda k: (k[0], runtimes.index(k[1]), k[3], k[2]))

    def passes(self, line: Line) -> list[tuple[str, int, int]]:
        """(date, cells that pass, cells) of a line, run by run."""
        out = []
        for run in self.runs:
            mine = [c for c in run.results.cells if _line(c) == line]
            if mine:
                out.append((run.date, sum(1 for c in mine if c.category == PASS), len(mine)))
        return out

    def events(self) -> list[Event]:
        """Every verdict change from one run to the next, oldest first."""
        found = []
        for before, after in pairwise(self.runs):
            old = before.cells
            for key, cell in sorted(after.cells.items()):
                was = old.get(key)
                if was is None or was.label == cell.label:
                    continue
                if _signature(was) == _signature(cell):
                    kind = "flaky"
                else:
                    kind = {"regressions": "regression", "fixes": "fix"}.get(
                        classify(was.verdict, cell.verdict, was.intermittent or cell.intermittent), "change")
                found.append(Event(after.date, cell, was, kind))
        return found

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


Line = tuple[str, str, str, CellKind]


def _line(cell: CellResult) -> Line:
    """The line of a cell: its target, runtime and build (toolchain, profile); wasi-testsuite's tests (not
    built, not std evidence) on a line of their own."""
    kind = CellKind.WASI_TESTSUITE if not cell.is_std_evidence else CellKind.FIXTURE
    return cell.target, cell.runtime, cell.build, kind


def _name(line: Line, several: bool) -> str:
    target, runtime, toolchain, kind = line
    if kind is CellKind.WASI_TESTSUITE:
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


def history_command(folder: Path, out_dir: Path) -> int:
    from harness.report.output import write_text

    history = History.load(folder)
    for name, text in (("history.md", render_markdown(history)), ("history.html", render_html(history))):
        print(write_text(Path(out_dir) / name, text))
    return 0
