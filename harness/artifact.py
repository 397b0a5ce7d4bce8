"""Artifacts: what a build produced for one (fixture crate, target)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Build:
    """The result of building one crate for one target: its wasm files, or the error."""

    key: str
    crate: str
    target: str
    directory: Path  # holds <stem>.wasm for every bin/cdylib of the crate
    toolchain: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # the compiler's message when the build failed

    def artifact(self, stem: str) -> Artifact:
        path = self.directory / f"{stem}.wasm"
        return Artifact(path=path, key=self.key, stem=stem)


@dataclass(frozen=True)
class Artifact:
    path: Path  # on the host, below the artifact cache
    key: str
    stem: str

    @property
    def relative(self) -> str:
        """The path below the artifact cache root (how the sandbox mounts it)."""
        return f"{self.key}/{self.stem}.wasm"
