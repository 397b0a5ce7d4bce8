"""Running a cell: what it is and expects, whether it can run at all, then its kind's run; the record."""

from __future__ import annotations

import time

from harness.cells.case import Cell
from harness.cells.context import Context
from harness.cells.evidence import Evidence, describe_rule
from harness.cells.judgment import (
    Judgment,
    Stopped,
    judge_not_run,
    not_applicable,
    sandbox_lost,
    unsupported_by_runtime,
)
from harness.results.record import CellResult
from harness.results.verdict import Verdict
from harness.sandbox.container import SandboxLost
from harness.suites.yaml_files import relative_name


def run_cell(cell: Cell, context: Context) -> CellResult:
    """Everything that happens to one cell, ending in its record (never raises SandboxLost)."""
    started = time.monotonic()
    record = base_record(cell, context)
    record.worker, record.started_at = context.worker, round(time.time(), 3)
    judgment = not_runnable(cell, context)
    if judgment is None:
        found = Evidence()
        try:
            judgment = cell.case.kind.run(cell, context, found)
        except Stopped as stop:  # before the guest's run: its build, its runtime, its rule
            judgment = stop.judgment
        except SandboxLost as error:
            judgment = sandbox_lost(str(error))
            found.ran = False
        found.write(record)
    judgment = judge_not_run(judgment, cell.rule) if not record.ran else judgment
    record.verdict, record.reason, record.reason_code = judgment.verdict, judgment.reason, judgment.code
    record.wall_s = round(time.monotonic() - started, 4)  # harness cost included
    return record


def identity(cell: Cell) -> CellResult:
    """The record of a cell that has not run: what it is (its verdict still to be judged)."""
    kind = cell.case.kind
    return CellResult(
        case=cell.case.id,
        target=cell.target.triple,
        runtime=cell.runtime.name,
        toolchain=cell.toolchain_name,
        build_profile=cell.profile.name,
        verdict=Verdict.INFRA_ERROR,
        kind=kind.cell_kind,
        suite=relative_name(cell.case.path),
        line=cell.case.line,
        description=cell.case.description,
        features=list(cell.case.features),
        evidence=list(cell.case.evidence),
        **kind.record_fields(),
    )


def base_record(cell: Cell, context: Context) -> CellResult:
    """The record of a cell before it runs: what it is, what it expects, how it is built."""
    record = identity(cell)
    describe_rule(record, cell.rule)
    record.builder, record.repro = cell.case.kind.origin(cell, context)
    return record


def not_runnable(cell: Cell, context: Context) -> Judgment | None:
    """The judgment of a cell that is not run at all (skip, runtime or toolchain can't), or None."""
    return judged_up_front(cell) or cell.case.kind.not_runnable(cell, context)


def judged_up_front(cell: Cell) -> Judgment | None:
    """The judgment of a cell that is not run, known from the cell alone (a skip rule, what its
    runtime cannot do): such a cell builds nothing and ends at once."""
    if cell.rule is not None and not cell.rule.kind.runs:
        return not_applicable(cell.rule)
    reason = cell.runtime.unsupported_reason(cell.target)
    if reason:
        return unsupported_by_runtime(reason)
    if cell.profile.exceptions:
        reason = cell.runtime.exceptions_reason()
        if reason:
            return unsupported_by_runtime(reason)
    if cell.case.network == "loopback":
        reason = cell.runtime.network_reason(cell.target)
        if reason:
            return unsupported_by_runtime(reason)
    return None
