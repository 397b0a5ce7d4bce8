"""Either base image: apt sources in the one-line form (a debootstrapped debian:sid) or in the
deb822 form with no sources.list (the official debian:sid image). The mirror is read from
both, on the host (python-debian) and in the images (apt itself, docker/toolchain/add-suites.sh).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import PROJECT_ROOT
from harness.errors import UserError
from harness.images.base_image import BASE_IMAGE, TOOLCHAIN_BASE_ENV, apt_entries, apt_mirror_uri, has_image

MIRROR = "http://mirror.invalid/debian"
DEB822_REPOSITORY = "wasm-conformance-test/deb822-base"
# The official image's layout: debian.sources of the same mirror and suite, no sources.list.
TO_DEB822 = r"""set -e
uri=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)
suite=$(awk '$1 == "deb" { print $3; exit }' /etc/apt/sources.list)
test -n "$uri" && test -n "$suite"
printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$uri" "$suite" \
  > /etc/apt/sources.list.d/debian.sources
if [ -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
  echo 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >> /etc/apt/sources.list.d/debian.sources
fi
rm /etc/apt/sources.list
"""


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_host_mirror_is_read_from_deb822_sources(tmp_path: Path) -> None:
    write(tmp_path, "etc/apt/sources.list.d/debian.sources",
          "Types: deb\n# a comment, as the official image has\nURIs: http://security.invalid/debian-security\n"
          "Suites: bookworm-security\nComponents: main\n\n"
          "Types: deb-src\nURIs: http://source.invalid/debian\nSuites: bookworm\n\n"
          f"Types: deb\nURIs: {MIRROR}\nSuites: bookworm bookworm-updates\nComponents: main\n"
          "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
    write(tmp_path, "etc/apt/sources.list.d/off.sources",
          "Enabled: no\nTypes: deb\nURIs: http://off.invalid/debian\nSuites: sid\n")
    assert list(apt_entries(tmp_path)) == [
        ("http://security.invalid/debian-security", ["bookworm-security"]),
        (MIRROR, ["bookworm", "bookworm-updates"]),
    ]
    assert apt_mirror_uri(tmp_path) == MIRROR


def test_the_host_mirror_is_read_from_a_one_line_sources_list(tmp_path: Path) -> None:
    write(tmp_path, "etc/apt/sources.list",
          "# deb http://old.invalid/debian sid main\n"
          "deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://security.invalid/x"
          " bookworm-security main\n"
          f"deb {MIRROR} bookworm main\n")
    assert list(apt_entries(tmp_path)) == [("http://security.invalid/x", ["bookworm-security"]),
                                           (MIRROR, ["bookworm"])]
    assert apt_mirror_uri(tmp_path) == MIRROR


def test_no_mirror_in_the_host_sources_is_one_line(tmp_path: Path) -> None:
    write(tmp_path, "etc/apt/sources.list.d/debian.sources", "Types: deb-src\nURIs: http://x.invalid/\n")
    with pytest.raises(UserError, match="name no Debian mirror"):
        apt_mirror_uri(tmp_path)


# ---- in images, with the engine ---------------------------------------------------------------


@pytest.fixture(scope="module")
def deb822_base() -> Iterator[str]:
    """debian:sid laid out as the official image is (deb822 sources, no sources.list): the
    machine's base as it is when it already is so, else a committed copy of it, made once per
    base image (named by its id, so Docker's layer cache serves a second run)."""
    from filelock import FileLock

    from harness.artifacts.cache import cache_dir
    from harness.images.engine import ensure_engine
    from tests.conftest import docker_ready

    why = docker_ready()
    if why:
        pytest.skip(why)
    client = ensure_engine()
    if "one-line" not in in_image(BASE_IMAGE, "test -e /etc/apt/sources.list && echo one-line || true"):
        yield BASE_IMAGE
        return
    tag = f"{DEB822_REPOSITORY}:{client.images.get(BASE_IMAGE).id.split(':')[-1][:12]}"
    with FileLock(str(cache_dir("locks") / "deb822-base.lock")):
        if not has_image(client, tag):
            container = client.containers.run(BASE_IMAGE, ["sh", "-c", TO_DEB822], network_mode="none",
                                              detach=True)
            try:
                status = container.wait()["StatusCode"]
                assert status == 0, container.logs().decode(errors="replace")
                repository, version = tag.split(":")
                container.commit(repository=repository, tag=version)
            finally:
                container.remove(force=True)
    yield tag


def in_image(image: str, script: str) -> str:
    from harness.images.engine import ensure_engine

    output = ensure_engine().containers.run(image, ["sh", "-c", script], network_mode="none", remove=True,
                                            stderr=True)
    return str(output.decode(errors="replace"))


@pytest.mark.docker
def test_the_mirror_answers_alike_in_a_deb822_base_and_in_the_one_line_base(deb822_base: str) -> None:
    """setup's question to the mirror (the step that stopped setup of every toolchain there)."""
    from harness.images.apt_versions import query
    from harness.images.engine import ensure_engine

    layout = in_image(deb822_base, "ls /etc/apt/sources.list /etc/apt/sources.list.d/ 2>&1; "
                      "cat /etc/apt/sources.list.d/*.sources")
    assert "No such file" in layout and "URIs:" in layout, layout
    client = ensure_engine()
    suites, packages = {"sid", "trixie", "experimental"}, ["rustc", "wasi-libc", "libstd-rust-dev-wasm32"]
    deb822 = query(client, deb822_base, suites, packages)
    for suite in suites:
        assert deb822.in_suite("rustc", suite), (suite, deb822.versions)
    assert deb822.versions == query(client, BASE_IMAGE, suites, packages).versions


@pytest.mark.docker
def test_setup_plans_debian_sid_and_trixie_on_a_deb822_base(deb822_base: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The plans of both toolchain images (every version resolved, the base passed in); the
    sid image itself is built on such a base as trixie's is below, only it takes longer."""
    from harness.catalogue.toolchains import all_toolchains
    from harness.images.engine import ensure_engine
    from harness.images.recipes import LABEL_PREFIX, plan_images, toolchain_spec

    names = ("debian-sid", "debian-trixie")
    monkeypatch.delenv(TOOLCHAIN_BASE_ENV, raising=False)
    on_sid = [toolchain_spec(all_toolchains()[name]).tag for name in names]
    monkeypatch.setenv(TOOLCHAIN_BASE_ENV, deb822_base)
    specs = [toolchain_spec(all_toolchains()[name]) for name in names]
    if deb822_base != BASE_IMAGE:  # an image of another base is tagged apart
        assert not {s.tag for s in specs} & set(on_sid)
    sid, trixie = plan_images(specs, ensure_engine(), strict=False)
    for plan, suite in ((sid, "sid"), (trixie, "trixie")):
        assert plan.args["BASE_IMAGE"] == deb822_base and plan.args["SUITE"] == suite
        assert plan.args["RUST_VERSION"] == plan.labels[LABEL_PREFIX + "rustc"]
    assert sid.args["RUST_VERSION"] != trixie.args["RUST_VERSION"]


@pytest.mark.docker
def test_setup_of_debian_trixie_succeeds_on_a_deb822_base(deb822_base: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m harness setup --toolchains debian-trixie` with the deb822 base as the toolchain
    base: the image is built FROM it (a cold build takes about 6 minutes), its trixie suite
    added in deb822 form, and its rustc is the one the mirror's trixie has."""
    from harness.catalogue.toolchains import all_toolchains
    from harness.images.recipes import LABEL_PREFIX, labels_of, toolchain_spec

    env = dict(os.environ, **{TOOLCHAIN_BASE_ENV: deb822_base})
    result = subprocess.run([sys.executable, "-m", "harness", "setup", "--toolchains", "debian-trixie"],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=3600,
                            check=False)
    assert result.returncode == 0, result.stderr[-4000:]
    monkeypatch.setenv(TOOLCHAIN_BASE_ENV, deb822_base)
    tag = toolchain_spec(all_toolchains()["debian-trixie"]).tag
    assert tag in result.stdout + result.stderr
    rustc = labels_of(tag)[LABEL_PREFIX + "rustc"]
    inside = in_image(tag, "test ! -e /etc/apt/sources.list && echo no-sources-list; "
                      "cat /etc/apt/sources.list.d/trixie.sources; rustc --version")
    assert "no-sources-list" in inside and "Suites: trixie" in inside, inside
    assert f"rustc {rustc.split('+')[0]}" in inside, (rustc, inside)
