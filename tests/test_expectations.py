"""Shared expectations: written once, selected by case, feature, target, runtime or family."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cells.case import Case
from harness.runtime import installed_runtimes
from harness.sources.registry import Options, load_cases, usage
from harness.suites.rules import RuleBook, for_test
from harness.suites.yaml_files import SuiteError
from tests.conftest import at

RUNTIMES = installed_runtimes()

SUITE = """\
cases:
  - id: net.tcp
    fixture: hello
    features: [sockets]
  - id: net.udp
    fixture: hello
    features: [sockets, clocks]
  - id: thread.spawn
    fixture: hello
    features: [thread]
    overrides:
      - targets: [wasm32-wasip2]
        xfail: {reason: the case's own knowledge}
"""

SHARED = """\
expectations:
  - features: [sockets]
    targets: [wasm32-wasip1]
    unsupported:
      reason: no sockets on wasip1
      expect: {exit_code: nonzero}
  - cases: ["thread.*"]
    targets: [wasm32-wasip2, wasm32-wasip3]
    unsupported:
      reason: no threads on components
      expect: {exit_code: 1}
  - cases: ["*"]
    targets: [wasm32-wasip3]
    runtimes: [wasmtime-49]
    xfail: {reason: cannot link the rc imports}
  - cases: [net.udp]
    runtimes: [jco]
    xfail: {reason: jco drops datagrams, intermittent: true}
  - cases: [net.udp]
    runtimes: [jco]
    xfail: {reason: a later rule of the same specificity wins}
  - cases: [no.such.case]
    skip: {reason: selects nothing}
"""


def write(root: Path, suite: str = SUITE, shared: str = SHARED) -> Path:
    (root / "suites" / "expectations").mkdir(parents=True, exist_ok=True)
    (root / "suites" / "net.yaml").write_text(suite)
    (root / "suites" / "expectations" / "all.yaml").write_text(shared)
    return root / "suites"


def setup(tmp_path: Path) -> tuple[dict[str, Case], RuleBook]:
    suites = write(tmp_path)
    cases = {c.id: c for c in load_cases(suites / "net.yaml", Options(RUNTIMES))}
    return cases, RuleBook.load([suites / "expectations" / "all.yaml"], RUNTIMES)


def reason(expectations: RuleBook, case: Case, target: str, runtime: str) -> str | None:
    rule = expectations.for_cell(at(case, target, RUNTIMES[runtime]))
    return rule.reason if rule else None


def test_a_shared_rule_applies_to_every_case_it_selects(tmp_path: Path) -> None:
    cases, rules = setup(tmp_path)
    for case in ("net.tcp", "net.udp"):
        assert reason(rules, cases[case], "wasm32-wasip1", "wazero") == "no sockets on wasip1"
    assert reason(rules, cases["net.tcp"], "wasm32-wasip2", "wazero") is None
    assert reason(rules, cases["thread.spawn"], "wasm32-wasip3", "jco") == "no threads on components"


def test_precedence_case_first_then_runtime_then_target_then_order(tmp_path: Path) -> None:
    cases, rules = setup(tmp_path)
    # The case's own override wins over every shared rule.
    assert reason(rules, cases["thread.spawn"], "wasm32-wasip2", "wasmtime-49") == "the case's own knowledge"
    # A rule naming runtimes wins over one naming only targets.
    linking = reason(rules, cases["thread.spawn"], "wasm32-wasip3", "wasmtime-49")
    assert linking == "cannot link the rc imports"
    # Among equals, the later one.
    later = reason(rules, cases["net.udp"], "wasm32-wasip2", "jco")
    assert later == "a later rule of the same specificity wins"


def test_a_rule_may_name_a_family(tmp_path: Path) -> None:
    shared = "expectations:\n  - runtimes: [wasmtime]\n    skip: {reason: every wasmtime column}\n"
    suites = write(tmp_path, shared=shared)
    rules = RuleBook.load([suites / "expectations" / "all.yaml"], RUNTIMES)
    (case, *_) = load_cases(suites / "net.yaml", Options(RUNTIMES))
    assert reason(rules, case, "wasm32-wasip1", "wasmtime-45") == "every wasmtime column"
    assert reason(rules, case, "wasm32-wasip1", "wasmtime-49") == "every wasmtime column"
    assert reason(rules, case, "wasm32-wasip1", "pulley-45") is None


def test_stale_rules_are_those_that_decide_no_cell(tmp_path: Path) -> None:
    suites = write(tmp_path)
    stale = [rule.reason for rule, cells in usage(suites) if cells == 0]
    # the jco rule shadowed by a later one of the same selection, and the one selecting nothing
    assert stale == ["jco drops datagrams", "selects nothing"]


def test_test_level_rules_pick_single_tests(tmp_path: Path) -> None:
    shared = """\
expectations:
  - cases: [net.tcp]
    tests: ["collections::vec::*", "sync::mutex::poison"]
    xfail: {reason: panics abort the process}
  - cases: [net.tcp]
    runtimes: [jco]
    tests: ["sync::*"]
    skip: {reason: hangs on jco}
"""
    suites = write(tmp_path, shared=shared)
    rules = RuleBook.load([suites / "expectations" / "all.yaml"], RUNTIMES)
    (case, *_) = load_cases(suites / "net.yaml", Options(RUNTIMES))
    assert rules.for_cell(at(case, "wasm32-wasip1", RUNTIMES["jco"])) is None
    on_jco = rules.test_rules(at(case, "wasm32-wasip1", RUNTIMES["jco"]))
    on_wasmtime = rules.test_rules(at(case, "wasm32-wasip1", RUNTIMES["wasmtime-45"]))
    assert for_test(on_jco, "sync::mutex::poison").kind == "skip"  # type: ignore[union-attr]
    assert for_test(on_wasmtime, "sync::mutex::poison").kind == "xfail"  # type: ignore[union-attr]
    assert for_test(on_wasmtime, "collections::vec::test_drain").kind == "xfail"  # type: ignore[union-attr]
    assert for_test(on_wasmtime, "collections::btree::x") is None


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("expectations:\n  - tragets: [wasm32-wasip1]\n    skip: {reason: x y}\n", 2,
         "expectations[0].tragets: unknown key 'tragets' (did you mean 'targets'?)"),
        ("expectations:\n  - cases: [a]\n    xfail: {link: 'https://x.invalid'}\n", 3,
         "expectations[0].xfail: 'reason' is required"),
        ("expectations:\n  - runtimes: [iwasm]\n    skip: {reason: nope}\n", 2,
         "expectations[0].runtimes[0]: unknown runtime 'iwasm'"),
        ("expectations:\n  - toolchains: [debian-sidd]\n    skip: {reason: nope}\n", 2,
         "expectations[0].toolchains[0]: unknown toolchain 'debian-sidd' (did you mean 'debian-sid'?)"),
        ("expectations:\n  - features: [socket]\n    skip: {reason: nope}\n", 2,
         "expectations[0].features[0]: unknown value 'socket' (did you mean 'sockets'?)"),
        ("expectations:\n  - cases: [a]\n", 2,
         "expectations[0]: needs one of unsupported, xfail or skip, with its reason"),
        ("expectations:\n  - cases: [a]\n    skip: {reason: abc}\n    xfail: {reason: abc}\n", 2,
         "expectations[0]: has xfail and skip: give exactly one of unsupported, xfail or skip"),
    ],
)
def test_a_bad_expectations_file_names_file_line_and_key(tmp_path: Path, text: str, line: int,
                                                         message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SuiteError) as info:
        RuleBook.load([path], RUNTIMES)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert message in str(info.value)


def test_the_shipped_suites_write_each_reason_once_and_have_no_stale_rule() -> None:
    root = Path(__file__).resolve().parent.parent / "suites"
    rows = usage(root)
    assert [r.source for r, cells in rows if cells == 0] == []
    reasons = [r.reason for r, _ in rows]
    assert len(reasons) == len(set(reasons))
    text = "\n".join(p.read_text() for p in sorted(root.rglob("*.yaml")))
    for rule, _ in rows:
        first_words = " ".join(rule.reason.split()[:8])
        assert " ".join(text.split()).count(first_words) == 1, first_words


def one_rule(tmp_path: Path, rule: str) -> tuple[Case, RuleBook]:
    """The first case of SUITE and a shared expectations file of one rule."""
    suites = tmp_path / "suites"
    (suites / "expectations").mkdir(parents=True)
    (suites / "net.yaml").write_text(SUITE)
    (suites / "expectations" / "rules.yaml").write_text("expectations:\n" + rule)
    expectations = RuleBook.load(sorted((suites / "expectations").glob("*.yaml")), RUNTIMES)
    (case, *_) = load_cases(suites / "net.yaml", Options(RUNTIMES))
    return case, expectations


def test_a_rule_on_imports_decides_by_what_the_artifact_imports_and_names_it(tmp_path: Path) -> None:
    case, expectations = one_rule(tmp_path, "  - imports: ['wasi:*@0.3.0-rc-*']\n"
                                            "    runtimes: [wasmtime-49]\n"
                                            "    xfail: {reason: 49 links only the final 0.3.0}\n")
    w49 = RUNTIMES["wasmtime-49"]
    rc = ["wasi:cli/environment@0.3.0-rc-2026-03-15", "wasi:cli/stdout@0.2.6"]
    assert expectations.for_cell(at(case, "wasm32-wasip3", w49)) is None  # not known yet
    assert expectations.for_cell(at(case, "wasm32-wasip3", w49), ["wasi:cli/stdout@0.2.6"]) is None
    rule = expectations.for_cell(at(case, "wasm32-wasip3", w49), rc)
    assert rule is not None and rule.kind == "xfail"
    assert rule.reason == ("49 links only the final 0.3.0 (this artifact imports "
                           "wasi:cli/environment@0.3.0-rc-2026-03-15)")
    assert expectations.for_cell(at(case, "wasm32-wasip3", RUNTIMES["wasmtime-45"]), rc) is None


def test_a_rule_may_name_build_profiles(tmp_path: Path) -> None:
    case, expectations = one_rule(tmp_path, "  - profiles: [abort]\n"
                                            "    xfail: {reason: a panic aborts the process}\n")
    w49 = RUNTIMES["wasmtime-49"]
    aborting = expectations.for_cell(at(case, "wasm32-wasip1", w49))  # abort: the default
    assert aborting is not None and aborting.reason == "a panic aborts the process"
    assert expectations.for_cell(at(case, "wasm32-wasip1", w49, profile="unwind")) is None
