"""SQL over one or many output folders, with DuckDB.

`connect(outdirs)` opens an in-memory DuckDB database with one view per table
(`reports`, `sections`, `indicators`, `errors`, `findings`). Each view reads the
files of every folder directly — `read_parquet([...])`, or `read_csv(...)` for
a folder that has only CSV — so nothing is loaded row by row in Python and a
query over the tables of 10,000 documents answers in well under a second.
A table that no folder has yet (e.g. `findings`) is an empty view with the
right columns, so queries written for it still run.

The same document reached through two folders (same content, same `doc_id`)
is not de-duplicated here: `query` shows the files as they are; `compare`
de-duplicates.

The connection is a sandbox (`lock_down`): once the views exist, DuckDB's
access to files is off except for reading the table files themselves, the
configuration is locked, and only SELECT (and EXPLAIN) statements run. A
query cannot read another file (`read_text('/etc/passwd')`, `glob`), write
one (`COPY … TO`), attach a database or install an extension. Folder names
are taken literally, never as glob patterns (a folder named `g*`).

`format_table`, `write_csv` and `to_json` turn a result into the command's
three output forms.
"""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Sequence

from .errors import QueryError, UsageError
from .output import csv_value, json_bytes, spreadsheet_cell
from .records import ADDITIVE_UNIT_CLASSES, json_number
from .store import SQL_TYPES, TABLES, column_type, csv_header, table_files

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

VIEWS = tuple(TABLES)

# Views made from the tables, beside them. `report_values` is THE rule of "one
# value per report" (README, "Comparing regions and years"): `compare` reads
# its pivot from this view, so the rule has one definition, usable from SQL.
#
# Per report, indicator and unit class (and dimensions, where a table has them),
# over the achieved levels (modality achieved, measure level; ranges at their
# low end; `other` left out — it gathers unrelated facts):
#   1. parts are dropped: a mention whose rule ends in /inherit took its id from
#      the total just before it in the sentence;
#   2. counts, people, money: the largest mention per actor, the named actors'
#      figures added, never below the largest mention without an actor;
#   3. rates, points, durations: the first mention without an actor, else the first.
# `mentions` counts the mentions the value was chosen from.
_ADDITIVE = ("greatest(coalesce(max(top) FILTER (WHERE actor IS NULL), 0), "
             "coalesce(sum(top) FILTER (WHERE actor IS NOT NULL), 0))")
_FIRST = ("coalesce(arg_min(first_value, first_start) FILTER (WHERE actor IS NULL), "
          "arg_min(first_value, first_start))")
REPORT_VALUES_SQL = f"""
WITH m AS (
    -- DISTINCT: the same document reached through two folders or two paths counts once
    SELECT DISTINCT doc_id, year, region, region_code, agency, report_type, indicator, label, actor, value, unit,
           unit_class, start, "end", rule{{dims}}
    FROM indicators
    WHERE modality = 'achieved' AND measure = 'level' AND value IS NOT NULL AND unit_class IS NOT NULL
      AND indicator IS NOT NULL AND indicator <> 'other' AND NOT coalesce(rule LIKE '%/inherit', false)
), per_actor AS (
    SELECT doc_id, indicator, unit_class{{dims}}, actor, max(value) AS top, arg_min(value, start) AS first_value,
           min(start) AS first_start, arg_min(unit, start) AS first_unit, any_value(label) AS label,
           count(*) AS n, any_value(year) AS year, any_value(region) AS region,
           any_value(region_code) AS region_code, any_value(agency) AS agency,
           any_value(report_type) AS report_type
    FROM m GROUP BY doc_id, indicator, unit_class{{dims}}, actor
), per_doc AS (
    SELECT doc_id, indicator, unit_class{{dims}},
           CASE WHEN unit_class IN {ADDITIVE_UNIT_CLASSES!r} THEN {_ADDITIVE} ELSE {_FIRST} END AS value,
           arg_min(first_unit, first_start) AS unit, any_value(label) AS label, sum(n)::INTEGER AS mentions,
           any_value(year) AS year, any_value(region) AS region, any_value(region_code) AS region_code,
           any_value(agency) AS agency, any_value(report_type) AS report_type
    FROM per_actor GROUP BY doc_id, indicator, unit_class{{dims}}
), docs AS (
    SELECT doc_id, any_value(region_full_name) AS region_full_name, any_value(region_level) AS region_level
    FROM reports GROUP BY doc_id
)
SELECT doc_id, year, region, region_full_name, region_code, region_level, agency, report_type,
       indicator, label, unit_class, unit, value, mentions{{dims}}
FROM per_doc LEFT JOIN docs USING (doc_id)
"""

