"""The results store: one JSON line per finished cell, merged into results.json at the end.

Each process appends to its own JSONL file (one `write` of one line, flushed and
fsynced), so records already written survive a worker's death or Ctrl-C. The
controller merges every record file of the run into `results.json`, written to a
temporary file and renamed into place.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

RECORDS_DIR = ".records"


def cell_id(case: str, target: str, runtime: str) -> str:
    return f"{case}[{target}-{runtime}]"


class RecordWriter:
    """Appends cell records for one process of one run."""

    def __init__(self, results_dir: Path, run_id: str, worker: str) -> None:
        directory = results_dir / RECORDS_DIR / run_id
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{worker}-{os.getpid()}.jsonl"

    def append(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, sort_keys=True) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


def read_records(results_dir: Path, run_id: str) -> list[dict[str, Any]]:
    """Every complete record of the run (a line torn by a crash is skipped)."""
    records = []
    for path in sorted((results_dir / RECORDS_DIR / run_id).glob("*.jsonl")):
        for line in path.read_text(errors="replace").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


def sort_cells(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(cells, key=lambda c: (c["target"], c["case"], c["runtime"]))


def write_results(path: Path, run: dict[str, Any], cells: list[dict[str, Any]]) -> Path:
    """Write results.json atomically: {"run": header, "cells": [...]}."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps({"run": run, "cells": sort_cells(cells)}, indent=1, sort_keys=True))
    temporary.replace(path)
    return path


def load_results(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())
