"""Writing report files: UTF-8, "\\n" line ends, parent folders made."""

from __future__ import annotations

from pathlib import Path


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path
