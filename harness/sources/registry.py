"""Where cases come from: the registry of suite sources.

A YAML suite (`suites/*.yaml`, harness/sources/yaml_suites.py) holds fixture and test-binary cases, or
names a wasi-testsuite checkout (`wasi-testsuite: {path, os, timeout}`); a wasi-testsuite
suite folder (its `manifest.json`, harness/sources/wasi_testsuite.py) holds prebuilt cases. Every
caller (collection, the expectations command, the end of a run) loads cases from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.catalogue.targets import all_targets
from harness.catalogue.toolchains import all_toolchains
from harness.cells.case import DEFAULT_TIMEOUT_S, Case
from harness.runtime import Runtime, installed_runtimes
from harness.sources.wasi_testsuite import DEFAULT_OS, load_checkout, load_suite_folder
from harness.sources.yaml_suites import SCHEMA, FixtureCheck, load_yaml_cases, parse_duration
from harness.suites.paths import SUITE_SUFFIXES, WASI_MANIFEST, suite_files
from harness.suites.rules import Rule, RuleBook, expectation_files, rule_usage
from harness.suites.yaml_files import YamlFile


@dataclass(frozen=True)
class Options:
    """What loading may need besides the file."""

    runtimes: Mapping[str, Runtime]
    check_fixture: FixtureCheck | None = None
    wasi_os: str = DEFAULT_OS  # which expectations/<runtime>/<os>.toml of a checkout to read


def _yaml(path: Path, options: Options) -> list[Case]:
    file = YamlFile(path, SCHEMA)
    if "wasi-testsuite" not in file.data:
        return load_yaml_cases(file, options.runtimes, options.check_fixture)
    raw = file.data["wasi-testsuite"]
    root = (file.path.parent / raw["path"]).resolve()
    if not root.is_dir():
        raise file.error(("wasi-testsuite", "path"), f"no such folder: {root}")
    return list(load_checkout(root, options.runtimes, raw.get("os", options.wasi_os),
                              parse_duration(raw.get("timeout", DEFAULT_TIMEOUT_S))))


def _manifest(path: Path, options: Options) -> list[Case]:
    return load_suite_folder(path, options.runtimes, options.wasi_os)


@dataclass(frozen=True)
class SuiteSource:
    name: str
    claims: Callable[[Path], bool]
    load: Callable[[Path, Options], list[Case]]


SOURCES = (
    SuiteSource("wasi-testsuite suite folder", lambda p: p.name == WASI_MANIFEST, _manifest),
    SuiteSource("YAML suite", lambda p: p.suffix in SUITE_SUFFIXES, _yaml),
)


def load_cases(path: Path, options: Options) -> list[Case]:
    """The cases of one suite file; SuiteError (file, line, key) on the first problem."""
    for source in SOURCES:
        if source.claims(path):
            return source.load(path, options)
    raise ValueError(f"{path} is no suite file")


def usage(suites_dir: Path, extra: Iterable[Path] = ()) -> list[tuple[Rule, int]]:
    """Each rule of the folder's suites and shared files, with the number of cells it decides
    over every case, target, installed runtime and catalogued toolchain. SuiteError on a
    broken file."""
    runtimes = installed_runtimes()
    toolchains = list(all_toolchains().values())
    expectations = RuleBook.load([*expectation_files(suites_dir), *extra], runtimes)
    cases = [c for path in suite_files(suites_dir) for c in load_cases(path, Options(runtimes))]
    return rule_usage(cases, expectations, all_targets(), runtimes.values(), toolchains)
