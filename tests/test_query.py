"""`govreport query`, `compare` and `evaluate` (pipeline/query.py, compare.py, evaluate.py).

Most tests run on one extract, made once per session, of the bundled corpus
plus three made-up reports (two districts, two years). The rule of `compare`
for several mentions in one report is tested on hand-written tables, so it does
not depend on what the extractor finds. Gold files for `evaluate` are written
here from made-up text.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import compare as compare_mod
from pipeline.batch import run_batch
from pipeline.cli import main
from pipeline.compare import Pivot, compare, parse_years
from pipeline.errors import UsageError
from pipeline.evaluate import evaluate
from pipeline.output import INDICATOR_COLUMNS, REPORT_COLUMNS, CsvTable
from pipeline.query import QueryError, display_width, format_table, query, truncate

from conftest import missing, write_reports

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "nankai-gov-office-2025.txt"  # the one real report; not the sample archive

# Made-up reports (not from any real one).
HEXI_2024 = (
    "河西区人民政府2024年度法治政府建设情况报告\n"
    "一、2024年推进法治政府建设的主要举措和成效\n"
    "（一）强化行政应诉。区领导带头出庭应诉4次，区司法局主要负责人作为行政机关负责人出庭应诉2次。\n"
    "（二）规范行政复议。全年办理行政复议案件20件，撤销3件，维持15件。\n"
    "（三）加强学法用法。全年组织集中学法8次，法治培训考试合格率98.5%。\n"
    "二、存在的不足和原因\n部分工作人员法治意识有待提高。\n"
    "三、2025年工作安排\n力争开展法治宣传活动20场。\n"
)
HEXI_2025 = (
    "河西区人民政府2025年度法治政府建设情况报告\n"
    "一、2025年推进法治政府建设的主要举措和成效\n"
    "（一）强化行政应诉。全年行政机关负责人出庭应诉12次，其中区领导出庭应诉5次。\n"
    "（二）规范行政复议。全年办理行政复议案件25件。\n"
    "二、存在的不足和原因\n部分工作人员法治意识有待提高。\n"
)
HEDONG_2024 = (
    "河东区人民政府2024年度法治政府建设情况报告\n"
    "一、2024年推进法治政府建设的主要举措和成效\n"
    "（一）强化行政应诉。全年出庭应诉6次。\n"
    "（二）规范行政复议。全年办理行政复议案件9件。\n"
    "二、存在的不足和原因\n部分工作人员法治意识有待提高。\n"
)


@pytest.fixture(scope="session")
def outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One extract (JSON, CSV, Parquet) of the bundled corpus and the made-up reports."""
    base = tmp_path_factory.mktemp("query")
    src = write_reports(base / "in", {"hexi-2024": HEXI_2024, "hexi-2025": HEXI_2025, "hedong-2024": HEDONG_2024},
                        copies=(SEED,))
    out = base / "out"
    result = run_batch([str(src)], out, jobs=1, formats=("json", "csv", "parquet"))
    assert result.processed == 4 and not result.failed
    return out


