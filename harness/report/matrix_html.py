"""matrix.html: one self-contained page (inline CSS and JS) with details and filters.

Filters come from the controls or from the URL fragment or query, e.g.
`matrix.html#verdict=pass`, `matrix.html?target=wasm32-wasip2&runtime=jco,wazero`;
values of one key are alternatives (comma separated), keys combine. The verdict
filter uses the label shown (`n/a` for not-run unsupported cells) and `bad` for
every failing verdict. A fragment `#cell-<id>` opens that cell's detail and scrolls
to it; a query `?open=cell-<id>` opens it without scrolling.
"""

from __future__ import annotations

from harness.report.answers import html_table, target_answers
from harness.report.libtests import NOT_PASSED, is_libtest, not_passed, rate
from harness.report.matrix_md import (
    FAIL_NOTE,
    WASI_NOTE,
    WASI_TITLE,
    unsupported_by_harness,
    version_rows,
)
from harness.report.model import counts, detail_rows, failing_breakdown, features_of, runtimes_of
from harness.report.text import html_text as escape
from harness.report.toolchains import build_order, summary_groups
from harness.results.record import CATEGORIES, NA, NA_SYMBOL, CellResult
from harness.results.store import Results, ordered
from harness.results.verdict import TestOutcome, Verdict

OUTPUT_LINES = 20
TEST_MESSAGE_CHARS = 600

CSS = """
:root { --bar: 2.2rem; --pass:#1a7f37; --unsupported:#6e7781; --na:#8c959f; --xfail:#9a6700;
  --unavailable:#afb8c1; --fail:#cf222e; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 1rem; color: #1f2328; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
table { border-collapse: separate; border-spacing: 0; }
th, td { border: 1px solid #d0d7de; padding: 2px 6px; }
.matrix thead th { position: sticky; top: var(--bar); background: #f6f8fa; z-index: 2; }
.matrix th.rowhead { position: sticky; left: 0; background: #fff; z-index: 1;
  text-align: left; font-weight: normal; white-space: nowrap; }
.matrix thead th.rowhead { z-index: 3; background: #f6f8fa; }
.matrix tr.feature-row th { background: #eaeef2; font-weight: bold; }
td.cell { text-align: center; min-width: 4.5rem; vertical-align: top; position: relative; }
td.cell summary { cursor: pointer; list-style: none; font-weight: bold; }
td.cell summary::-webkit-details-marker { display: none; }
td.cell .detail { position: absolute; left: 0; top: 100%; z-index: 5; text-align: left;
  font-size: 12px; font-weight: normal; width: 34rem; color: #1f2328; background: #fff;
  border: 1px solid #8c959f; box-shadow: 0 4px 12px rgba(0,0,0,.2); padding: 6px; }
td.cell:nth-last-child(-n+2) .detail { left: auto; right: 0; }
td.cell .detail th { text-align: left; white-space: nowrap; }
td.cell .detail td { word-break: break-all; }
td.cell pre { white-space: pre-wrap; background: #f6f8fa; padding: 4px; margin: 2px 0; }
.v-pass { background: #dafbe1; color: var(--pass); }
.v-unsupported { background: #eaeef2; color: var(--unsupported); }
.v-na { background: #f6f8fa; color: var(--na); }
.v-xfail { background: #fff8c5; color: var(--xfail); }
.v-unavailable { background: #fff; color: var(--unavailable); }
.v-fail { background: #ffebe9; color: var(--fail); }
td.cell.off > * { visibility: hidden; }
td.cell.off { background: #fff; }
td.cell:target { outline: 3px solid #0969da; }
.col-off { display: none; }
.filters { position: sticky; top: 0; background: #fff; z-index: 6; height: var(--bar);
  box-sizing: border-box; display: flex; align-items: center; gap: 0 1rem;
  border-bottom: 1px solid #d0d7de; }
.filters select { min-width: 8rem; }
.counts td, .counts th, .meta td, .meta th { text-align: left; }
@media print {
  .filters { display: none; }
  .matrix thead th, .matrix th.rowhead { position: static; }
  td.cell .detail { position: static; width: auto; box-shadow: none; }
  body { margin: 0; font-size: 11px; }
}
"""

