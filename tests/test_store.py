"""Parquet beside the CSV tables (`pipeline/store.py`) and `pipeline.load`.

Checks the types (value exact decimal, year integer), that Parquet holds the
same values as CSV, that the writing is atomic, deterministic and streaming,
and that `load` gives the same DataFrames from Parquet or from CSV.
"""
from __future__ import annotations

import csv
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline import store
from pipeline.batch import run_batch
from pipeline.errors import UsageError

from conftest import write_reports

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "nankai-gov-office-2025.txt"  # the one real report; not the sample archive
MAIN_TABLES = ("reports", "sections", "indicators", "errors")

# A made-up report (not from any real one): a range, a percentage with decimals, and money.
SMALL = (
    "河西区司法局2024年度法治政府建设情况报告\n"
    "一、2024年推进法治政府建设的主要举措和成效\n"
    "全年办理行政复议案件3至5件，法治培训考试合格率98.75%，投入法治宣传经费16.4亿元。\n"
)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("store")
    src = write_reports(base / "in", {"small": SMALL, "empty": b""}, copies=(SEED,))  # empty: one error row
    out = base / "out"
    run_batch([str(src)], out, jobs=1, formats=("json", "csv", "parquet"))
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_csv_has_a_parquet_with_the_same_rows(extracted: Path) -> None:
    for name in MAIN_TABLES:
        table = pq.read_table(extracted / f"{name}.parquet")
        rows = read_csv(extracted / f"{name}.csv")
        assert table.num_rows == len(rows), name
        assert table.column_names == list(rows[0]) if rows else table.column_names == store.csv_header(
            extracted / f"{name}.csv")
    assert pq.read_table(extracted / "errors.parquet").column("code").to_pylist() == ["E003"]


def test_parquet_types(extracted: Path) -> None:
    # the scale the values need (here 2: 98.5 and 1.26 …), with the contract's 28 integer digits
    rows = read_csv(extracted / "indicators.csv")
    scale = max(len(v.partition(".")[2]) for r in rows for v in (r["value"], r["value_high"]))
    decimal = pa.decimal128(28 + scale, scale)
    ind = pq.read_schema(extracted / "indicators.parquet")
    assert ind.field("value").type == decimal and ind.field("value_high").type == decimal
    for col in ("year", "page", "start", "end"):
        assert ind.field(col).type == pa.int32(), col
        assert ind.field(col).nullable
    for col in ("doc_id", "indicator", "unit", "actor", "sentence", "section_id"):
        assert ind.field(col).type == pa.string(), col
    sec = pq.read_schema(extracted / "sections.parquet")
    assert sec.field("level").type == pa.int32() and sec.field("section_id").type == pa.string()
    rep = pq.read_schema(extracted / "reports.parquet")
    assert rep.field("ocr").type == pa.bool_() and rep.field("n_indicators").type == pa.int32()
    assert rep.field("year").type == pa.int32()


def test_values_are_exact_and_match_csv(extracted: Path) -> None:
    table = pq.read_table(extracted / "indicators.parquet").to_pylist()
    rows = read_csv(extracted / "indicators.csv")
    for got, want in zip(table, rows, strict=True):
        assert got["value"] == Decimal(want["value"])
        assert got["value_high"] == (Decimal(want["value_high"]) if want["value_high"] else None)
        assert got["year"] == (int(want["year"]) if want["year"] else None)
        assert got["actor"] == (want["actor"] or None)  # an empty cell is null, not ""
        assert got["sentence"] == want["sentence"]
    small = [r for r in table if r["source"].endswith("small.txt")]
    values = {(r["unit"], r["value"], r["value_high"]) for r in small}
    assert ("件", Decimal(3), Decimal(5)) in values
    assert ("%", Decimal("98.75"), None) in values
    assert ("元", Decimal(1640000000), None) in values  # 16.4亿, not 1639999999.99…


def test_parquet_only_keeps_errors_csv_and_no_other_csv(tmp_path: Path) -> None:
    src = tmp_path / "small.txt"
    src.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "out"
    run_batch([str(src)], out, jobs=1, formats=("parquet",))
    names = {p.name for p in out.iterdir() if p.name != ".govreport"}  # the run's own state
    assert {f"{t}.parquet" for t in MAIN_TABLES} <= names
    assert {n for n in names if not n.endswith(".parquet")} == {"errors.csv"}


