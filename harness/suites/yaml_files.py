"""Reading the YAML files users write (suites, expectations): schema checks with file, line, key."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import jsonschema
from referencing import Registry, Resource

from harness.suites.yaml_lines import Path_, YamlError, line_of, load_with_lines

SCHEMAS = ("suite.schema.json", "expectations.schema.json")
T = TypeVar("T")
R = TypeVar("R")
HERE = Path(__file__).resolve().parent


class SuiteError(Exception):
    """A malformed file: one line per problem, each naming the file, the line (0: none, e.g.
    for a folder) and the key."""

    def __init__(self, path: Path, line: int, key: str, message: str) -> None:
        self.path, self.line, self.key = path, line, key
        where = f"{path}" + (f":{line}" if line > 0 else "") + (f": {key}" if key else "")
        super().__init__(f"{where}: {message}")

    @classmethod
    def combined(cls, problems: Sequence[SuiteError]) -> SuiteError:
        """Every problem of one file as one error, a line each, in line order."""
        ordered_ = sorted(problems, key=lambda p: p.line)
        first = ordered_[0]
        error = cls(first.path, first.line, first.key, "")
        error.args = ("\n".join(str(p) for p in ordered_),)
        return error


def parse_each(items: Iterable[T], parse: Callable[[int, T], R]) -> list[R]:
    """`parse(index, item)` of every item; the SuiteErrors of all of them raised as one."""
    parsed, problems = [], []
    for index, item in enumerate(items):
        try:
            parsed.append(parse(index, item))
        except SuiteError as error:
            problems.append(error)
    if problems:
        raise SuiteError.combined(problems)
    return parsed


@cache
def schema(name: str) -> dict[str, Any]:
    return json.loads((HERE / name).read_text())


@cache
def _registry() -> Registry:
    resources = [(schema(n)["$id"], Resource.from_contents(schema(n))) for n in SCHEMAS]
    return Registry().with_resources(resources)


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(name), registry=_registry())


class YamlFile:
    """One YAML file, parsed, with the line of every key, checked against a schema."""

    def __init__(self, path: Path, schema_name: str) -> None:
        self.path = path
        try:
            self.data, self.lines = load_with_lines(path.read_text(encoding="utf-8"))
        except YamlError as error:
            raise SuiteError(path, error.line, "", f"not valid YAML: {error}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise SuiteError(path, 1, "", f"cannot read: {error}") from None
        self._check(schema_name)

    def line(self, key_path: Path_) -> int:
        return line_of(self.lines, key_path)

    def error(self, key_path: Path_, message: str) -> SuiteError:
        return SuiteError(self.path, self.line(key_path), key_name(key_path), message)

    def _check(self, schema_name: str) -> None:
        problems = []
        for error in problems_of(list(_validator(schema_name).iter_errors(self.data))):
            key_path = tuple(error.absolute_path)
            unknown = _unknown_keys(error)
            if unknown:
                key_path = (*key_path, unknown[0])
            problems.append(self.error(key_path, _explain(error, unknown)))
        if problems:
            raise SuiteError.combined(problems)


def problems_of(errors: list[jsonschema.ValidationError]) -> list[jsonschema.ValidationError]:
    """One error to show per place (key path) that failed. An "unevaluated property" is only a
    consequence when the property itself failed deeper down (e.g. an override's xfail without
    a reason): that one is shown."""
    def explained(error: jsonschema.ValidationError) -> bool:
        path = tuple(error.absolute_path)
        return any(other is not error and tuple(other.absolute_path)[:len(path)] == path
                   and len(other.absolute_path) > len(path) for other in errors)

    kept = [e for e in errors if not (e.validator == "unevaluatedProperties" and explained(e))]
    places: dict[tuple[str | int, ...], list[jsonschema.ValidationError]] = {}
    for error in kept:
        places.setdefault(tuple(error.absolute_path), []).append(error)
    return [e for group in places.values() if (e := best_error(group)) is not None]


def best_error(errors: list[jsonschema.ValidationError]) -> jsonschema.ValidationError | None:
    """The error to show of those of one place: an unknown key, else a choice between keys."""
    def choice(error: jsonschema.ValidationError) -> bool:
        return error.validator == "oneOf" and bool(_choices(error))

    kept = errors
    unknown = [e for e in kept if e.validator == "additionalProperties"]
    if unknown:  # a key the schema does not know at all: say which, with a suggestion
        return jsonschema.exceptions.best_match(unknown)
    # "not one of unsupported, xfail, skip" says more than the keys left unevaluated by it
    choices = [e for e in kept if choice(e)]
    if choices:
        return choices[0]
    return jsonschema.exceptions.best_match(kept)


def _choices(error: jsonschema.ValidationError) -> list[str]:
    """The alternatives of a oneOf of `required` branches (e.g. unsupported/xfail/skip)."""
    branches = error.schema.get("oneOf", []) if isinstance(error.schema, dict) else []
    names = [b["required"][0] for b in branches if isinstance(b, dict) and len(b.get("required", [])) == 1]
    return names if len(names) == len(branches) else []


def _unknown_keys(error: jsonschema.ValidationError) -> list[str]:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        return sorted(set(error.instance) - set(error.schema.get("properties", {})))
    if error.validator == "unevaluatedProperties" and isinstance(error.instance, dict):
        return sorted(k for k in error.instance if f"'{k}'" in error.message)
    return []


def _allowed_keys(error: jsonschema.ValidationError) -> set[str]:
    """The keys the failing object may have (following its allOf references)."""
    allowed = set(error.schema.get("properties", {}))
    resolver = _registry().resolver(base_uri=schema(SCHEMAS[0])["$id"])
    for part in error.schema.get("allOf", []):
        if "$ref" in part:
            target = resolver.lookup(part["$ref"]).contents
            allowed |= set(target.get("properties", {}))
    return allowed


def _explain(error: jsonschema.ValidationError, unknown: list[str]) -> str:
    choices = _choices(error) if error.validator == "oneOf" else []
    if choices:
        given = [c for c in choices if isinstance(error.instance, dict) and c in error.instance]
        wanted = ", ".join(choices[:-1]) + f" or {choices[-1]}"
        if given:
            return f"has {' and '.join(given)}: give exactly one of {wanted}"
        outcome = set(choices) == {"unsupported", "xfail", "skip"}
        return f"needs one of {wanted}" + (", with its reason" if outcome else "")
    if unknown:
        allowed = _allowed_keys(error)
        return "; ".join(f"unknown key {k!r}{suggest(k, allowed)}" for k in unknown)
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "enum":
        return (f"unknown value {error.instance!r}{suggest(str(error.instance), error.validator_value)}"
                f" (valid: {_listed(error.validator_value)})")
    if "timeout" in error.absolute_path:
        return f"timeout must be a positive duration like 30s, 500ms or 2m, not {error.instance!r}"
    if error.validator in ("oneOf", "anyOf") and isinstance(error.schema, dict):
        forms = error.schema.get("description") or _forms(error.validator_value)
        if forms:
            return f"{error.instance!r} is not valid: give {forms}"
    return error.message


def _listed(values: Iterable[Any], most: int = 16) -> str:
    names = [str(v) for v in values]
    return ", ".join(names[:most]) + (", ..." if len(names) > most else "")


def _forms(branches: Any) -> str:
    """The forms a oneOf allows, in words (e.g. `an integer 0-255, or "nonzero"`)."""
    def form(branch: Any) -> str:
        if not isinstance(branch, dict):
            return ""
        if "const" in branch:
            return json.dumps(branch["const"])
        if "enum" in branch:
            return "one of " + _listed(branch["enum"])
        kind = branch.get("type")
        if kind == "integer" and "minimum" in branch and "maximum" in branch:
            return f"an integer {branch['minimum']}-{branch['maximum']}"
        if kind == "array":
            inner = form(branch.get("items"))
            return "a list" + (f" of ({inner})" if inner else "")
        return f"a {kind}" if isinstance(kind, str) else ""

    names = [form(b) for b in branches] if isinstance(branches, list) else []
    if not names or not all(names):
        return ""
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def suggest(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(candidates), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def key_name(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def relative_name(path: Path) -> str:
    """`path` relative to the working directory when it is below it (for records)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
