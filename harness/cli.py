"""Command line: `python -m harness setup|doctor|report|diff|merge|cache`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


class UserError(Exception):
    """A problem the user can fix; printed as one line, without a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m harness", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("setup", help="start the Docker engine if needed and build the toolchain image")

    doctor = sub.add_parser("doctor", help="report the engine, image, components and targets")
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")

    report = sub.add_parser("report", help="build reports/ from a results file")
    report.add_argument("results", nargs="?", type=Path, default=Path("reports/results.json"))
    report.add_argument("-o", "--out-dir", type=Path, default=Path("reports"))

    diff = sub.add_parser("diff", help="list cells whose verdict changed; exit 1 on a regression")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("-o", "--out-dir", type=Path, default=Path("reports"))

    merge = sub.add_parser("merge", help="combine the results of shards into one file")
    merge.add_argument("inputs", nargs="+", type=Path)
    merge.add_argument("-o", "--output", type=Path, required=True)

    cache = sub.add_parser("cache", help="show or clear the persistent caches")
    cache.add_argument("action", choices=["info", "clear"])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "setup":
        from harness.image import setup

        print(setup())
        return 0
    if args.command == "doctor":
        from harness.doctor import run as run_doctor

        return run_doctor(as_json=args.json)
    if args.command == "report":
        from harness.report import build_reports

        for path in build_reports(args.results, args.out_dir):
            print(path)
        return 0
    if args.command == "diff":
        from harness.report.diff import diff_command

        return diff_command(args.old, args.new, args.out_dir)
    if args.command == "merge":
        from harness.report.merge import merge_files

        merge_files(args.inputs, args.output)
        print(args.output)
        return 0
    if args.command == "cache":
        from harness.cache import cache_command

        return cache_command(args.action)
    raise AssertionError(args.command)
