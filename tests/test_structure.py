"""The shape of the code: no import circle (lazy imports inside functions count too), rooms
(sub-packages) that import only from the rooms below them, a small top level, the failing sets
defined once, reports that learn what a cell is from its record, never from its names."""

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


# The rooms of the code, lowest first: a module imports only from its own room or the rooms below.
# A sub-package of harness/ is one room; a module at harness/'s top level is a room of its own.
LAYERS = (
    "harness",  # the package's face: PROJECT_ROOT
    "harness.errors",
    "harness.catalogue",  # targets, toolchains, runtime release lines, build profiles
    "harness.artifacts",  # the workspace, prebuilt guests, the artifact cache, an artifact's imports
    "harness.runtime",  # the runtime plugin contract and registry
    "harness.images",  # the engine and the images
    "harness.suites",  # what the YAML says: cases' expectations, rules
    "harness.results",  # verdicts, records, the results file, timings
    "harness.builder",  # the builder plugin contract and build-once
    "harness.sandbox",  # the guest's container and the executor inside it
    "harness.cells",  # a cell and its run: cases, context, kinds, judgment
    "runners",  # the runtime and builder plugins
    "harness.sources",  # where cases come from
    "harness.report",
    "harness.run",  # one pytest run: selection, preflight, the end, recovery
    "harness.commands",
    "harness.plugin",
    "harness.schedule",
    "harness.cli",
    "harness.__main__",
)
TOP_LEVEL_MODULES_AT_MOST = 12


def room(module: str) -> str:
    parts = module.split(".")
    return parts[0] if parts[0] != "harness" else ".".join(parts[:2])


def test_each_room_imports_only_from_the_rooms_below() -> None:
    mods = modules()
    rooms = {room(name) for name in mods}
    assert rooms <= set(LAYERS), f"rooms missing from LAYERS: {sorted(rooms - set(LAYERS))}"
    upward = sorted(f"{name} -> {target}" for name, path in mods.items()
                    for target in imports(path, set(mods), name)
                    if LAYERS.index(room(target)) > LAYERS.index(room(name)))
    assert upward == [], upward


def test_the_top_level_is_small() -> None:
    top = sorted(p.name for p in (ROOT / "harness").glob("*.py"))
    assert len(top) <= TOP_LEVEL_MODULES_AT_MOST, top


def test_the_sandbox_and_the_end_of_a_run_keep_their_distance() -> None:
    """The end of a run imports no command module; the executor (run inside the sandbox) imports
    nothing of the project."""
    mods = modules()
    for name, path in mods.items():
        if name.startswith("harness.run."):
            assert not any(t.startswith("harness.commands") for t in imports(path, set(mods), name)), name
    assert imports(mods["harness.sandbox.executor"], set(mods), "harness.sandbox.executor") == set()


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


def test_a_kind_raises_its_judgment_rather_than_returning_one_to_check() -> None:
    """A kind's steps end a cell early by raising Stopped (caught once by the cell runner), so
    no kind checks what a step returned with isinstance(..., Judgment); a kind gathers what it
    finds in an Evidence value and only the cell runner writes the record."""
    for path in sorted((ROOT / "harness" / "cells" / "kinds").glob("*.py")):
        text = path.read_text()
        assert not re.search(r"isinstance\([^)]*Judgment\)", text), path
        assert "| Judgment:" not in text.replace("-> Judgment | None:", ""), path
        assert "CellResult" not in text, f"{path}: a kind gathers Evidence; the cell runner fills the record"
