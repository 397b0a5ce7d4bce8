"""Which WASI 0.3 versions each runtime column links, as this run's probes show, and where the
runtime catalogue (harness/catalogue/runtimes.yaml `wasi:`) says otherwise.

A cell whose artifact imports interfaces of exactly one WASI 0.3 version is a probe of that
version: it linked when the guest ran (any verdict of a run), it was refused when the runtime
would not instantiate it (`load-error`, or an expected failure that observed one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.artifacts.wasi_imports import wasi_versions
from harness.results.record import CellResult
from harness.results.verdict import Verdict

RAN = frozenset({Verdict.PASS, Verdict.FAIL, Verdict.XPASS, Verdict.TIMEOUT, Verdict.CRASH})
CATALOGUE = "harness/catalogue/runtimes.yaml"


@dataclass(frozen=True)
class WasiLink:
    """What the probes of one WASI 0.3 version showed on one runtime column."""

    runtime: str
    version: str
    linked: tuple[str, ...]  # the cells that ran
    refused: tuple[str, ...]  # the cells the runtime would not instantiate

    @property
    def links(self) -> bool:
        return bool(self.linked)


def probed_version(cell: CellResult) -> str | None:
    """The one WASI 0.3 version the cell's artifact imports, or None (none, or several)."""
    versions = {v for v in wasi_versions(cell.wasi_imports) if v.startswith("0.3")}
    return next(iter(versions)) if len(versions) == 1 else None


def _refused(cell: CellResult) -> bool:
    return cell.verdict is Verdict.LOAD_ERROR or (
        cell.verdict is Verdict.XFAIL and "(observed: load-error" in cell.reason)


def wasi_links(cells: Iterable[CellResult]) -> list[WasiLink]:
    """One WasiLink per (runtime, WASI 0.3 version) that a probe of this run tried."""
    found: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for cell in cells:
        version = probed_version(cell)
        if version is None or not (cell.verdict in RAN or _refused(cell)):
            continue
        linked, refused = found.setdefault((cell.runtime, version), ([], []))
        (linked if cell.verdict in RAN else refused).append(f"{cell.case}[{cell.target}]")
    return [WasiLink(runtime, version, tuple(linked), tuple(refused))
            for (runtime, version), (linked, refused) in sorted(found.items())]


def catalogue_disagreements(links: Iterable[WasiLink],
                            columns: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per column whose catalogue entry says otherwise than its probes showed."""
    lines = []
    for link in links:
        said = columns.get(link.runtime, {}).get("wasi")
        if said is None:
            continue
        if link.links and link.version not in said:
            lines.append(f"{link.runtime} links WASI {link.version} ({link.linked[0]} ran) but {CATALOGUE} "
                         f"does not list it")
        elif not link.links and link.version in said:
            lines.append(f"{CATALOGUE} lists WASI {link.version} for {link.runtime}, but it refused every "
                         f"probe of it ({link.refused[0]})")
    return lines


def link_lines(links: list[WasiLink], columns: Mapping[str, Mapping[str, Any]],
               order: list[str]) -> list[str]:
    """A Markdown table: per runtime column, each WASI 0.3 version a probe tried, linked or refused,
    then one line per disagreement with the catalogue (none: an empty list when no probe ran)."""
    if not links:
        return []
    versions = sorted({link.version for link in links})
    shown = {(link.runtime, link.version): "links" if link.links else "refuses" for link in links}
    lines = ["| runtime | " + " | ".join(f"WASI {v}" for v in versions) + " |",
             "|---|" + "---|" * len(versions)]
    for runtime in [r for r in order if any(link.runtime == r for link in links)]:
        lines.append(f"| {runtime} | " + " | ".join(shown.get((runtime, v), "") for v in versions) + " |")
    disagreements = catalogue_disagreements(links, columns)
    if disagreements:
        lines += ["", *(f"- the catalogue disagrees: {line}" for line in disagreements)]
    return lines
