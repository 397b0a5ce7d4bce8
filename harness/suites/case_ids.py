"""Case ids are unique across the suites of a run: of two definitions of one id, the newcomer
(the one in the file changed last; on a tie, the one collected later) is blamed and left out,
with both places named; every other case of both files stays."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CaseSite:
    """Where a case id is defined: the suite file's node, its path and line, when it changed."""

    nodeid: str
    path: Path
    line: int
    mtime: float

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Duplicate:
    """A case id defined twice: the definition blamed (left out) and the one kept."""

    case_id: str
    blamed: CaseSite
    kept: CaseSite

    def line(self) -> str:
        return (f"{self.blamed.where}: cases.id: duplicate case id {self.case_id!r}, already "
                f"defined at {self.kept.where}: rename one of them (this one is left out)")


@dataclass
class CaseIds:
    """The case ids collected so far, and the duplicates found."""

    sites: dict[str, CaseSite] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)

    def keep(self, nodeid: str, path: Path, case_id: str, line: int) -> bool:
        """Whether to collect the case. False for a newcomer repeating an id; when the newcomer
        is the definition collected before, that one is in `blamed()` (to be removed)."""
        site = CaseSite(nodeid, path, line, path.stat().st_mtime)
        first = self.sites.get(case_id)
        if first is None or first.where == site.where:
            self.sites[case_id] = site
            return True
        if first.mtime > site.mtime:  # the earlier collected is the newcomer
            self.duplicates.append(Duplicate(case_id, first, site))
            self.sites[case_id] = site
            return True
        self.duplicates.append(Duplicate(case_id, site, first))
        return False

    def blamed(self) -> set[tuple[str, Path]]:
        """(case id, suite path) of each definition left out."""
        return {(d.case_id, d.blamed.path) for d in self.duplicates}
