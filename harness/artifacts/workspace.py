"""The `rust-fixtures/` cargo workspace: its crates, their binaries, their source hashes."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from harness import PROJECT_ROOT

DEFAULT_WORKSPACE = PROJECT_ROOT / "rust-fixtures"


@dataclass(frozen=True)
class Crate:
    name: str
    path: Path
    bins: tuple[str, ...]
    cdylib: str | None  # the library's artifact stem when the crate is a cdylib
    path_deps: tuple[Path, ...] = ()  # local crates it depends on (their sources count too)

    def artifact_stem(self, bin_name: str | None) -> str:
        """The file stem cargo gives the wasm artifact of `bin_name` (or the crate's only one)."""
        if bin_name:
            return bin_name
        if self.cdylib:
            return self.cdylib
        return self.bins[0]


class Workspace:
    """Reads the workspace's manifests (no cargo needed) to resolve fixture names."""

    def __init__(self, root: Path = DEFAULT_WORKSPACE) -> None:
        self.root = root

    @cached_property
    def crates(self) -> dict[str, Crate]:
        manifest = tomllib.loads((self.root / "Cargo.toml").read_text())
        members = manifest.get("workspace", {}).get("members", [])
        found = {}
        for member in members:
            for path in sorted(self.root.glob(member)):
                if (path / "Cargo.toml").is_file():
                    crate = _read_crate(path)
                    found[crate.name] = crate
        return found

    def check(self, crate: str, bin_name: str | None) -> str | None:
        """Why `crate[:bin]` names no fixture, or None when it does."""
        if not (self.root / "Cargo.toml").is_file():
            return f"no cargo workspace at {self.root}"
        found = self.crates.get(crate)
        if found is None:
            return f"no crate {crate!r} in {self.root.name}/ (crates: {', '.join(sorted(self.crates))})"
        if bin_name is not None and bin_name not in found.bins:
            return f"crate {crate!r} has no bin {bin_name!r} (bins: {', '.join(found.bins) or 'none'})"
        if not found.cdylib and not found.bins:
            return f"crate {crate!r} builds no bin and no cdylib: it is not a fixture"
        if bin_name is None and not found.cdylib and len(found.bins) != 1:
            return f"crate {crate!r} has several bins; name one as {crate}:<bin>"
        return None

    def lock_problem(self) -> str | None:
        """Why cargo cannot build this workspace offline with --locked, or None."""
        if (self.root / "Cargo.toml").is_file() and not (self.root / "Cargo.lock").is_file():
            return (f"the fixtures workspace {self.root} has no Cargo.lock; fixtures are built "
                    "offline with --locked, so every build would fail. Make one with "
                    f"`python -m harness lock {self.root}` (against the registry, else offline "
                    "against the crates the toolchain image vendors) and commit it")
        return None

    def source_hash(self, crate: str) -> str:
        """Hash of what a build of `crate` depends on: its files, Cargo.lock, the root manifest."""
        inputs = [self.root / "Cargo.toml", self.root / "Cargo.lock"]
        for crate_dir in self._source_dirs(self.crates[crate].path, set()):
            inputs += sorted(p for p in crate_dir.rglob("*")
                             if p.is_file() and "target" not in p.relative_to(crate_dir).parts)
        return _digest_files([p for p in inputs if p.is_file()], self.root)

    def _source_dirs(self, crate_dir: Path, seen: set[Path]) -> list[Path]:
        """The crate's directory and those of its path dependencies, transitively."""
        if crate_dir in seen:
            return []
        seen.add(crate_dir)
        dirs = [crate_dir]
        for dep in _read_crate(crate_dir).path_deps:
            dirs += self._source_dirs(dep, seen)
        return sorted(dirs)


def source_hash(folder: Path) -> str:
    """Hash of every file below `folder` but its build output (target/, .git/)."""
    return _digest_files(sorted(p for p in folder.rglob("*") if p.is_file()
                                and not {"target", ".git"} & set(p.relative_to(folder).parts)), folder)


def _digest_files(paths: list[Path], root: Path) -> str:
    """A digest of each file's path below `root` and its content, in the given order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_crate(path: Path) -> Crate:
    manifest = tomllib.loads((path / "Cargo.toml").read_text())
    name = manifest["package"]["name"]
    bins = [b["name"] for b in manifest.get("bin", [])]
    auto = manifest["package"].get("autobins", True)
    if auto and (path / "src" / "main.rs").is_file() and name not in bins:
        bins.append(name)
    if auto:
        bins += sorted(p.stem for p in (path / "src" / "bin").glob("*.rs") if p.stem not in bins)
    lib = manifest.get("lib", {})
    cdylib = None
    if "cdylib" in lib.get("crate-type", []):
        cdylib = lib.get("name", name).replace("-", "_")
    deps = {**manifest.get("dependencies", {}), **manifest.get("build-dependencies", {})}
    for table in manifest.get("target", {}).values():
        deps.update(table.get("dependencies", {}))
    path_deps = tuple(sorted((path / d["path"]).resolve() for d in deps.values()
                             if isinstance(d, dict) and "path" in d))
    return Crate(name=name, path=path, bins=tuple(bins), cdylib=cdylib, path_deps=path_deps)
