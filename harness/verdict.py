"""The eleven verdict classes a cell can end with."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"  # ran, wrong behaviour
    LOAD_ERROR = "load-error"  # the runtime refused to instantiate
    TIMEOUT = "timeout"
    CRASH = "crash"  # the runtime itself died
    XFAIL = "xfail"
    XPASS = "xpass"  # an expected failure now passes: a stale expectation
    UNSUPPORTED = "unsupported"  # failed exactly as documented, or does not apply
    BUILD_ERROR = "build-error"
    UNAVAILABLE = "unavailable"  # runtime or toolchain missing
    INFRA_ERROR = "infra-error"  # the harness or Docker failed

    @property
    def is_good(self) -> bool:
        """Whether the pytest item passes (or is skipped) with this verdict."""
        return self in GOOD_VERDICTS


GOOD_VERDICTS = frozenset({Verdict.PASS, Verdict.XFAIL, Verdict.UNSUPPORTED, Verdict.UNAVAILABLE})

# Report symbols: readable without colour.
SYMBOLS: dict[Verdict, str] = {
    Verdict.PASS: "✔",
    Verdict.FAIL: "✘",
    Verdict.LOAD_ERROR: "L",
    Verdict.TIMEOUT: "T",
    Verdict.CRASH: "C",
    Verdict.XFAIL: "x",
    Verdict.XPASS: "X!",
    Verdict.UNSUPPORTED: "U",
    Verdict.BUILD_ERROR: "B",
    Verdict.UNAVAILABLE: "-",
    Verdict.INFRA_ERROR: "I",
}
