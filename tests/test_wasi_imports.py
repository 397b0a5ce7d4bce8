"""What an artifact imports of WASI, read from the binary: core modules and components (built
by hand here; the end-to-end tests read real ones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.artifacts.wasi_imports import (
    component_imports,
    core_imports,
    imports_of,
    is_component,
    wasi_versions,
)

wasmtime = pytest.importorskip("wasmtime")

CORE = """(module
  (type (func (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (import "wasi" "thread-spawn" (func (type 0)))
  (import "env" "memory" (memory 17 16384 shared))
  (import "env" "t" (table 1 funcref))
  (import "env" "g" (global (mut i32)))
  (func (export "_start")))"""



def leb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def name(text: str) -> bytes:
    return leb(len(text)) + text.encode()


def component(*imports: bytes) -> bytes:
    """A component's preamble, a type section (skipped by size) and an import section."""
    body = bytes([len(imports)]) + b"".join(imports)
    types = b"\x07\x03\x01\x40\x00"  # what is in it does not matter to the reader
    return b"\0asm\x0d\x00\x01\x00" + types + b"\x0a" + leb(len(body)) + body


COMPONENT = component(
    b"\x00" + name("wasi:cli/environment@0.3.0-rc-2026-03-15") + b"\x05\x00",  # an instance
    b"\x00" + name("wasi:cli/exit@0.2.6") + b"\x05\x81\x01",  # a two-byte type index
    b"\x00" + name("host-fn") + b"\x01\x02",  # a function, not WASI
    b"\x00" + name("res") + b"\x03\x01",  # a resource type (sub resource)
    b"\x00" + name("v") + b"\x02\x01\x7f",  # a value of a primitive type
    b"\x00" + name("m") + b"\x00\x11\x03",  # a core module
    b"\x01" + name("wasi:random/insecure-seed@0.3.0-rc-2026-03-15") + name("") + b"\x05\x02",
)


def test_a_core_module_names_its_wasi_imports_past_other_kinds_of_import() -> None:
    data = wasmtime.wat2wasm(CORE)
    assert not is_component(data)
    assert core_imports(data) == ["wasi.thread-spawn", "wasi_snapshot_preview1"]


def test_a_component_names_its_wasi_interfaces_past_other_kinds_of_import() -> None:
    assert is_component(COMPONENT)
    imports = component_imports(COMPONENT)
    assert imports == ["wasi:cli/environment@0.3.0-rc-2026-03-15", "wasi:cli/exit@0.2.6",
                       "wasi:random/insecure-seed@0.3.0-rc-2026-03-15"]
    assert wasi_versions(imports) == {"0.2", "0.3.0-rc-2026-03-15"}
    assert wasi_versions(["wasi:cli/stdout@0.3.0", "wasi_snapshot_preview1"]) == {"0.3.0", "0.1"}


def test_an_artifact_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    artifact = tmp_path / "c.wasm"
    artifact.write_bytes(COMPONENT)
    first = imports_of(artifact, "abc")
    artifact.write_bytes(component())  # the digest names the artifact: what was read is kept
    assert imports_of(artifact, "abc") == first and len(first) == 3
    assert imports_of(artifact, "def") == []
