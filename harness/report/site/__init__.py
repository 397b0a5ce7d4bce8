"""The conformance site (`python -m harness site RESULTS... -o DIR`): static pages that work from
file:// and from GitHub Pages, no server, no network at view time.

index.html answers first (harness/report/site/front.py); it links to the matrix and the dossiers
(harness/report/), a page per cell with a URL per test (cells.py), the history of the nightly
runs with charts (history_page.py, charts.py) and the diff against a previous run (diff_page.py).
Every page comes from a template of templates/ with autoescape (pages.py); build.py writes them.
"""
