"""Write what the pipeline found: per-document JSON and the combined CSV tables.

Every file is written to a temporary name in the output folder and renamed
into place, so a crash or a kill never leaves a half-written file under the
real name. Output is deterministic: the same inputs give byte-identical files.
"""
from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import tempfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import orjson

from .records import Report, json_number
from .rules import bundled_dimensions

REPORT_COLUMNS = ["doc_id", "source", "format", "encoding", "pages", "ocr", "sha256", "title", "year", "year_planned",
                  "region",
                  "region_full_name", "region_code", "region_level", "agency", "agency_kind", "report_type",
                  "publisher", "published", "n_sections", "n_indicators"]
SECTION_COLUMNS = ["doc_id", "source", "year", "region", "region_code", "agency", "section_id", "level", "marker",
                   "title", "part", "start", "end"]
INDICATOR_COLUMNS = ["doc_id", "source", "year", "region", "region_code", "agency", "report_type", "indicator",
                     "label", "value", "value_high", "unit", "unit_class", "qualifier", "measure", "modality",
                     "period", "actor", "section_id", "part", "page", "start", "end", "text", "sentence", "rule",
                     "table_index", "table_row", "table_col", "row_label", "col_label"]
# One column per dimension name of the bundled report types' catalogs (the
# dims of a table cell, empty where they do not apply).
DIM_COLUMNS = list(bundled_dimensions())
INDICATOR_COLUMNS += [d for d in DIM_COLUMNS if d not in INDICATOR_COLUMNS]
# One row per table cell (pipeline.tables), whether or not a rule reads it.
TABLE_COLUMNS = ["doc_id", "source", "table", "row", "col", "text", "kind", "page", "start", "end"]
ERROR_COLUMNS = ["source", "code", "reason"]
# One row per finding (pipeline.audit). indicators: indexes into the document's
# indicators, ";"-separated; quotes, values, spans: one per piece of evidence;
# evidence: all of it as JSON (doc ids, quotes, spans, sentences).
FINDING_COLUMNS = ["doc_id", "source", "year", "region", "region_code", "agency", "check", "severity", "message",
                   "indicators", "doc_ids", "quotes", "values", "spans", "sentence", "evidence"]
# The document's columns, repeated on every row of every table but reports (one definition: `document_columns`).
DOCUMENT_COLUMNS = ("doc_id", "source", "year", "region", "region_code", "agency")
FILE_MODE = 0o644

# Type by column name, the same in every table (Parquet, DuckDB, pandas);
# any other column is text. One definition: store.py types Parquet with it,
# and the CSV writers leave these columns alone when neutralising formulas.
COLUMN_TYPES: dict[str, str] = {
    "value": "decimal", "value_high": "decimal",
    "year": "int32", "year_planned": "int32", "level": "int32", "page": "int32", "pages": "int32", "start": "int32", "end": "int32",
    "n_sections": "int32", "n_indicators": "int32",
    "table": "int32", "row": "int32", "col": "int32", "table_index": "int32", "table_row": "int32",
    "table_col": "int32",
    "ocr": "bool",
}

# A spreadsheet reads a cell starting with one of these as a formula (OWASP,
# "CSV Injection"): a file named "=HYPERLINK(…).txt" or a title "+SUM(…)" must
# stay text. The apostrophe is escaped too, so the marking can be undone
# exactly (`unneutralise`): Parquet and query keep the text as written.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(text: str) -> str:
    """A text cell made safe for Excel, WPS and LibreOffice: a leading apostrophe
    before a formula trigger (which the spreadsheet hides, showing the text as
    written). Only for text: numbers are written as numbers."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def unneutralise(text: str) -> str:
    """The text as written, from a cell of one of our CSV tables."""
    return text[1:] if text.startswith("'") else text


def spreadsheet_cell(value: Any) -> str:
    """One CSV cell of any value: numbers as written, text `neutralise`d."""
    return neutralise(value) if isinstance(value, str) else csv_value(value)


def xlsx_append(ws: Any, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl sheet: numbers as numbers, every text as a
    string cell, never a formula whatever it starts with (the text stays exact)."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl stores a text starting with "=" as a formula


def _temporary_beside(path: str) -> tuple[int, str]:
    """A new temporary file beside `path` (its folder made if need be), with
    the outputs' mode: (descriptor, name)."""
    folder, name = os.path.split(path)
    folder = folder or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600; outputs are meant to be shared
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    return fd, tmp


