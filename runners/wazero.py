"""wazero's CLI, for core modules, as its users run it: its compiler (the default on amd64), the
compiled code kept across runs in the sandbox's cache (`-cachedir`).

The compiler runs core's tests in about 2 s where the interpreter (`-interpreter`) takes
about 115 s; the interpreter tells nothing the compiler and Pulley do not."""

from __future__ import annotations

from harness.catalogue.targets import Target
from harness.runtime import Invocation, Runtime
from harness.sandbox.container import CACHE_MOUNT

CACHE = f"{CACHE_MOUNT}/wazero"


class Wazero(Runtime):
    name = "wazero"
    family = "wazero"
    rank = 50
    limitations = {
        "component": "the wazero CLI runs core modules, not components",
        "threads": "the wazero CLI has no option to enable threads (shared memory)",
        "exceptions": ("wazero refuses exception handling: \"tag section not supported as feature "
                       "\"exception-handling\" is disabled\", and its CLI has no option to enable it"),
    }
    load_error_patterns = (
        r"error instantiating",
        r"error compiling",
        r"not instantiated",
        r"invalid magic number",
        r"(?i)import .* not found",
    )

    def version_argv(self) -> list[str]:
        return ["wazero", "version"]

    def argv(self, artifact: str, target: Target, invocation: Invocation) -> list[str]:
        flags = [f"-cachedir={CACHE}"]
        for guest, host in invocation.dirs.items():
            flags.append(f"-mount={host}:{guest}")
        for key, value in invocation.env.items():
            flags.append(f"-env={key}={value}")
        return ["wazero", "run", *flags, artifact, "--", *invocation.args]
