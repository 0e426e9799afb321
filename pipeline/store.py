"""Typed copies of the combined tables: `<table>.parquet` beside `<table>.csv`.

CSV keeps every value as text; Parquet gives each column a real type, so
pandas, DuckDB, R or Stata read `value` as an exact decimal and `year` as an
integer without guessing. Values are `decimal128(38, 10)`, never float: the
extractor's numbers are exact (16.4亿 is 1640000000) and stay exact here.

The Parquet files are converted from the CSV files that `batch.run_batch` has
just written, one block at a time (pyarrow's streaming CSV reader into a
Parquet writer), so memory stays flat for archives of any size. Column types
are chosen by column name (`COLUMN_TYPES`), so a new table only needs its
name and columns in `TABLES`.

`load(outdir)` returns the tables as pandas DataFrames with the same types,
from Parquet when present, else from the CSV files.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import output
from .errors import UsageError
from .output import ERROR_COLUMNS, INDICATOR_COLUMNS, REPORT_COLUMNS, SECTION_COLUMNS, atomic_target

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import pyarrow

log = logging.getLogger(__name__)

# Provisional until the audit issue defines the findings table in output.py;
# only used for an empty `findings` view when no findings file exists yet.
FINDING_COLUMNS: list[str] = list(getattr(output, "FINDING_COLUMNS", [
    "doc_id", "source", "year", "region", "region_code", "agency", "check", "severity", "message", "indicators"]))

# The tables of an output folder, with the columns they have when written by
# this version. Adding a table is one line here.
TABLES: dict[str, list[str]] = {
    "reports": REPORT_COLUMNS,
    "sections": SECTION_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "errors": ERROR_COLUMNS,
    "findings": FINDING_COLUMNS,
}

# Type by column name, the same in every table; any other column is a string.
# "decimal" is decimal128(38, 10): 28 integer digits (yuan up to 10^28) and
# 10 decimal places, more than any rate in a report has.
DECIMAL_PRECISION, DECIMAL_SCALE = 38, 10
COLUMN_TYPES: dict[str, str] = {
    "value": "decimal", "value_high": "decimal",
    "year": "int32", "year_planned": "int32", "level": "int32", "page": "int32", "pages": "int32", "start": "int32", "end": "int32",
    "n_sections": "int32", "n_indicators": "int32",
    "ocr": "bool",
}
SQL_TYPES = {"decimal": f"DECIMAL({DECIMAL_PRECISION},{DECIMAL_SCALE})", "int32": "INTEGER", "bool": "BOOLEAN",
             "string": "VARCHAR"}
CSV_BLOCK_BYTES = 1 << 20  # per block read from CSV: memory stays ~40 MB whatever the table's size


def column_type(column: str) -> str:
    """The logical type of a column: decimal, int32, bool or string."""
    return COLUMN_TYPES.get(column, "string")


def arrow_type(column: str) -> "pyarrow.DataType":
    import pyarrow as pa

    kind = column_type(column)
    if kind == "decimal":
        return pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)
    if kind == "int32":
        return pa.int32()
    if kind == "bool":
        return pa.bool_()
    return pa.string()


def arrow_schema(columns: list[str]) -> "pyarrow.Schema":
    import pyarrow as pa

    return pa.schema([pa.field(c, arrow_type(c), nullable=True) for c in columns])


def csv_header(path: Path) -> list[str]:
    """The column names of one of our CSV files (UTF-8 with BOM)."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh), [])


def _csv_reader(path: Path, columns: list[str]):
    import pyarrow.csv as pacsv

    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
        # sentences may hold line breaks inside quoted cells
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: arrow_type(c) for c in columns},
            # our CSV writes None as an empty cell; read it back as null
            strings_can_be_null=True, null_values=[""], quoted_strings_can_be_null=False,
            true_values=["true"], false_values=["false"]),
    )


def csv_to_parquet(csv_path: Path, parquet_path: Path) -> int:
    """Convert one of our CSV tables into a typed Parquet file, atomically.

    Streams block by block, so memory does not grow with the table. Returns the
    number of rows written. The result is deterministic: the same CSV gives
    byte-identical Parquet.
    """
    import pyarrow.parquet as pq

    columns = csv_header(csv_path)
    schema = arrow_schema(columns)
    rows = 0
    with atomic_target(parquet_path) as tmp:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            if columns:
                reader = _csv_reader(csv_path, columns)
                for batch in reader:
                    writer.write_batch(batch)
                    rows += batch.num_rows
    return rows


def write_parquet(outdir: str | Path, *, keep_csv: bool = True) -> list[Path]:
    """Write `<table>.parquet` for every `<table>.csv` of `TABLES` in `outdir`.

    With `keep_csv=False` the CSV tables are removed afterwards (they were only
    the staging format), except `errors.csv`, which the contract always writes.
    """
    out = Path(outdir)
    written = []
    for name in TABLES:
        csv_path = out / f"{name}.csv"
        if not csv_path.is_file():
            continue
        parquet_path = out / f"{name}.parquet"
        rows = csv_to_parquet(csv_path, parquet_path)
        log.debug("%s: %d rows", parquet_path, rows)
        written.append(parquet_path)
    if not keep_csv:
        for name in TABLES:
            if name != "errors":
                (out / f"{name}.csv").unlink(missing_ok=True)
    return written


def table_files(outdir: str | Path) -> dict[str, Path]:
    """The file of each table present in `outdir`: Parquet when present, else CSV.

    A Parquet file older than its CSV is left from an earlier run (e.g. a later
    `extract --format json,csv` into the same folder): the CSV is used then.
    """
    out = Path(outdir)
    found = {}
    for name in TABLES:
        pq_path, csv_path = out / f"{name}.parquet", out / f"{name}.csv"
        if pq_path.is_file() and not (csv_path.is_file() and csv_path.stat().st_mtime > pq_path.stat().st_mtime):
            found[name] = pq_path
        elif csv_path.is_file():
            found[name] = csv_path
    return found


def _pandas_types(pa_type: "pyarrow.DataType") -> Any:
    import pandas as pd
    import pyarrow as pa

    # nullable pandas dtypes, so a missing year stays an integer column, not float
    if pa.types.is_int32(pa_type):
        return pd.Int32Dtype()
    if pa.types.is_int64(pa_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(pa_type):
        return pd.BooleanDtype()
    return None  # decimals stay decimal.Decimal objects: exact


def load(outdir: str | Path) -> dict[str, "pandas.DataFrame"]:
    """The tables of an output folder as pandas DataFrames, keyed by table name.

    Reads `<table>.parquet` when present, else `<table>.csv` with the same
    types (value and value_high as `decimal.Decimal`, integers as nullable
    Int32, ocr as boolean). Tables absent from the folder are absent from the
    result. Raises `UsageError` when the folder does not exist or holds no table.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(outdir)
    if not out.is_dir():
        raise UsageError("no such output folder", str(outdir))
    files = table_files(out)
    if not files:
        raise UsageError("holds no govreport tables (run `govreport extract` first)", str(outdir))
    frames = {}
    for name, path in files.items():
        if path.suffix == ".parquet":
            table = pq.read_table(path)
        else:
            columns = csv_header(path)
            table = _csv_reader(path, columns).read_all() if columns else pa.table({})
            table = table.cast(arrow_schema(columns))
        frames[name] = table.to_pandas(types_mapper=_pandas_types)
    return frames