JS = r"""
(function () {
  const keys = ["target", "runtime", "toolchain", "feature", "verdict", "kind"];
  function parse(text) {
    const state = {};
    for (const part of text.replace(/^[#?]/, "").split("&")) {
      const [k, v] = part.split("=");
      if (keys.includes(k) && v) state[k] = decodeURIComponent(v).split(",");
    }
    return state;
  }
  function matches(td, s) {
    const feats = td.dataset.features.split(" ");
    const label = td.dataset.label;
    if (s.target && !s.target.includes(td.dataset.target)) return false;
    if (s.runtime && !s.runtime.includes(td.dataset.runtime)) return false;
    if (s.toolchain && !s.toolchain.includes(td.dataset.toolchain)) return false;
    if (s.kind && !s.kind.includes(td.dataset.kind)) return false;
    if (s.feature && !s.feature.some(f => feats.includes(f))) return false;
    if (s.verdict && !s.verdict.includes(label) &&
        !(s.verdict.includes("bad") && td.dataset.category === "fail")) return false;
    return true;
  }
  function apply(s) {
    let shown = 0;
    const cells = document.querySelectorAll("td.cell");
    cells.forEach(td => {
      const on = matches(td, s);
      td.classList.toggle("off", !on);
      td.dataset.shown = on ? "1" : "0";
      if (on) shown++;
    });
    document.querySelectorAll("[data-col]").forEach(el => {
      el.classList.toggle("col-off", (!!s.runtime && !s.runtime.includes(el.dataset.col)) ||
        (!!s.toolchain && !!el.dataset.toolchain && !s.toolchain.includes(el.dataset.toolchain)));
    });
    document.querySelectorAll("section.target").forEach(sec => {
      const any = sec.querySelector("td.cell[data-shown='1']");
      sec.hidden = (!!s.target && !s.target.includes(sec.dataset.target)) || !any;
    });
    document.querySelectorAll("tr.case-row").forEach(tr => {
      tr.hidden = !tr.querySelector("td.cell[data-shown='1']");
    });
    document.querySelectorAll("tr.feature-row").forEach(tr => {
      let next = tr.nextElementSibling, any = false;
      while (next && next.classList.contains("case-row")) {
        if (!next.hidden) any = true;
        next = next.nextElementSibling;
      }
      tr.hidden = !any;
    });
    document.getElementById("shown-count").textContent =
      shown + " of " + cells.length + " cells shown";
    keys.forEach(k => {
      const sel = document.getElementById("filter-" + k);
      sel.value = s[k] && s[k].length === 1 ? s[k][0] : "";
    });
  }
  function fromControls() {
    const parts = [];
    keys.forEach(k => {
      const v = document.getElementById("filter-" + k).value;
      if (v) parts.push(k + "=" + encodeURIComponent(v));
    });
    history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname);
    apply(parse(parts.join("&")));
  }
  function fromLocation() {
    const hash = location.hash.replace(/^#/, "");
    if (hash.startsWith("cell-")) {
      apply({});
      const td = document.getElementById(decodeURIComponent(hash));
      if (td) { td.querySelector("details").open = true; td.scrollIntoView({block: "nearest"}); }
      return;
    }
    apply(Object.assign(parse(location.search), parse(location.hash)));
    const open = new URLSearchParams(location.search).get("open");
    const td = open && document.getElementById(open);
    if (td) td.querySelector("details").open = true;
  }
  keys.forEach(k => {
    document.getElementById("filter-" + k).addEventListener("change", fromControls);
  });
  document.getElementById("filter-reset").addEventListener("click", () => {
    keys.forEach(k => { document.getElementById("filter-" + k).value = ""; });
    fromControls();
  });
  window.addEventListener("hashchange", fromLocation);
  fromLocation();
  document.body.dataset.ready = "1";
})();
"""