@contextlib.contextmanager
def _renamed_onto(tmp: str, path: str | Path) -> Iterator[None]:
    """Rename `tmp` onto `path` when the block succeeds; remove it when it fails."""
    try:
        yield
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


@contextlib.contextmanager
def atomic_target(path: str | Path) -> Iterator[str]:
    """A temporary file beside `path`, renamed onto it when the block succeeds.

    A killed process leaves the old file or the new one, never half of one;
    a failed block leaves nothing. (No fsync: it guards against power loss,
    not kills, and costs more than extracting a report on some file systems.)
    """
    fd, tmp = _temporary_beside(os.fspath(path))
    os.close(fd)
    with _renamed_onto(tmp, path):
        yield tmp


def atomic_write(path: str | Path, data: bytes | Spooled) -> None:
    """Write `data` to `path` as `atomic_target` does, through the descriptor
    that created the temporary file (a batch writes one per document: no
    second open). A `Spooled` file is moved there instead."""
    if isinstance(data, Spooled):
        data.move_to(Path(path))
        return
    fd, tmp = _temporary_beside(os.fspath(path))
    with _renamed_onto(tmp, path), open(fd, "wb") as fh:
        fh.write(data)


def write_bytes(fh: Any, data: bytes | Spooled) -> None:
    """Append `data` to an open binary file (a `Spooled` file is copied in, then removed)."""
    if isinstance(data, Spooled):
        data.copy_into(fh)
    else:
        fh.write(data)


def _decimal_text(value: Decimal) -> str:
    number = json_number(value)
    return str(number) if isinstance(number, int) else format(number, "f")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # the exact digits as a JSON number, never through float
        return orjson.Fragment(_decimal_text(value))
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_INT64 = range(-(1 << 63), 1 << 64)


