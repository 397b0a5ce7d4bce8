"""A fixture: a program of the fixtures workspace, built once per target, toolchain and build
profile, run once
with the case's invocation, judged by the case's expectation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.builder import build_once
from harness.cells.case import CaseKind, Cell
from harness.cells.context import Context
from harness.cells.evidence import Evidence
from harness.cells.judgment import Stopped, build_error
from harness.cells.kinds import EXCERPT_CHARS, note_build, ready, run_guest
from harness.results.record import CellKind
from harness.results.verdict import Judgment
from harness.runtime import Invocation
from harness.sandbox.container import GuestRequest


@dataclass(frozen=True)
class Fixture(CaseKind):
    crate: str
    bin: str | None = None  # the crate's bin to run (None: its only one, or its cdylib)

    cell_kind = CellKind.FIXTURE

    @classmethod
    def parse(cls, text: str) -> Fixture:
        """`crate` or `crate:bin`."""
        crate, _, bin_name = text.partition(":")
        return cls(crate, bin_name or None)

    def record_fields(self) -> dict[str, Any]:
        return {}

    def build_group(self, cell: Cell) -> str | None:
        return f"{self.crate} {cell.target.triple} {cell.toolchain_name} {cell.profile.name}"

    def origin(self, cell: Cell, context: Context) -> tuple[str, str]:
        builder = context.builder(cell.toolchain)
        return builder.name, builder.repro(context.workspace, self.crate, cell.target, cell.profile)

    def not_runnable(self, cell: Cell, context: Context) -> Judgment | None:
        return context.builder(cell.toolchain).target_verdict(cell.target, cell.profile)

    def run(self, cell: Cell, context: Context, found: Evidence) -> Judgment:
        build = build_once(context.builder(cell.toolchain), context.workspace, self.crate, cell.target,
                           context.run_id, cell.profile)
        if build.error:
            raise Stopped(build_error(build.error[-EXCERPT_CHARS:]))
        artifact = build.artifact(context.workspace.crates[self.crate].artifact_stem(self.bin))
        note_build(found, build, artifact)
        cell, path = ready(cell, context, found, artifact.path, artifact.sha256, artifact.relative)
        case = cell.case
        dirs = {guest: f"dirs/{index}" for index, guest in enumerate(sorted(case.dirs))}
        files = {f"{dirs[guest]}/{name}": content
                 for guest, entries in case.dirs.items() for name, content in entries.items()}
        invocation = Invocation(args=case.args, env=dict(case.env), dirs=dirs,
                                network=case.network == "loopback", exceptions=cell.profile.exceptions)
        argv = cell.runtime.argv(path, cell.target, invocation)
        limit = case.timeout_s * context.slowdown(cell.runtime)
        return run_guest(cell, context, found, GuestRequest(argv, case.stdin, limit, files=files,
                                                             mkdirs=sorted(dirs.values())))
