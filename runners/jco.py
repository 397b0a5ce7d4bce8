"""Jco: transpiles a component to JavaScript and runs it on Node.js (wasip1 wrapped first)."""

from __future__ import annotations

import json

from harness.runtime import SCRATCH, Invocation, RunPlan, Runtime, Step
from harness.targets import Target

NODE_MODULES = "/opt/jco/node_modules"  # the image's pinned jco and WASI shims
PREOPENS_MODULE = "preopens.mjs"


class Jco(Runtime):
    name = "jco"
    family = "jco"
    load_error_patterns = (
        r"LinkError",
        r"(?i)failed to (transpile|instantiate)",
        r"is not a constructor",
        r"Cannot find (module|package)",
        r"(?i)import .* (not found|missing)",
    )

    def unsupported_reason(self, target: Target) -> str | None:
        if target.threads:
            return "Jco has no wasi-threads support (shared memory threads on Node.js)"
        return None

    def version_argv(self) -> list[str]:
        return ["jco", "--version"]

    def plan(self, artifact: str, target: Target, invocation: Invocation) -> RunPlan:
        # Node resolves the shims from the cell's scratch dir through this link.
        steps = [Step(["ln", "-s", NODE_MODULES, f"{SCRATCH}/node_modules"])]
        component = artifact
        if not target.is_component:
            component = f"{SCRATCH}/component.wasm"
            steps.append(Step(["jco", "new", artifact, "--wasi-command", "-o", component],
                              timeout_s=invocation.timeout_s))
        flags = ["--jco-dir", f"{SCRATCH}/jco"]
        files = {}
        if invocation.dirs:
            files[PREOPENS_MODULE] = _preopens_module(invocation.dirs)
            flags += ["--jco-import", f"{SCRATCH}/{PREOPENS_MODULE}"]
        argv = ["jco", "run", *flags, component, *invocation.args]
        steps.append(Step(argv, env=dict(invocation.env), stdin=invocation.stdin,
                          timeout_s=invocation.timeout_s))
        return RunPlan(steps, flags, files)


def _preopens_module(dirs: dict[str, str]) -> str:
    """A module that grants the guest its preopened directories (relative to the cell dir)."""
    mapping = {guest: host.replace(f"{SCRATCH}/", "") for guest, host in dirs.items()}
    return (
        'import { _setPreopens } from "@bytecodealliance/preview2-shim/filesystem";\n'
        f"const dirs = {json.dumps(mapping)};\n"
        "_setPreopens(Object.fromEntries(Object.entries(dirs).map("
        '([guest, host]) => [guest, process.cwd() + "/" + host])));\n'
    )
