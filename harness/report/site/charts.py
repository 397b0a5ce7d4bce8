"""Line charts as inline SVG: a title, axes with ticks and units, a legend and a tooltip per point.

The x axis is categorical (one night per step, labelled by date), the y axis a percentage from 0
to 100. Text goes through MarkupSafe's escape, so a chart is safe to insert into a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

COLOURS = ("#0969da", "#1a7f37", "#cf222e", "#9a6700", "#8250df", "#bf3989", "#1b7c83", "#953800",
           "#57606a", "#4d2d00")
Y_TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class Series:
    """One line: its name and (x label, y value in percent) per point, oldest first."""

    name: str
    points: tuple[tuple[str, float], ...]
    href: str = ""  # where its legend entry links


@dataclass(frozen=True)
class Frame:
    width: int = 640
    height: int = 260
    left: int = 52
    right: int = 150  # the legend
    top: int = 28
    bottom: int = 46
    legend: bool = True  # a legend in the right margin (one line needs none)

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def _x_labels(series: list[Series]) -> list[str]:
    return sorted({x for s in series for x, _ in s.points})


def line_chart(series: list[Series], title: str, x_label: str = "night (UTC date)",
               y_label: str = "passing (%)", frame: Frame | None = None) -> Markup:
    """An SVG line chart of `series` (an empty chart says there are no points)."""
    f = frame or Frame()
    xs = _x_labels(series)
    step = f.plot_width / max(len(xs) - 1, 1)

    def x_of(label: str) -> float:
        return f.left + (xs.index(label) * step if len(xs) > 1 else f.plot_width / 2)

    def y_of(value: float) -> float:
        return f.top + f.plot_height * (1 - max(0.0, min(value, 100.0)) / 100)

    out = [f'<svg class="chart" role="img" width="{f.width}" height="{f.height}" '
           f'viewBox="0 0 {f.width} {f.height}" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{escape(title)}</title>",
           f'<text x="{f.left}" y="16" font-weight="bold" font-size="13">{escape(title)}</text>']
    bottom = f.top + f.plot_height
    for tick in Y_TICKS:
        y = y_of(tick)
        out.append(f'<line x1="{f.left}" x2="{f.left + f.plot_width}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#d0d7de" stroke-width="1"/>')
        out.append(f'<text x="{f.left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick}</text>')
    out.append(f'<line class="axis" x1="{f.left}" x2="{f.left}" y1="{f.top}" y2="{bottom}" '
               'stroke="#57606a"/>')
    out.append(f'<line class="axis" x1="{f.left}" x2="{f.left + f.plot_width}" y1="{bottom}" y2="{bottom}" '
               'stroke="#57606a"/>')
    every = max(1, -(-len(xs) // 6))  # at most about six date labels
    for i, label in enumerate(xs):
        if i % every and i != len(xs) - 1:
            continue
        at = x_of(label)
        out.append(f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="#57606a"/>')
        out.append(f'<text x="{at:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="11">'
                   f"{escape(label[:10])}</text>")
    out.append(f'<text class="x-label" x="{f.left + f.plot_width / 2:.1f}" y="{f.height - 6}" '
               f'text-anchor="middle" font-size="11">{escape(x_label)}</text>')
    out.append(f'<text class="y-label" x="10" y="{f.top + f.plot_height / 2:.1f}" text-anchor="middle" '
               f'font-size="11" transform="rotate(-90 10 {f.top + f.plot_height / 2:.1f})">'
               f"{escape(y_label)}</text>")
    if not xs:
        out.append(f'<text x="{f.left + f.plot_width / 2:.1f}" y="{f.top + f.plot_height / 2:.1f}" '
                   'text-anchor="middle" font-size="12">no data</text>')
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        coords = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in s.points)
        out.append(f'<g class="series" data-series="{escape(s.name)}">')
        if len(s.points) > 1:
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for date, value in s.points:
            out.append(f'<circle cx="{x_of(date):.1f}" cy="{y_of(value):.1f}" r="2.5" fill="{colour}">'
                       f"<title>{escape(s.name)}, {escape(date)}: {value:.1f} %</title></circle>")
        if not f.legend:
            out.append("</g>")
            continue
        ly = f.top + 14 * n + 6
        lx = f.left + f.plot_width + 12
        entry = f'<text x="{lx + 16}" y="{ly + 4}" font-size="11">{escape(s.name)}</text>'
        if s.href:
            entry = f'<a href="{escape(s.href)}">{entry}</a>'
        out.append(f'<line x1="{lx}" x2="{lx + 12}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="3"/>'
                   f"{entry}</g>")
    out.append("</svg>")
    return Markup("".join(out))
