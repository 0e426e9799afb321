"""Output folders: the typed tables, and the one reader of everything in them.

Every command that reads an output folder (query, compare, audit, view,
evaluate, `load`) reads it through this module: `table_files` picks each
table's file, `table_rows` streams its rows, `report_documents` and
`report_document` read the per-document JSON, `report_findings` the
within-report findings.

Typed copies of the combined tables: `<table>.parquet` beside `<table>.csv`.

CSV keeps every value as text; Parquet gives each column a real type, so
pandas, DuckDB, R or Stata read `value` as an exact decimal and `year` as an
integer without guessing. Values are decimals, never float: the extractor's
numbers are exact (16.4亿 is 1640000000) and stay exact here. Their scale is
the one the table's values need (0 when all are whole numbers, so plain
`pandas.read_parquet` gives Decimal('32'), not Decimal('32.0000000000')), at
most `contract.VALUE_SCALE`; every value the contract accepts fits. The
integer columns carry pandas metadata, so `pandas.read_parquet` gives nullable
Int32 (a missing page stays a missing integer, not a float NaN). Text is
exact: the formula marking of the CSV cells (`output.neutralise`) is undone.

The Parquet files are converted from the CSV files that `batch.run_batch` has
just written, one block at a time (pyarrow's streaming CSV reader into a
Parquet writer), so memory stays flat for archives of any size. Column types
are chosen by column name (`COLUMN_TYPES`), so a new table only needs its
name and columns in `TABLES`.

`load(outdir)` returns the tables as pandas DataFrames with the same types,
from Parquet when present, else from the CSV files.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import output
from .contract import VALUE_INTEGER_DIGITS, VALUE_PRECISION, VALUE_SCALE
from .errors import UsageError
from .output import (ERROR_COLUMNS, FINDING_COLUMNS, INDICATOR_COLUMNS, REPORT_COLUMNS, SECTION_COLUMNS,
                     TABLE_COLUMNS, atomic_target)

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import pyarrow

log = logging.getLogger(__name__)

# The tables of an output folder, with the columns they have when written by
# this version. Adding a table is one line here.
TABLES: dict[str, list[str]] = {
    "reports": REPORT_COLUMNS,
    "sections": SECTION_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "errors": ERROR_COLUMNS,
    "findings": FINDING_COLUMNS,
    "tables": TABLE_COLUMNS,
}

# Type by column name, the same in every table (output.COLUMN_TYPES); any
# other column is a string. "decimal" is read (CSV, DuckDB views) as
# decimal128(38, 10): the contract's 28 integer digits and 10 decimals.
DECIMAL_PRECISION, DECIMAL_SCALE = VALUE_PRECISION, VALUE_SCALE
COLUMN_TYPES: dict[str, str] = output.COLUMN_TYPES
SQL_TYPES = {"decimal": f"DECIMAL({DECIMAL_PRECISION},{DECIMAL_SCALE})", "int32": "INTEGER", "bool": "BOOLEAN",
             "string": "VARCHAR"}
CSV_BLOCK_BYTES = 1 << 20  # per block read from CSV: memory stays ~40 MB whatever the table's size


def column_type(column: str) -> str:
    """The logical type of a column: decimal, int32, bool or string."""
    return COLUMN_TYPES.get(column, "string")


def arrow_type(column: str, scale: int = DECIMAL_SCALE) -> "pyarrow.DataType":
    """The Arrow type of a column; decimals with `scale` decimals (and the
    contract's integer digits)."""
    import pyarrow as pa

    kind = column_type(column)
    if kind == "decimal":
        return pa.decimal128(VALUE_INTEGER_DIGITS + scale, scale)
    if kind == "int32":
        return pa.int32()
    if kind == "bool":
        return pa.bool_()
    return pa.string()


def arrow_schema(columns: list[str], scale: int = DECIMAL_SCALE) -> "pyarrow.Schema":
    import pyarrow as pa

    return pa.schema([pa.field(c, arrow_type(c, scale), nullable=True) for c in columns])


_PANDAS_TYPES = {"int32": ("int32", "Int32"), "bool": ("bool", "boolean"), "decimal": ("decimal", "object"),
                 "string": ("unicode", "object")}


def _pandas_metadata(columns: list[str], scale: int) -> dict[bytes, bytes]:
    """pandas' own schema metadata: `pandas.read_parquet` then gives nullable
    Int32 and boolean columns without a types mapper."""
    import json

    cols = []
    for c in columns:
        kind = column_type(c)
        pandas_type, numpy_type = _PANDAS_TYPES[kind]
        meta = {"precision": VALUE_INTEGER_DIGITS + scale, "scale": scale} if kind == "decimal" else None
        cols.append({"name": c, "field_name": c, "pandas_type": pandas_type, "numpy_type": numpy_type,
                     "metadata": meta})
    return {b"pandas": json.dumps({"index_columns": [], "column_indexes": [], "columns": cols,
                                   "attributes": {}, "creator": {"library": "govreport"}}).encode("utf-8")}


def _scale(source, columns: list[str]) -> int:
    """The decimals the decimal columns (of `columns`) of one of our CSV tables
    need, `source` a path or a file object (one streamed pass over those
    columns only)."""
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    columns = [c for c in columns if column_type(c) == "decimal"]
    if not columns:
        return 0
    reader = pacsv.open_csv(
        source, read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(include_columns=columns, column_types={c: "string" for c in columns}))
    scale = 0
    for batch in reader:
        for col in batch.columns:
            # "12.5" -> 1 decimal; our CSV writes no trailing zeros
            after = pc.utf8_length(pc.replace_substring_regex(col, r"^[^.]*\.?", ""))
            top = pc.max(after).as_py()
            scale = max(scale, top or 0)
    return min(scale, DECIMAL_SCALE)


def csv_header(path: Path) -> list[str]:
    """The column names of one of our CSV files (UTF-8 with BOM)."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh), [])


def _csv_reader(source, columns: list[str], scale: int = DECIMAL_SCALE,
                include: Sequence[str] | None = None):
    import pyarrow.csv as pacsv

    return pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
        # sentences may hold line breaks inside quoted cells
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: arrow_type(c, scale) for c in columns},
            include_columns=list(include) if include is not None else None,
            # our CSV writes None as an empty cell; read it back as null
            strings_can_be_null=True, null_values=[""], quoted_strings_can_be_null=False,
            true_values=["true"], false_values=["false"]),
    )


def _exact_text(batch: "pyarrow.RecordBatch") -> "pyarrow.RecordBatch":
    """The batch with the formula marking of its text cells undone."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = []
    for field, col in zip(batch.schema, batch.columns):
        if pa.types.is_string(field.type):
            col = pc.if_else(pc.starts_with(col, "'"), pc.utf8_slice_codeunits(col, 1), col)
        arrays.append(col)
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)


