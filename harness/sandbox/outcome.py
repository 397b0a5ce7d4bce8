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
    stdout_bytes: int = 0
    oom_killed: bool = False  # the sandbox's memory limit killed a process during the run
    cpu_s: float = 0.0  # CPU time the process used (all its threads)
    conversation: dict[str, Any] | None = None  # the steps of a conversation: ok, failure, steps

    @classmethod
    def from_result(cls, result: dict[str, Any]) -> Outcome:
        """The outcome of the executor's result for one process."""
        return cls(
            exit_code=result["exit_code"],
            stdout=result["stdout"],
            stderr=result["stderr"],
            duration_s=result["duration_s"],
            timed_out=result["timed_out"],
            signal=result["signal"],
            spawn_error=result["spawn_error"],
            stdout_bytes=result["stdout_bytes"],
            oom_killed=result.get("oom_killed", False),
            cpu_s=result.get("cpu_s", 0.0),
            conversation=result.get("conversation"),
        )
