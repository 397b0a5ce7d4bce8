"""What a run must do: an exit status and matchers for stdout and stderr."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from harness.suites.yaml_files import YamlFile
from harness.suites.yaml_lines import Path_


@dataclass(frozen=True)
class Matcher:
    """How one output stream must look: `exact`, `contains` (all of), `regex`, or `prefix`
    (it starts with this text, line ends read as "\\n": wasi-testsuite's `read`)."""

    kind: str
    patterns: tuple[str, ...]

    def matches(self, text: str) -> bool:
        if self.kind == "exact":
            return text == self.patterns[0]
        if self.kind == "contains":
            return all(p in text for p in self.patterns)
        if self.kind == "prefix":
            return text.replace("\r\n", "\n").startswith(self.patterns[0])
        return re.search(self.patterns[0], text, re.MULTILINE) is not None

    def describe(self) -> str:
        shown = list(self.patterns) if len(self.patterns) > 1 else self.patterns[0]
        return f"{self.kind} {json.dumps(shown)}"


ExitCode = int | tuple[int, ...] | str  # one status, any of several, or "nonzero"


@dataclass(frozen=True)
class Expectation:
    exit_code: ExitCode = 0
    stdout: Matcher | None = None
    stderr: Matcher | None = None

    def exit_code_matches(self, exit_code: int | None) -> bool:
        if exit_code is None:
            return False
        if self.exit_code == "nonzero":
            return exit_code != 0
        if isinstance(self.exit_code, tuple):
            return exit_code in self.exit_code
        return exit_code == self.exit_code

    def mismatches(self, exit_code: int | None, stdout: str, stderr: str) -> list[str]:
        """What differs from this expectation; empty when the run matches."""
        problems = []
        if not self.exit_code_matches(exit_code):
            wanted = self.exit_code
            shown = " or ".join(map(str, wanted)) if isinstance(wanted, tuple) else wanted
            problems.append(f"exit code {exit_code}, expected {shown}")
        for name, matcher, text in (("stdout", self.stdout, stdout), ("stderr", self.stderr, stderr)):
            if matcher and not matcher.matches(text):
                problems.append(f"{name} does not match {matcher.describe()}")
        return problems


def parse_expectation(file: YamlFile, raw: dict[str, Any], at: Path_) -> Expectation:
    """An `expect` mapping (already schema-checked) as an Expectation; regexes compiled."""
    matchers: dict[str, Matcher] = {}
    for stream in ("stdout", "stderr"):
        if stream not in raw:
            continue
        (kind, value), = raw[stream].items()
        patterns = tuple(value) if isinstance(value, list) else (value,)
        if kind == "regex":
            try:
                re.compile(value)
            except re.error as error:
                raise file.error((*at, stream, kind), f"invalid regex {value!r}: {error}") from None
        matchers[stream] = Matcher(kind, patterns)
    exit_code = raw.get("exit_code", 0)
    if isinstance(exit_code, list):
        exit_code = tuple(exit_code)
    return Expectation(exit_code=exit_code, **matchers)