def _convert(csv_path: Path, target: str) -> int:
    columns = csv_header(csv_path)
    return _write(csv_path, target, columns, _scale(csv_path, columns))


def _write(source, target, columns: list[str], scale: int) -> int:
    """CSV `source` (a path or a file object) with these columns as Parquet into `target`."""
    import pyarrow.parquet as pq

    schema = arrow_schema(columns, scale).with_metadata(_pandas_metadata(columns, scale))
    rows = 0
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        if columns:
            for batch in _csv_reader(source, columns, scale):
                writer.write_batch(_exact_text(batch))
                rows += batch.num_rows
    return rows


# One cell of each kind, for `warm_up`.
_SAMPLE_CELLS = {"decimal": "12.5", "int32": "3", "bool": "true", "string": "'=x"}


def warm_up() -> None:
    """Convert a one-row table of each table's columns, in memory.

    A process's first conversion costs about 40 ms more than the next ones
    (pyarrow's thread pools, codec and kernels start up); the Parquet
    converter (`parquet_process`) pays it while it waits for the tables.

        >>> warm_up()
    """
    import io

    import pyarrow as pa

    for columns in TABLES.values():
        csv_text = ",".join(columns) + "\n" + ",".join(_SAMPLE_CELLS[column_type(c)] for c in columns) + "\n"
        sample = csv_text.encode("utf-8")
        _write(io.BytesIO(sample), pa.BufferOutputStream(), columns, _scale(io.BytesIO(sample), columns))


def csv_to_parquet(csv_path: Path, parquet_path: Path) -> int:
    """Convert one of our CSV tables into a typed Parquet file, atomically.

    Streams block by block, so memory does not grow with the table. Returns the
    number of rows written. The result is deterministic: the same CSV gives
    byte-identical Parquet.
    """
    with atomic_target(parquet_path) as tmp:
        return _convert(csv_path, tmp)


