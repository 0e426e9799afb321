"""Tables as data: every reader gives a report's tables as rows of cells
(merged cells spread, wrapped labels joined), each cell with its span in the
text; table rows are never headings and row labels are never figures.

The reports are the made-up disclosure reports of tests/fixtures/disclosure.py,
written in every format from one model."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

import pipeline
from pipeline import extract_text
from fixtures import disclosure as dx
from fixtures import make_fixtures as mf
from pipeline.readers import render_rows, spread_cells
from pipeline.tables import text_tables

from conftest import pdf_font, requires  # noqa: E402

needs_font = requires("pdf-font", pdf_font() is not None)

GOOD = dx.reports()[0]
FORMATS = {
    "txt-colon": lambda out: dx.write_txt(GOOD, out, "colon"),
    "txt-tabs": lambda out: dx.write_txt(GOOD, out, "tabs"),
    "html": lambda out: dx.write_html(GOOD, out),
    "docx": lambda out: dx.write_docx(GOOD, out),
    "pdf-ruled": pytest.param(lambda out: dx.write_pdf(GOOD, out, ruled=True), marks=needs_font),
    "pdf-aligned": pytest.param(lambda out: dx.write_pdf(GOOD, out, ruled=False), marks=needs_font),
}
KIND = {"txt-colon": "text", "txt-tabs": "text", "html": "html", "docx": "docx", "pdf-ruled": "pdf-ruled",
        "pdf-aligned": "pdf-aligned"}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tables")


def _figures(table) -> list[tuple[str, ...]]:
    """The figures of each row that has some, as written."""
    rows = []
    for row in table.rows:
        figures = tuple(c for c in row if c.replace(".", "", 1).isdigit())
        if figures:
            rows.append(figures)
    return rows


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_gives_the_three_tables_with_the_same_figures(out, fmt):
    write = FORMATS[fmt]
    write = write.values[0] if hasattr(write, "values") else write
    report = pipeline.extract(write(out))
    assert [t.kind for t in report.tables] == [KIND[fmt]] * 3
    t3 = report.tables[1]
    expected = [tuple(str(GOOD.table3()[(key, a)]) for a in dx.APPLICANTS)
                for key in ["new", "carried_in"] + [k for _, _, k in GOOD.result_rows()] + ["total", "carried_over"]]
    assert _figures(t3) == expected
    assert _figures(report.tables[2]) == [tuple(str(v) for v in GOOD.table4())]
    assert t3.caption == "三、收到和处理政府信息公开申请情况"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_cell_spans_quote_the_cell_and_rows_are_never_headings(out, fmt):
    write = FORMATS[fmt]
    write = write.values[0] if hasattr(write, "values") else write
    report = pipeline.extract(write(out))
    for table in report.tables:
        for row, spans in zip(table.rows, table.cell_spans, strict=True):
            for cell, span in zip(row, spans, strict=True):
                if span is not None:
                    assert report.text[span[0]:span[1]] == pipeline.normalize.normalise_table_line(cell)
        assert table.span[0] < table.span[1]
    # the report's own six parts are its only level-1 headings; 一、本年新收… is a row
    assert [s.marker for s in report.sections if s.level == 1] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert [s.title for s in report.sections if s.level == 1][2] == "收到和处理政府信息公开申请情况"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_row_labels_are_never_figures(out, fmt):
    write = FORMATS[fmt]
    write = write.values[0] if hasattr(write, "values") else write
    report = pipeline.extract(write(out))
    label = report.text.index("属于三类内部事务信息")
    assert not [i for i in report.indicators if i.table is None and i.span[0] <= label < i.span[1] + 4]
    assert not [i for i in report.indicators if i.table is None and i.unit == "类"]


@needs_font
def test_pdf_ruled_and_word_give_the_same_grid(out):
    pdf = pipeline.extract(dx.write_pdf(GOOD, out, ruled=True))
    word = pipeline.extract(dx.write_docx(GOOD, out))
    html = pipeline.extract(dx.write_html(GOOD, out))
    for a, b, c in zip(pdf.tables, word.tables, html.tables, strict=True):
        assert a.rows == b.rows == c.rows
        assert a.merged == b.merged == c.merged


def test_merged_cells_are_spread_over_every_slot():
    grid, merged = spread_cells([[("项目", 2, 1), ("申请人情况", 1, 2)], [("自然人", 1, 1), ("总计", 1, 1)],
                                 [("一、本年新收", 1, 1), ("5", 1, 1), ("5", 1, 1)]])
    assert grid == [["项目", "申请人情况", "申请人情况"], ["项目", "自然人", "总计"], ["一、本年新收", "5", "5"]]
    assert merged == ((0, 2, 0, 1), (1, 0, 0, 0))


@pytest.mark.parametrize(("rows", "merged", "lines"), [
    # a one-row header names each value; a merged value is printed once
    ([["类别", "数量（件）"], ["行政复议案件", "12"]], (), [(1, "行政复议案件：12件")]),
    ([["信息内容", "本年处理决定数量", "本年处理决定数量"], ["行政许可", "126", "126"]], ((0, 2), (1, 2)),
     [(1, "行政许可：本年处理决定数量126")]),
    # leading text cells are one row label; a header of several rows is printed as it is
    ([["", "申请人情况", "申请人情况"], ["", "自然人", "总计"], ["三、本年度办理结果", "（一）予以公开", "4"]], (),
     [(0, "申请人情况"), (1, "自然人：总计"), (2, "三、本年度办理结果 （一）予以公开：4")]),
])
def test_render_rows(rows, merged, lines):
    assert render_rows(rows, frozenset(merged)) == lines


@pytest.mark.parametrize(("text", "n_tables"), [
    ("情况如下。\n行政许可：12，3\n行政处罚：5，0\n完毕。", 1),
    ("自然人\t总计\n新收\t5\t5\n结转\t1\t1\n", 1),
    # prose with numbers, a date line, a single "label：figure" line: no table
    ("全年办理12件，同比增长5%。\n2023年1月15日\n联系电话：12345678\n", 0),
    # a heading above a header is not part of the table under it
    ("四、行政复议情况\n维持\t纠正\t总计\n1\t2\t3\n五、问题\n", 1),
])
def test_text_tables(text, n_tables):
    found = text_tables(text)
    assert len(found) == n_tables
    if found:
        assert not any(line.startswith(("四、", "五、")) for line in found[0].lines)


def test_tables_csv_has_every_cell(out, tmp_path):
    src = dx.write_html(GOOD, out)
    from pipeline.cli import main

    assert main(["extract", str(src), "-o", str(tmp_path / "o"), "-q", "--jobs", "1"]) == 0
    with open(tmp_path / "o" / "tables.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    report = pipeline.extract(src)
    assert len(rows) == sum(len(r) for t in report.tables for r in t.rows)
    assert {"doc_id", "source", "table", "row", "col", "text"} <= set(rows[0])
    cell = next(r for r in rows if r["table"] == "3" and r["row"] == "3")
    assert cell["text"] == "1"  # 表四: 行政复议 结果维持


@needs_font
def test_pdf_without_ruling_lines_reads_a_header_set_one_word_per_line(out):
    report = pipeline.extract(dx.write_pdf(GOOD, out, ruled=False))
    t3 = report.tables[1]
    header = [row for row in t3.rows if not any(c.isdigit() for c in "".join(row))]
    joined = {c for row in header for c in row}
    # 商业企业 is printed 商业 / 企业 on two lines; 法人或其他组织 heads five columns
    assert {"商业企业", "科研机构", "社会公益组织", "法律服务机构"} <= joined
    assert header[-1][-7:] == ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
    assert all("法人或其他组织" in [row[k] for row in header] for k in range(4, 9))


@needs_font
@pytest.mark.xfail(strict=True, reason="without ruling lines a header centred over five columns also heads the "
                                      "columns whose own header sits lower (自然人, 总计 of a rowspan-2 cell)")
def test_pdf_without_ruling_lines_spans_a_merged_header_exactly(out):
    report = pipeline.extract(dx.write_pdf(GOOD, out, ruled=False))
    header = [row for row in report.tables[1].rows if not any(c.isdigit() for c in "".join(row))]
    assert sum(row.count("法人或其他组织") for row in header) == 5
    # a label wrapped over two lines is one label
    assert any("（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in row for row in t3.rows)


def test_cells_written_with_their_measure_word_are_figures(out):
    """Some reports write a count's measure word in each cell ("67件"): the
    same cells, values and findings as the bare figures."""
    import re

    page = dx.write_html(GOOD, out)
    worded = out / "worded.html"
    worded.write_text(re.sub(r"<td>([1-9]\d*)</td>", r"<td>\1件</td>", page.read_text(encoding="utf-8")),
                      encoding="utf-8")
    assert "件</td>" in worded.read_text(encoding="utf-8")
    bare, counted = pipeline.extract(page), pipeline.extract(worded)

    def cells(report):
        return sorted((i.indicator, tuple(sorted(i.dims)), i.value) for i in report.indicators if i.table)

    assert cells(counted) == cells(bare)
    assert [f.check for f in counted.findings] == [f.check for f in bare.findings]
    assert any(i.text.endswith("件") for i in counted.indicators if i.table)
    for i in counted.indicators:
        assert counted.text[i.span[0]:i.span[1]] == i.text


def test_the_measure_words_a_cell_may_write_are_those_of_units_yaml():
    """One definition: every count and people measure word of units.yaml, and
    no money or magnitude ("12万元" keeps its scale to the table's rule)."""
    from pipeline.readers import figure_text, is_value
    from pipeline.rules import load_rules

    units = load_rules().units
    for word, cls in units.items():
        assert is_value("3" + word) is (cls in ("count", "people")), word
    assert not is_value("12万元") and figure_text("1,200人次") == "1,200"


def test_a_statistics_table_of_the_years_figures_is_read():
    """A table in text lines whose header names the year reviewed, an earlier year and
    the change, its rows naming their measure word: the year's figure typed by the
    row's label, the earlier year's as other, the change as a change (pipeline/stat_tables.py)."""
    text = ("某县林业局2021年法治政府建设年度报告\n一、主要举措和成效\n全年林业行政执法主要数据如下：\n"
            "项目  2021年  2020年  增减\n"
            "其中：不予处罚案件（起）  9  4  +5\n"
            "罚没款（万元）  38.6  45.2  -6.6\n"
            "案卷评查合格率（%）  100  96.5  +3.5\n"
            "二、存在的不足和原因\n执法力量不足。\n")
    report = extract_text(text)
    got = [(i.indicator, str(i.value), i.unit, i.measure, i.period) for i in report.indicators if i.table]
    assert got == [
        ("enforcement_cases", "9", "起", "level", 2021), ("other", "4", "起", "level", 2020),
        ("enforcement_cases", "5", "起", "change_abs", 2021),
        ("enforcement_fines", "386000", "元", "level", 2021), ("other", "452000", "元", "level", 2020),
        ("enforcement_fines", "-66000", "元", "change_abs", 2021),
        ("other", "100", "%", "level", 2021), ("other", "96.5", "%", "level", 2020),
        ("other", "3.5", "pp", "change_abs", 2021)]
    for i in report.indicators:
        assert report.text[i.span[0]:i.span[1]] == i.text
    assert not [s for s in report.sections if "不予处罚" in s.title]  # table rows are never headings


def test_a_table_without_the_years_figures_is_not_read_as_figures():
    text = ("某县林业局2021年法治政府建设年度报告\n一、主要举措和成效\n"
            "项目  数量  备注\n行政案件（起）  46  无\n罚没款（万元）  38.6  无\n")
    assert not [i for i in extract_text(text).indicators if i.table]


def test_a_statistics_table_headed_this_year_and_last_year_is_read():
    text = ("某县林业局2021年法治政府建设年度报告\n一、主要举措和成效\n"
            "项目  本年  上年  增减\n罚没款（万元）  38.6  45.2  -6.6\n")
    got = [(i.indicator, str(i.value), i.period) for i in extract_text(text).indicators if i.table]
    assert got == [("enforcement_fines", "386000", 2021), ("other", "452000", 2020),
                   ("enforcement_fines", "-66000", 2021)]
