"""How every catalogue is read: a YAML mapping of entry name -> its fields, in file order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.errors import UserError


def read_entries(path: Path) -> dict[str, dict[str, Any]]:
    """The entries of the catalogue at `path` (an entry without fields has none); UserError when
    the file is not a mapping of names to mappings."""
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: a catalogue is a mapping of entry names to their fields")
    for name, fields in data.items():
        if fields is not None and not isinstance(fields, dict):
            raise UserError(f"{path}: {name}: an entry's fields are a mapping")
    return {str(name): dict(fields or {}) for name, fields in data.items()}


def entry_line(path: Path, name: str) -> int:
    """The line where the catalogue at `path` writes the entry `name` (0: not found)."""
    lines = path.read_text().splitlines()
    return next((i for i, text in enumerate(lines, 1) if text.startswith(f"{name}:")), 0)