def test_written_atomically_shared_and_deterministic(extracted: Path, tmp_path: Path) -> None:
    assert not [p for p in extracted.rglob("*") if p.name.endswith(".tmp")]
    assert [p.name for p in extracted.iterdir() if p.name.startswith(".")] == [".govreport"]
    for name in MAIN_TABLES:
        assert (extracted / f"{name}.parquet").stat().st_mode & 0o777 == 0o644
        again = tmp_path / f"{name}.parquet"
        store.csv_to_parquet(extracted / f"{name}.csv", again)
        assert again.read_bytes() == (extracted / f"{name}.parquet").read_bytes(), name


def test_failed_conversion_leaves_no_file(tmp_path: Path) -> None:
    bad = tmp_path / "indicators.csv"
    bad.write_text("\ufeffdoc_id,value\r\nx,not-a-number\r\n", encoding="utf-8")
    with pytest.raises(pa.ArrowInvalid):
        store.csv_to_parquet(bad, tmp_path / "indicators.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.csv"]


def test_streams_in_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # many small blocks give the same table as one: the conversion never needs the whole CSV at once
    rows = "".join(f'd{i},"第{i}句，\n换行",{i}.5\r\n' for i in range(3000))
    src = tmp_path / "indicators.csv"
    src.write_text("\ufeffdoc_id,sentence,value\r\n" + rows, encoding="utf-8")
    monkeypatch.setattr(store, "CSV_BLOCK_BYTES", 4096)
    assert store.csv_to_parquet(src, tmp_path / "small-blocks.parquet") == 3000
    table = pq.read_table(tmp_path / "small-blocks.parquet")
    assert pq.ParquetFile(tmp_path / "small-blocks.parquet").metadata.num_row_groups > 1
    assert table.column("sentence")[2999].as_py() == "第2999句，\n换行"
    assert table.column("value")[10].as_py() == Decimal("10.5")


def test_new_table_is_one_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # findings (another issue) or any new table: its name in TABLES, types follow the column names
    monkeypatch.setitem(store.TABLES, "extra", ["doc_id", "year", "note"])
    (tmp_path / "extra.csv").write_text("\ufeffdoc_id,year,note\r\na,2024,好\r\nb,,\r\n", encoding="utf-8")
    written = store.write_parquet(tmp_path)
    assert [p.name for p in written] == ["extra.parquet"]
    table = pq.read_table(tmp_path / "extra.parquet")
    assert table.schema.field("year").type == pa.int32()
    assert table.to_pylist() == [{"doc_id": "a", "year": 2024, "note": "好"},
                                 {"doc_id": "b", "year": None, "note": None}]


def test_load_gives_typed_frames_from_parquet_or_csv(extracted: Path, tmp_path: Path) -> None:
    from_parquet = pipeline.load(extracted)
    csv_only = tmp_path / "csv-only"
    shutil.copytree(extracted, csv_only)
    for p in csv_only.glob("*.parquet"):
        p.unlink()
    from_csv = pipeline.load(csv_only)
    assert set(from_parquet) == set(from_csv) >= set(MAIN_TABLES)  # and findings, once batch writes it
    for name in from_parquet:
        a, b = from_parquet[name], from_csv[name]
        assert list(a.columns) == list(b.columns)
        assert a.dtypes.astype(str).tolist() == b.dtypes.astype(str).tolist(), name
        assert a.astype(object).where(a.notna(), None).values.tolist() == \
            b.astype(object).where(b.notna(), None).values.tolist(), name
    ind = from_parquet["indicators"]
    assert str(ind["year"].dtype) == "Int32" and str(ind["start"].dtype) == "Int32"
    assert all(isinstance(v, Decimal) for v in ind["value"])
    assert ind["value"].sum() == sum(Decimal(r["value"]) for r in read_csv(extracted / "indicators.csv"))
    assert str(from_parquet["reports"]["ocr"].dtype) == "boolean"


def test_stale_parquet_is_not_used(extracted: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(extracted, out)
    old = time.time() - 3600
    os.utime(out / "reports.parquet", (old, old))  # an earlier run's Parquet, CSV rewritten since
    files = store.table_files(out)
    assert files["reports"].suffix == ".csv" and files["indicators"].suffix == ".parquet"


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such output folder"):
        pipeline.load(tmp_path / "missing")
    with pytest.raises(UsageError, match="no govreport tables"):
        pipeline.load(tmp_path)


def test_every_column_kind_has_its_sql_pandas_and_sample_forms() -> None:
    # the per-kind tables of store must name the same kinds, and every kind a column can have
    kinds = set(store.COLUMN_TYPES.values()) | {"string"}
    assert set(store.SQL_TYPES) == set(store._PANDAS_TYPES) == set(store._SAMPLE_CELLS) == kinds
