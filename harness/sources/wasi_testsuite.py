"""WebAssembly/wasi-testsuite as a suite source: a checkout's tests become cases.

A checkout (e.g. its `prod/testsuite-base` branch, which carries the binaries) holds
suites: folders with a `manifest.json` (`name`, `version`: the WASI version, e.g.
`wasm32-wasip1`) and prebuilt `<test>.wasm` files, each with an optional `<test>.json`
spec (harness/suites/wasi_spec.py). Every test becomes a case `wasi.<language>.<test>` whose
only target is the suite's WASI version, so it runs under every runtime column that
runs that kind of artifact (core modules for WASIp1, components for WASIp3), without
a build.

The checkout's own expectations (`expectations/<runtime>/<os>.toml`: `action = "skip"`
or `expected = "fail"` per test) become the cases' own rules for the runtime family of
that name, with the file and line as their source; the harness's shared expectation
files can add rules for cells they do not decide.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from harness.catalogue.targets import all_targets
from harness.cells.case import Case
from harness.cells.kinds.prebuilt import Prebuilt
from harness.runtime import Runtime, families
from harness.suites.expect import Expectation, Matcher
from harness.suites.paths import PRUNED_DIRS, WASI_MANIFEST
from harness.suites.rules import Rule, RuleKind, Selector
from harness.suites.wasi_spec import WasiTest, load_spec
from harness.suites.yaml_files import SuiteError

CASE_PREFIX = "wasi."
MANIFEST = WASI_MANIFEST
DEFAULT_VERSION = "wasm32-wasip1"
DEFAULT_OS = "linux"
PRUNED = PRUNED_DIRS | {".git"}


@dataclass(frozen=True)
class Manifest:
    folder: Path
    name: str
    version: str

    @property
    def language(self) -> str:
        """`rust` for tests/rust/testsuite/wasm32-wasip3: the folder above `testsuite`."""
        parts = self.folder.parts
        above = parts[parts.index("testsuite") - 1] if "testsuite" in parts[1:] else self.folder.parent.name
        return re.sub(r"[^a-z0-9_-]", "-", above.lower()) or "tests"


def read_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SuiteError(path, error.lineno, "", f"not valid JSON: {error.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise SuiteError(path, 1, "name", "a manifest names its suite (`name`)")
    version = data.get("version") or (path.parent.name if path.parent.name in all_targets()
                                      else DEFAULT_VERSION)
    if version not in all_targets():
        raise SuiteError(path, 1, "version", f"unknown WASI version {version!r} "
                                             f"(known: {', '.join(all_targets())})")
    return Manifest(path.parent, data["name"], version)


def find_manifests(root: Path) -> list[Path]:
    """The manifests below `root` (a checkout, or one suite folder) of folders with tests."""
    root = root.resolve()
    if not root.is_dir():
        raise SuiteError(root, 0, "", "no such folder (a wasi-testsuite checkout was expected)")
    found = []
    for path in sorted(root.rglob(MANIFEST)):
        if PRUNED.isdisjoint(path.relative_to(root).parts) and any(path.parent.glob("*.wasm")):
            found.append(path)
    if not found:
        raise SuiteError(root, 0, "", f"no {MANIFEST} beside .wasm files below it: is this a "
                                      "wasi-testsuite checkout with its binaries (the branch "
                                      "prod/testsuite-base)?")
    return found


def checkout_of(manifest: Path) -> Path:
    """The checkout a suite folder belongs to: the nearest folder above with `expectations/`
    or `.git` (else the suite folder itself)."""
    for parent in manifest.resolve().parents:
        if (parent / "expectations").is_dir() or (parent / ".git").exists():
            return parent
    return manifest.parent


def load_suite_folder(manifest_path: Path, runtimes: Mapping[str, Runtime], os_name: str = DEFAULT_OS,
                      timeout_s: float = 60.0, source_root: Path | None = None) -> list[Case]:
    """The cases of one suite folder, with the checkout's expectations as their own rules."""
    manifest = read_manifest(manifest_path)
    tests = {wasm.stem: wasm for wasm in sorted(manifest.folder.glob("*.wasm"))}
    ids = {test: f"{CASE_PREFIX}{manifest.language}.{re.sub(r'[^a-z0-9._-]', '-', test.lower())}"
           for test in tests}
    rules = expectation_rules(checkout_of(manifest_path), manifest, ids, runtimes, os_name, source_root)
    cases = []
    for test, wasm in tests.items():
        spec_path = wasm.with_suffix(".json")
        spec = load_spec(spec_path)
        expect = Expectation(
            exit_code=spec.exit_code,
            stdout=Matcher("prefix", (spec.stdout,)) if spec.stdout else None,
            stderr=Matcher("prefix", (spec.stderr,)) if spec.stderr else None,
        )
        cases.append(Case(
            id=ids[test], description=manifest.name, kind=Prebuilt(WasiTest(wasm, spec, manifest.name)),
            features=(), targets=(manifest.version,), args=spec.args, env=spec.env, stdin=spec.stdin,
            network="loopback" if spec.network else "none", timeout_s=timeout_s, expect=expect,
            overrides=tuple(r for r in rules if r.selector.cases == (ids[test],)),
            path=spec_path if spec_path.is_file() else wasm, line=1,
        ))
    return cases


