"""Reports built from a results file: matrix.md, matrix.html, junit.xml, evidence/<target>.md."""

from __future__ import annotations

from pathlib import Path

from harness.report import evidence, junit, matrix_html, matrix_md
from harness.results import Results, load_results


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 with "\\n" line ends, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path


def render_all(results: Results) -> dict[str, str]:
    """Every report file's relative path and text."""
    files = {
        "matrix.md": matrix_md.render(results),
        "matrix.html": matrix_html.render(results),
        "junit.xml": junit.render(results),
    }
    for target in results.targets:
        files[f"evidence/{target}.md"] = evidence.render(results, target)
    return files


def build_reports(results_path: Path, out_dir: Path) -> list[Path]:
    """Write the reports of `results_path` into `out_dir`; return their paths."""
    results = load_results(results_path)
    return [write_text(Path(out_dir) / name, text) for name, text in render_all(results).items()]
