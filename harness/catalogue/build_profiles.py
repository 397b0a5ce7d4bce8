"""The build profile catalogue (build_profiles.yaml): how a cell's Rust is compiled beyond its
toolchain, an axis of the cells beside toolchains (`pytest --profiles abort,unwind`).

`abort` is the targets' default: the toolchain's own std, where a panic aborts the process.
`unwind` compiles against a std built with `-Cpanic=unwind` in the toolchain image
(docker/build-std/unwind.sh: build-std with panic_unwind and a wasm unwinder), so that
`catch_unwind` works and libtest catches a test's panic in its own process. Its artifacts use
the WebAssembly exception-handling proposal, which a runtime must implement (`exceptions`
in harness/catalogue/runtimes.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from harness.catalogue.entries import read_entries
from harness.errors import UserError

CATALOGUE = Path(__file__).with_name("build_profiles.yaml")


@dataclass(frozen=True)
class Profile:
    name: str
    rustflags: str = ""  # appended to the builds' RUSTFLAGS
    exceptions: bool = False  # its artifacts need the exception-handling proposal
    description: str = ""
    default: bool = False  # the profile of a run that names none

    @property
    def suffix(self) -> str:
        """What a cell's name and a build's key gain under it ("" for the default)."""
        return "" if self.default else self.name


def _load() -> dict[str, Profile]:
    entries = read_entries(CATALOGUE)
    known = {f.name for f in fields(Profile)} - {"name"}
    for name, entry in entries.items():
        unknown = sorted(set(entry) - known)
        if unknown:
            raise UserError(f"{CATALOGUE}: {name}: no field {unknown[0]!r} "
                            f"(fields: {', '.join(sorted(known))})")
    found = {name: Profile(name=name, **entry) for name, entry in entries.items()}
    if sum(p.default for p in found.values()) != 1:
        raise UserError(f"{CATALOGUE}: exactly one profile is the default")
    return found


PROFILES = _load()  # in catalogue order
ABORT = next(p for p in PROFILES.values() if p.default)  # the default profile itself
DEFAULT = ABORT.name


def pick_profiles(names: list[str]) -> list[Profile]:
    """The profiles named (catalogue order), or the default; UserError on unknown names."""
    unknown = [n for n in names if n not in PROFILES]
    if unknown:
        raise UserError(f"unknown build profile {', '.join(unknown)} (known: {', '.join(PROFILES)})")
    return [p for p in PROFILES.values() if p.name in names] if names else [ABORT]
