"""YAML suite files: fixture and test-binary cases, validated, with errors that name file, line and key.

A YAML file may instead name a wasi-testsuite checkout (`wasi-testsuite:`); harness/sources/registry.py
hands such a file to harness/sources/wasi_testsuite.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from harness.builder import TestCrate
from harness.catalogue.targets import image_targets
from harness.cells.case import DEFAULT_TIMEOUT_S, Case, CaseKind
from harness.cells.kinds.fixture import Fixture
from harness.cells.kinds.test_binary import DEFAULT_TEST_TIMEOUT_S, TestBinary
from harness.cells.kinds.test_binary import DEFAULT_TIMEOUT_S as DEFAULT_LIBTEST_TIMEOUT_S
from harness.runtime import Runtime
from harness.suites.expect import parse_expectation
from harness.suites.rules import parse_rule
from harness.suites.yaml_files import YamlFile, parse_each, schema

SCHEMA = "suite.schema.json"


def features() -> list[str]:
    """The feature vocabulary of the suite schema."""
    return list(schema(SCHEMA)["$defs"]["feature"]["enum"])


FixtureCheck = Callable[[str, str | None], str | None]


def load_yaml_cases(file: YamlFile, runtimes: Mapping[str, Runtime],
                    check_fixture: FixtureCheck | None = None) -> list[Case]:
    """The cases of a validated suite file; SuiteError with the first problem of each case."""
    def parse(index: int, raw: dict[str, Any]) -> Case:
        at = ("cases", index)
        case = _case(file, raw, at, runtimes)
        if check_fixture and isinstance(case.kind, Fixture):
            problem = check_fixture(case.kind.crate, case.kind.bin)
            if problem:
                raise file.error((*at, "fixture"), problem)
        return case

    return parse_each(file.data["cases"], parse)


def parse_duration(value: float | int | str) -> float:
    if isinstance(value, int | float):
        return float(value)
    number, unit = re.fullmatch(r"([0-9.]+)(ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"ms": 0.001, "s": 1.0, "m": 60.0}[unit]


def _kind(file: YamlFile, raw: dict[str, Any], at: tuple) -> CaseKind:
    if "libtest" not in raw:
        return Fixture.parse(raw.get("fixture", ""))
    spec = raw["libtest"]
    path = (file.path.parent / spec["path"]).resolve() if "path" in spec else None
    if path is not None and not (path / "Cargo.toml").is_file():
        raise file.error((*at, "libtest", "path"), f"no Cargo.toml in {path}")
    crate = TestCrate(crate=spec.get("crate"), path=path, package=spec.get("package"))
    return TestBinary(crate, spec["test"],
                      parse_duration(raw.get("test_timeout", DEFAULT_TEST_TIMEOUT_S)))


def _case(file: YamlFile, raw: dict[str, Any], at: tuple, runtimes: Mapping[str, Runtime]) -> Case:
    targets = raw.get("targets", "all")
    overrides = tuple(
        parse_rule(file, o, (*at, "overrides", i), shared=False, order=i, runtimes=runtimes)
        for i, o in enumerate(raw.get("overrides", []))
    )
    kind = _kind(file, raw, at)
    default_timeout = DEFAULT_LIBTEST_TIMEOUT_S if isinstance(kind, TestBinary) else DEFAULT_TIMEOUT_S
    return Case(
        id=raw["id"],
        description=raw.get("description", ""),
        kind=kind,
        features=tuple(raw.get("features", [])),
        evidence=tuple(raw.get("evidence", [])),
        targets=tuple(image_targets()) if targets == "all" else tuple(targets),  # watch rows by name
        args=tuple(raw.get("args", [])),
        env=dict(raw.get("env", {})),
        stdin=raw.get("stdin", ""),
        dirs={guest: dict(files or {}) for guest, files in raw.get("dirs", {}).items()},
        network=raw.get("network", "none"),
        timeout_s=parse_duration(raw.get("timeout", default_timeout)),
        expect=parse_expectation(file, raw.get("expect", {}), (*at, "expect")),
        overrides=overrides,
        path=file.path,
        line=file.line(at),
    )
