"""Jco: a component (or a wasip1 module wrapped into one) transpiled to JavaScript, on Node.js.

Each artifact is wrapped and transpiled once, into the sandbox's persistent cache;
every cell then only starts Node on the cached output (`runners/jco_run.mjs`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from harness.catalogue.targets import Target
from harness.runtime import Invocation, Runtime
from harness.sandbox.container import CACHE_MOUNT

HERE = Path(__file__).resolve().parent
SCRIPTS = {"/runners/jco_run.mjs": HERE / "jco_run.mjs", "/runners/jco_guest.mjs": HERE / "jco_guest.mjs"}


def _scripts_hash() -> str:
    digest = hashlib.sha256()
    for path in SCRIPTS.values():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


class Jco(Runtime):
    name = "jco"
    family = "jco"
    rank = 30
    kinds = frozenset({"module", "component"})  # a wasip1 module is wrapped into a component
    network = True
    exceptions = True
    limitations = {"threads": "Jco has no wasi-threads support (shared-memory threads on Node.js)"}
    sandbox_files = SCRIPTS
    load_error_patterns = (
        r"jco: failed to transpile",
        r"LinkError",
        r"is not a constructor",
        r"Cannot find (module|package)",
        r"jco: not a command component",
        r"unexpectedly undefined local import",  # an import the shims leave unbound, at instantiation
    )

    def version_argv(self) -> list[str]:
        return ["jco", "--version"]

    def argv(self, artifact: str, target: Target, invocation: Invocation) -> list[str]:
        # The cache key: the artifact's content-addressed path and these scripts' version.
        key = artifact.strip("/").replace("/", "_")
        cache = f"{CACHE_MOUNT}/jco/{key}-{_scripts_hash()}"
        flags: list[str] = []
        for key_, value in invocation.env.items():
            flags += ["--env", f"{key_}={value}"]
        for guest, host in invocation.dirs.items():
            flags += ["--dir", f"{guest}::{host}"]
        if invocation.network:
            flags.append("--network")
        if invocation.exceptions:  # transpiled for V8's exnref exception handling
            flags.append("--exceptions")
        return ["node", "/runners/jco_run.mjs", artifact, cache, *flags, "--", *invocation.args]
