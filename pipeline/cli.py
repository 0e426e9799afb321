"""The `govreport` command: a thin layer over the library.

It parses arguments, calls the library, and turns every error into one line
on stderr, `govreport: E### message` (usage mistakes included), and an exit
status: 0 all documents processed, 1 some failed (or the run could not
finish), 2 usage or rules error. No traceback, ever: an unexpected exception
is E999 with a pointer to `--debug`, which shows the traceback.
"""
from __future__ import annotations

import argparse
import atexit
import logging
import os
import sys
import threading

from . import __version__
from .errors import GovreportError, InputError, InternalError, NoInputs, OutputLocked, OutputUnwritable, UsageError
from .records import SEVERITIES

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms of every start)
if TYPE_CHECKING:
    from typing import Any, Sequence

# Imports stay inside the commands: `govreport --help` and `--version` load
# nothing but argparse, and each command only what it uses (see pipeline/__init__).


class _Parser(argparse.ArgumentParser):
    """argparse with our one-line error format (its own is a usage block and
    "govreport: error: …")."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# --- arguments and options several commands share, each defined once -------------------------------

def rules_option(parser: Any, help: str = "a folder of rules/*.yaml to use instead of the bundled rules") -> None:
    parser.add_argument("--rules", default=None, metavar="DIR", help=help)


def quiet_option(parser: Any, help: str = "print nothing but errors") -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help=help)


def json_option(parser: Any, help: str) -> None:
    parser.add_argument("--json", action="store_true", help=help)


def outdir_argument(parser: Any, help: str = "output folder of govreport extract") -> None:
    parser.add_argument("outdir", metavar="OUTDIR", help=help)


def outdirs_argument(parser: Any) -> None:
    parser.add_argument("outdirs", nargs="*", default=["outputs"], metavar="OUTDIR",
                        help="output folders of govreport extract; their tables are combined (default: outputs/)")


def command(sub: Any, name: str, func: Any, help: str, description: str) -> argparse.ArgumentParser:
    """A subcommand that runs `func(args)`; every command has a one-line help and a description."""
    parser = sub.add_parser(name, help=help, description=description)
    parser.set_defaults(func=func)
    return parser


def existing_outdir(path: str) -> None:
    """An OUTDIR argument must be a folder (before any work)."""
    from pathlib import Path

    if not Path(path).is_dir():
        raise _Usage(f"{path}: not a folder (give the output folder of govreport extract)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="govreport",
        description="Turn Chinese government reports (法治政府建设年度报告, 政府信息公开工作年度报告, "
                    "政府工作报告) into sections, tables and traceable numeric indicators.",
    )
    parser.add_argument("--version", action="version", version=f"govreport {__version__}")
    parser.add_argument("--debug", action="store_true", help="show debug messages and the traceback of an error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    ex = command(sub, "extract", cmd_extract, help="extract reports into JSON and CSV",
                 description="Extract metadata, sections and indicators from reports "
                             "(.txt .text .pdf .docx .doc .html .htm .shtml: pipeline.ingest.SUFFIX_FORMAT, which a test "
                             "compares with this; folders are walked recursively).")
    ex.add_argument("inputs", nargs="+", metavar="INPUT", help="report files or folders")
    ex.add_argument("-o", "--output", default="outputs", metavar="OUTDIR",
                    help="output folder (default: outputs/)")
    ex.add_argument("--jobs", type=int, default=None, metavar="N",
                    help="worker processes (default: all cores)")
    ex.add_argument("--format", default="json,csv,parquet", metavar="FORMATS",
                    help="output formats, comma-separated: json (one file per document), csv (the combined "
                         "tables), parquet (the same tables, typed); errors.csv is always written "
                         "(default: json,csv,parquet)")
    rules_option(ex)
    ex.add_argument("--stdout", action="store_true",
                    help="print one document's JSON on stdout instead of writing OUTDIR")
    quiet_option(ex, "print nothing but errors: no progress bar, no summary line")
    ex.add_argument("--progress", action="store_true",
                    help="show the progress bar even when stderr is not a terminal (default: only on a terminal)")
    ex.add_argument("--force", action="store_true",
                    help="process every document again, even those done and unchanged since the last run")
    ex.add_argument("--executor", choices=("local", "dask"), default="local",
                    help="local: worker processes on this machine (default); dask: a dask.distributed cluster")
    ex.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="with --executor dask: the scheduler's address, e.g. tcp://10.0.0.5:8786")
    ex.add_argument("--doc-timeout", type=float, default=None, metavar="SECONDS",
                    help="stop a document that takes longer than this and report it as an E015 error; the "
                         "batch goes on (default: 300; 0: no limit)")

    q = command(sub, "query", cmd_query, help="run DuckDB SQL over the output tables",
                description="Run DuckDB SQL over the tables of one or many output folders: views reports, "
                            "sections, indicators, errors and findings (read from the Parquet files, "
                            "or the CSV files where there is no Parquet).")
    q.add_argument("sql", metavar="SQL", help='the query, e.g. "SELECT indicator, count(*) FROM indicators '
                                              'GROUP BY 1 ORDER BY 2 DESC"')
    outdirs_argument(q)
    q_form = q.add_mutually_exclusive_group()
    q_form.add_argument("--csv", action="store_true", help="print CSV (every row) instead of a table")
    json_option(q_form, "print a JSON array of objects (every row)")
    q.add_argument("--max-rows", type=int, default=100, metavar="N",
                   help="rows shown in the table (default: 100); --csv and --json print every row")
    q.add_argument("--max-width", type=int, default=40, metavar="N",
                   help="columns of the widest cell in the table, longer cells are cut (default: 40)")

    cp = command(sub, "compare", cmd_compare, help="pivot one indicator by region or agency and year",
                 description="Pivot the achieved level of one indicator: rows regions (or agencies), "
                             "columns years. Per report: parts of a total are dropped, the largest "
                             "figure per actor is kept, named actors are added, never below the largest "
                             "unattributed figure; per cell: the largest report value (see README).")
    outdirs_argument(cp)
    cp.add_argument("--indicator", required=True, metavar="ID",
                    help="indicator id from rules/catalog.yaml, e.g. court_appearances")
    cp.add_argument("--by", choices=["region", "agency"], default="region",
                    help="rows: region (full name where known) or agency (default: region)")
    cp.add_argument("--years", metavar="A-B", help="only these years, e.g. 2020-2025 or 2024; every year of "
                                                   "the range becomes a column")
    cp.add_argument("--level", choices=["province", "city", "district", "county", "township", "all"],
                    default=None, help="only regions of this division level (default: the level most rows "
                                       "have; all: mix levels)")
    cp.add_argument("--region", metavar="NAME", default=None,
                    help="only this division and the divisions in it, by code prefix, e.g. 天津市 or 370100")
    cp.add_argument("--sort", choices=["region", "value", "-value"], default=None,
                    help="row order: region (name, the default), value or -value (by the value in the latest "
                         "of the years most rows have a value in; rows without one last)")
    cp.add_argument("--top", type=int, default=None, metavar="N",
                    help="only the first N rows (by -value unless --sort says otherwise)")
    cp.add_argument("--dim", action="append", default=[], metavar="NAME=VALUE",
                    help="the table cell of an indicator with dimensions, e.g. --dim applicant=total "
                         "(repeat for each dimension it has)")
    cp.add_argument("-o", "--output", metavar="FILE", help="also write the pivot to FILE.csv or FILE.xlsx")
    cp.add_argument("--chart", metavar="FILE.png",
                    help="also draw the pivot as a PNG chart (needs a CJK font, e.g. fonts-noto-cjk)")
    cp.add_argument("--measure", choices=["level", "change_pct", "change_abs"], default="level",
                    help="level (default), or a change: change_pct (增长5%%) or change_abs")
    cp.add_argument("--modality", choices=["achieved", "target", "planned"], default="achieved",
                    help="achieved (default), or target / planned: the columns are then the years the "
                         "figures are for (a 2026 report's targets are in column 2026)")
    quiet_option(cp, "do not print the table and notes")

    tg = command(sub, "targets", cmd_targets, help="work reports: each year's target beside what was achieved",
                 description="Per region, indicator and measure: the target for year N (from the "
                             "work report given early in N) beside the result for N (from the report "
                             "of N+1), and whether the target was missed (see README).")
    outdirs_argument(tg)
    tg.add_argument("--indicator", metavar="ID", default=None, help="only this indicator, e.g. gdp")
    tg.add_argument("--measure", choices=["level", "change_pct", "change_abs"], default=None,
                    help="only this measure (default: all)")
    tg.add_argument("--years", metavar="A-B", help="only these years, e.g. 2024-2026")
    tg.add_argument("--missed", action="store_true", help="only the targets that were missed")
    tg.add_argument("-o", "--output", metavar="FILE.csv", help="also write the table to FILE.csv")
    quiet_option(tg, "do not print the table")

    ev = command(sub, "evaluate", cmd_evaluate, help="score outputs against hand-coded gold files",
                 description="Precision, recall and F1 per indicator and overall, sections and metadata, "
                             "of OUTDIR/<id>.json against GOLD_DIR/<id>.json (format: see README, "
                             "\"Checking extraction against your own hand coding\").")
    ev.add_argument("gold_dir", metavar="GOLD_DIR", help="folder of hand-coded <id>.json gold files")
    outdir_argument(ev, "output folder of govreport extract over the same documents")
    json_option(ev, "print the figures as JSON")
    ev.add_argument("--details", action="store_true",
                    help="also list every missed, extra and mistyped fact and missed heading")

    vw = command(sub, "view", cmd_view, help="write a static review site of an output folder",
                 description="Write a static HTML site (opens from disk, no server, no network): an index "
                             "of the reports of OUTDIR and one page per report with every indicator "
                             "highlighted, the numbers not extracted muted, the section outline and "
                             "the findings.")
    outdir_argument(vw, "output folder of govreport extract (its *.json files)")
    vw.add_argument("-o", "--output", default="site", metavar="SITE",
                    help="folder to write index.html and the report pages to (default: site/)")
    rules_option(vw, "rules folder whose stop phrases explain the muted numbers (default: the bundled rules)")
    quiet_option(vw)

    il = command(sub, "indicators", cmd_indicators, help="list the indicator ids of the catalog",
                 description="List every indicator id of the catalog (rules/catalog.yaml) with its Chinese "
                             "label, unit class, dimensions and report type: the ids that compare "
                             "--indicator and the indicators table use.")
    il.add_argument("words", nargs="*", metavar="WORD",
                    help="only ids whose id or Chinese label contains every WORD, e.g. 复议 or court")
    il.add_argument("--type", default=None, metavar="TYPE", dest="report_type",
                    help="only the indicators of this report type, e.g. rule_of_law_annual")
    json_option(il, "print a JSON array of objects")
    rules_option(il)

    au = command(sub, "audit", cmd_audit, help="check which reported numbers do not add up, across reports too",
                 description="Run the cross-report checks (yoy_mismatch: a stated change against last "
                             "year's report of the same region and agency; cross_report_conflict: one "
                             "region, year and fact with different values in two reports; across_years: a table "
                             "carry-over of year N against the carried-in cell of year N+1) over an output "
                             "folder, write them to OUTDIR/findings_cross.csv and print a summary by check "
                             "and severity, with the within-report findings written by extract.")
    outdir_argument(au)
    json_option(au, "print the summary and the cross-report findings as JSON instead of a table")
    au.add_argument("--fail-on", choices=SEVERITIES, default=None, metavar="SEVERITY",
                    help="exit with status 1 when any finding is at least this severe: error, warning or info "
                         "(default: findings never change the exit status)")
    rules_option(au)
    return parser


def cmd_extract(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise _Usage("--jobs must be at least 1")
    if args.doc_timeout is not None and not args.doc_timeout >= 0:
        raise _Usage("--doc-timeout must be a number of seconds, 0 for no limit")
    formats = {f.strip() for f in args.format.split(",") if f.strip()}
    unknown = formats - {"json", "csv", "parquet"}
    if unknown:
        raise _Usage(f"unknown or not yet supported format(s): {', '.join(sorted(unknown))} "
                     "(supported: json, csv, parquet)")
    if not formats:
        raise _Usage("--format needs at least one of json, csv, parquet")
    if "parquet" in formats and not args.stdout:
        from .parquet_process import Converter

        # started before the pipeline is imported: it imports pyarrow meanwhile, on the other core
        with Converter.start() as converter:
            return _extract(args, formats, converter)
    return _extract(args, formats, None)


def _extract(args: argparse.Namespace, formats: set[str], converter) -> int:
    from .batch import DEFAULT_DOC_TIMEOUT, collect_inputs, internal_reason, run_batch
    from .extract import extract
    from .output import report_json
    from .rules import load_rules

    doc_timeout = DEFAULT_DOC_TIMEOUT if args.doc_timeout is None else (args.doc_timeout or None)
    rules = load_rules(args.rules)
    if args.stdout:
        paths = collect_inputs(args.inputs)
        if len(paths) != 1:
            raise _Usage(f"--stdout needs exactly one input document, got {len(paths)}")
        from pathlib import Path

        # the same guard as a batch's: any failure is one line, exit 1
        try:
            data = report_json(extract(Path(paths[0]), rules))
        except InputError as exc:
            print(f"govreport: {exc}", file=sys.stderr)
            return 1
        except RecursionError:
            print(f"govreport: E011 {paths[0]}: broken document: its structure nests without end "
                  "(a loop in the file?)", file=sys.stderr)
            return 1
        except Exception as exc:
            logging.getLogger(__name__).debug("unexpected failure", exc_info=True)
            print(f"govreport: E999 {paths[0]}: {internal_reason(exc)}", file=sys.stderr)
            return 1
        sys.stdout.buffer.write(data)
        return 0

    progress = not args.quiet and (args.progress or sys.stderr.isatty())

    def on_error(path: str, code: str, reason: str) -> None:
        line = f"govreport: {code} {path}: {reason}"
        if progress:
            from tqdm import tqdm

            tqdm.write(line, file=sys.stderr)  # above the bar, which is redrawn below it
        else:
            print(line, file=sys.stderr)

    if args.executor == "dask" and not args.scheduler:
        raise _Usage("--executor dask needs --scheduler tcp://HOST:PORT")
    result = run_batch(args.inputs, args.output, jobs=args.jobs, rules_dir=args.rules, on_error=on_error,
                       formats=formats, executor=args.executor, scheduler=args.scheduler, force=args.force,
                       progress=progress, doc_timeout=doc_timeout, converter=converter)
    if not args.quiet:
        print(f"govreport: {result.processed} processed, {result.skipped} skipped, {len(result.failed)} failed "
              f"in {result.elapsed:.2f}s ({result.extracting:.2f}s extracting) -> {args.output}", file=sys.stderr)
    return 1 if result.failed else 0


def cmd_query(args: argparse.Namespace) -> int:
    from .query import format_table, query, to_json, write_csv

    if args.max_rows < 0 or args.max_width < 4:
        raise _Usage("--max-rows must be at least 0 and --max-width at least 4")
    plain = not (args.csv or args.json)
    result = query(args.sql, args.outdirs, limit=args.max_rows if plain else None)
    if args.csv:
        write_csv(result.columns, result.rows, sys.stdout)
    elif args.json:
        sys.stdout.write(to_json(result.columns, result.rows))
    elif result.columns:
        sys.stdout.write(format_table(result.columns, result.rows, max_width=args.max_width, more=result.more))
    from .catalog import entries, id_like_literals, mistyped_ids

    if id_like_literals(args.sql):  # a mistyped indicator id gives no error, only fewer rows: say so
        for literal, close in mistyped_ids(args.sql, [e.id for e in entries()]):
            print(f"govreport: note: {literal!r} is not an indicator id (did you mean {', '.join(close)}?): "
                  "`govreport indicators` lists them", file=sys.stderr)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import check_chart_font, check_paths, compare, draw_chart, parse_years, write_pivot
    from .errors import FontMissing
    from .query import format_table

    years = parse_years(args.years)
    check_paths(args.output, args.chart)
    font, no_font = None, None
    if args.chart:
        try:  # known before any work; the table and the file are still written, the chart never with boxes
            font = check_chart_font()
        except FontMissing as exc:
            no_font = exc
    sort = args.sort or ("-value" if args.top is not None else "region")
    dims = {}
    for item in args.dim:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"--dim takes NAME=VALUE, e.g. applicant=total; got {item!r}")
        dims[name.strip()] = value.strip()
    pivot = compare(args.outdirs, args.indicator, by=args.by, years=years, level=args.level, region=args.region,
                    sort=sort, top=args.top, measure=args.measure, modality=args.modality,
                    dims=dims)
    if args.output:
        write_pivot(pivot, args.output)
    if args.chart and no_font is None:
        draw_chart(pivot, args.chart, font)
    if not args.quiet:
        print(f"{pivot.label} ({pivot.indicator}), {pivot.modality} {pivot.measure} in {pivot.unit}, "
              f"{pivot.documents} report(s)")
        sys.stdout.write(format_table(pivot.header(), pivot.table()))
        for note in pivot.notes:
            print(f"govreport: note: {note}", file=sys.stderr)
    if no_font is not None:
        written = f"; {args.output} written" if args.output else ""
        raise FontMissing(f"{no_font.message}: no chart drawn{written}")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from .compare import parse_years
    from .query import format_table
    from .targets import COLUMNS, targets, write_rows

    rows = targets(args.outdirs, indicator=args.indicator, measure=args.measure, years=parse_years(args.years))
    if args.missed:
        rows = [r for r in rows if r.status == "missed"]
    if args.output:
        write_rows(rows, args.output)
    if not args.quiet:
        sys.stdout.write(format_table(COLUMNS, [r.cells() for r in rows]))
        sys.stdout.flush()
        missed = sum(r.status == "missed" for r in rows)
        both = sum(bool(r.status) for r in rows)
        print(f"govreport: {both} target(s) with a result, {missed} missed", file=sys.stderr)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from .evaluate import evaluate, report_lines

    ev = evaluate(args.gold_dir, args.outdir, details=args.details)
    if args.json:
        data = ev.to_dict()
        if args.details:
            data["details"] = list(ev.details)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write("\n".join(report_lines(ev)) + "\n")
    return 0


def cmd_view(args: argparse.Namespace) -> int:
    from .view import load_reports, write_site

    existing_outdir(args.outdir)
    if not load_reports(args.outdir)[0]:
        print(f"govreport: {UsageError.code} {args.outdir}: no report JSON found (run govreport extract first)",
              file=sys.stderr)
        return 1
    result = write_site(args.outdir, args.output, rules=args.rules)
    if not args.quiet:
        print(f"govreport: {len(result.pages)} report page(s) -> {result.index}", file=sys.stderr)
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    import json

    from .catalog import entries, report_types
    from .query import format_table
    from .rules import load_rules

    rules = load_rules(args.rules)
    if args.report_type is not None and args.report_type not in report_types(rules):
        raise _Usage(f"unknown report type {args.report_type!r} (known: {', '.join(report_types(rules))})")
    found = [e for e in entries(rules, args.report_type)
             if all(w.lower() in e.id or w in e.label for w in args.words)]
    if args.json:
        sys.stdout.write(json.dumps([e.to_dict() for e in found], ensure_ascii=False, indent=1) + "\n")
    else:
        rows = [(e.id, e.label, e.unit_class, ",".join(e.dims), e.report_type or "") for e in found]
        sys.stdout.write(format_table(("id", "label", "unit_class", "dims", "report_type"), rows, max_width=72))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .audit import audit_folder, format_summary, summary
    from .output import DOCUMENT_COLUMNS, FINDING_COLUMNS, CsvTable, finding_row
    from .store import report_findings

    existing_outdir(args.outdir)
    out = Path(args.outdir)
    stats: dict = {}
    cross = audit_folder(out, args.rules, stats=stats)
    table = CsvTable(out / "findings_cross.csv", FINDING_COLUMNS)
    try:
        for f in cross:
            first = f.evidence[0] if f.evidence else {}  # the finding's own document: the later report
            table.write(finding_row(f.to_dict(), {k: first.get(k) for k in DOCUMENT_COLUMNS}))
    except BaseException:
        table.abort()
        raise
    table.close()
    within = report_findings(out)
    rows = summary(within, cross)
    if args.json:
        from .output import json_bytes

        data = {"documents": stats.get("documents"), "summary": rows, "cross_findings": [f.to_dict() for f in cross]}
        sys.stdout.write(json_bytes(data, indent=True).decode("utf-8") + "\n")  # decimals exact
    else:
        sys.stdout.write(format_summary(rows))
        print(f"govreport: audited {stats.get('documents')} document(s): {len(within)} finding(s) within reports, "
              f"{len(cross)} across reports -> {out / 'findings_cross.csv'}", file=sys.stderr)
    if args.fail_on:
        worst = SEVERITIES.index(args.fail_on)
        severities = [str(f.get("severity")) for f in within] + [f.severity for f in cross]
        if any(s in SEVERITIES and SEVERITIES.index(s) <= worst for s in severities):
            return 1
    return 0


class _Usage(UsageError):
    """A mistake in the arguments (E201)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


