"""Build profiles: how a cell's Rust is compiled beyond its toolchain, an axis of the cells
beside toolchains (`pytest --profiles abort,unwind`).

`abort` is the targets' default: the toolchain's own std, where a panic aborts the process.
`unwind` compiles against a std built with `-Cpanic=unwind` in the toolchain image
(docker/build-std/unwind.sh: build-std with panic_unwind and a wasm unwinder), so that
`catch_unwind` works and libtest catches a test's panic in its own process. Its artifacts use
the WebAssembly exception-handling proposal, which a runtime must implement (`exceptions`
in harness/catalogue/runtimes.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import UserError

UNWIND_SYSROOT = "/usr/local/lib/wasm-conformance/sysroot-unwind"  # in a toolchain image


@dataclass(frozen=True)
class Profile:
    name: str
    rustflags: str = ""  # appended to the builds' RUSTFLAGS
    exceptions: bool = False  # its artifacts need the exception-handling proposal
    description: str = ""

    @property
    def default(self) -> bool:
        return self.name == DEFAULT

    @property
    def suffix(self) -> str:
        """What a cell's name and a build's key gain under it ("" for the default)."""
        return "" if self.default else self.name


DEFAULT = "abort"
PROFILES = {
    "abort": Profile("abort", description="panic=abort, the toolchain's own std"),
    "unwind": Profile("unwind", f"--sysroot {UNWIND_SYSROOT} -Cpanic=unwind", exceptions=True,
                      description="panic=unwind, std built with panic_unwind and wasm exception handling"),
}
ABORT = PROFILES[DEFAULT]  # the default profile itself


def pick_profiles(names: list[str]) -> list[Profile]:
    """The profiles named (catalogue order), or the default; UserError on unknown names."""
    unknown = [n for n in names if n not in PROFILES]
    if unknown:
        raise UserError(f"unknown build profile {', '.join(unknown)} (known: {', '.join(PROFILES)})")
    return [p for p in PROFILES.values() if p.name in names] if names else [ABORT]
