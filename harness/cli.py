"""Command line: `python -m harness COMMAND`; the commands are the subparsers below."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.catalogue.toolchains import Toolchain
from harness.errors import UserError
from harness.suites.yaml_files import SuiteError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m harness", description=__doc__)
    parser.add_argument("--runtime-plugin", action="append", default=[], type=Path, metavar="FILE",
                        help="a Python file defining Runtime subclasses (extra runtime columns)")
    sub = parser.add_subparsers(dest="command", required=True)

    setup = sub.add_parser("setup", help="start the Docker engine if needed and build the images")
    setup.add_argument("--toolchains", default="", metavar="LIST",
                       help="comma-separated toolchains of harness/catalogue/toolchains.yaml, or `all` "
                            "(default: the catalogue's default)")
    setup.add_argument("--strict-pins", action="store_true",
                       help="stop when a pinned package version is no longer on the mirror")
    setup.add_argument("--print-tags", action="store_true",
                       help="print the tags the images would have and stop (no Docker needed): "
                            "a tag names its recipe, so it can key a CI cache")

    check = sub.add_parser("check-registries",
                           help="prove that every image recipe still installs from today's registries "
                                "(npm ci, pinned wheels, Cargo.locks, Debian pins), cached images or not")
    check.add_argument("--strict-pins", action="store_true",
                       help="a Debian pin the mirror no longer has is a failure, not a note")
    sub.add_parser("lock-npm", help="refresh docker/runtimes/jco/package-lock.json with the image's npm")

    doctor = sub.add_parser("doctor", help="report the engine, images, components, toolchains and targets")
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    doctor.add_argument("--toolchains", default="all", metavar="LIST",
                        help="the toolchains to report on (default: all of the catalogue)")

    report = sub.add_parser("report", help="build reports/ from a results file")
    report.add_argument("results", nargs="?", type=Path, default=Path("reports/results.json"))
    report.add_argument("-o", "--out-dir", type=Path, default=Path("reports"))
    report.add_argument("--history", type=Path, metavar="DIR",
                        help="a folder of earlier results files: the dossiers use it")
    report.add_argument("--wasi-reference", type=Path, action="append", default=[], metavar="FILE",
                        help="wasi-testsuite's own results (its runner's report or a published daily "
                             "file): the wasi-testsuite sections compare with it")

    history = sub.add_parser("history", help="a folder of results files (the nightly's) -> "
                                             "history.md and history.html")
    history.add_argument("folder", type=Path)
    history.add_argument("-o", "--out-dir", type=Path, default=Path("reports"))
    history.add_argument("--keep-summaries", action="store_true",
                         help="keep each night's summary beside it (NAME.summary.json), so the folder "
                              "carries them (the nightly's results branch)")

    site = sub.add_parser("site", help="the static site of a run: the answers per target first, then the "
                                       "matrix, dossiers, a page per cell, history and diff")
    site.add_argument("results", nargs="+", type=Path, metavar="RESULTS",
                      help="a results file (several: shards of one run, merged)")
    site.add_argument("--history", type=Path, metavar="DIR",
                      help="a folder of the nightly runs' results files: history.html and the trends")
    site.add_argument("--compare", type=Path, metavar="PREV.json",
                      help="a previous run's results file: diff.html")
    site.add_argument("-o", "--out-dir", type=Path, required=True)

    compare = sub.add_parser("compare-wasi-testsuite",
                             help="compare a run's wasi-testsuite verdicts with the suite's own results")
    compare.add_argument("references", type=Path, nargs="+", metavar="REFERENCE.json",
                         help="its runner's --json-output-location reports, or its published daily "
                              "results files (prod/daily-test-results: results/<runtime>/<date>.json)")
    compare.add_argument("--results", type=Path, default=Path("reports/results.json"))
    compare.add_argument("--runtime", help="the harness's column to compare with (default: the column of "
                                           "the reference's runtime with the same major version)")

    diff = sub.add_parser("diff", help="list cells whose verdict changed; exit 1 on a regression")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("-o", "--out-dir", type=Path, default=Path("reports"))

    merge = sub.add_parser("merge", help="combine the results of shards into one file")
    merge.add_argument("inputs", nargs="+", type=Path)
    merge.add_argument("-o", "--output", type=Path, required=True)

    recover = sub.add_parser("recover", help="write results.json from the record files of a run "
                                             "whose pytest controller died")
    recover.add_argument("results_dir", type=Path, nargs="?", default=Path("reports"))
    recover.add_argument("--run", help="the run id (a folder of DIR/.records; default: the newest)")

    cache = sub.add_parser("cache", help="show or clear the persistent caches")
    cache.add_argument("action", choices=["info", "clear"])

    lock = sub.add_parser("lock", help="make or update a workspace's Cargo.lock: against the registry "
                                       "(the host's cargo), else offline against the image's crates")
    lock.add_argument("workspace", type=Path)
    lock.add_argument("--offline", action="store_true", help="only the crates the image vendors")
    lock.add_argument("--toolchain", default="", help="whose image (default: the catalogue's default)")

    rules = sub.add_parser("expectations", help="list the rules of a suites folder and the cells each "
                                                "decides; exit 1 when one decides none (stale)")
    rules.add_argument("suites", nargs="?", type=Path, default=Path("suites"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.runtime_plugin:
            from harness.runtime import REGISTRY

            REGISTRY.add_files(args.runtime_plugin)
        return _dispatch(args)
    except (UserError, SuiteError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a file the command was told to write or read
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _toolchains(text: str) -> list[Toolchain]:
    """`a,b` -> those toolchains, `all` -> the whole catalogue, "" -> the default."""
    from harness.catalogue.toolchains import all_toolchains, pick

    if text.strip() == "all":
        return list(all_toolchains().values())
    return pick([n.strip() for n in text.split(",") if n.strip()])


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "setup":
        from harness.images.recipes import needed_specs, setup

        if args.print_tags:
            for spec in needed_specs(_toolchains(args.toolchains)):
                print(spec.tag)
            return 0
        for tag in setup(_toolchains(args.toolchains), strict=args.strict_pins):
            print(tag)
        return 0
    if args.command == "check-registries":
        from harness.images.registry_check import check_registries

        return check_registries(strict_pins=args.strict_pins)
    if args.command == "lock-npm":
        from harness.images.registry_check import lock_npm

        print(lock_npm())
        return 0
    if args.command == "doctor":
        from harness.commands.doctor import run as run_doctor

        return run_doctor(_toolchains(args.toolchains), as_json=args.json)
    if args.command == "report":
        from harness.report import build_reports

        for path in build_reports(args.results, args.out_dir, args.history, args.wasi_reference):
            print(path)
        return 0
    if args.command == "history":
        from harness.report.history import history_command

        return history_command(args.folder, args.out_dir, args.keep_summaries)
    if args.command == "site":
        from harness.report.site.build import site_command

        return site_command(args.results, args.out_dir, args.history, args.compare)
    if args.command == "compare-wasi-testsuite":
        from harness.report.wasi_compare import compare_command

        return compare_command(args.references, args.results, args.runtime)
    if args.command == "diff":
        from harness.report.diff import diff_command

        return diff_command(args.old, args.new, args.out_dir)
    if args.command == "merge":
        from harness.report.merge import merge_files

        merge_files(args.inputs, args.output)
        print(args.output)
        return 0
    if args.command == "recover":
        from harness.run.recover import recover_command

        return recover_command(args.results_dir, args.run)
    if args.command == "cache":
        from harness.artifacts.cache import cache_command

        return cache_command(args.action)
    if args.command == "lock":
        from harness.artifacts.crate_sources import lock_with_registry
        from harness.images.recipes import toolchain_tag
        from runners.docker_builder import make_lockfile

        workspace = args.workspace.resolve()
        if not (workspace / "Cargo.toml").is_file():
            raise UserError(f"{workspace}: no Cargo.toml")
        why = "--offline" if args.offline else lock_with_registry(workspace)
        if why is None:
            print(f"{workspace / 'Cargo.lock'} (resolved against the registry)")
            return 0
        if not args.offline:
            print(f"lock: no registry answered ({why}); resolving offline against the crates the "
                  "image vendors", file=sys.stderr)
        (toolchain,) = _toolchains(args.toolchain)
        print(f"{make_lockfile(workspace, toolchain_tag(toolchain))} (offline, the image's crates)")
        return 0
    if args.command == "expectations":
        from harness.commands.rules import expectations_command

        return expectations_command(args.suites)
    raise AssertionError(args.command)
