"""What the image recipes take from registries, pinned exactly, and what a moved registry looks like.

Each recipe input from a registry is exact: the Jco npm project's lock (installed with
`npm ci`), PyPI wheels with their sha256 (`wheels.txt` lines, `pip --require-hashes`),
crates with a Cargo.lock (`cargo ... --locked`) and Debian packages at resolved versions
(harness/images/apt_versions.py). A registry can still move away from a pin (a lock that today's
npm finds incomplete, a wheel withdrawn); `explain(output)` turns the failure of such an
install into one line that names the package and the command that refreshes the pin.
harness/images/registry_check.py runs the installs against today's registries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness import PROJECT_ROOT

RECIPE_DIR = PROJECT_ROOT / "docker"
NPM_PROJECT = RECIPE_DIR / "runtimes" / "jco"
WHEEL_FILES = (RECIPE_DIR / "runtimes" / "wheels.txt", RECIPE_DIR / "wasi-threads-libc" / "wheels.txt")
CARGO_PROJECTS = (RECIPE_DIR / "extra-crates",)
SOURCE_CRATES = RECIPE_DIR / "runtimes" / "crates.txt"  # the Wasmtime lines built from source
LOCK_NPM = "python -m harness lock-npm"


def relative(path: Path) -> str:
    """The path as the project names it (absolute when outside the project)."""
    return path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) else str(path)


# ---- one line for a registry that moved ----------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """A pattern of a client's failure output, and the line that explains it."""

    pattern: re.Pattern[str]
    explain: Callable[[re.Match[str]], str]


_NPM_LOCK = relative(NPM_PROJECT / "package-lock.json")
DRIFTS = (
    Drift(re.compile(r"Missing: (\S+) from lock file"),
          lambda m: f"{_NPM_LOCK} is incomplete for today's npm registry: it lacks {m.group(1)} "
                    f"(`npm ci` refuses it); refresh it with `{LOCK_NPM}` and commit it"),
    Drift(re.compile(r"Invalid: lock file's (\S+) does not satisfy (\S+)"),
          lambda m: f"{_NPM_LOCK} pins {m.group(1)}, which does not satisfy {m.group(2)} of "
                    f"package.json; refresh it with `{LOCK_NPM}` and commit it"),
    Drift(re.compile(r"npm error (?:code E404|404 Not Found)[^\n]*?(?:\n[^\n]*?)*?'?(@?[\w./-]+@[\w.+-]+)'? "
                     r"is not in this registry"),
          lambda m: f"the npm registry no longer serves {m.group(1)}, which {_NPM_LOCK} pins; refresh "
                    f"the lock with `{LOCK_NPM}` and commit it"),
    Drift(re.compile(r"No matching distribution found for (\S+)"),
          lambda m: f"PyPI no longer serves {m.group(1)}, which a wheels.txt of docker/ pins; pick a "
                    "version PyPI has and put its sha256 in that line"),
    Drift(re.compile(r"THESE PACKAGES DO NOT MATCH THE HASHES[^\n]*\n\s*(\S+) from"),
          lambda m: f"PyPI serves {m.group(1)} with another sha256 than a wheels.txt of docker/ pins: "
                    "a replaced file; check it and put its sha256 in that line"),
    Drift(re.compile(r"the lock file (\S+) needs to be updated but --locked was passed"),
          lambda m: f"{m.group(1)} no longer matches its Cargo.toml; refresh it with `cargo "
                    "generate-lockfile` in its folder and commit it"),
    Drift(re.compile(r"could not download file from '([^']+)'[^\n]*?: ([^\n]+)"),
          lambda m: f"rustup cannot download the toolchain here: {m.group(2).strip()} (for {m.group(1)})"),
    Drift(re.compile(r"failed to select a version for the requirement `([^`]+)`"),
          lambda m: f"crates.io no longer offers a version for `{m.group(1)}` that a Cargo.lock of "
                    "docker/ pins (yanked?); refresh that lock with `cargo update`"),
)


def explain(output: str) -> str | None:
    """The one line that says which registry pin failed and how to refresh it, or None."""
    for drift in DRIFTS:
        match = drift.pattern.search(output)
        if match:
            return drift.explain(match)
    return None


# ---- the pins ---------------------------------------------------------------------------------------


def wheel_lines(path: Path) -> list[str]:
    """The requirement lines of a wheels.txt (`name==version --hash=sha256:...`)."""
    lines = [line.strip() for line in path.read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def wasmtime_versions() -> dict[str, str]:
    """Runtime column -> the Wasmtime version its wheel or source crate pins (e.g. wasmtime-45 ->
    45.0.2, wasmtime-50 -> 50.0.1)."""
    found = {}
    for line in wheel_lines(RECIPE_DIR / "runtimes" / "wheels.txt") + wheel_lines(SOURCE_CRATES):
        version = line.split()[0].split("==", 1)[1]
        found[f"wasmtime-{version.split('.')[0]}"] = version
    return found


def source_wasmtime_versions() -> list[str]:
    """The Wasmtime CLI versions built from crates.io's source (crates.txt)."""
    return [line.split("==", 1)[1] for line in wheel_lines(SOURCE_CRATES)]
