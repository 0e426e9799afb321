"""`govreport query` reads its output folders and nothing else (issue 10 point 6)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.batch import run_batch
from pipeline.cli import main
from pipeline.query import QueryError, query

from conftest import SAMPLE_REPORT

pytest.importorskip("duckdb")


@pytest.fixture(scope="module")
def outdir(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("sandbox")
    doc = base / "report.txt"
    doc.write_text(SAMPLE_REPORT, encoding="utf-8")
    out = base / "out"
    run_batch([str(doc)], out, formats=("json", "csv", "parquet"))
    return out


def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("password=hunter2", encoding="utf-8")
    return path


ATTACKS = [
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM read_blob('{secret}')",
    "SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM glob('{tmp}/*')",
    "COPY (SELECT 1) TO '{tmp}/written.csv'",
    "COPY (SELECT 1) TO '{tmp}/written.csv' (USE_TMP_FILE false)",
    "ATTACH '{tmp}/new.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "RESET enable_external_access",
    "PRAGMA enable_profiling",
    "CREATE TABLE t AS SELECT 1",
    "SELECT 1; COPY (SELECT 1) TO '{tmp}/written.csv'",
    "CALL pragma_version()",
]


@pytest.mark.parametrize("sql", ATTACKS)
def test_nothing_outside_the_output_tables(outdir, tmp_path, sql):
    sql = sql.format(secret=secret(tmp_path), tmp=tmp_path)
    with pytest.raises(QueryError):
        query(sql, [outdir])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.txt"]


def test_the_table_files_cannot_be_overwritten(outdir):
    target = outdir / "reports.parquet"
    before = target.read_bytes()
    with pytest.raises(QueryError):
        query(f"COPY (SELECT 1 AS x) TO '{target}' (FORMAT parquet, USE_TMP_FILE false)", [outdir])
    assert target.read_bytes() == before


def test_queries_still_read_every_table(outdir):
    for view in ("reports", "sections", "indicators", "errors", "findings"):
        query(f"SELECT count(*) FROM {view}", [outdir])
    assert query("EXPLAIN SELECT count(*) FROM indicators", [outdir]).rows
    assert query("WITH t AS (SELECT value FROM indicators) SELECT sum(value) FROM t", [outdir]).rows[0][0] > 0


def test_folder_names_are_literal_not_globs(tmp_path):
    """A folder named g* is that folder, not every folder starting with g."""
    for name, district in (("g*", "南开区"), ("gx", "河西区"), ("h[a]", "和平区")):
        doc = tmp_path / f"{name}-in" / "r.txt"
        doc.parent.mkdir()
        doc.write_text(f"天津市{district}2025年法治政府建设年度报告\n" + SAMPLE_REPORT.split("\n", 1)[1],
                       encoding="utf-8")
        run_batch([str(doc)], tmp_path / name, formats=("json", "csv", "parquet"))
    assert query("SELECT region FROM reports", [tmp_path / "g*"]).rows == (("南开区",),)
    assert query("SELECT region FROM reports", [tmp_path / "h[a]"]).rows == (("和平区",),)
    for table in ("reports", "indicators"):  # CSV-only folders too
        (tmp_path / "g*" / f"{table}.parquet").unlink()
    assert query("SELECT region FROM reports", [tmp_path / "g*"]).rows == (("南开区",),)


def test_refusal_is_one_line(outdir, capsys, tmp_path):
    assert main(["query", f"COPY (SELECT 1) TO '{tmp_path}/x.csv'", str(outdir)]) == 2
    err = capsys.readouterr().err
    assert err == "govreport: E202 query error: only SELECT queries run here (reading the output tables); got COPY\n"
