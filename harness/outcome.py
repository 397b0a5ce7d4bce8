"""Outcomes: what happened when a runtime ran a guest, as the executor observed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outcome:
    exit_code: int | None  # None when killed by a signal, timed out, or never started
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False
    signal: int | None = None
    spawn_error: str | None = None  # the runtime's binary could not be started
    failed_step: str | None = None  # a preparation step (not the guest run) that failed
    stdout_bytes: int = 0
    oom_killed: bool = False  # the sandbox's memory limit killed a process during the run

    @classmethod
    def from_steps(cls, steps: list[dict[str, Any]], step_names: list[str]) -> Outcome:
        """The outcome of a plan: the guest step's result, or the preparation step that failed."""
        last = steps[-1]
        # The executor stops at the first step that fails: fewer results than steps
        # means a preparation step failed and the guest never ran.
        failed = step_names[len(steps) - 1] if len(steps) < len(step_names) else None
        return cls(
            exit_code=last["exit_code"],
            stdout=last["stdout"],
            stderr=last["stderr"],
            duration_s=sum(s["duration_s"] for s in steps),
            timed_out=last["timed_out"],
            signal=last["signal"],
            spawn_error=last["spawn_error"],
            failed_step=failed,
            stdout_bytes=last["stdout_bytes"],
            oom_killed=last.get("oom_killed", False),
        )
