"""Every path of the repository that its documents name exists (a doc that points at a moved or
deleted file is wrong).

Read: the Markdown files, pyproject's package data and the modules' docstrings; a path is a code
span or a link target that names a file or folder of the repository (it has a `/` and starts with
one of the repository's top-level entries), or a bare path under one of its folders. Generated
output and placeholders are left out.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from harness import PROJECT_ROOT

SPAN = re.compile(r"`([^`\s]+)`|\]\(([^)\s#]+)(?:#[^)]*)?\)"
                  r"|(?<![\w/.-])((?:harness|runners|docker|suites|tests|docs|bench|rust-fixtures)/[\w/.-]*\w)")
GENERATED = ("reports/", "nights/", "rust-fixtures/target/", ".venv/", "bench/out/")
PLACEHOLDER = re.compile(r"[<>{}$*]|\.\.\.|\bNAME\b|\bX\b")


def tracked(pattern: str) -> list[Path]:
    out = subprocess.run(["git", "-C", str(PROJECT_ROOT), "ls-files", pattern], capture_output=True,
                         text=True, check=True).stdout
    return [PROJECT_ROOT / line for line in out.splitlines()]


def top_level() -> set[str]:
    return {p.relative_to(PROJECT_ROOT).parts[0] for p in tracked("*")}


def named_paths(text: str) -> list[str]:
    roots = top_level()
    found = []
    for match in SPAN.finditer(text):
        path = (match.group(1) or match.group(2) or match.group(3) or "").strip().rstrip(".,:;")
        path = path.split(":", 1)[0] if re.search(r":\d+$", path) else path  # file:line
        if ("/" not in path or "://" in path or PLACEHOLDER.search(path) or path.startswith(GENERATED)
                or path.split("/", 1)[0] not in roots):
            continue
        found.append(path)
    return found


def documents() -> list[tuple[Path, str]]:
    docs = [(p, p.read_text()) for p in tracked("*.md")]
    docs += [(p, ast.get_docstring(ast.parse(p.read_text())) or "") for p in tracked("*.py")]
    return docs


@pytest.mark.parametrize(("document", "text"), documents(),
                         ids=lambda v: str(v.relative_to(PROJECT_ROOT)) if isinstance(v, Path) else "")
def test_the_paths_a_document_names_exist(document: Path, text: str) -> None:
    missing = [p for p in named_paths(text)
               if not (PROJECT_ROOT / p).exists() and not (document.parent / p).exists()]
    assert not missing, f"{document.relative_to(PROJECT_ROOT)} names paths that do not exist: {missing}"


def test_the_package_data_patterns_match_files() -> None:
    text = (PROJECT_ROOT / "pyproject.toml").read_text()
    block = text.split("[tool.setuptools.package-data]", 1)[1].split("\n[", 1)[0]
    for package, patterns in re.findall(r"^(\w+) = \[(.*)\]$", block, re.MULTILINE):
        for pattern in re.findall(r'"([^"]+)"', patterns):
            assert list((PROJECT_ROOT / package).glob(pattern)), f"pyproject.toml: {package}: {pattern}"
