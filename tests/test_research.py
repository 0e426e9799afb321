"""The research workflow on the sample archive (corpus/): the indicator list,
compare's ranking, filters and flags, the SQL views, and CJK fonts."""
from __future__ import annotations

import json
import logging
import warnings
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import compare as compare_mod
from pipeline import fonts
from pipeline.catalog import entries, mistyped_ids, nearest
from pipeline.cli import main
from pipeline.compare import compare, draw_chart, region_prefix, write_pivot
from pipeline.query import query

from conftest import missing

HEXI = "天津市河西区"


def run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


# --- govreport indicators ------------------------------------------------------------------------

def test_indicators_lists_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["indicators"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "label", "unit_class", "dims", "report_type"]
    court = next(ln for ln in lines if ln.startswith("court_appearances "))
    assert "行政机关负责人出庭应诉的次数或件数" in court and "count" in court and "rule_of_law_annual" in court
    assert len(lines) == 3 + len(entries())  # header, rule, rows, "(N rows)"


def test_indicators_json_and_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["indicators", "--json", "--type", "rule_of_law_annual"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"id": "court_appearance_rate", "label": "行政机关负责人出庭应诉率", "unit_class": "percent", "dims": [],
            "report_type": "rule_of_law_annual"} in data
    assert run(["indicators", "--type", "annual_budget"]) == 2
    assert "unknown report type 'annual_budget'" in capsys.readouterr().err


@pytest.mark.parametrize("typo, first", [
    ("court_apperances", "court_appearances"),
    ("admin_reconsideration_case", "admin_reconsideration_cases"),
    ("enforcement_fine", "enforcement_fines"),
])
def test_nearest_ids(typo: str, first: str) -> None:
    assert nearest(typo, [e.id for e in entries()])[0] == first


