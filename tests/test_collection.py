"""Collection: YAML suites become one item per cell, named, marked and selectable."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import write_workspace

HELLO = """\
cases:
  - id: hello.prints
    fixture: hello
    features: [hello, stdio]
    targets: [wasm32-wasip1, wasm32-wasip2]
"""
THREAD = """\
cases:
  - id: thread.spawn
    fixture: hello
    features: [thread]
"""


def suites(pytester: pytest.Pytester, **files: str) -> list[str]:
    write_workspace(pytester.path / "fixtures", {"hello": []})
    directory = pytester.path / "suites"
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / f"{name}.yaml").write_text(text)
    return ["suites", "--fixtures-dir", "fixtures", "--co", "-q", "-p", "no:cacheprovider"]


def collected(result: pytest.RunResult) -> list[str]:
    return [line.split("::")[1] for line in result.outlines if "::" in line]


def test_each_cell_is_one_item(pytester: pytest.Pytester) -> None:
    args = suites(pytester, hello=HELLO)
    names = collected(pytester.runpytest(*args, "--runtimes", "wasmtime-45,jco"))
    assert sorted(names) == [
        "hello.prints[wasm32-wasip1-jco]",
        "hello.prints[wasm32-wasip1-wasmtime-45]",
        "hello.prints[wasm32-wasip2-jco]",
        "hello.prints[wasm32-wasip2-wasmtime-45]",
    ]
    for target in ("wasip1", "wasip2"):  # runtimes in column order (the plugins' rank) per build
        assert [n for n in names if target in n] == [f"hello.prints[wasm32-{target}-wasmtime-45]",
                                                     f"hello.prints[wasm32-{target}-jco]"]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (
            ["--targets", "wasm32-wasip2", "--runtimes", "jco"],
            ["hello.prints[wasm32-wasip2-jco]", "thread.spawn[wasm32-wasip2-jco]"],
        ),
        (
            ["-m", "wasip3 and wasmtime"],
            [f"thread.spawn[wasm32-wasip3-wasmtime-{n}]" for n in (36, 45, 46, 48, 49, 50)],
        ),
        (
            ["-m", "thread and pulley", "--targets", "wasm32-wasip1-threads"],
            ["thread.spawn[wasm32-wasip1-threads-pulley-45]"],
        ),
        (
            ["-k", "hello and wasmedge"],
            ["hello.prints[wasm32-wasip1-wasmedge]", "hello.prints[wasm32-wasip2-wasmedge]"],
        ),
    ],
)
def test_slices_select_exactly_their_cells(
    pytester: pytest.Pytester, selection: list[str], expected: list[str]
) -> None:
    args = suites(pytester, hello=HELLO, thread=THREAD)
    assert sorted(collected(pytester.runpytest(*args, *selection))) == sorted(expected)


def test_a_broken_suite_fails_alone_with_file_line_and_key(pytester: pytest.Pytester) -> None:
    args = suites(pytester, hello=HELLO, broken="cases:\n  - id: x\n    fixtur: hello\n")
    result = pytester.runpytest(*args, "--runtimes", "wasmtime-45")
    result.stdout.fnmatch_lines(["*broken.yaml:3: cases[[]0[]].fixtur: unknown key 'fixtur'*"])
    assert "Traceback" not in result.stdout.str()
    assert len(collected(result)) == 2  # the good suite is still collected
    assert result.ret != 0


def test_duplicate_case_ids_across_files_are_refused(pytester: pytest.Pytester) -> None:
    args = suites(pytester, a=HELLO, b=HELLO)
    result = pytester.runpytest(*args, "--runtimes", "jco")
    result.stdout.fnmatch_lines(["*duplicate case id 'hello.prints', already defined at *a.yaml:2*"])


def test_unknown_selections_are_usage_errors(pytester: pytest.Pytester) -> None:
    args = suites(pytester, hello=HELLO)
    result = pytester.runpytest(*args, "--targets", "wasm32-wasip9")
    assert "unknown wasm32-wasip9" in result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_yaml_outside_a_suites_dir_is_not_collected(pytester: pytest.Pytester) -> None:
    (pytester.path / "data").mkdir()
    (pytester.path / "data" / "other.yaml").write_text("not: a suite\n")
    result = pytester.runpytest("data", "--co", "-q")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_shipped_suites_all_load(pytester: pytest.Pytester) -> None:
    from harness.suites.paths import suite_files

    root = Path(__file__).resolve().parent.parent / "suites"
    result = pytester.runpytest(str(root), "--co", "-q", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    # Cells per suite file (cases x their targets x the 10 runtime columns), counted by hand
    # from the files; a case added or removed changes its file's line here. hello.yaml: hello.world
    # on the 4 targets and hello.watch on the 2 watch rows; async_main.yaml: 21 (case, target) pairs.
    per_file = Counter(line.split("::")[0].rsplit("/", 1)[-1] for line in result.outlines if "::" in line)
    assert dict(per_file) == {
        "async_main.yaml": 210, "hello.yaml": 60, "sockets.yaml": 320, "std_basics.yaml": 560,
        "thread.yaml": 400, "upstream.yaml": 1240,
    }  # fmt: skip
    assert len(collected(result)) == 2790
    assert suite_files(root / "expectations") == []


def test_the_expectations_folder_holds_no_suites(pytester: pytest.Pytester) -> None:
    args = suites(pytester, hello=HELLO)
    (pytester.path / "suites" / "expectations").mkdir()
    (pytester.path / "suites" / "expectations" / "jco.yaml").write_text(
        "expectations:\n  - cases: [hello.prints]\n    runtimes: [jco]\n"
        "    xfail: {reason: a known jco bug}\n"
    )
    result = pytester.runpytest(*args, "--runtimes", "jco")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert collected(result) == ["hello.prints[wasm32-wasip1-jco]", "hello.prints[wasm32-wasip2-jco]"]


def test_a_broken_expectations_file_fails_the_suites_it_applies_to(pytester: pytest.Pytester) -> None:
    args = suites(pytester, hello=HELLO)
    (pytester.path / "suites" / "expectations").mkdir()
    (pytester.path / "suites" / "expectations" / "jco.yaml").write_text(
        "expectations:\n  - runtimes: [jcoo]\n    xfail: {reason: a known jco bug}\n"
    )
    result = pytester.runpytest(*args, "--runtimes", "jco")
    result.stdout.fnmatch_lines(["*jco.yaml:2: expectations[[]0[]].runtimes[[]0[]]: unknown runtime 'jcoo'*"])
    assert result.ret != pytest.ExitCode.OK


def test_several_toolchains_name_their_cells_and_mark_them(pytester: pytest.Pytester) -> None:
    args = suites(pytester, hello=HELLO)
    names = collected(pytester.runpytest(*args, "--runtimes", "jco", "--targets", "wasm32-wasip2",
                                         "--toolchains", "debian-sid,debian-trixie"))
    assert names == ["hello.prints[wasm32-wasip2-jco@debian-sid]",
                     "hello.prints[wasm32-wasip2-jco@debian-trixie]"]
    trixie = collected(pytester.runpytest(*args, "--runtimes", "jco", "--targets", "wasm32-wasip2",
                                          "--toolchains", "debian-sid,debian-trixie",
                                          "-m", "debian_trixie"))
    assert trixie == ["hello.prints[wasm32-wasip2-jco@debian-trixie]"]
    one = collected(pytester.runpytest(*args, "--runtimes", "jco", "--targets", "wasm32-wasip2"))
    assert one == ["hello.prints[wasm32-wasip2-jco]"]  # one toolchain: the plain name
    result = pytester.runpytest(*args, "--toolchains", "debian-bookworm")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown toolchain debian-bookworm" in result.stderr.str()


def test_build_profiles_are_an_axis_of_built_cells(pytester: pytest.Pytester) -> None:
    args = suites(pytester, hello=HELLO)
    names = collected(pytester.runpytest(*args, "--runtimes", "jco", "--targets", "wasm32-wasip2",
                                         "--profiles", "abort,unwind"))
    assert names == ["hello.prints[wasm32-wasip2-jco]", "hello.prints[wasm32-wasip2-jco+unwind]"]
    result = pytester.runpytest(*args, "--profiles", "unwound")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown build profile unwound" in result.stderr.str()


def test_each_build_starts_once_before_a_second_cell_waits_for_it(pytester: pytest.Pytester,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """With no timings yet, cells of one build (crate, target) would start side by side, and one
    worker would wait for the build the other is doing: one cell of each build comes first."""
    write_workspace(pytester.path / "fixtures", {"hello": [], "other": []})
    directory = pytester.path / "suites"
    directory.mkdir()
    (directory / "s.yaml").write_text(
        "cases:\n"
        "  - {id: a.one, fixture: hello, features: [stdio], targets: [wasm32-wasip1]}\n"
        "  - {id: a.two, fixture: hello, features: [stdio], targets: [wasm32-wasip1]}\n"
        "  - {id: b.one, fixture: other, features: [stdio], targets: [wasm32-wasip1]}\n")
    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(pytester.path / "cache"))
    names = collected(pytester.runpytest("suites", "--fixtures-dir", "fixtures", "--co", "-q",
                                         "-p", "no:cacheprovider", "--runtimes", "wasmtime-49,jco"))
    builds = ["hello" if n.startswith("a.") else "other" for n in names]
    assert builds[:2] in (["hello", "other"], ["other", "hello"]), names