def _first_lines(text: str, limit: int = OUTPUT_LINES) -> str:
    lines = text.splitlines()
    if len(lines) <= limit:
        return text
    return "\n".join([*lines[:limit], f"... ({len(lines) - limit} more lines)"])


def _detail(cell: CellResult, name: str, page: bool = False) -> str:
    e = escape
    rows = detail_rows(cell, name)
    parts = [f'<div class="detail"><div>{e(cell.description)}</div><table>']
    parts += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows if v]
    if cell.link:
        parts.append(f'<tr><th>link</th><td><a href="{e(cell.link)}">{e(cell.link)}</a></td></tr>')
    parts.append("</table>")
    for stream in ("stdout", "stderr"):
        text = getattr(cell, stream)
        if text:
            parts.append(f"<div>{stream}:</div><pre>{e(_first_lines(text))}</pre>")
    if is_libtest(cell):
        parts.append(_tests(cell))
    if cell.repro:
        parts.append(f"<div>reproduce:</div><pre><code>{e(cell.repro)}</code></pre>")
    parts.append(f'<a href="#{e(cell.anchor)}">link to this cell</a>')
    if page:
        parts.append(f' · <a class="cell-page" href="cells/{e(cell.anchor)}.html">page of this cell</a>')
    parts.append("</div>")
    return "".join(parts)


def _tests(cell: CellResult) -> str:
    """A libtest cell's counts and, folded, the tests that did not simply pass."""
    e = escape
    counts = ", ".join(f"{n} {o}" for o, n in cell.test_counts.items() if n)
    out = [f"<div>tests: {e(counts or 'none')}</div>"]
    for outcome in NOT_PASSED:
        tests = [t for t in not_passed(cell) if t.outcome == outcome]
        if not tests:
            continue
        items = "".join(
            f"<li><code>{e(t.name)}</code>"
            + (f"<pre>{e(_first_lines(t.message, 6)[:TEST_MESSAGE_CHARS])}</pre>" if t.message else "")
            + (f" <small>{e(t.reason[:200])}</small>"
               if t.reason and outcome is not TestOutcome.IGNORED else "")
            + "</li>" for t in tests)
        summary = f"<summary>{len(tests)} {e(outcome)}</summary>"
        out.append(f'<details class="tests">{summary}<ul>{items}</ul></details>')
    return "".join(out)


def _cell(cell: CellResult, name: str, page: bool = False) -> str:
    e = escape
    css = "na" if cell.category == NA else cell.category
    title = f"{cell.label}: {cell.reason}" if cell.reason else cell.label
    attrs = (
        f'id="{e(cell.anchor)}" class="cell v-{css}" data-col="{e(cell.runtime)}" '
        f'data-case="{e(cell.case)}" data-target="{e(cell.target)}" '
        f'data-toolchain="{e(cell.build)}" '
        f'data-runtime="{e(cell.runtime)}" data-verdict="{e(cell.verdict)}" data-kind="{e(cell.kind)}" '
        f'data-label="{e(cell.label)}" data-category="{e(cell.category)}" '
        f'data-features="{e(" ".join(cell.features) or cell.group)}" data-shown="1" '
        f'title="{e(title)}"'
    )
    detail = _detail(cell, name, page)
    shown = f"{cell.symbol} {rate(cell)}" if is_libtest(cell) and cell.ran else cell.symbol
    return f"<td {attrs}><details><summary>{e(shown)}</summary>{detail}</details></td>"


def _target_section(results: Results, target: str, pages: bool) -> str:
    """Rows = features and cases, columns = runtimes (each under every build, with several)."""
    cells = [c for c in results.for_target(target) if c.is_std_evidence]
    return _section(results, cells, target, target, f"target-{target}", "feature / case", pages)


