"""Which runtime columns of a run are release lines that no longer get security fixes."""

from __future__ import annotations

import re

from harness.results.store import Results

ADVISORIES = re.compile(r"RUSTSEC-\d{4}-\d{4}(?: to -\d{4})?")


def unsupported_lines(results: Results) -> list[tuple[str, str]]:
    """(column, why) for each column of the run whose line gets no more security fixes."""
    columns = results.run.columns
    return [(name, columns[name].get("security_note", "")) for name in results.runtimes
            if columns.get(name, {}).get("security_fixes") is False]


def security_sentence(results: Results) -> str:
    """One sentence naming the columns without security support, or "" when there are none."""
    lines = unsupported_lines(results)
    if not lines:
        return ""
    advisories = sorted({found for _, why in lines for found in ADVISORIES.findall(why)})
    return (f"Release lines without security support in this run: {', '.join(n for n, _ in lines)}"
            + (f" ({', '.join(advisories)} not fixed in them)" if advisories else "") + ".")
