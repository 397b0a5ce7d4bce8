"""The target catalogue (targets.yaml): what each Rust WebAssembly target produces."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.catalogue.entries import read_entries

CATALOGUE = Path(__file__).with_name("targets.yaml")


@dataclass(frozen=True)
class Target:
    triple: str
    marker: str
    kind: str  # "module" or "component"
    threads: bool
    sockets: bool
    baseline: str = ""
    build_baseline: bool = False  # the target the dossiers compare build times with
    upstream: str = ""  # where upstream Rust has the target now (when toolchains may lag behind)
    upstream_wasi: str = ""  # the WASI version upstream's std imports
    watch: str = ""  # a watch row: upstream has it, no toolchain here does (where, and why)

    @property
    def is_component(self) -> bool:
        return self.kind == "component"


@cache
def all_targets() -> dict[str, Target]:
    """Every target of the catalogue, by triple, in catalogue order."""
    entries = read_entries(CATALOGUE)
    return {triple: Target(triple=triple, **fields) for triple, fields in entries.items()}


def image_targets() -> list[str]:
    """The targets a toolchain image builds std for: every target but the watch rows."""
    return [triple for triple, target in all_targets().items() if not target.watch]
