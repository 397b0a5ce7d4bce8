"""A prebuilt guest: a binary of WebAssembly/wasi-testsuite with its JSON spec, copied into the
artifact cache by content and run once per runtime column; no toolchain builds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.artifacts.prebuilt_files import stage_file, stage_folder
from harness.cells.case import CaseKind, Cell
from harness.cells.context import Context
from harness.cells.evidence import Evidence
from harness.cells.judgment import judge_conversation, unsupported_by_harness, unsupported_by_runtime
from harness.cells.kinds import keep_output, ready, run_guest
from harness.results.record import CellKind
from harness.results.verdict import Judgment
from harness.runtime import Invocation
from harness.sandbox.container import ARTIFACTS_MOUNT, GuestRequest
from harness.suites.wasi_spec import WasiTest

PREBUILT = "prebuilt"  # the record's builder
STEP_TIMEOUT_S = 10.0  # one step of a conversation (a request, a line the guest must print)


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
        if why:
            return unsupported_by_harness(why)
        cannot = cell.runtime.serve_reason() if self.test.spec.serves else None
        return unsupported_by_runtime(cannot) if cannot else None

    def run(self, cell: Cell, context: Context, found: Evidence) -> Judgment:
        """Its binary and folders staged in the artifact cache, each folder given to the guest
        as a fresh copy without `*.cleanup` leftovers."""
        spec = self.test.spec
        relative, found.artifact_sha256 = stage_file(self.test.wasm)
        cell, path = ready(cell, context, found, self.test.wasm, found.artifact_sha256, relative)
        dirs = {guest: f"dirs/{index}" for index, guest in enumerate(sorted(spec.dirs))}
        copies = {dirs[guest]: f"{ARTIFACTS_MOUNT}/{stage_folder(folder)}"
                  for guest, folder in spec.dirs.items()}
        talk = spec.conversation
        env = {**cell.case.env, **(talk.server_env if talk else {})}
        invocation = Invocation(args=cell.case.args, env=env, dirs=dirs, network=spec.network,
                                proposals=frozenset(spec.proposals))
        slowdown = context.slowdown(cell.runtime)
        limit = cell.case.timeout_s * slowdown
        if talk is None:
            argv = cell.runtime.argv(path, cell.target, invocation)
            return run_guest(cell, context, found, GuestRequest(argv, cell.case.stdin, limit, copies=copies))
        # a guest that serves HTTP is served (a runtime that cannot serve is not run at all)
        served = cell.runtime.serve_argv(path, cell.target, invocation) if spec.serves else None
        argv = served or cell.runtime.argv(path, cell.target, invocation)
        request = GuestRequest(argv, timeout_s=limit, copies=copies,
                               conversation=talk.request(STEP_TIMEOUT_S * slowdown))
        found.command, found.repro = argv, context.sandbox.repro_request(request)
        outcome = context.run_guest(request)
        keep_output(found, outcome)
        found.conversation = outcome.conversation
        return judge_conversation(outcome, cell.rule, cell.runtime)
