"""Reports built from a results file: matrix.md, matrix.html, junit.xml and, per target, a
tier-2 dossier (evidence/<target>.md and .html)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import markdown

from harness.report import dossier, junit, matrix_html, matrix_md
from harness.report.history import History
from harness.report.output import write_text
from harness.report.text import html_text, printable
from harness.report.wasi_compare import Comparison, compare_all
from harness.results.store import Results, load_results

DOSSIER_CSS = """
body { font: 14px/1.5 system-ui, sans-serif; margin: 1rem auto; max-width: 72rem; color: #1f2328; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { border: 1px solid #d0d7de;
padding: 2px 6px; vertical-align: top; } code, pre { background: #f6f8fa; }
pre { padding: 6px; white-space: pre-wrap; }
"""


def dossier_html(text: str, title: str, site: bool = False) -> str:
    """A dossier's Markdown as a page of its own: its headings carry ids (the dossier links its own
    sections), and raw HTML in the text (a guest's output quoted in a reason) is shown as text
    (`site`: it links the site's front page)."""
    converter = markdown.Markdown(extensions=["tables", "fenced_code", "toc"])
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    body = converter.convert(printable(text))
    links = ('<p><a href="../index.html">the answers per target</a> · '
             '<a href="../matrix.html">the matrix</a></p>') if site else ""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html_text(title)}</title><style>{DOSSIER_CSS}</style></head><body>"
            f"{links}{body}</body></html>\n")


def render_all(results: Results, history: History | None = None,
               comparisons: Sequence[Comparison] = (), site: bool = False) -> dict[str, str]:
    """Every report file's relative path and text (with wasi-testsuite's own results compared,
    when given; `site`: the matrix links each cell's page of the site, harness/report/site)."""
    files = {
        "matrix.md": matrix_md.render(results, comparisons),
        "matrix.html": matrix_html.render(results, cell_pages=site),
        "junit.xml": junit.render(results),
    }
    for target in results.targets:
        text = dossier.render(results, target, history, comparisons)
        files[f"evidence/{target}.md"] = text
        files[f"evidence/{target}.html"] = dossier_html(text, f"Tier-2 dossier: {target}", site)
    return files


def write_reports(results: Results, out_dir: Path, history: History | None = None,
                  comparisons: Sequence[Comparison] = (), site: bool = False) -> list[Path]:
    """Write the reports of `results` into `out_dir`; return their paths."""
    return [write_text(Path(out_dir) / name, text)
            for name, text in render_all(results, history, comparisons, site).items()]


def build_reports(results_path: Path, out_dir: Path, history_dir: Path | None = None,
                  wasi_references: Sequence[Path] = ()) -> list[Path]:
    """Write the reports of the results file `results_path` into `out_dir` (with the nightly
    history and wasi-testsuite's own results, when given); return their paths."""
    history = History.load(history_dir) if history_dir else None
    results = load_results(results_path)
    return write_reports(results, out_dir, history, compare_all(wasi_references, results))
