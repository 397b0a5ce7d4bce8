"""What an artifact imports of WASI, and which WASI versions that is.

Both are read from the binary's import sections here: a core module's (`wasi_snapshot_preview1`,
wasi-threads' `wasi.thread-spawn`) and a component's top-level ones (`wasi:cli/environment@0.2.6`).
Only the import names and the size of what each imports are read, so a component using types
newer than a given wasm-tools (the async `stream` and `future` of WASI 0.3) is read all the
same. Each artifact is read once: the result is kept in the cache by the artifact's digest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from harness.artifacts.cache import cache_dir

CORE_VERSION = b"\x01\x00\x00\x00"  # the version field of a core module (a component has another)
PREVIEW1 = "wasi_snapshot_preview1"
CORE_IMPORT_SECTION, COMPONENT_IMPORT_SECTION = 2, 10
WASI_INTERFACE = re.compile(r"^wasi:[\w-]+/[\w-]+@(\d+)\.(\d+)\.(\d+)(-[\w.-]+)?$")


def wasi_versions(imports: Iterable[str]) -> set[str]:
    """The WASI versions that imports name: "0.1" (preview1, wasi-threads), "0.2" (any 0.2.x),
    or the 0.3 version exactly ("0.3.0-rc-2026-03-15", "0.3.0")."""
    found = set()
    for name in imports:
        if name == PREVIEW1 or name.startswith("wasi."):
            found.add("0.1")
            continue
        match = WASI_INTERFACE.match(name)
        if match:
            major, minor, patch, pre = match.groups()
            exact = f"{major}.{minor}.{patch}{pre or ''}"
            found.add(f"{major}.{minor}" if (major, minor) == ("0", "2") else exact)
    return found


def is_component(data: bytes) -> bool:
    return data[:4] == b"\0asm" and data[4:8] != CORE_VERSION


def _sections(data: bytes) -> Iterator[tuple[int, _Reader]]:
    """Each top-level section's id, with a reader at its start (past it once the caller is done)."""
    reader = _Reader(data, 8)
    while reader.at < len(data):
        section, size = reader.byte(), reader.leb()
        end = reader.at + size
        yield section, reader
        reader.at = end


def core_imports(data: bytes) -> list[str]:
    """The WASI names a core module imports: `wasi_snapshot_preview1`, `wasi.<field>`."""
    found: set[str] = set()
    for section, reader in _sections(data):
        if section == CORE_IMPORT_SECTION:
            for _ in range(reader.leb()):
                module, field = reader.name(), reader.name()
                if module == PREVIEW1:
                    found.add(PREVIEW1)
                elif module == "wasi":
                    found.add(f"wasi.{field}")
                reader.import_description()
            break
    return sorted(found)


def component_imports(data: bytes) -> list[str]:
    """The WASI interfaces a component imports at its top level (`wasi:cli/environment@0.3.0`)."""
    found: set[str] = set()
    for section, reader in _sections(data):
        if section == COMPONENT_IMPORT_SECTION:
            for _ in range(reader.leb()):
                name = reader.import_name()
                reader.extern_description()
                if name.startswith("wasi:"):
                    found.add(name)
    return sorted(found)


def imports_of(path: Path, sha256: str) -> list[str]:
    """The WASI imports of the artifact at `path`, read once."""
    cached = cache_dir("wasi-imports") / f"{sha256}.json"
    if cached.is_file():
        return list(json.loads(cached.read_text()))
    data = path.read_bytes()
    found = component_imports(data) if is_component(data) else core_imports(data)
    temporary = cached.with_name(f"{cached.name}.{id(found)}.tmp")
    temporary.write_text(json.dumps(found))
    temporary.replace(cached)
    return found


class _Reader:
    """Just enough of the binary format to walk a core module's import section."""

    def __init__(self, data: bytes, at: int) -> None:
        self.data, self.at = data, at

    def byte(self) -> int:
        self.at += 1
        return self.data[self.at - 1]

    def leb(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return result

    def name(self) -> str:
        size = self.leb()
        self.at += size
        return self.data[self.at - size:self.at].decode("utf-8", "replace")

    def limits(self) -> None:
        flags = self.byte()
        self.leb()
        if flags & 0x01:
            self.leb()

    def import_description(self) -> None:
        kind = self.byte()
        if kind == 0x00:  # a function: its type index
            self.leb()
        elif kind == 0x01:  # a table: its element type and limits
            self.byte()
            self.limits()
        elif kind == 0x02:  # a memory (shared or not): its limits
            self.limits()
        elif kind == 0x03:  # a global: its value type and mutability
            self.byte()
            self.byte()
        elif kind == 0x04:  # a tag (exception handling): attribute and type index
            self.byte()
            self.leb()

    def import_name(self) -> str:
        """A component import's name (the older form with a version suffix too)."""
        form = self.byte()
        name = self.name()
        if form == 0x01:
            self.name()
        return name

    def extern_description(self) -> None:
        """Skip what a component import imports: a sort and an index or a bound."""
        sort = self.byte()
        if sort == 0x00:  # a core module: 0x11 and its type index
            self.byte()
            self.leb()
        elif sort in (0x02, 0x03):  # a value or a type: the bound's form, then an index or a
            if self.byte() == 0x00 or sort == 0x02:  # value type (one LEB either way)
                self.leb()
        else:  # a function, a component or an instance: its type index
            self.leb()
