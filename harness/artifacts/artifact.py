"""Artifacts: what a build produced for one (fixture crate, target)."""

from __future__ import annotations

import hashlib
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
    seconds: float | None = None  # how long the (first) build took
    sha256: dict[str, str] = field(default_factory=dict)  # stem -> digest, taken at build time
    fresh: bool = False  # built by this call (not found in the cache)

    def artifact(self, stem: str) -> Artifact:
        path = self.directory / f"{stem}.wasm"
        # Builds cached before digests were recorded are hashed here instead.
        digest = self.sha256.get(stem) or hashlib.sha256(path.read_bytes()).hexdigest()
        return Artifact(path=path, key=self.key, stem=stem, sha256=digest)


@dataclass(frozen=True)
class Artifact:
    path: Path  # on the host, below the artifact cache
    key: str
    stem: str
    sha256: str

    @property
    def relative(self) -> str:
        """The path below the artifact cache root (how the sandbox mounts it)."""
        return f"{self.key}/{self.stem}.wasm"
