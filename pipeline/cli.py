"""The `govreport` command: a thin layer over the library.

It parses arguments, calls the library, and turns typed errors into one line
on stderr and an exit status: 0 all documents processed, 1 some failed,
2 usage error. No traceback for anything a user can cause.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

from . import __version__
from .errors import GovreportError, InputError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govreport",
        description="Turn Chinese annual rule-of-law government reports (法治政府建设年度报告) "
                    "into sections and traceable numeric indicators.",
    )
    parser.add_argument("--version", action="version", version=f"govreport {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ex = sub.add_parser("extract", help="extract reports into JSON and CSV",
                        description="Extract metadata, sections and indicators from reports "
                                    "(.txt .pdf .docx .doc .html .htm; folders are walked recursively).")
    ex.add_argument("inputs", nargs="+", metavar="INPUT", help="report files or folders")
    ex.add_argument("-o", "--output", default="outputs", metavar="OUTDIR",
                    help="output folder (default: outputs/)")
    ex.add_argument("--jobs", type=int, default=None, metavar="N",
                    help="worker processes (default: all cores)")
    ex.add_argument("--format", default="json,csv", metavar="FORMATS",
                    help="output formats, comma-separated: json (one file per document), csv (the combined "
                         "tables); errors.csv is always written (default: json,csv)")
    ex.add_argument("--rules", default=None, metavar="DIR",
                    help="a folder of rules/*.yaml to use instead of the bundled rules")
    ex.add_argument("--stdout", action="store_true",
                    help="print one document's JSON on stdout instead of writing OUTDIR")
    ex.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    ex.set_defaults(func=cmd_extract)
    return parser


def cmd_extract(args: argparse.Namespace) -> int:
    from .batch import collect_inputs, run_batch
    from .extract import extract
    from .output import report_json
    from .rules import load_rules

    if args.jobs is not None and args.jobs < 1:
        raise _Usage("--jobs must be at least 1")
    formats = {f.strip() for f in args.format.split(",") if f.strip()}
    unknown = formats - {"json", "csv"}
    if unknown:
        raise _Usage(f"unknown or not yet supported format(s): {', '.join(sorted(unknown))} (supported: json, csv)")
    if not formats:
        raise _Usage("--format needs at least one of json, csv")
    rules = load_rules(args.rules)
    if args.stdout:
        paths = collect_inputs(args.inputs)
        if len(paths) != 1:
            raise _Usage(f"--stdout needs exactly one input document, got {len(paths)}")
        from pathlib import Path

        try:
            report = extract(Path(paths[0]), rules)
        except InputError as exc:
            print(f"govreport: {exc}", file=sys.stderr)
            return 1
        sys.stdout.buffer.write(report_json(report))
        return 0

    def on_error(path: str, code: str, reason: str) -> None:
        print(f"govreport: {path}: {code} {reason}", file=sys.stderr)

    result = run_batch(args.inputs, args.output, jobs=args.jobs, rules_dir=args.rules, on_error=on_error,
                       formats=formats)
    if not args.quiet:
        print(f"govreport: {result.processed} processed, {len(result.failed)} failed -> {args.output}",
              file=sys.stderr)
    return 1 if result.failed else 0


class _Usage(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="govreport: %(levelname)s %(message)s")
    try:
        return args.func(args)
    except _Usage as exc:
        print(f"govreport: error: {exc}", file=sys.stderr)
        return 2
    except GovreportError as exc:
        print(f"govreport: {exc}", file=sys.stderr)
        return 2 if exc.code.startswith(("E1", "E2")) else 1
    except KeyboardInterrupt:
        print("govreport: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
