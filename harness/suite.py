"""Suite files: YAML -> validated `Case` objects, with errors that name file, line and key."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.expect import Expectation, parse_expectation
from harness.expectations import Rule, parse_rule
from harness.runtime import Runtime
from harness.suite_file import YamlFile, schema
from harness.targets import all_targets
from harness.wasi_spec import WasiTest

SCHEMA = "suite.schema.json"
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_LIBTEST_TIMEOUT_S = 30 * 60.0  # every run of a test binary together
DEFAULT_TEST_TIMEOUT_S = 60.0  # one test without output


@dataclass(frozen=True)
class TestCrate:
    """The test crate a libtest case runs a test binary of: one of the toolchain's own
    (`crate`: coretests, alloctests, std-tests) or the user's (`path`, `package`)."""

    crate: str | None = None
    path: Path | None = None  # absolute
    package: str | None = None
    test: str = "lib"  # the cargo test target ("lib": the crate's unit tests)

    @property
    def name(self) -> str:
        """What names the build (every test target of it is built at once)."""
        return self.crate or f"{self.path}:{self.package or ''}"

    @property
    def upstream(self) -> bool:
        return self.crate is not None


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    fixture: str  # "crate" or "crate:bin"; "" for a libtest case
    features: tuple[str, ...]
    targets: tuple[str, ...]
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    stdin: str = ""
    dirs: dict[str, dict[str, str]] = field(default_factory=dict)
    network: str = "none"
    timeout_s: float = DEFAULT_TIMEOUT_S
    expect: Expectation = field(default_factory=Expectation)
    overrides: tuple[Rule, ...] = ()
    path: Path = Path()
    line: int = 0
    libtest: TestCrate | None = None  # a libtest case: the test binary to run
    test_timeout_s: float = DEFAULT_TEST_TIMEOUT_S
    wasi: WasiTest | None = None  # a wasi-testsuite case: the prebuilt binary to run

    @property
    def crate(self) -> str:
        return self.fixture.split(":")[0]

    @property
    def bin(self) -> str | None:
        return self.fixture.split(":")[1] if ":" in self.fixture else None


def features() -> list[str]:
    """The feature vocabulary of the suite schema."""
    return list(schema(SCHEMA)["$defs"]["feature"]["enum"])


FixtureCheck = Callable[[str, str | None], str | None]


def load_suite(path: Path, runtimes: Mapping[str, Runtime],
               check_fixture: FixtureCheck | None = None) -> list[Case]:
    """Read and validate one suite file; raise `SuiteError` on the first problem."""
    file = YamlFile(path, SCHEMA)
    if "wasi-testsuite" in file.data:
        return _wasi_testsuite(file, runtimes)
    cases = []
    for index, raw in enumerate(file.data["cases"]):
        at = ("cases", index)
        case = _case(file, raw, at, runtimes)
        if check_fixture and case.libtest is None:
            problem = check_fixture(case.crate, case.bin)
            if problem:
                raise file.error((*at, "fixture"), problem)
        cases.append(case)
    return cases


def _wasi_testsuite(file: YamlFile, runtimes: Mapping[str, Runtime]) -> list[Case]:
    """The cases of the wasi-testsuite checkout the file names (harness/wasi_testsuite.py)."""
    from harness.wasi_testsuite import DEFAULT_OS, load_checkout

    raw = file.data["wasi-testsuite"]
    root = (file.path.parent / raw["path"]).resolve()
    if not root.is_dir():
        raise file.error(("wasi-testsuite", "path"), f"no such folder: {root}")
    return list(load_checkout(root, runtimes, raw.get("os", DEFAULT_OS),
                              parse_duration(raw.get("timeout", DEFAULT_TIMEOUT_S))))


def parse_duration(value: float | int | str) -> float:
    if isinstance(value, int | float):
        return float(value)
    number, unit = re.fullmatch(r"([0-9.]+)(ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"ms": 0.001, "s": 1.0, "m": 60.0}[unit]


def _case(file: YamlFile, raw: dict[str, Any], at: tuple, runtimes: Mapping[str, Runtime]) -> Case:
    targets = raw.get("targets", "all")
    overrides = tuple(
        parse_rule(file, o, (*at, "overrides", i), shared=False, order=i, runtimes=runtimes)
        for i, o in enumerate(raw.get("overrides", []))
    )
    libtest = None
    if "libtest" in raw:
        spec = raw["libtest"]
        path = (file.path.parent / spec["path"]).resolve() if "path" in spec else None
        if path is not None and not (path / "Cargo.toml").is_file():
            raise file.error((*at, "libtest", "path"), f"no Cargo.toml in {path}")
        libtest = TestCrate(crate=spec.get("crate"), path=path, package=spec.get("package"),
                            test=spec["test"])
    default_timeout = DEFAULT_LIBTEST_TIMEOUT_S if libtest else DEFAULT_TIMEOUT_S
    return Case(
        id=raw["id"],
        description=raw.get("description", ""),
        fixture=raw.get("fixture", ""),
        features=tuple(raw.get("features", [])),
        targets=tuple(all_targets()) if targets == "all" else tuple(targets),
        args=tuple(raw.get("args", [])),
        env=dict(raw.get("env", {})),
        stdin=raw.get("stdin", ""),
        dirs={guest: dict(files or {}) for guest, files in raw.get("dirs", {}).items()},
        network=raw.get("network", "none"),
        timeout_s=parse_duration(raw.get("timeout", default_timeout)),
        test_timeout_s=parse_duration(raw.get("test_timeout", DEFAULT_TEST_TIMEOUT_S)),
        libtest=libtest,
        expect=parse_expectation(file, raw.get("expect", {}), (*at, "expect")),
        overrides=overrides,
        path=file.path,
        line=file.line(at),
    )