def _exit_status(exc: GovreportError) -> int:
    # 2: the command itself is wrong (arguments, rules, SQL); 1: it ran and could not finish
    if isinstance(exc, (OutputLocked, OutputUnwritable, NoInputs)):
        return 1
    return 2 if exc.code.startswith(("E1", "E2")) else 1


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    # `--sort -value` reads as two options to argparse: glue the value on (--sort=-value)
    for i in range(len(argv) - 1):
        if argv[i] == "--sort" and argv[i + 1].startswith("-"):
            argv[i:i + 2] = [f"--sort={argv[i + 1]}"]
            break
    logging.basicConfig(level=logging.WARNING, format="govreport: %(levelname)s %(message)s")
    ours = logging.getLogger("pipeline")
    level = ours.level
    if debug:
        ours.setLevel(logging.DEBUG)
    # libraries that log on their own (trafilatura's "discarding data" …) stay quiet
    for noisy in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "jieba", "pdfminer"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    try:
        parser = build_parser()
        args = parser.parse_args([a for a in argv if a != "--debug"])
        if not getattr(args, "command", None):
            parser.print_help(sys.stderr)
            return 2
        return args.func(args)
    except GovreportError as exc:
        if debug:
            logging.getLogger(__name__).debug("traceback", exc_info=True)
        print(f"govreport: {exc}", file=sys.stderr)
        return _exit_status(exc)
    except KeyboardInterrupt:
        print("govreport: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # stdout closed early (`| head`): not an error of ours, and no traceback at exit
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 1
    except Exception as exc:  # a bug: one line, and the traceback with --debug
        if debug:
            import traceback

            traceback.print_exc()
        error = InternalError(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        print(f"govreport: {error}", file=sys.stderr)
        return 1
    finally:
        ours.setLevel(level)  # main() may be called again in the same process (tests, notebooks)


def run() -> None:
    """The `govreport` command (and `python -m pipeline`): `main`, then the
    exit a normal one makes — the library clean-ups registered with `atexit`,
    other threads joined, the standard streams flushed — without the
    interpreter's teardown of every object it holds (the rules, the division
    table, the tokenizer: 50-70 ms after a batch, for nothing, since every
    output is closed by the time `main` returns)."""
    code = main()
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or stream: nothing more to say there
            code = code or 1
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
