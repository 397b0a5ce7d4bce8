"""Combine the results files of shards into one, refusing inconsistent inputs.

The merged file does not depend on the order of the inputs: cells are sorted, the
header takes the earliest date, the sorted union of hosts, targets and runtimes and
the union of versions. Inputs must agree on the toolchain image, its id, the
builder, the harness revision and every component version they both record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import UserError
from harness.results.record import CellKey, CellResult
from harness.results.run_header import RunHeader
from harness.results.store import Results, load_results, ordered, write_results

# Header fields every shard must agree on (absent counts as a value too).
MUST_AGREE = ("image", "image_id", "harness_revision")


def _agree(field: str, headers: list[tuple[Path, dict[str, Any]]]) -> Any:
    values = {json.dumps(h.get(field)): (path, h.get(field)) for path, h in headers}
    if len(values) > 1:
        found = "; ".join(f"{p}: {v!r}" for p, v in sorted(values.values(), key=str))
        raise UserError(f"cannot merge results with different {field}: {found}")
    return headers[0][1].get(field)


def _union(what: str, maps: list[tuple[Path, dict[str, Any]]]) -> dict[str, Any]:
    """The union of name -> value maps; the same name with two values is refused."""
    merged: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    for path, values in maps:
        for name, value in values.items():
            if name in merged and merged[name] != value:
                raise UserError(
                    f"cannot merge results with different {what}{name}: "
                    f"{origin[name]}: {merged[name]!r}; {path}: {value!r}"
                )
            merged[name], origin[name] = value, path
    return merged


def merge_headers(headers: list[tuple[Path, dict[str, Any]]]) -> dict[str, Any]:
    """The merged run header."""
    run: dict[str, Any] = {field: _agree(field, headers) for field in MUST_AGREE}
    versions = _union("versions of ", [(p, h.get("versions") or {}) for p, h in headers])
    run["toolchain_versions"] = dict(sorted(_union(
        "versions of toolchain ", [(p, h.get("toolchain_versions") or {}) for p, h in headers]).items()))
    run["builder"] = ",".join(ordered(b for _, h in headers for b in str(h.get("builder") or "").split(",")
                                      if b)) or None
    dates = sorted(str(h["date"]) for _, h in headers if h.get("date"))
    run["date"] = dates[0] if dates else None
    run["host"] = ", ".join(ordered(str(h["host"]) for _, h in headers if h.get("host"))) or None
    run["versions"] = dict(sorted(versions.items()))
    run["targets"] = ordered(t for _, h in headers for t in h.get("targets") or [])
    columns = [r for _, h in headers for r in h.get("runtimes") or []]
    run["runtimes"] = ordered(columns, columns)  # every shard lists them in the plugins' order
    toolchains = [t for _, h in headers for t in h.get("toolchains") or []]
    run["toolchains"] = ordered(toolchains, toolchains)
    stale = {json.dumps(s, sort_keys=True): s for _, h in headers for s in h.get("stale_expectations") or []}
    run["stale_expectations"] = [stale[k] for k in sorted(stale)]
    run["argv"] = ["python", "-m", "harness", "merge", *sorted(p.name for p, _ in headers)]
    run["shards"] = sorted(
        ({"file": p.name, "date": h.get("date"), "host": h.get("host"), "argv": h.get("argv")}
         for p, h in headers),
        key=lambda s: json.dumps(s, sort_keys=True),
    )  # fmt: skip
    return dict(sorted(run.items()))


def merge_cells(inputs: list[tuple[Path, tuple[CellResult, ...]]]) -> list[CellResult]:
    """The union of the cells; the same cell twice must have the same verdict."""
    seen: dict[CellKey, tuple[Path, CellResult]] = {}
    several = len({c.toolchain for _, cells in inputs for c in cells}) > 1
    for path, cells in inputs:
        for cell in cells:
            if cell.key not in seen:
                seen[cell.key] = (path, cell)
                continue
            first_path, first = seen[cell.key]
            if (first.verdict, first.ran) != (cell.verdict, cell.ran):
                raise UserError(
                    f"cannot merge: cell {cell.name(several)} is {first.label} in {first_path} "
                    f"but {cell.label} in {path}"
                )
            # Same verdict twice: keep one chosen by content, not by input order.
            if _content(cell) < _content(first):
                seen[cell.key] = (path, cell)
    return [cell for _, cell in seen.values()]


def _content(cell: CellResult) -> str:
    return json.dumps(cell.to_json(), sort_keys=True)


def merge_results(inputs: list[Path]) -> Results:
    """The results of shard results files, merged."""
    if not inputs:
        raise UserError("merge needs at least one results file")
    loaded = [(Path(p), load_results(Path(p))) for p in inputs]
    run = merge_headers([(p, r.run.to_json()) for p, r in loaded])
    cells = merge_cells([(p, r.cells) for p, r in loaded])
    return Results(RunHeader.from_json(run), tuple(cells))


def merge_files(inputs: list[Path], output: Path) -> None:
    """Merge shard results files into `output`."""
    write_results(Path(output), merge_results(inputs))
