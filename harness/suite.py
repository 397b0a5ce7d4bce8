"""Suite files: YAML -> validated `Case` objects, with errors that name file, line and key."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from harness.targets import all_targets
from harness.yaml_lines import YamlError, line_of, load_with_lines

SCHEMA_PATH = Path(__file__).with_name("suite.schema.json")
DEFAULT_TIMEOUT_S = 60.0


class SuiteError(Exception):
    """A malformed suite: one message naming the file, the line and the key."""

    def __init__(self, path: Path, line: int, key: str, message: str) -> None:
        self.path, self.line, self.key = path, line, key
        where = f"{path}:{line}" + (f": {key}" if key else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Matcher:
    """How one output stream must look: `exact`, `contains` (all of) or `regex`."""

    kind: str
    patterns: tuple[str, ...]

    def matches(self, text: str) -> bool:
        if self.kind == "exact":
            return text == self.patterns[0]
        if self.kind == "contains":
            return all(p in text for p in self.patterns)
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


@dataclass(frozen=True)
class Override:
    """A different expectation for some (target, runtime) cells, always with a reason."""

    kind: str  # "unsupported", "xfail" or "skip"
    reason: str
    targets: frozenset[str] | None
    runtimes: frozenset[str] | None
    link: str | None = None
    expect: Expectation | None = None
    intermittent: bool = False  # xfail only: a pass is reported as pass, not xpass

    def selects(self, target: str, runtime: str, family: str) -> bool:
        return (self.targets is None or target in self.targets) and (
            self.runtimes is None or runtime in self.runtimes or family in self.runtimes
        )


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    fixture: str  # "crate" or "crate:bin"
    features: tuple[str, ...]
    targets: tuple[str, ...]
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    stdin: str = ""
    dirs: dict[str, dict[str, str]] = field(default_factory=dict)
    network: str = "none"
    timeout_s: float = DEFAULT_TIMEOUT_S
    expect: Expectation = Expectation()
    overrides: tuple[Override, ...] = ()
    path: Path = Path()
    line: int = 0

    @property
    def crate(self) -> str:
        return self.fixture.split(":")[0]

    @property
    def bin(self) -> str | None:
        return self.fixture.split(":")[1] if ":" in self.fixture else None

    def override_for(self, target: str, runtime: str, family: str) -> Override | None:
        """The last override selecting this cell, if any."""
        chosen = None
        for override in self.overrides:
            if override.selects(target, runtime, family):
                chosen = override
        return chosen


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


FixtureCheck = Callable[[str, str | None], str | None]


def load_suite(
    path: Path,
    runtime_names: Iterable[str],
    check_fixture: FixtureCheck | None = None,
) -> list[Case]:
    """Read and validate one suite file; raise `SuiteError` on the first problem."""
    try:
        data, lines = load_with_lines(path.read_text(encoding="utf-8"))
    except YamlError as error:
        raise SuiteError(path, error.line, "", f"not valid YAML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SuiteError(path, 1, "", f"cannot read: {error}") from None
    _check_schema(path, data, lines)
    names = set(runtime_names)
    families = {name.split("-")[0] for name in names}
    cases = []
    for index, raw in enumerate(data["cases"]):
        at = ("cases", index)
        case = _case(path, raw, lines, at)
        for o_index, override in enumerate(raw.get("overrides", [])):
            for runtime in override.get("runtimes", []):
                if runtime not in names and runtime not in families:
                    key_path = (*at, "overrides", o_index, "runtimes")
                    raise SuiteError(
                        path, line_of(lines, key_path), _key(key_path),
                        f"unknown runtime {runtime!r}{_suggest(runtime, names | families)}",
                    )
        if check_fixture:
            problem = check_fixture(case.crate, case.bin)
            if problem:
                fixture_path = (*at, "fixture")
                raise SuiteError(path, line_of(lines, fixture_path), _key(fixture_path), problem)
        cases.append(case)
    return cases


def _check_schema(path: Path, data: Any, lines: dict) -> None:
    validator = jsonschema.Draft202012Validator(schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    key_path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        key_path = (*key_path, unknown[0])
    raise SuiteError(path, line_of(lines, key_path), _key(key_path), _explain(error))


def _explain(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - allowed)
        return "; ".join(f"unknown key {k!r}{_suggest(k, allowed)}" for k in unknown)
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "enum":
        return f"unknown value {error.instance!r}{_suggest(str(error.instance), error.validator_value)}"
    if "timeout" in error.absolute_path:
        return f"timeout must be a positive duration like 30s, 500ms or 2m, not {error.instance!r}"
    return error.message


def _suggest(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(candidates), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _key(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_duration(value: float | int | str) -> float:
    if isinstance(value, int | float):
        return float(value)
    number, unit = re.fullmatch(r"([0-9.]+)(ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"ms": 0.001, "s": 1.0, "m": 60.0}[unit]


def _expectation(path: Path, raw: dict[str, Any], lines: dict, at: tuple) -> Expectation:
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
                key_path = (*at, stream, kind)
                raise SuiteError(path, line_of(lines, key_path), _key(key_path),
                                 f"invalid regex {value!r}: {error}") from None
        matchers[stream] = Matcher(kind, patterns)
    exit_code = raw.get("exit_code", 0)
    if isinstance(exit_code, list):
        exit_code = tuple(exit_code)
    return Expectation(exit_code=exit_code, **matchers)


def _case(path: Path, raw: dict[str, Any], lines: dict, at: tuple) -> Case:
    targets = raw.get("targets", "all")
    overrides = []
    for index, o in enumerate(raw.get("overrides", [])):
        kind = next(k for k in ("unsupported", "xfail", "skip") if k in o)
        body = o[kind]
        expect = body.get("expect")
        o_at = (*at, "overrides", index, kind, "expect")
        overrides.append(Override(
            kind=kind,
            reason=body["reason"],
            link=body.get("link"),
            targets=frozenset(o["targets"]) if "targets" in o else None,
            runtimes=frozenset(o["runtimes"]) if "runtimes" in o else None,
            expect=_expectation(path, expect, lines, o_at) if expect is not None else None,
            intermittent=body.get("intermittent", False),
        ))
    return Case(
        id=raw["id"],
        description=raw.get("description", ""),
        fixture=raw["fixture"],
        features=tuple(raw.get("features", [])),
        targets=tuple(all_targets()) if targets == "all" else tuple(targets),
        args=tuple(raw.get("args", [])),
        env=dict(raw.get("env", {})),
        stdin=raw.get("stdin", ""),
        dirs={guest: dict(files or {}) for guest, files in raw.get("dirs", {}).items()},
        network=raw.get("network", "none"),
        timeout_s=parse_duration(raw.get("timeout", DEFAULT_TIMEOUT_S)),
        expect=_expectation(path, raw.get("expect", {}), lines, (*at, "expect")),
        overrides=tuple(overrides),
        path=path,
        line=line_of(lines, at),
    )