@pytest.fixture(scope="session")
def csv_outdir(outdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same extract with only its CSV tables."""
    out = tmp_path_factory.mktemp("csvonly") / "out"
    shutil.copytree(outdir, out)
    for p in out.glob("*.parquet"):
        p.unlink()
    return out


def run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --- query ---------------------------------------------------------------------------------------

def test_query_views_and_types(outdir: Path) -> None:
    res = query("SELECT count(*) AS n, sum(value) AS total, min(year) AS y FROM indicators", [outdir])
    assert res.columns == ("n", "total", "y")
    n, total, year = res.rows[0]
    assert n > 25 and isinstance(total, Decimal) and year == 2024
    names = query("SELECT region FROM reports ORDER BY region", [outdir]).rows
    assert [r[0] for r in names] == ["南开区", "河东区", "河西区", "河西区"]
    for view in ("sections", "errors", "findings"):
        query(f"SELECT * FROM {view}", [outdir])
    # findings has its columns even before any findings file exists
    assert "severity" in query("SELECT * FROM findings", [outdir]).columns


def test_csv_only_folders_have_the_same_types(outdir: Path, csv_outdir: Path) -> None:
    sql = "SELECT indicator, sum(value) AS s, max(year) AS y, typeof(sum(value)) AS t FROM indicators " \
          "GROUP BY 1 ORDER BY 1"
    assert query(sql, [outdir]).rows == query(sql, [csv_outdir]).rows
    # several folders, Parquet and CSV mixed, are combined
    both = query("SELECT count(*) FROM indicators", [outdir, csv_outdir]).rows[0][0]
    assert both == 2 * query("SELECT count(*) FROM indicators", [outdir]).rows[0][0]


def test_query_command_prints_a_readable_table(outdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["query", "SELECT region, agency, count(*) AS n FROM indicators GROUP BY ALL ORDER BY ALL",
                str(outdir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["region", "agency", "n"]
    assert set(out[1]) <= {"-", " "}
    body = out[2:-1]
    assert len(body) == 3 and out[-1] == "(3 rows)"
    # CJK-aware: every row's columns line up, measured in terminal cells
    widths = {display_width(line.rstrip()) for line in [out[0]] + body}
    assert len(widths) == 1, out
    assert any("河西区人民政府" in line for line in body)


def test_query_table_cuts_long_cells_and_rows(outdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["query", "SELECT sentence FROM indicators", str(outdir), "--max-width", "12",
                "--max-rows", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 + 3 + 1 and "more not shown" in out[-1]
    assert all(display_width(line) <= 12 for line in out[2:5])
    assert any(line.endswith("…") for line in out[2:5])


def test_query_csv_and_json(outdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT indicator, value, actor FROM indicators WHERE region = '河西区' ORDER BY year, start"
    assert run(["query", sql, str(outdir), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == {"indicator": "court_appearances", "value": "4", "actor": "区领导"}
    assert any(r["value"] == "98.5" for r in rows)  # exact, no trailing zeros of the decimal's scale
    assert run(["query", sql, str(outdir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0] == {"indicator": "court_appearances", "value": 4, "actor": "区领导"}
    assert len(data) == len(rows) and any(d["value"] == 98.5 for d in data) and data[2]["actor"] is None


@pytest.mark.parametrize("sql", ["SELEC 1", "SELECT nope FROM indicators", "SELECT * FROM no_such_table",
                                 "SELECT CAST('x' AS INTEGER)"])
def test_sql_error_is_one_line(outdir: Path, capsys: pytest.CaptureFixture[str], sql: str) -> None:
    assert run(["query", sql, str(outdir)]) == 2
    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert line.startswith("govreport: E202 query error: ") and "Error" in line
    assert captured.out == ""
    with pytest.raises(QueryError):
        query(sql, [outdir])


def test_query_bad_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    assert run(["query", "SELECT 1", str(tmp_path / "missing")]) == 2
    assert "no such output folder" in one_line(capsys.readouterr().err)
    assert run(["query", "SELECT 1", str(tmp_path)]) == 2
    assert "no govreport tables" in one_line(capsys.readouterr().err)
    monkeypatch.chdir(tmp_path)  # the default OUTDIR is outputs/
    assert run(["query", "SELECT 1"]) == 2
    assert "outputs" in one_line(capsys.readouterr().err)


def test_display_width_and_truncate() -> None:
    assert display_width("南开区") == 6 and display_width("ab") == 2 and display_width("（一）") == 6
    assert truncate("南开区人民政府", 7) == "南开区…" and display_width(truncate("南开区人民政府", 7)) <= 7
    table = format_table(["a", "n"], [["南开", 1], ["x", 10]])
    assert table.splitlines()[2] == "南开   1" and table.splitlines()[3] == "x     10"


# --- compare: the rule ---------------------------------------------------------------------------

def _mention(doc: str, year: int, region: str, agency: str, indicator: str, value: str, *, actor: str = "",
             rule: str = "cue-before", unit: str = "次", unit_class: str = "count", measure: str = "level",
             modality: str = "achieved", start: int = 0) -> dict:
    return {"doc_id": doc, "source": f"{doc}.txt", "year": year, "region": region, "agency": agency,
            "indicator": indicator, "label": "出庭应诉", "value": Decimal(value), "unit": unit,
            "unit_class": unit_class, "measure": measure, "modality": modality, "actor": actor or None,
            "rule": f"{indicator}/{rule}", "start": start, "end": start + 5}


def _write_tables(out: Path, mentions: list[dict], reports: list[dict]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for name, columns, rows in (("indicators", INDICATOR_COLUMNS, mentions), ("reports", REPORT_COLUMNS, reports)):
        table = CsvTable(out / f"{name}.csv", columns)
        table.write_many(rows)
        table.close()
    return out


@pytest.fixture()
def rule_tables(tmp_path: Path) -> Path:
    m = _mention
    a = "court_appearances"
    mentions = [
        # A: a total and its part by a named actor: 10, not 13
        m("A", 2024, "河西区", "河西区人民政府", a, "10", start=10),
        m("A", 2024, "河西区", "河西区人民政府", a, "3", actor="区领导", start=20),
        # B: two named actors (added), a part that inherited its total's id (dropped), a restatement
        m("B", 2025, "河西区", "河西区人民政府", a, "3", actor="区领导", start=10),
        m("B", 2025, "河西区", "河西区人民政府", a, "7", actor="主要负责人", start=20),
        m("B", 2025, "河西区", "河西区人民政府", a, "7", actor="主要负责人", start=40),
        m("B", 2025, "河西区", "河西区人民政府", a, "9", rule="inherit", start=30),
        # C: two unattributed mentions (the largest), a plan and a change (both left out)
        m("C", 2024, "河东区", "河东区人民政府", a, "4", start=10),
        m("C", 2024, "河东区", "河东区人民政府", a, "2", start=20),
        m("C", 2024, "河东区", "河东区人民政府", a, "50", modality="planned", start=30),
        m("C", 2024, "河东区", "河东区人民政府", a, "30", measure="change_abs", start=40),
        # D: another agency of the same region and year: the cell keeps the largest report, never a sum
        m("D", 2024, "河东区", "河东区司法局", a, "6", start=10),
        # a rate: the first unattributed mention, never a sum
        m("A", 2024, "河西区", "河西区人民政府", "law_exam_pass_rate", "100", actor="区领导", unit="%",
          unit_class="percent", start=5),
        m("A", 2024, "河西区", "河西区人民政府", "law_exam_pass_rate", "98.5", unit="%", unit_class="percent",
          start=50),
        m("A", 2024, "河西区", "河西区人民政府", "law_exam_pass_rate", "99", unit="%", unit_class="percent",
          start=60),
        # another unit class of the same indicator: left out, and said so
        m("C", 2024, "河东区", "河东区人民政府", a, "40", unit="人次", unit_class="people", start=60),
    ]
    reports = [{"doc_id": "A", "region_full_name": "天津市河西区"}, {"doc_id": "B", "region_full_name": "天津市河西区"},
               {"doc_id": "C"}, {"doc_id": "D"}]
    return _write_tables(tmp_path / "rule", mentions, reports)


def test_compare_rule(rule_tables: Path) -> None:
    p = compare([rule_tables], "court_appearances")
    assert p.rows == ("天津市河西区", "河东区") and p.years == (2024, 2025)  # full name where known
    assert p.value("天津市河西区", 2024) == 10  # total 10 holds its part 3
    assert p.value("天津市河西区", 2025) == 10  # actors 3 + 7; the restated 7 and the inherited 9 not added
    assert p.value("河东区", 2024) == 6  # max(C: 4, D: 6)
    assert p.value("河东区", 2025) is None
    assert p.unit == "次" and p.documents == 4
    assert any("people" in n for n in p.notes)


def test_compare_rate_takes_the_headline(rule_tables: Path) -> None:
    p = compare([rule_tables], "law_exam_pass_rate", by="agency")
    assert p.rows == ("河西区人民政府",) and p.cells == ((Decimal("98.5"),),)


def test_compare_same_document_twice_counts_once(rule_tables: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(rule_tables, copy)
    once = compare([rule_tables], "court_appearances")
    twice = compare([rule_tables, copy], "court_appearances")
    assert twice.cells == once.cells and twice.documents == once.documents


def test_compare_by_agency_and_years(rule_tables: Path) -> None:
    p = compare([rule_tables], "court_appearances", by="agency", years=(2023, 2024))
    assert p.years == (2023, 2024)  # every year of the range is a column
    assert p.rows == ("河东区人民政府", "河东区司法局", "河西区人民政府")
    assert p.table() == [["河东区人民政府", None, Decimal(4)], ["河东区司法局", None, Decimal(6)],
                         ["河西区人民政府", None, Decimal(10)]]


def test_parse_years() -> None:
    assert parse_years("2020-2025") == (2020, 2025) and parse_years("2024") == (2024, 2024)
    assert parse_years(None) is None
    for bad in ("20-25", "2025-2020", "last year"):
        with pytest.raises(UsageError):
            parse_years(bad)


# --- compare: on the extract, files and chart ------------------------------------------------------

def test_compare_on_the_extract(outdir: Path, csv_outdir: Path) -> None:
    p = compare([outdir], "court_appearances")
    assert p.rows == ("天津市南开区", "天津市河西区", "河东区")
    assert p.table() == [["天津市南开区", None, Decimal(10)],  # two named actors: 3 + 7
                         ["天津市河西区", Decimal(6), Decimal(12)],  # 4 + 2 by actors; 12 holds its part 5
                         ["河东区", Decimal(6), None]]
    assert compare([csv_outdir], "court_appearances") == p
    cases = compare([outdir], "admin_reconsideration_cases", years=(2024, 2024))
    assert cases.value("天津市河西区", 2024) == 20  # 撤销3件，维持15件 are parts of the 20


def test_compare_command_table_and_csv(outdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "pivot.csv"
    assert run(["compare", str(outdir), "--indicator", "court_appearances", "--years", "2024-2025",
                "-o", str(target)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "court_appearances" in out[0]
    assert out[1].split() == ["region", "2024", "2025"]
    assert out[3].split() == ["天津市南开区", "10"] and out[4].split() == ["天津市河西区", "6", "12"]
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [["region", "2024", "2025"], ["天津市南开区", "", "10"], ["天津市河西区", "6", "12"],
                    ["河东区", "6", ""]]


def test_compare_command_xlsx(outdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "pivot.xlsx"
    assert run(["compare", str(outdir), "--indicator", "court_appearances", "--by", "agency", "-q",
                "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    ws = openpyxl.load_workbook(target).worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0] == ["agency", "2024", "2025"]
    assert ["河西区人民政府", 6, 12] in values and ["南开区人民政府办公室", None, 10] in values


def test_compare_chart(outdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if compare_mod.find_cjk_font() is None:
        pytest.skip(missing("cjk-font"))
    for years, name in (("2024-2025", "lines.png"), ("2025", "bars.png")):
        target = tmp_path / name
        assert run(["compare", str(outdir), "--indicator", "court_appearances", "--years", years, "-q",
                    "--chart", str(target)]) == 0
        data = target.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    assert "Traceback" not in capsys.readouterr().err


def test_chart_without_cjk_font_refuses(outdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare_mod, "find_cjk_font", lambda: None)
    chart, table = tmp_path / "c.png", tmp_path / "t.csv"
    status = run(["compare", str(outdir), "--indicator", "court_appearances", "--chart", str(chart),
                  "-o", str(table)])
    captured = capsys.readouterr()
    assert status == 2
    assert one_line(captured.err) == ("govreport: E203 no CJK font found: install fonts-noto-cjk or fonts-wqy-microhei: "
                                      f"no chart drawn; {table} written")
    # never a chart of empty boxes, but the table and its file are there
    assert not chart.exists() and table.read_text(encoding="utf-8-sig").startswith("region,2024,2025")
    assert "天津市河西区" in captured.out


@pytest.mark.parametrize("argv, message", [
    (["--indicator", "court_appearance"], "did you mean court_appearances"),
    (["--indicator", "court_appearances", "--years", "2025-2020"], "first year is after the last"),
    (["--indicator", "court_appearances", "-o", "pivot.txt"], ".csv or .xlsx"),
    (["--indicator", "court_appearances", "--chart", "chart.jpg"], ".png"),
])
def test_compare_usage_errors(outdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                              message: str) -> None:
    assert run(["compare", str(outdir), *argv]) == 2
    assert message in one_line(capsys.readouterr().err)


def test_pivot_is_frozen(rule_tables: Path) -> None:
    p = compare([rule_tables], "court_appearances")
    assert isinstance(p, Pivot)
    with pytest.raises(AttributeError):
        p.rows = ()  # type: ignore[misc]


# --- evaluate ------------------------------------------------------------------------------------

def _output(doc_id: str, indicators: list[tuple], sections=(), meta=None, text: str = "") -> dict:
    return {"doc_id": doc_id, "meta": meta or {}, "text": text,
            "sections": [{"level": lv, "marker": mk, "title": t, "part": pt} for lv, mk, t, pt in sections],
            "indicators": [{"indicator": i, "value": v, "unit": u, "text": f"{v}{u}",
                            **({"quantity_span": list(span)} if span else {})}
                           for i, v, u, *rest in indicators for span in [rest[0] if rest else None]]}


def _gold_dir(base: Path) -> tuple[Path, Path]:
    gold, out = base / "gold", base / "out"
    gold.mkdir()
    out.mkdir()
    text = "某区2024年度报告。全年出庭应诉3次，行政复议12件，合格率100%，学法8次。"
    (gold / "a.json").write_text(json.dumps({
        "id": "a",
        "meta": {"year": 2024, "region": {"code": "120103"}, "agency": "某区人民政府"},
        "sections": [{"level": 1, "marker": "一、", "title_starts": "主要举措", "part": "achievements"},
                     {"level": 2, "marker": "（一）", "title_starts": "依法行政", "part": "achievements"},
                     {"level": 1, "marker": "二、", "title_starts": "存在的不足", "part": "shortcomings"}],
        "indicators": [
            {"indicator": "court_appearances", "value": 3, "unit": "次", "quote": "出庭应诉3次"},
            {"indicator": "admin_reconsideration_cases", "value": 12, "unit": "件", "quote": "行政复议12件"},
            {"indicator": "law_exam_pass_rate", "value": 100, "unit": "%", "quote": "合格率100%"},
            {"indicator": "study_sessions", "value": 8, "unit": "次", "quote": "学法8次"},
        ],
        "optional": [{"indicator": "other", "value": 2, "unit": "项", "quote": "2项"}],
        "negatives": ["2024年"],
    }, ensure_ascii=False), encoding="utf-8")
    (out / "a.json").write_text(json.dumps(_output("a", [
        ("court_appearances", 3, "次"),           # right
        ("other", 12, "件"),                      # right value, wrong id
        ("law_exam_pass_rate", 100, "％"),         # right (full-width % is %)
        ("study_sessions", 9, "次"),              # wrong value: a miss and an extra
        ("other", 2, "项"),                       # optional: counts neither way
        ("other", 2024, "年", (2, 7)),            # inside a negative phrase
    ], sections=[(1, "一、", "主要举措和成效", "achievements"), (2, "(一)", "依法行政", "other")],
        meta={"year": 2024, "region": {"code": None}, "agency": "某区人民政府"}, text=text),
        ensure_ascii=False), encoding="utf-8")
    # b: no output at all
    (gold / "b.json").write_text(json.dumps({"id": "b", "indicators": [
        {"indicator": "court_appearances", "value": 1, "unit": "次", "quote": "1次"}]}), encoding="utf-8")
    return gold, out


def test_evaluate_figures(tmp_path: Path) -> None:
    gold, out = _gold_dir(tmp_path)
    ev = evaluate(gold, out)
    assert ev.documents == 2 and ev.missing == ("b",)
    # gold 5 (4 + 1), predicted 5 (the optional hit removed), mentions matched 3, typed 2
    assert (ev.mentions.gold, ev.mentions.predicted, ev.mentions.matched) == (5, 5, 3)
    assert ev.typed.matched == 2
    assert ev.mentions.precision == pytest.approx(0.6) and ev.mentions.recall == pytest.approx(0.6)
    assert ev.typed.f1 == pytest.approx(0.4)
    court = ev.per_indicator["court_appearances"]
    assert (court.gold, court.predicted, court.matched) == (2, 1, 1)
    assert court.precision == 1.0 and court.recall == 0.5 and court.f1 == pytest.approx(2 / 3)
    other = ev.per_indicator["other"]
    assert (other.gold, other.predicted, other.matched) == (0, 2, 0) and other.precision == 0.0
    assert ev.per_indicator["admin_reconsideration_cases"].recall == 0.0
    # sections: 2 of 3 found (full-width and half-width markers are one), 1 of 2 in the right part
    assert (ev.sections_gold, ev.sections_found, ev.parts_right) == (3, 2, 1)
    # meta: year and agency right, division code wrong
    assert (ev.meta_checks, ev.meta_right) == (3, 2)
    assert ev.negatives_hit == 1


def test_evaluate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold, out = _gold_dir(tmp_path)
    assert run(["evaluate", str(gold), str(out)]) == 0
    text = capsys.readouterr().out
    assert "mentions  P=0.600 R=0.600 F1=0.600" in text
    assert "typed     P=0.400 R=0.400 F1=0.400" in text
    assert "sections  found=0.667  parts right=0.500  meta right=0.667" in text
    assert any(line.split()[:4] == ["court_appearances", "2", "1", "1"] for line in text.splitlines())
    assert run(["evaluate", str(gold), str(out), "--json", "--details"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["typed"]["f1"] == pytest.approx(0.4) and data["missing"] == ["b"]
    assert data["per_indicator"]["study_sessions"] == {"gold": 1, "predicted": 1, "matched": 0, "precision": 0.0,
                                                       "recall": 0.0, "f1": 0.0}
    assert any("MISSED study_sessions 8次" in d for d in data["details"])


def test_evaluate_on_the_extract(outdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # gold hand-coded from the made-up report: the extract gets all of it
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "hexi-2024.json").write_text(json.dumps({
        "id": "hexi-2024",
        "meta": {"year": 2024, "agency": "河西区人民政府"},
        "sections": [{"level": 1, "marker": "一、", "title_starts": "2024年推进", "part": "achievements"}],
        "indicators": [
            {"indicator": "court_appearances", "value": 4, "unit": "次", "quote": "区领导带头出庭应诉4次"},
            {"indicator": "court_appearances", "value": 2, "unit": "次", "quote": "出庭应诉2次"},
            {"indicator": "admin_reconsideration_cases", "value": 20, "unit": "件", "quote": "行政复议案件20件"},
            {"indicator": "admin_reconsideration_cases", "value": 3, "unit": "件", "quote": "撤销3件"},
            {"indicator": "admin_reconsideration_cases", "value": 15, "unit": "件", "quote": "维持15件"},
            {"indicator": "study_sessions", "value": 8, "unit": "次", "quote": "集中学法8次"},
            {"indicator": "law_exam_pass_rate", "value": 98.5, "unit": "%", "quote": "合格率98.5%"},
            {"indicator": "legal_publicity_events", "value": 20, "unit": "场", "quote": "法治宣传活动20场"},
        ],
        "negatives": ["2024年", "2025年"],
    }, ensure_ascii=False), encoding="utf-8")
    assert run(["evaluate", str(gold), str(outdir)]) == 0
    out = capsys.readouterr().out
    assert "summary mentionF1=1.000 typedF1=1.000 sections=1.000 parts=1.000 meta=1.000" in out
    assert "negatives extracted: 0" in out


def test_evaluate_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out").mkdir()
    assert run(["evaluate", str(tmp_path / "nogold"), str(tmp_path / "out")]) == 2
    assert "no such gold folder" in one_line(capsys.readouterr().err)
    gold = tmp_path / "gold"
    gold.mkdir()
    assert run(["evaluate", str(gold), str(tmp_path / "out")]) == 2
    assert "no gold files" in one_line(capsys.readouterr().err)
    (gold / "x.json").write_text("{not json", encoding="utf-8")
    assert run(["evaluate", str(gold), str(tmp_path / "out")]) == 2
    assert "x.json" in one_line(capsys.readouterr().err)
    (gold / "x.json").write_text('{"indicators": [{"value": 1}]}', encoding="utf-8")
    assert run(["evaluate", str(gold), str(tmp_path / "out")]) == 2
    assert "needs indicator, value and unit" in one_line(capsys.readouterr().err)


def test_compare_refuses_other(outdir, capsys):
    from pipeline.cli import main

    assert main(["compare", str(outdir), "--indicator", "other"]) == 2
    err = capsys.readouterr().err
    assert "'other' is not one indicator" in err and "Traceback" not in err
