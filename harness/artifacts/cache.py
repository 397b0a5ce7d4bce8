"""Where the persistent caches live, and `python -m harness cache info|clear`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def cache_root() -> Path:
    """`$WASM_CONFORMANCE_CACHE`, else `$XDG_CACHE_HOME/wasm-conformance`, else ~/.cache/..."""
    explicit = os.environ.get("WASM_CONFORMANCE_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wasm-conformance"


def cache_dir(name: str) -> Path:
    path = cache_root() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def cache_command(action: str) -> int:
    root = cache_root()
    if action == "clear":
        shutil.rmtree(root, ignore_errors=True)
        print(f"cleared {root}")
        return 0
    print(f"cache: {root}")
    if not root.is_dir():
        print("  (empty)")
        return 0
    for child in sorted(root.iterdir()):
        entries = sum(1 for _ in child.iterdir()) if child.is_dir() else 1
        print(f"  {child.name:<12} {entries:>6} entries {_size(child) / 1e6:>10.1f} MB")
    return 0
