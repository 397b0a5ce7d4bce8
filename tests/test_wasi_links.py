"""Which WASI 0.3 versions a column links, from its probes, against the runtime catalogue."""

from __future__ import annotations

from harness.report.wasi_links import WasiLink, catalogue_disagreements, probed_version, wasi_links
from harness.results.record import CellResult
from harness.results.verdict import Verdict

P3_2 = ["wasi:cli/environment@0.3.2", "wasi:cli/stdout@0.3.2"]
P3_0 = ["wasi:cli/environment@0.3.0"]


def cell(runtime: str, imports: list[str], verdict: Verdict, reason: str = "",
         case: str = "async-main.p3v2") -> CellResult:
    return CellResult(case=case, target="wasm32-wasip2", runtime=runtime, verdict=verdict, reason=reason,
                      wasi_imports=imports)


def test_a_probe_is_an_artifact_of_one_wasi_03_version() -> None:
    assert probed_version(cell("x", P3_2, Verdict.PASS)) == "0.3.2"
    assert probed_version(cell("x", ["wasi:cli/stdout@0.2.6", *P3_0], Verdict.PASS)) == "0.3.0"
    assert probed_version(cell("x", [*P3_0, *P3_2], Verdict.PASS)) is None
    assert probed_version(cell("x", ["wasi_snapshot_preview1"], Verdict.PASS)) is None


def test_a_run_links_and_a_load_error_refuses() -> None:
    links = wasi_links([
        cell("wasmtime-50", P3_2, Verdict.PASS),
        cell("wasmtime-49", P3_2, Verdict.LOAD_ERROR),
        cell("wasmtime-45", P3_2, Verdict.XFAIL, "old (observed: load-error: no matching implementation)"),
        cell("jco", P3_2, Verdict.UNAVAILABLE),  # not tried
    ])
    assert links == [
        WasiLink("wasmtime-45", "0.3.2", (), ("async-main.p3v2[wasm32-wasip2]",)),
        WasiLink("wasmtime-49", "0.3.2", (), ("async-main.p3v2[wasm32-wasip2]",)),
        WasiLink("wasmtime-50", "0.3.2", ("async-main.p3v2[wasm32-wasip2]",), ()),
    ]


def test_the_catalogue_is_told_where_it_disagrees_with_the_probes() -> None:
    links = wasi_links([cell("wasmtime-50", P3_2, Verdict.PASS), cell("wasmtime-48", P3_0, Verdict.PASS),
                        cell("wasmtime-49", P3_0, Verdict.LOAD_ERROR)])
    columns = {"wasmtime-50": {"wasi": ["0.1", "0.2", "0.3.0"]}, "wasmtime-49": {"wasi": ["0.2", "0.3.0"]},
               "wasmtime-48": {"wasi": ["0.3.0"]}}
    assert catalogue_disagreements(links, columns) == [
        "harness/catalogue/runtimes.yaml lists WASI 0.3.0 for wasmtime-49, but it refused every probe of it "
        "(async-main.p3v2[wasm32-wasip2])",
        "wasmtime-50 links WASI 0.3.2 (async-main.p3v2[wasm32-wasip2] ran) but "
        "harness/catalogue/runtimes.yaml does not list it",
    ]


def test_the_matrix_table_shows_each_column_and_version() -> None:
    from harness.report.wasi_links import link_lines

    links = wasi_links([cell("wasmtime-50", P3_2, Verdict.PASS), cell("wasmtime-49", P3_0, Verdict.PASS),
                        cell("wasmtime-49", P3_2, Verdict.LOAD_ERROR)])
    columns = {"wasmtime-49": {"wasi": ["0.3.0"]}, "wasmtime-50": {"wasi": ["0.3.0"]}}
    assert link_lines(links, columns, ["wasmtime-49", "wasmtime-50"]) == [
        "| runtime | WASI 0.3.0 | WASI 0.3.2 |", "|---|---|---|",
        "| wasmtime-49 | links | refuses |", "| wasmtime-50 |  | links |", "",
        "- the catalogue disagrees: wasmtime-50 links WASI 0.3.2 (async-main.p3v2[wasm32-wasip2] ran) but "
        "harness/catalogue/runtimes.yaml does not list it"]
