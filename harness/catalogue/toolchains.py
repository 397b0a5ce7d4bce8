"""The toolchain catalogue (toolchains.yaml): the Rust toolchains a run can build with."""

from __future__ import annotations

import os
import pwd
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from harness.catalogue.entries import read_entries
from harness.errors import UserError

CATALOGUE = Path(__file__).with_name("toolchains.yaml")
SOURCES = ("debian", "rustup")


@dataclass(frozen=True)
class Toolchain:
    name: str
    source: str  # "debian" (a suite of the host's mirror) or "rustup" (the host's own)
    suite: str = ""  # debian: the suite its packages come from
    pins: dict[str, str] = field(default_factory=dict)  # package -> exact version asked for
    default: bool = False
    rustup: str = ""  # rustup, the host's: the toolchain name, or "" for rustup's default
    channel: str = ""  # rustup, in an image of its own: the channel it installs (1.100.0, nightly-...)

    @property
    def marker(self) -> str:
        return self.name.replace("-", "_").replace(".", "_")

    @property
    def in_image(self) -> bool:
        """Whether it builds in a toolchain image of its own (else on the host)."""
        return self.source == "debian" or bool(self.channel)


@cache
def host_copy(channel: str) -> tuple[Path, str] | None:
    """The host's rustup toolchain of that channel (its folder and `rustc --version`), when
    the host's rustup has it installed: a channel image copies it instead of downloading.
    Looked up once per process (a channel's image tag, asked for per cell, depends on it)."""
    # the account's home, not $HOME (which test harnesses move)
    home = Path(os.environ.get("RUSTUP_HOME") or Path(pwd.getpwuid(os.getuid()).pw_dir) / ".rustup")
    for folder in sorted((home / "toolchains").glob(f"{channel}-*")):
        rustc = folder.resolve() / "bin" / "rustc"
        triple = folder.name.removeprefix(f"{channel}-")  # not a longer channel's (nightly-2026-...)
        if not triple[0].isdigit() and triple.count("-") >= 2 and rustc.is_file():
            version = subprocess.run([str(rustc), "--version"], capture_output=True, text=True, check=False)
            if version.returncode == 0:
                return folder.resolve(), version.stdout.strip()
    return None


@cache
def all_toolchains() -> dict[str, Toolchain]:
    """Every toolchain of the catalogue, by name, in catalogue order."""
    entries = read_entries(CATALOGUE)
    found = {}
    for name, fields in entries.items():
        if fields.get("source") not in SOURCES:
            raise UserError(f"{CATALOGUE}: {name}: source must be one of {', '.join(SOURCES)}")
        found[name] = Toolchain(name=name, **fields)
    return found


def default_toolchain() -> Toolchain:
    return next(t for t in all_toolchains().values() if t.default)


def pick(names: list[str]) -> list[Toolchain]:
    """The toolchains named (catalogue order), or the default; UserError on unknown names."""
    known = all_toolchains()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UserError(f"unknown toolchain {', '.join(unknown)} (known: {', '.join(known)})")
    return [t for t in known.values() if t.name in names] if names else [default_toolchain()]