def _wasi_section(results: Results, target: str, pages: bool) -> str:
    """wasi-testsuite's tests of one WASI version: rows = its suites and their tests."""
    cells = [c for c in results.for_target(target) if not c.is_std_evidence]
    return _section(results, cells, target, f"WASI runtime conformance: {target}", f"wasi-{target}",
                    "suite / test", pages)


def _section(results: Results, cells: list[CellResult], target: str, title: str, anchor: str,
             rows: str, pages: bool = False) -> str:
    e = escape
    runtimes = runtimes_of(cells, results.runtimes)
    builds = ordered({c.build for c in cells}, build_order(results))
    columns = [(r, b) for r in runtimes for b in builds]
    by_key = {(c.case, c.runtime, c.build): c for c in cells}
    several = len(builds) > 1
    out = [
        f'<section class="target" data-target="{e(target)}"><h2 id="{e(anchor)}">{e(title)}</h2>',
        f'<table class="matrix"><thead><tr><th class="rowhead">{e(rows)}</th>',
    ]
    for runtime, toolchain in columns:
        below = f"<br><small>{e(toolchain)}</small>" if several else ""
        out.append(f'<th data-col="{e(runtime)}" data-toolchain="{e(toolchain)}">{e(runtime)}{below}</th>')
    out.append("</tr></thead><tbody>")
    for feature in features_of(cells):
        out.append(
            f'<tr class="feature-row" data-feature="{e(feature)}"><th class="rowhead">{e(feature)}</th>'
            + "".join(f'<td data-col="{e(r)}" data-toolchain="{e(t)}"></td>' for r, t in columns)
            + "</tr>"
        )
        for case in sorted({c.case for c in cells if c.group == feature}):
            out.append(
                f'<tr class="case-row" data-case="{e(case)}" data-feature="{e(feature)}">'
                f'<th class="rowhead">{e(case)}</th>'
            )
            for runtime, toolchain in columns:
                cell = by_key.get((case, runtime, toolchain))
                empty = f'<td class="empty" data-col="{e(runtime)}" data-toolchain="{e(toolchain)}"></td>'
                out.append(_cell(cell, results.name_of(cell), pages) if cell else empty)
            out.append("</tr>")
    out.append("</tbody></table></section>")
    return "\n".join(out)


def _select(key: str, values: list[str]) -> str:
    options = ['<option value="">all</option>']
    options += [f'<option value="{escape(v)}">{escape(v)}</option>' for v in values]
    return f'<label>{key} <select id="filter-{key}">' + "".join(options) + "</select></label>"


def _header(results: Results) -> str:
    e = escape
    meta = [
        ("date", results.header("date")),
        ("harness revision", results.header("harness_revision")),
        ("host", results.header("host")),
        ("builder", results.header("builder")),
        ("image", f"{results.header('image')} ({results.header('image_id')})"),
    ]
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in meta)
    versions = "".join(f"<tr><th>{e(k)}</th><td>{e(p)}</td><td>{e(b)}</td></tr>"
                       for k, p, b in version_rows(results))
    return (
        f'<table class="meta">{rows}</table>'
        f'<details><summary>component versions</summary><table class="meta">'
        f"<tr><th>component</th><th>package</th><th>the binary reports</th></tr>{versions}"
        "</table></details>"
    )


def _legend() -> str:
    items = [
        f'<tr><td class="v-{"fail" if not v.is_good else v}">{escape(v.symbol)}</td>'
        f"<td>{escape(v.legend)}</td></tr>"
        for v in Verdict
    ]
    items.append(
        f'<tr><td class="v-na">{NA_SYMBOL}</td><td>not applicable: not run, '
        "by a documented skip (reason in the cell)</td></tr>"
    )
    table = f'<table class="legend">{"".join(items)}</table>'
    return f"<details><summary>legend</summary>{table}</details>"