# Every finding beside each indicator mention it names (its evidence spans), so
# "which facts are in doubt" is a join away: one row per finding and mention.
FINDING_INDICATORS_SQL = """
WITH f AS (
    SELECT DISTINCT doc_id, "check", severity, message, unnest(string_split(spans, ';')) AS span FROM findings
    WHERE spans IS NOT NULL AND spans <> ''
)
SELECT DISTINCT f.doc_id, i.source, i.year, i.region, i.region_code, i.agency, f."check", f.severity, f.message,
       i.indicator, i.label, i.value, i.unit, i.unit_class, i.measure, i.modality, i.actor, i.text, i.start,
       i."end", i.sentence
FROM f JOIN indicators i
  ON i.doc_id = f.doc_id
 AND i.start = TRY_CAST(split_part(f.span, '-', 1) AS INTEGER)
 AND i."end" = TRY_CAST(split_part(f.span, '-', 2) AS INTEGER)
"""
DERIVED_VIEWS = ("report_values", "finding_indicators")




@dataclass(frozen=True)
class Result:
    """A query's answer: column names and DuckDB type names, and the rows fetched.

    `more` is True when rows were left unfetched (a `limit` was given).
    """

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    more: bool = False


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _literal_path(path: Path) -> str:
    """A file path DuckDB reads as itself, not as a glob: * ? [ in a folder
    name are escaped as one-character classes ([*] [?] [[])."""
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in str(path.absolute()))


def _sql_list(paths: Iterable[Path]) -> str:
    return "[" + ", ".join(_sql_str(_literal_path(p)) for p in paths) + "]"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_select(files: list[Path]) -> str:
    """SELECT over CSV tables with the same column types as the Parquet ones."""
    columns = list(dict.fromkeys(c for f in files for c in csv_header(f)))
    typed = [f"CAST({_ident(c)} AS {SQL_TYPES[column_type(c)]}) AS {_ident(c)}"
             if column_type(c) != "string"
             # the text as written: the CSV cell's formula marking undone (output.unneutralise)
             else f"CASE WHEN starts_with({_ident(c)}, '''') THEN {_ident(c)}[2:] ELSE {_ident(c)} END AS {_ident(c)}"
             for c in columns]
    replace = f" REPLACE ({', '.join(typed)})" if typed else ""
    # all_varchar: no type guessing (a section id "1.2" is not a number); the casts above type the rest
    return (f"SELECT *{replace} FROM read_csv({_sql_list(files)}, header=true, all_varchar=true, "
            f"union_by_name=true, quote='\"', escape='\"')")


def _empty_select(name: str) -> str:
    cols = ", ".join(f"CAST(NULL AS {SQL_TYPES[column_type(c)]}) AS {_ident(c)}" for c in TABLES[name])
    return f"SELECT {cols} WHERE false"


def view_sql(name: str, outdirs: Sequence[Path]) -> str:
    """The SELECT behind one view over the given folders."""
    parquet, csvs = [], []
    for d in outdirs:
        f = table_files(d).get(name)
        if f is None:
            continue
        (parquet if f.suffix == ".parquet" else csvs).append(f)
    parts = []
    if parquet:
        # each run's Parquet has the decimal scale its values need; the view has one type for all
        decimals = [f"CAST({_ident(c)} AS {SQL_TYPES['decimal']}) AS {_ident(c)}"
                    for c in TABLES[name] if column_type(c) == "decimal"]
        replace = f" REPLACE ({', '.join(decimals)})" if decimals else ""
        parts.append(f"SELECT *{replace} FROM read_parquet({_sql_list(parquet)}, union_by_name=true)")
    if csvs:
        parts.append(_csv_select(csvs))
    if not parts:
        return _empty_select(name)
    return " UNION ALL BY NAME ".join(parts)