def test_compare_unknown_id_suggests(sample_archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["compare", str(sample_archive), "--indicator", "court_apperances"]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown indicator id 'court_apperances' (did you mean court_appearances" in err
    assert "govreport indicators" in err and len(err.splitlines()) == 1


def test_query_unknown_id_note(sample_archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["query", "SELECT count(*) AS n FROM indicators WHERE indicator = 'court_apperances' "
                         "AND modality = 'achieved'", str(sample_archive)]) == 0
    captured = capsys.readouterr()
    assert "'court_apperances' is not an indicator id (did you mean court_appearances" in captured.err
    assert "achieved" not in captured.err  # values of other columns are not ids
    assert mistyped_ids("SELECT 1 WHERE indicator = 'court_appearances'", [e.id for e in entries()]) == []


# --- compare: ranking, filters, flags ------------------------------------------------------------

def test_compare_sorts_and_ranks(sample_archive: Path) -> None:
    p = compare([sample_archive], "admin_reconsideration_cases", sort="-value", top=3)
    assert p.rows == ("山东省济南市历下区", HEXI, "天津市南开区")  # 2024: 171 received, 168, 139 (和平区 118 is 4th)
    assert [p.value(r, 2024) for r in p.rows] == sorted((p.value(r, 2024) for r in p.rows), reverse=True)
    assert any("2024" in n for n in p.notes)  # ranked on 2024 (the 2025 column has one report only)
    asc = compare([sample_archive], "admin_reconsideration_cases", sort="value")
    assert asc.rows[0] == "天津市和平区" and asc.value("天津市和平区", 2024) == 118
    assert compare([sample_archive], "admin_reconsideration_cases").rows == tuple(sorted(asc.rows))


def test_compare_region_by_code_prefix(sample_archive: Path) -> None:
    assert region_prefix("天津市") == ("12", "天津市")
    assert region_prefix("济南市") == ("3701", "山东省济南市")
    assert region_prefix("120103")[0] == "120103"
    tianjin = compare([sample_archive], "court_appearances", region="天津市")
    assert tianjin.rows == ("天津市南开区", "天津市和平区", HEXI)
    assert compare([sample_archive], "court_appearances", region="历下区").rows == ("山东省济南市历下区",)
    with pytest.raises(Exception, match="not a division"):
        region_prefix("火星市")


def test_compare_flags_the_planted_inconsistency(sample_archive: Path, tmp_path: Path) -> None:
    rate = compare([sample_archive], "court_appearance_rate")
    assert rate.value(HEXI, 2023) == Decimal("102.3")  # kept as reported, never averaged or dropped
    assert rate.flag(HEXI, 2023) == ("impossible_value",)
    assert [(r, y) for r in rate.rows for y in rate.years if rate.flag(r, y)] == [(HEXI, 2023)]
    cases = compare([sample_archive], "court_appearances")
    assert cases.flag(HEXI, 2023) == ("subset_exceeds_superset",) and cases.value(HEXI, 2023) == 90
    # CSV: a column of check ids
    write_pivot(rate, tmp_path / "rate.csv")
    lines = (tmp_path / "rate.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "region,2022,2023,2024,findings"
    assert f"{HEXI},100,102.3,100,2023:impossible_value" in lines
    # XLSX: a comment and a fill on the cell
    from openpyxl import load_workbook

    write_pivot(rate, tmp_path / "rate.xlsx")
    ws = load_workbook(tmp_path / "rate.xlsx").active
    commented = [(c.coordinate, c.value) for row in ws.iter_rows() for c in row if c.comment]
    assert commented == [("C4", 102.3)]
    assert "impossible_value" in ws["C4"].comment.text and ws["C4"].fill.fgColor.rgb.endswith("FDE68A")
    assert ws["B4"].comment is None


def test_compare_chart_marks_flagged_values(sample_archive: Path, tmp_path: Path) -> None:
    font = compare_mod.find_cjk_font()
    if font is None:
        pytest.skip(missing("cjk-font"))
    rate = compare([sample_archive], "court_appearance_rate")
    from dataclasses import replace

    draw_chart(rate, tmp_path / "flagged.png", font)
    draw_chart(replace(rate, flags=()), tmp_path / "plain.png", font)
    assert (tmp_path / "flagged.png").read_bytes() != (tmp_path / "plain.png").read_bytes()  # the marker


def test_compare_keeps_one_level(tmp_path: Path) -> None:
    from test_query import _mention, _write_tables

    m, a = _mention, "court_appearances"
    out = _write_tables(tmp_path / "levels", [
        m("P", 2024, "天津市", "天津市人民政府", a, "900"),
        m("D1", 2024, "河西区", "河西区人民政府", a, "12"),
        m("D2", 2024, "南开区", "南开区人民政府", a, "8"),
    ], [{"doc_id": "P", "region_full_name": "天津市", "region_level": "province", "region_code": "120000"},
        {"doc_id": "D1", "region_full_name": "天津市河西区", "region_level": "district"},
        {"doc_id": "D2", "region_full_name": "天津市南开区", "region_level": "district"}])
    auto = compare([out], a)
    assert auto.rows == ("天津市南开区", "天津市河西区")  # the province is not put beside its districts
    assert any("province: 1" in n for n in auto.notes)
    assert compare([out], a, level="province").rows == ("天津市",)
    assert compare([out], a, level="all").rows == ("天津市", "天津市南开区", "天津市河西区")


def test_compare_command_options(sample_archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["compare", str(sample_archive), "--indicator", "court_appearances", "--top", "2",
                "--level", "district", "--years", "2022-2024"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["region", "2022", "2023", "2024", "findings"]
    assert [ln.split()[0] for ln in out[3:5]] == ["山东省济南市历下区", HEXI]
    assert out[4].split()[-1] == "2023:subset_exceeds_superset"


# --- the views ------------------------------------------------------------------------------------

def test_report_values_is_the_rule_compare_uses(sample_archive: Path) -> None:
    for ident in ("court_appearances", "admin_reconsideration_cases", "court_appearance_rate", "enforcement_fines"):
        p = compare([sample_archive], ident, level="all")
        rows = query(f"""SELECT coalesce(region_full_name, region), year, max(value) FROM report_values
                         WHERE indicator = '{ident}' AND unit_class = '{p.unit_class}' GROUP BY ALL""",
                     [sample_archive]).rows
        assert {(r, y): v for r, y, v in rows} == {(r, y): p.value(r, y) for r in p.rows for y in p.years
                                                  if p.value(r, y) is not None}


def test_report_values_one_row_per_report_and_indicator(sample_archive: Path) -> None:
    dup = query("SELECT doc_id, indicator, unit_class, count(*) FROM report_values GROUP BY ALL HAVING count(*) > 1",
                [sample_archive]).rows
    assert dup == ()
    # 行政复议申请86件，依法受理78件，审结74件，其中维持52件…: the parts are dropped, the total stays
    assert query("SELECT value FROM report_values WHERE indicator = 'admin_reconsideration_cases' "
                 "AND region = '和平区' AND year = 2022", [sample_archive]).rows == ((Decimal(86),),)


def test_finding_indicators_view(sample_archive: Path) -> None:
    rows = query('SELECT region, year, "check", indicator, text FROM finding_indicators ORDER BY 3, 4',
                 [sample_archive]).rows
    assert rows == (("河西区", 2023, "impossible_value", "court_appearance_rate", "出庭应诉率102.3%"),
                    ("河西区", 2023, "subset_exceeds_superset", "admin_litigation_cases", "行政应诉案件88件"),
                    ("河西区", 2023, "subset_exceeds_superset", "court_appearances", "出庭应诉90件"))


# --- fonts ----------------------------------------------------------------------------------------

def test_chart_font_is_a_regular_cjk_face() -> None:
    found = fonts.chart_font()
    if found is None:
        pytest.skip(missing("cjk-font"))
    family, fname = found
    assert family in fonts.CJK_FAMILIES and "Bold" not in Path(fname).name and "Black" not in Path(fname).name


def test_chart_draws_quietly(sample_archive: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    font = fonts.chart_font()
    if font is None:
        pytest.skip(missing("cjk-font"))
    p = compare([sample_archive], "court_appearances")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph or font is a warning: none may come
        with caplog.at_level(logging.INFO, logger="matplotlib"):
            draw_chart(p, tmp_path / "c.png", font)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    from matplotlib import font_manager

    with __import__("matplotlib").rc_context({"font.family": [font[0]]}):
        used = font_manager.findfont(font_manager.FontProperties())
    assert "Bold" not in used  # the family resolves to its regular face


def test_site_names_the_cjk_stack_and_warns_without_fonts(sample_archive: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    from pipeline import view

    monkeypatch.setattr(fonts, "has_cjk_font", lambda: False)
    with caplog.at_level(logging.WARNING, logger="pipeline.view"):
        result = view.write_site(sample_archive, tmp_path / "site")
    assert any("no CJK font installed" in r.getMessage() for r in caplog.records)
    page = result.index.read_text(encoding="utf-8")
    assert f"--cjk-fonts: {fonts.CSS_FONT_STACK};" in page and '"Noto Sans CJK SC"' in page
    assert "font-family: var(--cjk-fonts" in page
    caplog.clear()
    monkeypatch.setattr(fonts, "has_cjk_font", lambda: True)
    view.write_site(sample_archive, tmp_path / "site2")
    assert not any("CJK" in r.getMessage() for r in caplog.records)


def test_report_values_keeps_apart_only_catalog_dimensions(tmp_path: Path) -> None:
    """A new column in the indicators table (here a float copy of the value) does not split the report's value."""
    from pipeline.output import INDICATOR_COLUMNS, CsvTable
    from test_query import _mention

    out = tmp_path / "extra"
    out.mkdir()
    rows = [dict(_mention("A", 2024, "河西区", "河西区人民政府", "court_appearances", v, start=s), value_float=v)
            for v, s in (("10", 10), ("3", 20))]
    table = CsvTable(out / "indicators.csv", INDICATOR_COLUMNS + ["value_float"])
    table.write_many(rows)
    table.close()
    res = query("SELECT * FROM report_values", [out])
    assert "value_float" not in res.columns
    assert [(r[res.columns.index("indicator")], r[res.columns.index("value")]) for r in res.rows] == [
        ("court_appearances", Decimal(10))]
