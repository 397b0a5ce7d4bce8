"""Writing the site: the reports of harness/report (matrix, dossiers) with links to a page per cell,
the front page, and, when given, the history and the diff against a previous run."""

from __future__ import annotations

import time
from pathlib import Path

from harness.errors import UserError
from harness.report.history import History
from harness.report.output import write_text
from harness.report.site import urls
from harness.report.site.cells import LastPass, cell_context, last_passes
from harness.report.site.diff_page import diff_context
from harness.report.site.front import front_page
from harness.report.site.history_page import history_context
from harness.report.site.pages import render
from harness.results.record import CellKey
from harness.results.store import Results, load_results


def load_runs(paths: list[Path]) -> Results:
    """One results file, or several (shards of one run) merged."""
    if not paths:
        raise UserError("site needs at least one results file")
    if len(paths) == 1:
        return load_results(paths[0])
    from harness.report.merge import merge_results

    return merge_results(paths)


def _cell_pages(results: Results, out_dir: Path, nav: dict[str, object], run: str = "",
                last: dict[CellKey, LastPass] | None = None) -> list[Path]:
    written = []
    date = results.header("date")
    for cell in results.cells:
        mine: LastPass | None = (last or {}).get(cell.key)
        context = cell_context(cell, results.name_of(cell), mine, run, date)
        page = render("cell.html", nav=nav, **context)
        written.append(write_text(out_dir / urls.cell_page(cell, run), page))
    return written


def write_site(results: Results, out_dir: Path, history: History | None = None,
               previous: tuple[Results, str] | None = None, results_name: str = "results.json") -> list[Path]:
    """Write the whole site of `results` into `out_dir`; return the paths written."""
    from harness.report import write_reports

    out_dir = Path(out_dir)
    nav: dict[str, object] = {"history": history is not None, "diff": previous is not None,
           "dossiers": [t for t in results.targets if any(c.is_std_evidence for c in results.for_target(t))]}
    written = write_reports(results, out_dir, history, site=True)
    last = last_passes(history, results.cells) if history is not None else None
    written += _cell_pages(results, out_dir, nav, last=last)
    context = front_page(results, history)
    written.append(write_text(out_dir / "index.html", render(
        "index.html", root="", nav=nav, title="Rust WebAssembly targets: conformance", run=results.run,
        results_name=results_name, generated=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), **context)))
    if history is not None:
        keys = {c.key for c in results.cells}
        written.append(write_text(out_dir / "history.html", render(
            "history.html", root="", nav=nav, title="Nightly history", **history_context(history, keys))))
    if previous is not None:
        old, name = previous
        written += _cell_pages(old, out_dir, nav, run=urls.PREVIOUS)
        written.append(write_text(out_dir / "diff.html", render(
            "diff.html", root="", nav=nav, title="Changes since the previous run",
            **diff_context(old, results, name, results_name))))
    return written


def build_site(results_paths: list[Path], out_dir: Path, history_dir: Path | None = None,
               compare: Path | None = None) -> list[Path]:
    """The site of the results files (shards of one run) into `out_dir`."""
    results = load_runs([Path(p) for p in results_paths])
    history = History.load(history_dir) if history_dir else None
    previous = (load_results(compare), compare.name) if compare else None
    name = Path(results_paths[0]).name if len(results_paths) == 1 else "merged results"
    return write_site(results, out_dir, history, previous, name)


def site_command(results_paths: list[Path], out_dir: Path, history_dir: Path | None,
                 compare: Path | None) -> int:
    """`python -m harness site`: write the site, print where its front page is."""
    written = build_site(results_paths, out_dir, history_dir, compare)
    print(f"site: {len(written)} files in {out_dir}; open {Path(out_dir) / 'index.html'}")
    return 0