def check_outdirs(outdirs: Sequence[str | Path]) -> list[Path]:
    """The folders as Paths; a missing folder or one without tables is a UsageError."""
    if not outdirs:
        raise UsageError("no output folder given")
    found = []
    for d in outdirs:
        p = Path(d)
        if not p.is_dir():
            raise UsageError("no such output folder (run `govreport extract INPUT -o OUTDIR` first)", str(d))
        if not table_files(p):
            raise UsageError("holds no govreport tables (run `govreport extract INPUT -o OUTDIR` first)", str(d))
        found.append(p)
    return list(dict.fromkeys(found))


def connect(outdirs: Sequence[str | Path]) -> "duckdb.DuckDBPyConnection":
    """An in-memory DuckDB connection with a view per table over all `outdirs`."""
    try:
        import duckdb
    except ImportError:
        raise UsageError("query and compare need DuckDB (pip install duckdb)") from None

    dirs = check_outdirs(outdirs)
    con = duckdb.connect(":memory:")
    for name in VIEWS:
        try:
            con.execute(f"CREATE VIEW {_ident(name)} AS {view_sql(name, dirs)}")
        except duckdb.Error as exc:  # an unreadable or foreign file in a folder
            raise UsageError(f"cannot read the {name} table: {one_line(str(exc))}",
                             ", ".join(map(str, dirs))) from None
    dims = "".join(f", {_ident(d)}" for d in dimension_columns(con))
    con.execute(f"CREATE VIEW report_values AS {REPORT_VALUES_SQL.format(dims=dims)}")
    con.execute(f"CREATE VIEW finding_indicators AS {FINDING_INDICATORS_SQL}")
    lock_down(con, [f for d in dirs for f in table_files(d).values()])  # after the last view
    return con


def dimension_columns(con: "duckdb.DuckDBPyConnection") -> list[str]:
    """Columns of `indicators` beyond this version's: the dimensions of table cells
    (one column per dimension name), which `report_values` keeps apart."""
    from .output import DIM_COLUMNS

    base = set(TABLES["indicators"]) - set(DIM_COLUMNS)
    extra = [r[0] for r in con.execute("DESCRIBE indicators").fetchall() if r[0] not in base]
    if all(c in DIM_COLUMNS for c in extra):  # the usual case: the bundled dimensions, no rules to load
        return extra
    from .catalog import entries

    dims = set(DIM_COLUMNS) | {d for e in entries() for d in e.dims}  # the catalogs' dimensions, no other column
    return [c for c in extra if c in dims]


def lock_down(con: "duckdb.DuckDBPyConnection", readable: Sequence[Path]) -> None:
    """Turn off DuckDB's access to the file system and network, except reading
    `readable` (the table files the views read), and lock the configuration so
    no query can turn it back on. No temporary files either: a query too large
    for memory fails rather than writing to disk."""
    # each file as itself and as the escaped pattern the views name it by
    names = dict.fromkeys(n for p in readable for n in (str(p.absolute()), _literal_path(p)))
    paths = ", ".join(_sql_str(n) for n in names)
    con.execute(f"SET allowed_paths = [{paths}]")
    con.execute("SET temp_directory = ''")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


# Statements a query may run: reading only. COPY, ATTACH, INSTALL, LOAD, SET,
# PRAGMA, CALL, CREATE … are refused before they run (COPY … TO one of the
# table files themselves would otherwise overwrite an output).
ALLOWED_STATEMENTS = ("SELECT", "EXPLAIN")