@dataclass
class _Entry:
    test: str
    line: int
    skip: bool = False
    fail: bool = False
    comment: list[str] = field(default_factory=list)


def expectation_rules(checkout: Path, manifest: Manifest, ids: Mapping[str, str],
                      runtimes: Mapping[str, Runtime], os_name: str,
                      source_root: Path | None = None) -> list[Rule]:
    """Rules from `expectations/<runtime>/<os>.toml` of the checkout for the tests of the
    suite of `manifest` (`ids`: test name -> case id), for each runtime family the harness
    has; an entry for a test the suite folder lacks is left out."""
    rules: list[Rule] = []
    known = families(runtimes)
    for path in sorted((checkout / "expectations").glob(f"*/{os_name}.toml")):
        family = path.parent.name
        if family not in known:
            continue  # a runtime the harness has no column for (e.g. wamr)
        source = _source_name(path, source_root or checkout.parent)
        for order, entry in enumerate(_entries(path, manifest.name)):
            if not (entry.skip or entry.fail) or entry.test not in ids:
                continue
            note = " ".join(line for line in entry.comment if not line.startswith("- http"))
            note = re.sub(r"[,;]?\s*see:?$", "", note)  # its links are the rule's link
            links = [word for line in entry.comment for word in line.split() if word.startswith("http")]
            if len(links) > 1:
                note += f" (see also {', '.join(links[1:])})"
            said = f"wasi-testsuite's expectations for {family} say " + (
                "skip" if entry.skip else "it fails")
            rules.append(Rule(
                kind=RuleKind.SKIP if entry.skip else RuleKind.XFAIL,
                reason=f"{said}: {note}" if note else said,
                selector=Selector(cases=(ids[entry.test],), targets=frozenset({manifest.version}),
                                  runtimes=frozenset({family})),
                source=f"{source}:{entry.line}", shared=False, order=order,
                link=links[0] if links else None,
            ))
    return rules


def _source_name(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _entries(path: Path, suite_name: str) -> list[_Entry]:
    """The `[[suite.test]]` entries of the suite `suite_name`, with their line and comments."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SuiteError(path, 1, "", f"not valid TOML: {error}") from None
    if data.get("version") != 1:
        raise SuiteError(path, 1, "version", "wasi-testsuite expectations of version 1 were expected")
    lines = text.splitlines()
    entries = []
    for suite in data.get("suite", []):
        if suite.get("name") != suite_name:
            continue
        for test in suite.get("test", []):
            line = _line_of(lines, suite_name, test["name"])
            entries.append(_Entry(test["name"], line, test.get("action") == "skip",
                                  test.get("expected") == "fail", _comment_above(lines, line)))
    return entries


def _line_of(lines: list[str], suite_name: str, test: str) -> int:
    """The line of `name = "<test>"` in the section of the suite `suite_name`."""
    in_suite = False
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if text.startswith("name") and "=" in text:
            value = text.split("=", 1)[1].strip().strip('"')
            if value == suite_name:
                in_suite = True
            elif in_suite and value == test:
                return number
    return 1


def _comment_above(lines: list[str], line: int) -> list[str]:
    """The `#` comment lines just above the `[[suite.test]]` header of an entry."""
    index = line - 2  # the line above `name = ...`, 0-based
    while index >= 0 and lines[index].strip().startswith("[["):
        index -= 1
    comment: list[str] = []
    while index >= 0 and lines[index].strip().startswith("#"):
        comment.insert(0, lines[index].strip().lstrip("#").strip())
        index -= 1
    return [c for c in comment if c]


def load_checkout(root: Path, runtimes: Mapping[str, Runtime], os_name: str = DEFAULT_OS,
                  timeout_s: float = 60.0) -> Iterator[Case]:
    """Every case of every suite folder below `root`."""
    for manifest in find_manifests(root):
        yield from load_suite_folder(manifest, runtimes, os_name, timeout_s)
