"""Where the crates of a build come from, like `cross test`: the toolchain image's vendored
crates when they hold everything the crate's Cargo.lock names, else the crate's own `cargo
vendor` directory, else a CARGO_HOME of the harness filled by `cargo fetch --locked` on the
host (where a registry answers) and mounted read-only into the build container, which stays
without network. A crate without a Cargo.lock gets one made here (against the registry)."""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from filelock import FileLock

from harness.artifacts.cache import cache_dir

FETCH_TIMEOUT_S = 10 * 60
# No registry: cargo's retries and its 30 s timeout are too patient for a build step.
NET_ENV = {"CARGO_NET_RETRY": "1", "CARGO_HTTP_TIMEOUT": "20", "CARGO_TERM_COLOR": "never"}
NO_MATCHING = re.compile(r"no matching package named `([^`]+)` found")

Package = tuple[str, str]  # (name, version)
# What this process found it could not have (a lock's digest -> the one line; a crate's
# manifests' digest -> no lock): every cell of such a build asks, the registry once.
_UNAVAILABLE: dict[str, str] = {}
_NO_LOCK: set[str] = set()


class Origin(StrEnum):
    IMAGE = "image"  # every crate the lock names is vendored in the toolchain image
    VENDOR = "vendor"  # the crate's own `cargo vendor` directory (.cargo/config.toml)
    FETCHED = "fetched"  # fetched by its lock into the harness's CARGO_HOME


@dataclass(frozen=True)
class Crates:
    """Where one build's crates come from; `lock`: a Cargo.lock made here for a crate without one."""

    origin: Origin
    lock: Path | None = None


class CratesUnavailable(Exception):
    """A crate the lock names could not be had; the message is one line saying which and how
    to vendor it."""


def cargo_home() -> Path:
    """The harness's CARGO_HOME: the registry's crates every fetch put there (mounted read-only)."""
    return cache_dir("cargo-home")


def crates_for(folder: Path, vendored: frozenset[Package]) -> Crates:
    """Where the crates of the cargo workspace or package in `folder` come from, fetching
    what the image does not vendor. Raises CratesUnavailable when nothing can give them."""
    if own_vendor(folder) is not None:
        return Crates(Origin.VENDOR)
    lock = folder / "Cargo.lock"
    made = None
    if not lock.is_file():
        made = made_lock(folder)
        if made is None:  # no registry: cargo resolves against what the image vendors, as before
            return Crates(Origin.IMAGE)
        lock = made
    missing = [p for p in locked_packages(lock.read_text()) if p not in vendored]
    if not missing:
        return Crates(Origin.IMAGE, made)
    fetch(folder, lock, missing)
    return Crates(Origin.FETCHED, made)


def own_vendor(folder: Path) -> Path | None:
    """The directory a crate's own `.cargo/config.toml` puts in place of crates.io, when it exists."""
    for name in ("config.toml", "config"):
        config = folder / ".cargo" / name
        if not config.is_file():
            continue
        try:
            sources = tomllib.loads(config.read_text()).get("source", {})
        except tomllib.TOMLDecodeError:
            return None
        replacement = sources.get("crates-io", {}).get("replace-with")
        directory = sources.get(replacement, {}).get("directory") if replacement else None
        if directory and (folder / directory).is_dir():  # relative to the folder holding .cargo
            return (folder / directory).resolve()
    return None


def locked_packages(lock_text: str) -> list[Package]:
    """The packages of a Cargo.lock that come from a registry or git (not the workspace's own)."""
    packages = tomllib.loads(lock_text).get("package", [])
    return [(p["name"], p["version"]) for p in packages if p.get("source")]


def fetch(folder: Path, lock: Path, missing: list[Package]) -> None:
    """`cargo fetch --locked` of the lock into the harness's CARGO_HOME, once per lock content."""
    home = cargo_home()
    key = hashlib.sha256(lock.read_bytes()).hexdigest()[:24]
    done = home / ".fetched" / key
    if done.is_file():
        return
    if key in _UNAVAILABLE:
        raise CratesUnavailable(_UNAVAILABLE[key])
    with FileLock(str(cache_dir("locks") / "cargo-home.lock")):
        if done.is_file():
            return
        with tempfile.TemporaryDirectory(prefix="fetch-") as scratch:
            manifest = folder / "Cargo.toml"
            if lock.parent != folder:  # a lock made here: fetch in a copy of the crate beside it
                manifest = _copy_with_lock(folder, lock, Path(scratch)) / "Cargo.toml"
            why = _host_cargo(["fetch", "--locked", "--manifest-path", str(manifest)], Path(scratch),
                              home)
        if why is not None:
            if "--locked" in why and "lock file" in why:  # stale, not unreachable: cargo's own words
                _UNAVAILABLE[key] = f"{lock}: {why}; refresh it with `python -m harness lock {folder}`"
            else:
                _UNAVAILABLE[key] = unavailable(folder, missing, why)
            raise CratesUnavailable(_UNAVAILABLE[key])
        done.parent.mkdir(exist_ok=True)
        done.write_text(f"{lock}\n")


