"""Prebuilt guests and their folders, copied into the artifact cache by content.

The sandbox sees only the artifact cache, so a `.wasm` file that was not built by the
harness (a wasi-testsuite binary) and the folder its spec preopens are copied there
once, under a name made of their content's digest: the same binary in two checkouts is
one copy, and a changed one is a new copy. A file keeps its own name (a guest sees it
as argv[0]).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

from harness.artifacts.cache import cache_dir

PREBUILT_DIR = "prebuilt"


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_digest(folder: Path) -> str:
    """A digest of a folder's tree: names, file contents and symlink targets."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            digest.update(f"L {relative} -> {os.readlink(path)}\0".encode())
        elif path.is_file():
            digest.update(f"F {relative} {file_digest(path)}\0".encode())
        elif path.is_dir():
            digest.update(f"D {relative}\0".encode())
    return digest.hexdigest()


def stage_file(path: Path) -> tuple[str, str]:
    """(path below the artifact cache, sha256) of a copy of the file `path`."""
    sha256 = file_digest(path)
    relative = f"{PREBUILT_DIR}/{sha256[:24]}/{path.name}"
    _stage(relative.rsplit("/", 1)[0], lambda into: shutil.copyfile(path, into / path.name))
    return relative, sha256


def stage_folder(folder: Path) -> str:
    """The path below the artifact cache of a copy of the folder `folder`."""
    relative = f"{PREBUILT_DIR}/dir-{folder_digest(folder)[:24]}"
    _stage(relative, lambda into: shutil.copytree(folder, into, symlinks=True, dirs_exist_ok=True))
    return relative


def _stage(relative: str, fill: Callable[[Path], object]) -> None:
    """Make `relative` in the artifact cache once (a file lock per name), readable by all."""
    artifacts = cache_dir("artifacts")
    target = artifacts / relative
    if target.exists():
        return
    (artifacts / PREBUILT_DIR).mkdir(exist_ok=True)
    with FileLock(str(cache_dir("locks") / f"{Path(relative).name}.lock")):
        if target.exists():
            return
        staging = Path(tempfile.mkdtemp(prefix=".stage-", dir=artifacts / PREBUILT_DIR))
        try:
            fill(staging)
            for folder, _, files in os.walk(staging):
                os.chmod(folder, 0o755)
                for name in files:
                    path = os.path.join(folder, name)
                    if not os.path.islink(path):
                        os.chmod(path, 0o644)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