def check_statements(con: "duckdb.DuckDBPyConnection", sql: str) -> None:
    """Raise QueryError unless every statement of `sql` only reads."""
    import duckdb

    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(one_line(str(exc))) from None
    for st in statements:
        kind = str(st.type).rsplit(".", 1)[-1]
        if kind not in ALLOWED_STATEMENTS:
            raise QueryError(f"only SELECT queries run here (reading the output tables); got {kind}")


def one_line(message: str) -> str:
    """DuckDB's message on one line: blank lines and the caret line dropped."""
    lines = [ln.strip() for ln in message.splitlines()]
    return " ".join(ln for ln in lines if ln and set(ln) - {"^", " "})


def run(con: "duckdb.DuckDBPyConnection", sql: str, *, limit: int | None = None,
        params: Sequence[Any] | None = None) -> Result:
    """Run `sql`; fetch every row, or the first `limit` (then `more` says if rows were left)."""
    import duckdb

    check_statements(con, sql)
    try:
        cur = con.execute(sql, params) if params else con.execute(sql)
        if cur.description is None:  # a statement without a result (CREATE, SET, …)
            return Result((), (), ())
        columns = tuple(d[0] for d in cur.description)
        types = tuple(str(d[1]) for d in cur.description)
        if limit is None:
            return Result(columns, types, tuple(cur.fetchall()))
        rows = cur.fetchmany(limit + 1)
    except duckdb.Error as exc:
        raise QueryError(one_line(str(exc))) from None
    return Result(columns, types, tuple(rows[:limit]), more=len(rows) > limit)


def query(sql: str, outdirs: Sequence[str | Path] = ("outputs",), *, limit: int | None = None) -> Result:
    """Run DuckDB SQL over the tables of `outdirs` (views reports, sections, indicators, errors, findings)."""
    con = connect(outdirs)
    try:
        return run(con, sql, limit=limit)
    finally:
        con.close()


# --- output forms -------------------------------------------------------------------------

def display_width(text: str) -> int:
    """Terminal columns taken by `text`: wide (CJK) characters take two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def truncate(text: str, width: int) -> str:
    """`text` cut to at most `width` columns, with … when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = 0 if unicodedata.combining(ch) else (2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def cell_text(value: Any) -> str:
    """A value as shown in a table or CSV: exact decimals without trailing zeros, NULL as empty."""
    if isinstance(value, Decimal):
        return csv_value(value)
    text = csv_value(value)
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, max_width: int = 40,
                 more: bool = False) -> str:
    """A fixed-width text table, CJK-aware: numbers right-aligned, long cells cut with …."""
    shown = [[truncate(cell_text(v), max_width) for v in row] for row in rows]
    heads = [truncate(str(c), max_width) for c in columns]
    widths = [display_width(h) for h in heads]
    for row in shown:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], display_width(text))
    numeric = [bool(rows) and all(_is_number(r[i]) or r[i] is None for r in rows) for i in range(len(columns))]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, text in enumerate(cells):
            pad = " " * (widths[i] - display_width(text))
            out.append(pad + text if numeric[i] else text + pad)
        return "  ".join(out).rstrip()

    lines = [line(heads), "  ".join("-" * w for w in widths)]
    lines.extend(line(r) for r in shown)
    n = len(rows)
    lines.append(f"({n} row{'s' if n != 1 else ''}{', more not shown' if more else ''})")
    return "\n".join(lines) + "\n"


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], fh: IO[str]) -> None:
    """CSV with a header; values exact, NULL as an empty cell, text never a
    formula (output.neutralise), as in the output tables."""
    # CRLF as in the output tables (RFC 4180); with "\n" a cell holding "\r" went unquoted
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(c) for c in columns])
    for row in rows:
        writer.writerow([spreadsheet_cell(v) for v in row])


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return json_number(value)  # written with its exact digits by json_bytes
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)  # dates, times, blobs


def to_json(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A JSON array of objects, one per row; decimals as JSON numbers of the same digits (never a float)."""
    records = [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return json_bytes(records, indent=True).decode("utf-8") + "\n"