def made_lock(folder: Path) -> Path | None:
    """A Cargo.lock for a crate without one, resolved against the registry by the host's cargo
    (kept in the cache by the crate's manifests); None when no registry answers."""
    manifests = sorted(p for p in folder.rglob("Cargo.toml")
                       if not {"target", ".git"} & set(p.relative_to(folder).parts))
    digest = hashlib.sha256()
    for path in manifests:
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    key = digest.hexdigest()[:24]
    made = cache_dir("cargo-locks") / f"{key}.lock"
    if made.is_file():
        return made
    if key in _NO_LOCK:
        return None
    with tempfile.TemporaryDirectory(prefix="lock-") as scratch:
        copy = _copy_with_lock(folder, None, Path(scratch))
        if _host_cargo(["generate-lockfile"], copy, cargo_home()) is not None:
            _NO_LOCK.add(key)
            return None
        shutil.copyfile(copy / "Cargo.lock", made)
    return made


def lock_with_registry(folder: Path) -> str | None:
    """Make or bring up to date `folder`'s Cargo.lock with the host's cargo against the registry
    (a lock that exists keeps its versions; only what the manifests changed is resolved).
    Why not, or None when it is done."""
    command = ["update", "--workspace"] if (folder / "Cargo.lock").is_file() else ["generate-lockfile"]
    return _host_cargo(command, folder, None)


def unavailable(folder: Path, missing: Iterable[Package], why: str) -> str:
    """The one line of a build whose crates neither the image, the crate nor a registry gave."""
    missing = list(missing)
    name, version = missing[0]
    more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
    return (f"crate {name} {version}{more}, named by {folder}'s Cargo.lock, could not be had: the "
            f"toolchain image does not vendor it and no registry answered ({why}); vendor it where "
            f"one does: `cargo vendor` in {folder}, with the [source] lines it prints in "
            f"{folder}/.cargo/config.toml")


def explain_missing(output: str, folder: Path) -> str | None:
    """The one line for cargo's offline "no matching package named `X` found", or None."""
    found = NO_MATCHING.search(output)
    if found is None:
        return None
    return (f"crate {found.group(1)}, which {folder} depends on, could not be had: the toolchain "
            "image does not vendor it, the crate has no Cargo.lock and no registry answered to make "
            f"one; make one with `python -m harness lock {folder}` where a registry answers, or "
            f"vendor the crates: `cargo vendor` in {folder}, with the [source] lines it prints in "
            f"{folder}/.cargo/config.toml")


def _host_cargo(args: list[str], cwd: Path, home: Path | None) -> str | None:
    """Run the host's cargo; None when it succeeds, else its last error line."""
    env = dict(os.environ, **NET_ENV)
    # rustup finds its toolchains under the user's own home even where HOME is another folder
    # (a test's, a sandboxed shell's)
    env.setdefault("RUSTUP_HOME", str(Path(pwd.getpwuid(os.getuid()).pw_dir) / ".rustup"))
    if home is not None:
        env["CARGO_HOME"] = str(home)
    env.pop("CARGO_NET_OFFLINE", None)
    try:
        result = subprocess.run(["cargo", *args], cwd=cwd, env=env, capture_output=True, text=True,
                                timeout=FETCH_TIMEOUT_S, check=False)
    except FileNotFoundError:
        return "the host has no cargo to fetch with"
    except subprocess.TimeoutExpired:
        return f"cargo {args[0]} took longer than {FETCH_TIMEOUT_S}s"
    if result.returncode == 0:
        return None
    lines = [line.strip() for line in result.stderr.splitlines()
             if line.strip() and line.strip() != "Caused by:"]
    first = next((line for line in lines if line.startswith("error")), None)
    if first is None:
        return f"cargo {args[0]} exited {result.returncode}"
    cause = lines[-1] if lines[-1] != first else ""  # the innermost of cargo's "Caused by:"
    return (first.removeprefix("error: ") + (f": {cause}" if cause else ""))[:400]


def _copy_with_lock(folder: Path, lock: Path | None, scratch: Path) -> Path:
    copy = scratch / "crate"
    shutil.copytree(folder, copy, symlinks=True, ignore=shutil.ignore_patterns("target", ".git"))
    if lock is not None:
        shutil.copyfile(lock, copy / "Cargo.lock")
    return copy
