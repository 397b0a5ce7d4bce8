"""Which Debian package versions the mirror has now, per suite: what an image build installs.

One throwaway container of the base image (host network, the mirror its apt sources name in
either form, plus the other suites asked for, added by the toolchain recipe's own
docker/toolchain/add-suites.sh) runs `apt-cache madison` for every package and
`apt-cache show` for the packages whose dependencies decide others. A version asked for
exactly that the mirror no longer has is reported in one line, with what is there, and
replaced by the suite's current version, unless the pins are strict.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

import docker
from harness import PROJECT_ROOT
from harness.errors import UserError

ADD_SUITES = PROJECT_ROOT / "docker" / "toolchain" / "add-suites.sh"
APT_UPDATE = "apt-get -o Acquire::Check-Valid-Until=false -qq update"


@dataclass
class Mirror:
    """The versions the mirror offers: package -> [(version, suite)], and package stanzas."""

    versions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    stanzas: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def in_suite(self, package: str, suite: str) -> list[str]:
        return [v for v, s in self.versions.get(package, []) if s == suite]

    def stanza(self, package: str, version: str) -> dict[str, str]:
        return self.stanzas.get((package, version), {})


def query(client: docker.DockerClient, base_image: str, suites: Iterable[str],
          packages: Iterable[str], show: Iterable[str] = ()) -> Mirror:
    """The mirror's versions of `packages` in the base's suite and `suites`, and the
    `apt-cache show` stanzas of the packages in `show`."""
    names = sorted(set(packages))
    script = "\n".join([
        "set -e",
        f'sh -c "$ADD_SUITES" add-suites {shlex.join(sorted(set(suites)))}',
        f"{APT_UPDATE} >/dev/null",
        f"apt-cache madison {shlex.join(names)} || true",
        "echo '--- show'",
        f"apt-cache show {shlex.join(sorted(set(show)))} 2>/dev/null || true" if show else "true",
    ])
    try:
        output = client.containers.run(base_image, ["sh", "-c", script], network_mode="host",
                                       environment={"ADD_SUITES": ADD_SUITES.read_text()},
                                       remove=True, stderr=True)
    except docker.errors.ContainerError as error:
        raise UserError(f"cannot ask the Debian mirror for package versions: {error}") from None
    return parse(output.decode(errors="replace"))


def parse(text: str) -> Mirror:
    """Parse `apt-cache madison` lines, then (after `--- show`) `apt-cache show` stanzas."""
    madison, _, show = text.partition("--- show")
    mirror = Mirror()
    for line in madison.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            continue
        package, version, source = parts
        match = re.search(r"\s(\S+?)/\S+\s+\S+\s+Packages", " " + source)
        if match:
            mirror.versions.setdefault(package, []).append((version, match.group(1)))
    for block in re.split(r"\n\s*\n", show):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            match = re.match(r"^([A-Za-z-]+): (.*)$", line)
            if match:
                fields[match.group(1)] = match.group(2)
        if "Package" in fields and "Version" in fields:
            mirror.stanzas[(fields["Package"], fields["Version"])] = fields
    return mirror


@dataclass(frozen=True)
class Resolved:
    """A package's version for the build, and what was asked for."""

    package: str
    version: str
    suite: str
    asked: str | None  # the pinned version, or None (the suite's current one)

    @property
    def moved(self) -> bool:
        return self.asked is not None and self.asked != self.version


def resolve(mirror: Mirror, package: str, suite: str, pin: str | None, strict: bool,
            fallback_suite: str | None = None) -> Resolved:
    """The version to install: the pin when the mirror has it in `suite` (or the fallback),
    else the suite's newest, said in one line (UserError when strict or nothing is there)."""
    suites = [suite] + ([fallback_suite] if fallback_suite and fallback_suite != suite else [])
    for where in suites:
        if pin and pin in mirror.in_suite(package, where):
            return Resolved(package, pin, where, pin)
    for where in suites:
        available = mirror.in_suite(package, where)
        if available:
            chosen = available[0]  # madison lists the newest first
            if pin:
                line = (f"{package}={pin} is no longer on the mirror's {where} (it has "
                        f"{', '.join(available)})")
                if strict:
                    raise UserError(f"{line}; --strict-pins stops here")
                print(f"setup: {line}: building with {chosen}", file=sys.stderr, flush=True)
            return Resolved(package, chosen, where, pin)
    raise UserError(f"the mirror has no {package} in {' or '.join(suites)}")


def recommended_major(mirror: Mirror, package: str, version: str, prefix: str) -> str | None:
    """N of the first `prefix-N` a package's Recommends or Depends name (e.g. lld-22)."""
    stanza = mirror.stanza(package, version)
    for key in ("Recommends", "Depends"):
        match = re.search(rf"\b{re.escape(prefix)}-(\d+)\b", stanza.get(key, ""))
        if match:
            return match.group(1)
    return None
