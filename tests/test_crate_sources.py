"""Where a build's crates come from (harness/artifacts/crate_sources.py), without Docker: the image's
vendored crates, the crate's own vendor directory, and the one line when nothing gives them."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.artifacts.crate_sources import (
    CratesUnavailable,
    Origin,
    crates_for,
    explain_missing,
    locked_packages,
    own_vendor,
)

LOCK = """\
version = 4

[[package]]
name = "counts"
version = "0.1.0"
dependencies = ["itoa"]

[[package]]
name = "itoa"
version = "1.0.11"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{checksum}"
""".format(checksum="0" * 64)


def crate(root: Path, lock: bool = True) -> Path:
    """A crate with one crates.io dependency (and its lock, unless told otherwise)."""
    (root / "src").mkdir(parents=True)
    (root / "src" / "lib.rs").write_text("")
    (root / "Cargo.toml").write_text('[package]\nname = "counts"\nversion = "0.1.0"\nedition = "2021"\n\n'
                                     '[dependencies]\nitoa = "=1.0.11"\n')
    if lock:
        (root / "Cargo.lock").write_text(LOCK)
    return root


@pytest.fixture
def no_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The host's cargo, with every request sent to a port where nothing listens."""
    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CARGO_HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("CARGO_HTTP_MULTIPLEXING", "false")


def test_the_lock_names_registry_packages_not_the_workspace_own() -> None:
    assert locked_packages(LOCK) == [("itoa", "1.0.11")]


def test_a_lock_the_image_vendors_whole_builds_from_the_image(tmp_path: Path, no_registry: None) -> None:
    crates = crates_for(crate(tmp_path / "counts"), frozenset({("itoa", "1.0.11"), ("libc", "0.2.1")}))
    assert crates.origin is Origin.IMAGE and crates.lock is None


def test_the_crate_own_vendor_directory_wins(tmp_path: Path, no_registry: None) -> None:
    folder = crate(tmp_path / "counts")
    (folder / "vendor" / "itoa").mkdir(parents=True)
    (folder / ".cargo").mkdir()
    (folder / ".cargo" / "config.toml").write_text(
        '[source.crates-io]\nreplace-with = "vendored-sources"\n\n'
        '[source.vendored-sources]\ndirectory = "vendor"\n')
    assert own_vendor(folder) == (folder / "vendor").resolve()
    assert crates_for(folder, frozenset()).origin is Origin.VENDOR


def test_a_config_whose_vendor_directory_is_missing_is_no_vendor(tmp_path: Path) -> None:
    folder = crate(tmp_path / "counts")
    (folder / ".cargo").mkdir()
    (folder / ".cargo" / "config.toml").write_text(
        '[source.crates-io]\nreplace-with = "v"\n\n[source.v]\ndirectory = "vendor"\n')
    assert own_vendor(folder) is None


def test_nothing_to_have_the_crates_from_is_one_line_naming_the_crate(tmp_path: Path,
                                                                     no_registry: None) -> None:
    folder = crate(tmp_path / "counts")
    with pytest.raises(CratesUnavailable) as raised:
        crates_for(folder, frozenset({("libc", "0.2.1")}))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"crate itoa 1.0.11, named by {folder}'s Cargo.lock, could not be had: "
                              "the toolchain image does not vendor it and no registry answered (")
    assert message.endswith(f"`cargo vendor` in {folder}, with the [source] lines it prints in "
                            f"{folder}/.cargo/config.toml")
    # nothing was recorded as fetched, so a registry that answers later is asked again
    assert not (tmp_path / "cache" / "cargo-home" / ".fetched").exists()


def test_a_crate_without_a_lock_and_no_registry_resolves_in_the_image(tmp_path: Path,
                                                                      no_registry: None) -> None:
    crates = crates_for(crate(tmp_path / "counts", lock=False), frozenset())
    assert crates.origin is Origin.IMAGE and crates.lock is None


def test_cargo_offline_no_matching_package_becomes_one_line(tmp_path: Path) -> None:
    output = ("    Updating crates.io index\nerror: no matching package named `itoa` found\n"
              "location searched: directory source `/usr/local/lib/wasm-conformance/build-std/vendor` "
              "(which is replacing registry `crates-io`)\nrequired by package `counts v0.1.0 (/tmp/x)`\n")
    line = explain_missing(output, tmp_path)
    assert line is not None and "\n" not in line
    assert line.startswith(f"crate itoa, which {tmp_path} depends on, could not be had")
    assert f"`python -m harness lock {tmp_path}`" in line and "`cargo vendor`" in line
    assert explain_missing("error[E0425]: cannot find value `x` in this scope", tmp_path) is None
