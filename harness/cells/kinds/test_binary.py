"""A test binary: one cargo test target of Rust's own test crates or a user's, built once per
(crate, target, toolchain, build profile), its tests run one crash at a time
(harness/cells/libtest.py) and each judged under the test-level rules; the cell's verdict follows
from its tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.builder import TestCrate, build_tests_once
from harness.cells import libtest
from harness.cells.case import CaseKind, Cell
from harness.cells.context import Context
from harness.cells.evidence import Evidence
from harness.cells.judgment import Stopped, build_error, judge_run, judge_tests
from harness.cells.kinds import EXCERPT_CHARS, keep_output, note_build, ready
from harness.results.record import CellKind, FindingKind
from harness.results.verdict import Judgment
from harness.runtime import Invocation
from harness.sandbox.container import GuestRequest
from harness.sandbox.outcome import Outcome

DEFAULT_TIMEOUT_S = 30 * 60.0  # every run of a test binary together
DEFAULT_TEST_TIMEOUT_S = 60.0  # one test without output
# std's tests write below env::temp_dir() (/tmp on WASI): a scratch folder preopened there
TEMP_DIRS = {"/tmp": "tmp"}
REASON_CHARS = 2000


@dataclass(frozen=True)
class TestBinary(CaseKind):
    __test__ = False  # not a test class for pytest

    crate: TestCrate
    test: str = "lib"  # the cargo test target ("lib": the crate's unit tests)
    test_timeout_s: float = DEFAULT_TEST_TIMEOUT_S

    cell_kind = CellKind.LIBTEST

    def record_fields(self) -> dict[str, Any]:
        return {"library": self.crate.library, "test_binary": self.test}

    def build_group(self, cell: Cell) -> str | None:
        return f"tests {self.crate.name} {cell.target.triple} {cell.toolchain_name} {cell.profile.name}"

    def origin(self, cell: Cell, context: Context) -> tuple[str, str]:
        builder = context.builder(cell.toolchain)
        return builder.name, builder.repro_tests(self.crate, cell.target, cell.profile)

    def not_runnable(self, cell: Cell, context: Context) -> Judgment | None:
        return context.builder(cell.toolchain).target_verdict(cell.target, cell.profile)

    def run(self, cell: Cell, context: Context, found: Evidence) -> Judgment:
        build = build_tests_once(context.builder(cell.toolchain), self.crate, cell.target, context.run_id,
                                 cell.profile)
        if build.error:
            raise Stopped(build_error(build.error[-EXCERPT_CHARS:]))
        if not (build.directory / f"{self.test}.wasm").is_file():
            built = ", ".join(sorted(p.stem for p in build.directory.glob("*.wasm")))
            raise Stopped(build_error(f"the crate has no test target {self.test!r} (it has: {built})"))
        artifact = build.artifact(self.test)
        note_build(found, build, artifact)
        cell, path = ready(cell, context, found, artifact.path, artifact.sha256, artifact.relative)

        def argv_for(args: list[str]) -> list[str]:
            invocation = Invocation(args=tuple(args), env=libtest.ENV, dirs=TEMP_DIRS,
                                    exceptions=cell.profile.exceptions)
            return cell.runtime.argv(path, cell.target, invocation)

        def run(args: list[str], limits: libtest.Limits) -> Outcome:
            return context.run_guest(GuestRequest(
                argv_for(args), timeout_s=limits.total_s, idle_timeout_s=limits.test_wall_s,
                idle_cpu_s=limits.test_cpu_s, mkdirs=sorted(TEMP_DIRS.values())))

        first = argv_for(list(libtest.JSON_ARGS))
        found.command, found.repro = first, context.sandbox.repro(first)
        rules = cell.expectations.test_rules(cell.at)
        slowdown = context.slowdown(cell.runtime)
        lost_rule = cell.expectations.for_finding(str(FindingKind.LOST_OUTPUT), cell.at)
        result = libtest.run_binary(run, rules, cell.case.timeout_s * slowdown,
                                    self.test_timeout_s * slowdown, context.crashers.get(cell.id, ()),
                                    lost_rule=lost_rule)
        found.findings = result.findings
        keep_output(found, result.outcomes[-1], result.duration_s)
        found.startup_s = result.listing.duration_s if result.listing is not None else None
        if not result.tests and result.listing is not None and result.listing.exit_code != 0:
            judged = judge_run(result.listing, cell.expect, cell.rule, cell.runtime)
            return Judgment(judged.verdict, f"listing the tests: {judged.reason}", judged.code)
        found.tests = result.tests
        judged = judge_tests(result.tests, cell.rule)
        lost = [f for f in result.findings if f.kind is FindingKind.LOST_OUTPUT]
        if not lost:
            return judged
        known = (f"; this runtime is known to lose output: {lost_rule.source}"
                 + (f", {lost_rule.link}" if lost_rule.link else "") if lost_rule is not None else "")
        return Judgment(judged.verdict, f"{judged.reason} ({lost[0].detail}{known})"[:REASON_CHARS],
                        judged.code)
