"""Running a cell: build once, run in the sandbox, judge, and make the record."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.builder import Builder, build_once
from harness.cell import Cell
from harness.fixtures import Workspace
from harness.judge import judge
from harness.outcome import Outcome
from harness.runtime import Invocation, RunPlan, Runtime
from harness.sandbox import ARTIFACTS_MOUNT, Sandbox, SandboxLost
from harness.verdict import Verdict

EXCERPT_LINES = 15
EXCERPT_CHARS = 4000
VERSION_TIMEOUT_S = 60.0


@dataclass
class Context:
    """What every cell of one process of a run shares."""

    run_id: str
    builder: Builder
    workspace: Workspace
    sandbox: Sandbox
    _versions: dict[str, tuple[str | None, str]] = field(default_factory=dict)

    def runtime_version(self, runtime: Runtime) -> tuple[str | None, str]:
        """The runtime's version, or None and why it cannot run at all."""
        if runtime.name not in self._versions:
            response = self.sandbox.request(
                {"steps": [{"argv": runtime.version_argv(), "timeout_s": VERSION_TIMEOUT_S}]},
                VERSION_TIMEOUT_S + 30,
            )
            step = response["steps"][-1]
            if step["spawn_error"] or step["exit_code"] != 0:
                why = step["spawn_error"] or (step["stderr"] or step["stdout"]).strip()[-300:]
                self._versions[runtime.name] = (None, why)
            else:
                version = runtime.parse_version(step["stdout"] + step["stderr"])
                self._versions[runtime.name] = (version, "")
        return self._versions[runtime.name]


def run_cell(cell: Cell, context: Context) -> dict[str, Any]:
    """Everything that happens to one cell, ending in its record (never raises SandboxLost)."""
    started = time.monotonic()
    record = _run(cell, context)
    record["wall_s"] = round(time.monotonic() - started, 4)  # harness cost included
    return record


def _run(cell: Cell, context: Context) -> dict[str, Any]:
    record = _base_record(cell, context)
    override = cell.override
    if override is not None and override.kind == "skip":
        return _finish(record, Verdict.UNSUPPORTED, f"not applicable: {override.reason}", ran=False)
    reason = cell.runtime.unsupported_reason(cell.target)
    if reason:
        return _finish(record, Verdict.UNSUPPORTED, f"unsupported by runtime: {reason}", ran=False)
    reason = context.builder.unavailable_reason(cell.target)
    if reason:
        return _finish(record, Verdict.UNAVAILABLE, f"toolchain: {reason}", ran=False)
    build = build_once(context.builder, context.workspace, cell.case.crate, cell.target, context.run_id)
    if build.error:
        return _finish(record, Verdict.BUILD_ERROR, build.error[-EXCERPT_CHARS:], ran=False)
    artifact = build.artifact(context.workspace.crates[cell.case.crate].artifact_stem(cell.case.bin))
    record["artifact_sha256"] = artifact.sha256
    record["versions"].update(build.toolchain)
    try:
        version, why = context.runtime_version(cell.runtime)
        if version is None:
            return _finish(record, Verdict.UNAVAILABLE, f"runtime unavailable: {why}", ran=False)
        record["versions"]["runtime"] = version
        plan = cell.runtime.plan(f"{ARTIFACTS_MOUNT}/{artifact.relative}", cell.target,
                                 _invocation(cell))
        record["flags"] = plan.flags
        record["repro"] = context.sandbox.repro(plan.guest.argv)
        response = context.sandbox.request(_request(cell, plan), _deadline(plan))
    except SandboxLost as error:
        return _finish(record, Verdict.INFRA_ERROR, f"sandbox lost: {error}", ran=False)
    outcome = Outcome.from_steps(response["steps"], [s.argv[0] for s in plan.steps])
    verdict, reason = judge(outcome, cell.expect, override, cell.runtime)
    record.update(
        exit_code=outcome.exit_code,
        stdout=_excerpt(outcome.stdout),
        stderr=_excerpt(outcome.stderr),
        stdout_bytes=outcome.stdout_bytes,
        duration_s=round(outcome.duration_s, 4),
    )
    return _finish(record, verdict, reason, ran=True)


def _base_record(cell: Cell, context: Context) -> dict[str, Any]:
    override = cell.override
    return {
        "case": cell.case.id,
        "suite": _suite_path(cell.case.path),
        "line": cell.case.line,
        "description": cell.case.description,
        "target": cell.target.triple,
        "runtime": cell.runtime.name,
        "features": list(cell.case.features),
        "expectation": cell.expectation_kind,
        "expectation_reason": override.reason if override else "",
        "link": override.link if override else None,
        "exit_code": None,
        "stdout": "",
        "stderr": "",
        "duration_s": 0.0,
        "artifact_sha256": None,
        "builder": context.builder.name,
        "versions": {},
        "flags": [],
        "repro": context.builder.repro(context.workspace, cell.case.crate, cell.target),
    }


def _finish(record: dict[str, Any], verdict: Verdict, reason: str, ran: bool) -> dict[str, Any]:
    record.update(verdict=verdict.value, reason=reason, ran=ran)
    return record


def _invocation(cell: Cell) -> Invocation:
    case = cell.case
    dirs = {guest: f"dirs/{index}" for index, guest in enumerate(sorted(case.dirs))}
    return Invocation(args=case.args, env=dict(case.env), stdin=case.stdin, dirs=dirs,
                      network=case.network == "loopback", timeout_s=case.timeout_s)


def _request(cell: Cell, plan: RunPlan) -> dict[str, Any]:
    files: dict[str, str] = dict(plan.files)
    mkdirs = []
    for index, guest in enumerate(sorted(cell.case.dirs)):
        mkdirs.append(f"dirs/{index}")
        for name, content in cell.case.dirs[guest].items():
            files[f"dirs/{index}/{name}"] = content
    steps = [{"argv": s.argv, "env": s.env, "stdin": s.stdin, "timeout_s": s.timeout_s}
             for s in plan.steps]
    return {"steps": steps, "files": files, "mkdirs": mkdirs}


def _deadline(plan: RunPlan) -> float:
    """How long to wait for the executor: every step's limit plus a margin."""
    return sum(step.timeout_s for step in plan.steps) + 60.0


def _excerpt(text: str) -> str:
    """The first and last lines of a stream, bounded."""
    lines = text.splitlines()
    if len(lines) > 2 * EXCERPT_LINES:
        skipped = len(lines) - 2 * EXCERPT_LINES
        lines = [*lines[:EXCERPT_LINES], f"[... {skipped} lines ...]", *lines[-EXCERPT_LINES:]]
    joined = "\n".join(lines)
    if len(joined) > EXCERPT_CHARS:
        half = EXCERPT_CHARS // 2
        joined = joined[:half] + "\n[...]\n" + joined[-half:]
    return joined


def _suite_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