def _wide_ints(data: Any) -> Any:
    """`data` with ints outside orjson's 64-bit range as exact JSON fragments."""
    if isinstance(data, bool):
        return data
    if isinstance(data, int):
        return data if data in _INT64 else orjson.Fragment(str(data))
    if isinstance(data, dict):
        return {k: _wide_ints(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_wide_ints(v) for v in data]
    return data


def json_bytes(data: Any, *, indent: bool = False) -> bytes:
    """JSON of `data` (UTF-8, not ASCII-escaped), numbers exact: Decimals with
    their own digits, ints of any size (10^25 yuan is a whole number too)."""
    option = orjson.OPT_INDENT_2 if indent else 0
    try:
        return orjson.dumps(data, option=option, default=_json_default)
    except orjson.JSONEncodeError:
        # rare: an int beyond 64 bits, which orjson refuses; walk and retry
        return orjson.dumps(_wide_ints(data), option=option, default=_json_default)


def report_json(report: Report | dict) -> bytes:
    """A document's JSON, indented, UTF-8 (orjson: the standard encoder is
    pure Python once it indents, and was a third of a batch's time)."""
    data = report.to_dict() if isinstance(report, Report) else report
    return json_bytes(data, indent=True) + b"\n"


# --- a document's outputs encoded a piece at a time -----------------------------------
#
# A huge document (a .docx of 190 MB of XML holds 370,000 indicators) must not
# be encoded whole: its dict tree, its JSON and its table rows as dicts cost
# several times the Report itself. These give the same bytes as the whole
# encoders, a few hundred records at a time, and `spool` keeps the bytes in a
# file once they are many, so that a worker hands its parent a file name.

ENCODE_CHUNK = 500  # records turned into dicts and encoded at a time
# Report fields holding the records that grow with the document, encoded a chunk at a time.
RECORD_LISTS = ("sections", "indicators", "tables", "findings")
# A finding carries its evidence (tens of quotes and sentences): fewer of them at a time.
_SMALLER_CHUNKS = {"findings": 20}


def chunked(items: Sequence[Any] | Iterable[Any], kind: str = "") -> Iterator[list[Any]]:
    """`items` (records of the Report field `kind`) in lists of `ENCODE_CHUNK`
    (fewer for findings), the last one shorter."""
    size = max(1, ENCODE_CHUNK // _SMALLER_CHUNKS.get(kind, 1))
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def report_head(report: Report) -> dict:
    """`report.to_dict()` without its records: the same keys in the same
    order, the lists of `RECORD_LISTS` empty (what every row of the tables repeats)."""
    return replace(report, **{name: () for name in RECORD_LISTS}).to_dict()


def report_json_chunks(report: Report) -> Iterator[bytes]:
    """`report_json(report)` in pieces: the same bytes, joined, but never the
    whole document as dicts or as one JSON string (`ENCODE_CHUNK` records at a time)."""
    yield b"{"
    for n, (key, value) in enumerate(report_head(report).items()):
        yield (b"\n  " if n == 0 else b",\n  ") + orjson.dumps(key) + b": "
        records = getattr(report, key) if key in RECORD_LISTS else None
        if not records:
            # json_bytes indents from the left margin; here it sits one level in
            yield json_bytes(value, indent=True).replace(b"\n", b"\n  ")
            continue
        yield b"["
        for i, chunk in enumerate(chunked(records, key)):
            # [\n  {…},\n  {…}\n] → its items (one level deeper here), after a comma from the last chunk
            items = json_bytes([r.to_dict() for r in chunk], indent=True)[1:-2]
            yield (b"" if i == 0 else b",") + items.replace(b"\n", b"\n  ")
        yield b"\n  ]"
    yield b"\n}\n"


# Encoded outputs larger than this go to a file when a folder is given (`spool`).
SPOOL_BYTES = 8 << 20


class Spooled:
    """Encoded bytes kept in a file rather than in memory (a huge document's
    outputs, written by a worker into the output folder's state). Pickled
    (sent to the parent), it stays one small object, and the file goes with
    it: `atomic_write` moves the file into place. A Spooled dropped without
    being written deletes its file (the copy that was pickled away does not:
    the file is the receiver's)."""

    __slots__ = ("path", "size", "_owner")

    def __init__(self, path: str, size: int) -> None:
        self.path, self.size, self._owner = path, size, True

    def __len__(self) -> int:
        return self.size

    def read(self) -> bytes:
        with open(self.path, "rb") as fh:
            return fh.read()

    def move_to(self, path: Path) -> None:
        """Put the bytes at `path` (renamed when on the same file system, else copied)."""
        os.chmod(self.path, FILE_MODE)
        try:
            os.replace(self.path, path)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            import shutil

            with atomic_target(path) as tmp:
                shutil.copyfile(self.path, tmp)
            os.unlink(self.path)
        self._owner = False

    def copy_into(self, fh: Any) -> None:
        """Append the bytes to an open binary file, a piece at a time; the file goes."""
        import shutil

        with open(self.path, "rb") as src:
            shutil.copyfileobj(src, fh, 1 << 20)
        os.unlink(self.path)
        self._owner = False

    def __getstate__(self) -> tuple[str, int]:
        self._owner = False  # pickled: the file is the receiver's now
        return self.path, self.size

    def __setstate__(self, state: tuple[str, int]) -> None:
        self.path, self.size = state
        self._owner = True

    def __del__(self) -> None:
        if getattr(self, "_owner", False):
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def __repr__(self) -> str:
        return f"Spooled({self.path!r}, {self.size})"


def spool(chunks: Iterable[bytes], folder: str | Path | None = None, limit: int | None = None) -> bytes | Spooled:
    """The bytes of `chunks`: in memory, or, once they pass `limit` bytes
    (`SPOOL_BYTES`) and a `folder` is given, in a temporary file there (a
    `Spooled`). Only the pieces are in memory at a time then, never the whole."""
    limit = SPOOL_BYTES if limit is None else limit
    held: list[bytes] = []
    size = 0
    fh = None
    tmp = ""
    try:
        for chunk in chunks:
            size += len(chunk)
            if fh is not None:
                fh.write(chunk)
                continue
            held.append(chunk)
            if folder is not None and size > limit:
                fd, tmp = tempfile.mkstemp(prefix=".spool.", suffix=".tmp", dir=folder)
                fh = io.open(fd, "wb")
                fh.writelines(held)
                held = []
        if fh is None:
            return b"".join(held)
        fh.close()
        return Spooled(tmp, size)
    except BaseException:
        if fh is not None:
            fh.close()
            os.unlink(tmp)
        raise


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f") if not value.is_integer() else str(int(value))
    return str(value)


def rows_for(doc: dict) -> tuple[dict, list[dict], list[dict]]:
    """The reports, sections and indicators rows of one document's JSON dict."""
    common = document_columns(doc)
    report_type = doc["meta"].get("report_type")
    return (report_row(doc, len(doc["sections"]), len(doc["indicators"])),
            [section_row(s, common) for s in doc["sections"]],
            [indicator_row(ind, common, report_type) for ind in doc["indicators"]])


def report_row(doc: dict, n_sections: int, n_indicators: int) -> dict:
    """The reports row of a document's JSON dict (its sections and indicators counted by the caller)."""
    meta = doc["meta"]
    region = meta.get("region") or {}
    src = doc["source"]
    return {
        "doc_id": doc["doc_id"], "source": src["path"], "format": src.get("format"), "encoding": src.get("encoding"),
        "pages": src.get("pages"), "ocr": src.get("ocr"), "sha256": src.get("sha256"), "title": meta.get("title"),
        "year": meta.get("year"), "year_planned": meta.get("year_planned"), "region": region.get("name"), "region_full_name": region.get("full_name"),
        "region_code": region.get("code"), "region_level": region.get("level"), "agency": meta.get("agency"),
        "agency_kind": meta.get("agency_kind"), "report_type": meta.get("report_type"),
        "publisher": meta.get("publisher"), "published": meta.get("published"),
        "n_sections": n_sections, "n_indicators": n_indicators,
    }


def section_row(section: dict, common: dict) -> dict:
    """One sections row of a section's JSON dict; `common` gives the document columns."""
    s = section
    return dict(common, section_id=s["id"], level=s["level"], marker=s["marker"], title=s["title"],
                part=s["part"], start=s["span"][0], end=s["span"][1])


def indicator_row(ind: dict, common: dict, report_type: str | None) -> dict:
    """One indicators row of an indicator's JSON dict; `common` gives the document columns."""
    row = dict(common, report_type=report_type)
    row.update({k: ind.get(k) for k in ("indicator", "label", "value", "value_high", "unit", "unit_class",
                                         "qualifier", "measure", "modality", "period", "actor", "section_id",
                                         "part", "page", "text", "sentence", "rule")})
    row["start"], row["end"] = ind["span"]
    dims = ind.get("dims") or {}
    row.update({d: dims.get(d) for d in DIM_COLUMNS})
    cell = ind.get("table") or {}
    row.update(table_index=cell.get("index"), table_row=cell.get("row"), table_col=cell.get("col"),
               row_label=cell.get("row_label"), col_label=cell.get("col_label"))
    return row


def cell_rows(table: dict, doc_id: str, source: str) -> Iterator[dict]:
    """The tables rows of one table's JSON dict, one per cell, as they come."""
    for r, (cells, spans) in enumerate(zip(table["rows"], table["cell_spans"], strict=True)):
        for c, (text, span) in enumerate(zip(cells, spans, strict=True)):
            yield {"doc_id": doc_id, "source": source, "table": table["index"],
                   "row": r, "col": c, "text": text, "kind": table["kind"], "page": table.get("page"),
                   "start": span[0] if span else None, "end": span[1] if span else None}


def finding_row(finding: dict, common: dict) -> dict:
    """One findings-table row of a finding's JSON dict; `common` gives the document columns."""
    evidence = finding.get("evidence") or []
    return dict(
        common,
        check=finding.get("check"), severity=finding.get("severity"), message=finding.get("message"),
        indicators=";".join(str(i) for i in finding.get("indicators") or []),
        doc_ids=";".join(finding.get("doc_ids") or []),
        quotes=" | ".join(str(e.get("text") or "") for e in evidence),
        values=";".join(f"{csv_value(e.get('value'))}{e.get('unit') or ''}" for e in evidence),
        spans=";".join(f"{e['span'][0]}-{e['span'][1]}" for e in evidence if e.get("span")),
        sentence=evidence[0].get("sentence") if evidence else None,
        evidence=json_bytes(evidence).decode("utf-8") if evidence else None,
    )


def document_columns(doc: dict) -> dict:
    """The `DOCUMENT_COLUMNS` of one document's JSON dict."""
    meta = doc["meta"]
    region = meta.get("region") or {}
    return dict(zip(DOCUMENT_COLUMNS, (doc["doc_id"], doc["source"]["path"], meta.get("year"), region.get("name"),
                                       region.get("code"), meta.get("agency"))))


def csv_cells(columns: Sequence[str], row: dict) -> list[str]:
    """A row's cells as CSV text: typed columns (`COLUMN_TYPES`) as they are,
    every other text `neutralise`d."""
    cells = []
    get, append = row.get, cells.append
    for c in columns:  # None and text first (most cells), without csv_value's tests
        v = get(c)
        if v is None:
            append("")  # (neutralised as it is)
            continue
        text = v if v.__class__ is str else csv_value(v)
        append(text if c in COLUMN_TYPES else neutralise(text))
    return cells


def csv_text(columns: Sequence[str], rows: Iterable[dict]) -> str:
    r"""Rows as the lines `CsvTable` writes for them (so a worker can encode a
    document's rows and the writer only appends text).

    >>> csv_text(["a", "b"], [{"a": "=1+1", "b": "x,y"}])
    '\'=1+1,"x,y"\r\n'
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow(csv_cells(columns, row))
    return buf.getvalue()


class CsvTable:
    """A CSV table written row by row to a temporary file, renamed on close.

    UTF-8 with a byte-order mark, so Excel and WPS open Chinese text correctly.
    Rows are written as they come: memory stays flat however many documents.
    Text cells are `neutralise`d (no formula ever runs from a cell); the typed
    columns of `COLUMN_TYPES` hold numbers and are written as they are.
    """

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = columns
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(self.tmp, FILE_MODE)
        self.fh = io.open(fd, "wb")
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow(columns)
        self.write_text("\ufeff" + header.getvalue())  # UTF-8 with a byte-order mark

    def write(self, row: dict) -> None:
        self.write_text(csv_text(self.columns, [row]))

    def write_many(self, rows: Iterable[dict]) -> None:
        self.write_text(csv_text(self.columns, rows))

    def write_text(self, text: str) -> None:
        """Append rows already encoded by `csv_text` for this table's columns."""
        self.fh.write(text.encode("utf-8"))

    def write_bytes(self, data: bytes) -> None:
        """Append rows already encoded by `csv_text`, in UTF-8."""
        self.fh.write(data)

    def finish(self) -> None:
        """Close the temporary file without renaming it (the caller renames
        several files together)."""
        self.fh.close()

    def close(self) -> None:
        self.fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass
