"""What an artifact imports of WASI: core modules parsed here, components through `wasm-tools
component wit` (a canned output here; the end-to-end tests read real ones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.wasi_imports import component_imports, core_imports, imports_of, is_component, wasi_versions

wasmtime = pytest.importorskip("wasmtime")

CORE = """(module
  (type (func (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (import "wasi" "thread-spawn" (func (type 0)))
  (import "env" "memory" (memory 17 16384 shared))
  (import "env" "t" (table 1 funcref))
  (import "env" "g" (global (mut i32)))
  (func (export "_start")))"""

WIT = """package root:component;

world root {
  import wasi:cli/environment@0.3.0-rc-2026-03-15;
  import wasi:cli/exit@0.2.6;
  import wasi:random/insecure-seed@0.3.0-rc-2026-03-15;

  export wasi:cli/run@0.2.6;
}
"""


def test_a_core_module_names_its_wasi_imports_past_other_kinds_of_import() -> None:
    data = wasmtime.wat2wasm(CORE)
    assert not is_component(data)
    assert core_imports(data) == ["wasi.thread-spawn", "wasi_snapshot_preview1"]


def test_a_components_world_names_its_wasi_interfaces_and_their_versions() -> None:
    imports = component_imports(WIT)
    assert imports == ["wasi:cli/environment@0.3.0-rc-2026-03-15", "wasi:cli/exit@0.2.6",
                       "wasi:random/insecure-seed@0.3.0-rc-2026-03-15"]
    assert wasi_versions(imports) == {"0.2", "0.3.0-rc-2026-03-15"}
    assert wasi_versions(["wasi:cli/stdout@0.3.0", "wasi_snapshot_preview1"]) == {"0.3.0", "0.1"}


def test_an_artifact_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    component = tmp_path / "c.wasm"
    component.write_bytes(b"\0asm\x0d\x00\x01\x00")
    calls: list[Path] = []

    def read_wit(inside: Path) -> str:
        calls.append(inside)
        return WIT

    first = imports_of(component, "abc", Path("/artifacts/c.wasm"), read_wit)
    assert imports_of(component, "abc", Path("/artifacts/c.wasm"), read_wit) == first
    assert calls == [Path("/artifacts/c.wasm")] and len(first) == 3
    assert imports_of(component, "def", Path("/x.wasm"), lambda _: None) == []  # unknown, not kept