def _summary(results: Results, wasi: bool = False) -> str:
    """Counts per target and runtime (and build): of the std evidence, or of wasi-testsuite."""
    head = "".join(f"<th>{'N/A' if c == NA else c}</th>" for c in CATEGORIES)
    several = results.several_builds and not wasi
    rows = []
    for target, runtime, toolchain, mine in summary_groups(results, wasi):
        numbers = counts(mine)
        tds = []
        for category in CATEGORIES:
            text = str(numbers[category])
            if category == "fail" and numbers[category]:
                text += f" ({failing_breakdown(mine)})"
            tds.append(f"<td>{escape(text)}</td>")
        if wasi:
            tds.append(f"<td>{unsupported_by_harness(mine)}</td>")
        which = f"<th>{escape(toolchain)}</th>" if several else ""
        rows.append(
            f'<tr data-target="{escape(target)}" data-runtime="{escape(runtime)}">'
            f"<th>{escape(target)}</th><th>{escape(runtime)}</th>{which}{''.join(tds)}"
            f"<td>{len(mine)}</td></tr>"
        )
    which = "<th>build</th>" if several else ""
    harness = "<th>of which unsupported by harness</th>" if wasi else ""
    return (
        f'<p>{escape(FAIL_NOTE.replace("`", ""))}</p><table class="counts"><thead><tr>'
        f"<th>target</th><th>runtime</th>{which}{head}{harness}<th>total</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _answers(results: Results) -> str:
    """The answer per target, first, each linked to its dossier."""
    answers = target_answers(results)
    if not answers:
        return ""
    return ('<h2 id="answers">The answer per target</h2><p>Tier-2 readiness of each target on its '
            "reference runtime; each dossier argues it, requirement by requirement.</p>"
            f"{html_table(answers)}\n")


def render(results: Results, cell_pages: bool = False) -> str:
    """The whole matrix.html (`cell_pages`: each cell links its page of the site, cells/<id>.html)."""
    cells = results.cells
    labels = ordered({c.label for c in cells} | {"bad"})
    filters = (
        '<div class="filters">'
        + _select("target", results.targets)
        + _select("runtime", results.runtimes)
        + (_select("toolchain", build_order(results)) if results.several_builds
           else '<select id="filter-toolchain" hidden><option value="">all</option></select>')
        + _select("feature", ordered(f for c in cells for f in (c.features or (c.group,))))
        + _select("verdict", labels)
        + _select("kind", ordered(str(c.kind) for c in cells))
        + '<button id="filter-reset" type="button">reset</button> '
        f'<span id="shown-count">{len(cells)} of {len(cells)} cells shown</span></div>'
    )
    sections = [_target_section(results, t, cell_pages) for t in results.targets
                if any(c.is_std_evidence for c in results.for_target(t))]
    wasi_targets = [t for t in results.targets
                    if any(not c.is_std_evidence for c in results.for_target(t))]
    if wasi_targets:
        sections += [f'<h2 id="wasi-testsuite">{escape(WASI_TITLE)}</h2><p>{escape(WASI_NOTE)}</p>'
                     + _summary(results, wasi=True)]
        sections += [_wasi_section(results, t, cell_pages) for t in wasi_targets]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width">'
        "<title>Rust WebAssembly targets: conformance matrix</title>"
        f"<style>{CSS}</style></head>\n<body>"
        "<h1>Rust WebAssembly targets: conformance matrix</h1>\n"
        + ('<p><a href="index.html">the answers per target</a></p>' if cell_pages else "")
        + f"{_answers(results)}{_header(results)}\n{_legend()}\n<h2>Summary per target and runtime</h2>"
        f"{_summary(results)}\n{filters}\n"
        + "\n".join(sections)
        + "\n<p>Rows are grouped by the first feature each case lists; the feature filter "
        "matches any feature a case lists. Click a cell for its details.</p>"
        f"\n<script>{JS}</script>\n</body></html>\n"
    )
