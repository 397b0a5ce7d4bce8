"""The toolchain catalogue and what its images are made of, without Docker: version
resolution against a mirror's answer, vanished pins, tags that name the recipe."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.catalogue.targets import all_targets
from harness.catalogue.toolchains import all_toolchains, default_toolchain, pick
from harness.errors import UserError
from harness.images.apt_versions import parse, recommended_major, resolve
from harness.images.recipes import (
    UNBUILDABLE,
    needed_specs,
    runtimes_spec,
    toolchain_spec,
    tools_spec,
    unbuildable,
)
from harness.results.verdict import Verdict

MADISON = """\
     rustc | 1.98.1+dfsg1-1~exp1 | http://mirror.invalid/debian experimental/main amd64 Packages
     rustc | 1.97.1+dfsg1-1 | http://mirror.invalid/debian sid/main amd64 Packages
     rustc | 1.85.1+dfsg1-1+deb13u1 | http://mirror.invalid/debian trixie/main amd64 Packages
 wasi-libc | 0.0~git20260423.161b319-2 | http://mirror.invalid/debian sid/main amd64 Packages
    lld-22 | 1:22.1.8-3 | http://mirror.invalid/debian sid/main amd64 Packages
    lld-19 | 1:19.1.7-22+b1 | http://mirror.invalid/debian sid/main amd64 Packages
    lld-19 | 1:19.1.7-3+b1 | http://mirror.invalid/debian trixie/main amd64 Packages
--- show
Package: libstd-rust-dev-wasm32
Version: 1.97.1+dfsg1-1
Recommends: lld-22, clang-22

Package: libstd-rust-dev-wasm32
Version: 1.85.1+dfsg1-1+deb13u1
Recommends: lld-19, clang-19
"""


def test_the_mirrors_answer_is_read_per_suite() -> None:
    mirror = parse(MADISON)
    assert mirror.in_suite("rustc", "sid") == ["1.97.1+dfsg1-1"]
    assert mirror.in_suite("rustc", "experimental") == ["1.98.1+dfsg1-1~exp1"]
    assert mirror.in_suite("lld-19", "trixie") == ["1:19.1.7-3+b1"]
    assert recommended_major(mirror, "libstd-rust-dev-wasm32", "1.85.1+dfsg1-1+deb13u1", "lld") == "19"
    assert recommended_major(mirror, "libstd-rust-dev-wasm32", "1.97.1+dfsg1-1", "lld") == "22"


def test_a_pin_the_mirror_still_has_is_kept() -> None:
    found = resolve(parse(MADISON), "rustc", "sid", "1.97.1+dfsg1-1", strict=True)
    assert (found.version, found.suite, found.moved) == ("1.97.1+dfsg1-1", "sid", False)


def test_a_vanished_pin_is_one_line_and_the_build_goes_on(capsys: pytest.CaptureFixture[str]) -> None:
    found = resolve(parse(MADISON), "rustc", "sid", "1.97.0+dfsg1-1", strict=False)
    assert (found.version, found.moved) == ("1.97.1+dfsg1-1", True)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["setup: rustc=1.97.0+dfsg1-1 is no longer on the mirror's sid (it has "
                     "1.97.1+dfsg1-1): building with 1.97.1+dfsg1-1"]


def test_strict_pins_stop_at_a_vanished_pin() -> None:
    with pytest.raises(UserError) as info:
        resolve(parse(MADISON), "rustc", "sid", "1.97.0+dfsg1-1", strict=True)
    assert "1.97.0+dfsg1-1 is no longer on the mirror's sid (it has 1.97.1+dfsg1-1)" in str(info.value)
    assert "--strict-pins" in str(info.value)


def test_a_package_of_a_suite_may_come_from_sid() -> None:
    found = resolve(parse(MADISON), "wasi-libc", "experimental", None, strict=True, fallback_suite="sid")
    assert (found.version, found.suite) == ("0.0~git20260423.161b319-2", "sid")
    with pytest.raises(UserError, match="the mirror has no wasi-libc in experimental"):
        resolve(parse(MADISON), "wasi-libc", "experimental", None, strict=True)


def test_the_catalogue() -> None:
    catalogue = all_toolchains()
    assert list(catalogue) == ["debian-sid", "debian-trixie", "debian-experimental", "host", "rust-1.100",
                               "rustup-stable"]
    assert default_toolchain().name == "debian-sid"
    assert [t.name for t in pick([])] == ["debian-sid"]
    assert [t.name for t in pick(["debian-experimental", "debian-sid"])] == ["debian-sid",
                                                                             "debian-experimental"]
    with pytest.raises(UserError, match="unknown toolchain debian-bookworm"):
        pick(["debian-bookworm"])


def test_tags_name_their_recipe_and_runtimes_share_one_image() -> None:
    sid, trixie = (all_toolchains()[n] for n in ("debian-sid", "debian-trixie"))
    specs = needed_specs([sid, trixie, all_toolchains()["host"]])
    assert [s.kind for s in specs] == ["tools", "runtimes", "toolchain", "toolchain"]
    assert toolchain_spec(sid).tag != toolchain_spec(trixie).tag
    assert toolchain_spec(sid).tag.startswith("wasm-conformance/toolchain-debian-sid:")
    # The runtimes are not an input of any toolchain image, nor the other way round.
    assert "runtimes" not in toolchain_spec(sid).inputs
    assert not set(runtimes_spec().inputs) & set(toolchain_spec(sid).inputs)
    assert tools_spec().tag in toolchain_spec(sid).key


def test_a_rustup_channel_builds_in_an_image_of_its_own() -> None:
    channel, host = all_toolchains()["rust-1.100"], all_toolchains()["host"]
    assert channel.in_image and not host.in_image
    assert channel.marker == "rust_1_100"
    spec = toolchain_spec(channel)
    assert spec.tag.startswith("wasm-conformance/toolchain-rust-1.100:") and "1.100.0" in spec.key
    assert [s.kind for s in needed_specs([channel, host])] == ["tools", "runtimes", "toolchain"]


def test_a_channel_setup_could_not_build_makes_its_cells_unavailable_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from runners.docker_builder import DockerBuilder

    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path))
    channel = all_toolchains()["rust-1.100"]
    assert unbuildable(channel) is None
    why = "rustup cannot download the toolchain here: http request returned 404 (for https://x/y)"
    record = tmp_path / UNBUILDABLE / f"{toolchain_spec(channel).tag.replace('/', '_')}.txt"
    record.write_text(why + "\n")
    assert unbuildable(channel) == why
    judgment = DockerBuilder(channel).target_verdict(all_targets()["wasm32-wasip3"])
    assert judgment is not None and judgment.verdict == Verdict.UNAVAILABLE
    assert why in judgment.reason and "rust-1.100" in judgment.reason


@pytest.mark.docker
def test_a_run_that_compiles_nothing_needs_no_toolchain_image(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.images.engine import find_engine
    from harness.images.recipes import has_image
    from harness.run.preflight import preflight

    channel = all_toolchains()["rust-1.100"]
    if has_image(find_engine(), toolchain_spec(channel).tag):
        pytest.skip("the rust-1.100 image is built here")
    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path))  # no record of why it is missing
    assert "is not built" in str(preflight([channel]))
    assert preflight([channel], builds=False) is None  # wasi-testsuite's prebuilt binaries only
