"""What a kind's run of a cell found: its build, the runtime's version, the artifact's imports, the
rule that decides it now, the guest's runs. A kind gathers it (harness/cells/kinds/); the cell
runner (harness/cells/runner.py) writes it into the cell's record, once, also when the run
stopped early or lost its sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.results.record import CellFinding, CellResult, TestResult
from harness.suites.rules import Rule

_UNSET: Any = object()  # a field the run did not get to


@dataclass
class Evidence:
    # the build that made the artifact
    artifact_sha256: str | None = None
    build_s: float | None = None
    build_key: str | None = None
    built: bool = False
    versions: dict[str, str] = field(default_factory=dict)  # the toolchain's, then the runtime's
    # the artifact, and the rule that decides the cell once its imports are known
    wasi_imports: list[str] | None = None
    rule: Rule | None = _UNSET
    compile_s: float | None = None  # the runtime's ahead-of-time compile, when this cell made it
    # the guest's runs (the last one's output, for several)
    command: list[str] | None = None
    repro: str | None = None
    attempts_s: list[float] | None = None
    first_attempt: dict[str, Any] | None = None
    ran: bool = False  # the guest ran (False again when the sandbox was lost after)
    output_kept: bool = False  # a run's output is below
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_bytes: int = 0
    duration_s: float = 0.0
    findings: list[CellFinding] = field(default_factory=list)
    conversation: dict[str, Any] | None = None
    startup_s: float | None = None  # a libtest binary's listing
    tests: list[TestResult] | None = None

    def write(self, record: CellResult) -> None:
        """Into the record, what the run found (the rest of the record stays as it was)."""
        record.built = self.built
        for name in ("artifact_sha256", "build_s", "build_key", "wasi_imports", "compile_s",
                     "command", "repro", "attempts_s", "first_attempt", "conversation", "startup_s",
                     "tests"):
            value = getattr(self, name)
            if value is not None:
                setattr(record, name, value)
        record.versions.update(self.versions)
        if self.rule is not _UNSET:
            describe_rule(record, self.rule)
        record.ran = self.ran
        if self.output_kept:
            record.exit_code = self.exit_code
            record.stdout, record.stderr, record.stdout_bytes = self.stdout, self.stderr, self.stdout_bytes
            record.duration_s = self.duration_s
        record.findings = [*record.findings, *self.findings]


def describe_rule(record: CellResult, rule: Rule | None) -> None:
    """What the record says of the rule that decides its cell."""
    record.expectation = rule.kind.value if rule else "pass"
    record.expectation_reason = rule.reason if rule else ""
    record.expectation_source = rule.source if rule else ""
    record.link, record.intermittent = (rule.link, rule.intermittent) if rule else (None, False)
