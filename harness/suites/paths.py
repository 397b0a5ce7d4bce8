"""Where suites are: YAML files below a folder named `suites`, but not in its expectations/."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from harness.suites.rules import EXPECTATIONS_DIR

SUITE_DIR_NAME = "suites"
SUITE_SUFFIXES = (".yaml", ".yml")
WASI_MANIFEST = "manifest.json"  # a wasi-testsuite suite folder's
PRUNED_DIRS = {"node_modules", "target", "__pycache__", EXPECTATIONS_DIR}  # never hold suites


def is_suite_file(path: Path) -> bool:
    return (path.suffix in SUITE_SUFFIXES and SUITE_DIR_NAME in path.parent.parts
            and path.parent.name != EXPECTATIONS_DIR)


def suite_root(path: Path) -> Path:
    """The nearest folder named `suites` above a suite file (its expectations/ is there)."""
    for parent in path.resolve().parents:
        if parent.name == SUITE_DIR_NAME:
            return parent
    return path.resolve().parent


def suite_files(directory: Path) -> list[Path]:
    """Every suite file below `directory`, sorted."""
    found = []
    for folder, subdirs, files in os.walk(directory):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in PRUNED_DIRS)
        found += [Path(folder) / f for f in sorted(files) if is_suite_file(Path(folder) / f)]
    return found


def suites_in_args(args: Iterable[str]) -> list[Path]:
    """The suite files the command line points at (so Docker is needed when any), and the
    manifests of wasi-testsuite folders it was given (--wasi-testsuite)."""
    found: list[Path] = []
    for arg in args:
        path = Path(arg.split("::")[0]).resolve()
        if path.is_file():
            if is_suite_file(path) or path.name == WASI_MANIFEST:
                found.append(path)
        elif path.is_dir():
            found += suite_files(path)
    return found


def misplaced_suites(args: Iterable[str], most: int = 1000) -> list[Path]:
    """YAML files the command line points at that read like suites (a top-level `cases:`)
    but are not below a folder named `suites`, so the plugin does not collect them."""
    candidates: list[Path] = []
    for arg in args:
        path = Path(arg.split("::")[0])
        if path.is_file():
            candidates.append(path)
        elif path.is_dir():
            for folder, subdirs, files in os.walk(path):
                subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in PRUNED_DIRS)
                candidates += [Path(folder) / f for f in sorted(files)]
                if len(candidates) > most:
                    break
    found = []
    for path in candidates[:most]:
        if path.suffix not in SUITE_SUFFIXES or is_suite_file(path.resolve()):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if any(line.startswith("cases:") for line in text.splitlines()):
            found.append(path)
    return found
