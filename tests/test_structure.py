"""The shape of the code: no import circle (lazy imports inside functions count too), the failing
sets defined once, reports that learn what a cell is from its record, never from its names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("harness", "runners")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(path: Path, known: set[str], name: str) -> set[str]:
    """The project's modules that a module imports, anywhere in it (the project imports by
    absolute names only)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: a relative import"
            targets = [node.module or "", *(f"{node.module}.{alias.name}" for alias in node.names)]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def test_no_module_imports_itself_through_others() -> None:
    mods = modules()
    graph = {name: imports(path, set(mods), name) for name, path in mods.items()}
    # packages import their own submodules' names through __init__: an arrow, not a circle
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    assert circles == [], circles


def test_the_failing_sets_are_defined_once() -> None:
    text = "\n".join(p.read_text() for p in modules().values())
    assert len(re.findall(r"FAILING_TESTS\s*=", text)) == 1
    assert len(re.findall(r"FAILING_VERDICTS[^=\n]*=", text)) == 1
    assert '"failed", "crashed", "timeout"' not in text and "{\"failed\", \"crashed\"" not in text


def test_reports_read_what_a_cell_is_from_its_record() -> None:
    for path in sorted((ROOT / "harness" / "report").glob("*.py")):
        text = path.read_text()
        assert 'startswith("wasmtime' not in text, path
        for literal in re.findall(r'"((?:upstream|hello|std|thread|sockets)\.[a-z0-9.-]+)"', text):
            raise AssertionError(f"{path.name}: a case id literal {literal!r}")
        assert ".reason.startswith(" not in text and "in c.reason" not in text, path


def test_each_class_name_names_one_class() -> None:
    """One name per thing: no two classes of the project share a name."""
    where: dict[str, list[str]] = {}
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(name)
    assert {cls: mods for cls, mods in where.items() if len(mods) > 1} == {}