def csv_to_parquet_staged(csv_path: Path, parquet_path: Path) -> Path:
    """Convert `csv_path` into a temporary file beside `parquet_path` and return
    it: the caller renames it, with the other tables, once all are written."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{parquet_path.name}.", suffix=".tmp", dir=parquet_path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, output.FILE_MODE)
        _convert(csv_path, tmp)
    except BaseException:
        os.unlink(tmp)
        raise
    return Path(tmp)


def stage_parquet(pairs: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """Convert each (CSV, Parquet target) into a temporary file beside its
    target: [(temporary, target)], for the caller to rename all together.
    The tables are converted side by side in threads (pyarrow's reader and
    writer work outside the GIL; each file is the same as converted alone).
    A failure removes every temporary file and raises the first, in order."""
    if not pairs:
        return []
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(len(pairs), os.cpu_count() or 1)) as pool:
        futures = [pool.submit(csv_to_parquet_staged, src, target) for src, target in pairs]
    staged, failure = [], None
    for future, (_, target) in zip(futures, pairs):
        try:
            staged.append((future.result(), target))
        except BaseException as exc:  # noqa: BLE001 - raised below, once all have ended
            failure = failure or exc
    if failure is not None:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise failure
    return staged


def write_parquet(outdir: str | Path, *, keep_csv: bool = True) -> list[Path]:
    """Write `<table>.parquet` for every `<table>.csv` of `TABLES` in `outdir`,
    all replaced together once every conversion succeeded.

    With `keep_csv=False` the CSV tables are removed afterwards (they were only
    the staging format), except `errors.csv`, which the contract always writes.
    """
    out = Path(outdir)
    staged = stage_parquet([(out / f"{name}.csv", out / f"{name}.parquet") for name in TABLES
                            if (out / f"{name}.csv").is_file()])
    for tmp, final in staged:
        os.replace(tmp, final)
    if not keep_csv:
        for name in TABLES:
            if name != "errors":
                (out / f"{name}.csv").unlink(missing_ok=True)
    return [final for _, final in staged]


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
            table = pa.Table.from_batches([_exact_text(b) for b in table.to_batches()], table.schema)
        frames[name] = table.to_pandas(types_mapper=_pandas_types)
    return frames


# --- reading an output folder ---------------------------------------------------------------------

def table_rows(path: Path, columns: Sequence[str]) -> Iterator[tuple]:
    """The rows of one table file (of `table_files`) as tuples of `columns`, typed as `load` types them
    (None where the file lacks a column: written by an older version), streamed block by block."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        source = pq.ParquetFile(path)
        have = [c for c in columns if c in source.schema_arrow.names]
        batches: Any = source.iter_batches(batch_size=65536, columns=have) if have else ()
    else:
        header = csv_header(path)
        have = [c for c in columns if c in header]
        batches = _csv_reader(path, header, include=have) if have else ()
    for batch in batches:
        n = batch.num_rows
        yield from zip(*(batch.column(c).to_pylist() if c in have else [None] * n for c in columns))


def table_columns(path: Path) -> list[str]:
    """The columns of one table file."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(path).schema_arrow.names)
    return csv_header(path)


def is_report(doc: Any) -> bool:
    """A report JSON has `schema_version` and `doc_id` (and its text)."""
    return (isinstance(doc, dict) and "schema_version" in doc and "doc_id" in doc
            and isinstance(doc.get("text"), str))


def report_documents(outdir: str | Path) -> Iterator[tuple[Path, dict | None]]:
    """Every JSON file directly in `outdir`, sorted by name, with its report (None: not a report JSON)."""
    for path in sorted(Path(outdir).glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.warning("%s: not readable as JSON, skipped (%s)", path, exc)
            yield path, None
            continue
        yield path, (doc if is_report(doc) else None)


def report_document(outdir: str | Path, stem: str) -> dict | None:
    """`OUTDIR/<stem>.json`, the report of the input named <stem>; None when there is none.
    Raises UsageError when the file is there but is not a JSON object."""
    path = Path(outdir) / f"{stem}.json"
    return json_object(path, "output file") if path.is_file() else None


def json_object(path: Path, what: str) -> dict:
    """A JSON file holding one object (a report, a gold file); UsageError naming `what` otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what}: {exc}", str(path)) from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{what} is not valid JSON: {exc}", str(path)) from None
    if not isinstance(data, dict):
        raise UsageError(f"{what} must be a JSON object", str(path))
    return data


def report_findings(outdir: str | Path) -> list[dict[str, Any]]:
    """The within-report findings written by extract: the findings table, else each report JSON's `findings`."""
    found = table_files(Path(outdir)).get("findings")
    if found is not None:
        columns = table_columns(found)
        return [dict(zip(columns, row)) for row in table_rows(found, columns)]
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _, doc in report_documents(outdir):
        if doc is None or doc["doc_id"] in seen:
            continue  # the same document under two names counts once
        seen.add(doc["doc_id"])
        out += [dict(f, doc_id=doc["doc_id"]) for f in doc.get("findings") or []]
    return out
