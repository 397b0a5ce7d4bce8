"""The results store and the results file.

During a run each process appends its cell records to its own JSONL file (one
`write` of one line, flushed and fsynced), so records already written survive a
worker's death or Ctrl-C. The controller merges every record file of the run into
`results.json` (written to a temporary file and renamed into place), whose form is
`results.schema.json`. Reading a results file validates it and says in one line
what is wrong with a file that does not match. A file may be gzipped (`.json.gz`).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jsonschema

from harness.errors import UserError
from harness.record import FORMAT_VERSION, CellResult
from harness.suite_file import key_name
from harness.verdict import Verdict

RECORDS_DIR = ".records"
SCHEMA_PATH = Path(__file__).with_name("results.schema.json")


class RecordWriter:
    """Appends cell records for one process of one run."""

    def __init__(self, results_dir: Path, run_id: str, worker: str) -> None:
        directory = results_dir / RECORDS_DIR / run_id
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{worker}-{os.getpid()}.jsonl"

    def append(self, record: CellResult) -> None:
        line = (json.dumps(record.to_json(), sort_keys=True) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


def read_records(results_dir: Path, run_id: str) -> list[CellResult]:
    """Every complete record of the run (a line torn by a crash is skipped)."""
    records = []
    for path in sorted((results_dir / RECORDS_DIR / run_id).glob("*.jsonl")):
        for line in path.read_text(errors="replace").splitlines():
            try:
                records.append(CellResult.from_json(json.loads(line)))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
    return records


def sort_cells(cells: Iterable[CellResult]) -> tuple[CellResult, ...]:
    return tuple(sorted(cells, key=lambda c: (c.target, c.case, c.runtime, c.toolchain)))


def ordered(names: Iterable[str], preferred: Iterable[str] = ()) -> list[str]:
    """Unique names, those in `preferred` first in its order, then the rest sorted."""
    rank = {name: i for i, name in enumerate(dict.fromkeys(preferred))}
    return sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n))


@dataclass(frozen=True)
class Results:
    """A whole results file: the run header and the cells sorted by (target, case, runtime).
    Its derived lists are computed once (a run of Rust's tests has thousands of cells)."""

    run: dict[str, Any]
    cells: tuple[CellResult, ...]

    def to_json(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, "run": self.run,
                "cells": [c.to_json() for c in sort_cells(self.cells)]}

    @cached_property
    def targets(self) -> list[str]:
        return ordered([c.target for c in self.cells] + list(self.run.get("targets") or []))

    @cached_property
    def runtimes(self) -> list[str]:
        """Runtime columns in the run's column order (the plugins'), then any others."""
        header = list(self.run.get("runtimes") or [])
        return ordered([c.runtime for c in self.cells] + header, header)

    @cached_property
    def toolchains(self) -> list[str]:
        header = list(self.run.get("toolchains") or [])
        return ordered([c.toolchain for c in self.cells if c.toolchain] + header, header)

    @cached_property
    def several_toolchains(self) -> bool:
        return len(self.toolchains) > 1

    def name_of(self, cell: CellResult) -> str:
        """The cell's pytest item name as this run gave it."""
        return cell.name(self.several_toolchains)

    def for_target(self, target: str) -> list[CellResult]:
        return list(self._by_target.get(target, ()))

    @cached_property
    def _by_target(self) -> dict[str, list[CellResult]]:
        found: dict[str, list[CellResult]] = {}
        for cell in self.cells:
            found.setdefault(cell.target, []).append(cell)
        return found

    def versions(self) -> list[tuple[str, str]]:
        return sorted((str(k), "" if v is None else str(v))
                      for k, v in (self.run.get("versions") or {}).items())

    def header(self, name: str) -> str:
        """A text field of the run header, "unknown" when absent."""
        value = self.run.get(name)
        return "unknown" if value in (None, "") else str(value)


def write_results(path: Path, results: Results) -> Path:
    """Write a results file atomically (gzipped when the name ends in .gz)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results.to_json(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    temporary = path.with_name(path.name + ".tmp")
    if path.name.endswith(".gz"):
        temporary.write_bytes(gzip.compress(text.encode(), mtime=0))
    else:
        temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def validate(data: Any, source: str) -> None:
    """Raise UserError naming the first field of `data` that does not match the schema."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is None:
        return
    where = key_name(tuple(error.absolute_path)) or "(top level)"
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        message = f"unknown field {unknown[0]!r}" if unknown else error.message
    elif error.validator == "required":
        message = error.message.replace("is a required property", "is missing")
    else:
        message = error.message
    if len(message) > 200:
        message = message[:200] + "..."
    raise UserError(f"{source}: {where}: {message} (see harness/results.schema.json)")


def upgrade(data: Any) -> Any:
    """A results file of format 1 (before format_version was recorded) in format 2."""
    if not isinstance(data, dict) or "format_version" in data or not isinstance(data.get("cells"), list):
        return data
    defaults = CellResult(case="", target="", runtime="", verdict=Verdict.PASS).to_json()
    run = dict(data.get("run") or {})
    # Format 1 knew one toolchain: the Debian sid image, or the host's own with --builder host.
    toolchain = "host" if run.get("builder") == "host" else "debian-sid"
    run.setdefault("toolchains", [toolchain])
    cells = []
    for raw in data["cells"]:
        if not isinstance(raw, dict):
            cells.append(raw)
            continue
        cell = {k: v for k, v in raw.items() if k in defaults}
        if "flags" in raw and "command" not in raw:
            cell["command"] = list(raw["flags"] or [])
        cells.append({**defaults, "toolchain": toolchain, **cell})
    return {"format_version": FORMAT_VERSION, "run": run, "cells": cells}


def parse_results(data: Any, source: str) -> Results:
    """Validate a decoded results file (upgrading format 1) and wrap it."""
    data = upgrade(data)
    validate(data, source)
    cells = [CellResult.from_json(raw) for raw in data["cells"]]
    seen: set[tuple[str, str, str, str]] = set()
    for cell in cells:
        if cell.key in seen:
            raise UserError(f"{source}: cell {cell.name(bool(cell.toolchain))} appears twice")
        seen.add(cell.key)
    return Results(data["run"], sort_cells(cells))


def load_results(path: Path) -> Results:
    """Read and validate a results file (.json or .json.gz)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        text = gzip.decompress(raw).decode("utf-8") if raw[:2] == b"\x1f\x8b" else raw.decode("utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise UserError(f"{path}: no such results file") from None
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as error:
        raise UserError(f"{path}: cannot read: {error}") from None
    except json.JSONDecodeError as error:
        raise UserError(f"{path}: not valid JSON: {error}") from None
    return parse_results(data, str(path))
