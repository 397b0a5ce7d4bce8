"""A prebuilt guest: a binary of WebAssembly/wasi-testsuite with its JSON spec, copied into the
artifact cache by content and run once per runtime column; no toolchain builds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.cell import CaseKind, Cell
from harness.context import Context
from harness.judgment import unsupported_by_harness
from harness.kinds import run_guest, runnable, runtime_problem
from harness.prebuilt import stage_file, stage_folder
from harness.record import CellKind, CellResult
from harness.runtime import Invocation
from harness.sandbox import ARTIFACTS_MOUNT, GuestRequest
from harness.verdict import Judgment
from harness.wasi_spec import WasiTest

PREBUILT = "prebuilt"  # the record's builder


@dataclass(frozen=True)
class Prebuilt(CaseKind):
    test: WasiTest

    cell_kind = CellKind.WASI_TESTSUITE
    built = False

    def record_fields(self) -> dict[str, Any]:
        return {"wasi_suite": self.test.suite}

    def origin(self, cell: Cell, context: Context) -> tuple[str, str]:
        return PREBUILT, ""

    def not_runnable(self, cell: Cell, context: Context) -> Judgment | None:
        why = self.test.spec.unsupported
        return unsupported_by_harness(why) if why else None

    def run(self, cell: Cell, context: Context, record: CellResult) -> Judgment:
        """Its binary and folders staged in the artifact cache, each folder given to the guest
        as a fresh copy without `*.cleanup` leftovers."""
        spec = self.test.spec
        relative, record.artifact_sha256 = stage_file(self.test.wasm)
        problem = runtime_problem(cell, context, record)
        if problem:
            return problem
        dirs = {guest: f"dirs/{index}" for index, guest in enumerate(sorted(spec.dirs))}
        copies = {dirs[guest]: f"{ARTIFACTS_MOUNT}/{stage_folder(folder)}"
                  for guest, folder in spec.dirs.items()}
        invocation = Invocation(args=cell.case.args, env=dict(cell.case.env), dirs=dirs,
                                network=spec.network, proposals=frozenset(spec.proposals))
        inside = f"{ARTIFACTS_MOUNT}/{relative}"
        record.wasi_imports = context.wasi_imports(self.test.wasm, record.artifact_sha256, inside)
        path = runnable(cell, context, record, inside, record.artifact_sha256)
        if isinstance(path, Judgment):
            return path
        argv = cell.runtime.argv(path, cell.target, invocation)
        limit = cell.case.timeout_s * context.slowdown(cell.runtime)
        return run_guest(cell, context, record, GuestRequest(argv, cell.case.stdin, limit, copies=copies))
