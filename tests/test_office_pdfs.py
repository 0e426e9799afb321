"""PDFs printed by an office suite read like the Word file they were printed from.

Most real reports are Word or WPS files saved as PDF, which lay text out
differently from the reportlab fixtures: lines are not justified and break
before punctuation that may not start a line (so a line of a paragraph can
stop up to two characters short of the margin), a line's runs are written
font by font (the quotes of 紧抓“关键少数”, set in a Latin font, come after
the Chinese characters in the text layer), and a long table runs over
pages. LibreOffice prints the Word fixtures here, and the browser the web
fixtures; every figure, table cell and section must come out as from the
file printed."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import pipeline
from fixtures import disclosure as dx
from fixtures import make_fixtures as mf
from pipeline.readers.pdf import _Line, _starts_paragraph

from conftest import program, requires  # noqa: E402

needs_soffice = requires("soffice", program("soffice") is not None)
needs_chromium = requires("chromium", program("chromium") is not None)


SENTENCES = [
    "全年完成固定资产投资{big}亿元、增长{pct}%",
    "{a}、{b}、{c}等产业增加值分别增长{pct}%、{pct}%、{pct}%",
    "三次产业结构调整为{pct}∶{pct}∶{pct}",
    "改造城镇老旧小区{n}个、棚户区{pct}万套（户）、老旧管网{pct}万公里",
    "深入实施“{n}+{n}+N”行动",
    "城镇新增就业{pct}万人，调查失业率控制在{pct}%以内",
    "办理行政复议案件{n}件，其中纠错{n}件，纠错率{pct}%",
    "开展“八五”普法宣传活动{n}场次，覆盖群众{pct}万人次",
    "居民人均可支配收入达到{big}元、增长{pct}%，城乡居民收入比缩小到{pct}∶1",
    "建成{a}“一网通办”平台，{n}个事项实现“全市通办”",
]
INDUSTRIES = ["食品", "石化", "医药", "信息", "装备制造", "新材料", "数字经济", "文化旅游"]


def write_long_docx(path: Path, seed: int = 7) -> Path:
    """A made-up report of about five pages in 14-point type, its paragraphs
    indented and full of figures, figure runs, ratios, quoted codes and
    bracketed notes: where lines wrap before them and pages break inside
    them is the printer's choice."""
    import random

    import docx
    from docx.shared import Pt

    rng = random.Random(seed)

    def fill(template: str) -> str:
        out = template
        while "{" in out:
            key = out[out.index("{") + 1:out.index("}")]
            value = {"big": lambda: str(rng.randint(1000, 99999)), "n": lambda: str(rng.randint(2, 999)),
                     "pct": lambda: f"{rng.randint(1, 99)}.{rng.randint(1, 9)}"}.get(
                key, lambda: rng.choice(INDUSTRIES))()
            out = out.replace("{" + key + "}", value, 1)
        return out

    document = docx.Document()
    document.styles["Normal"].font.size = Pt(14)
    document.add_paragraph("青溪市2025年国民经济和社会发展情况报告")
    for k in range(28):
        if k % 7 == 0:
            document.add_paragraph(f"（{'一二三四五'[k // 7]}）坚持稳中求进，推动高质量发展")
            continue
        text = "；".join(fill(rng.choice(SENTENCES)) for _ in range(rng.randint(3, 7))) + "。"
        document.add_paragraph(text).paragraph_format.first_line_indent = Pt(28)
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """name -> (the Word file, the PDF LibreOffice prints from it)."""
    folder = tmp_path_factory.mktemp("office")
    docs = [dx.write_docx(r, folder) for r in dx.reports()[:3]]
    docs += [mf.write_docx(folder, "nankai-table.docx", with_table=True),
             mf.write_docx(folder, "nankai-plain.docx", with_table=False, auto_numbering=False)]
    docs += [write_long_docx(folder / f"long-{seed}.docx", seed) for seed in (7, 8, 9)]
    pdfs = folder / "pdf"
    subprocess.run([program("soffice"), "--headless", f"-env:UserInstallation=file://{folder / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(pdfs), *map(str, docs)],
                   check=True, capture_output=True, timeout=300)
    return {d.stem: (d, pdfs / (d.stem + ".pdf")) for d in docs}


def _cells(report):
    return sorted((i.indicator, tuple(sorted(i.dims)), i.value, i.table.row_label, i.table.col_label)
                  for i in report.indicators if i.table)


def _facts(report):
    return sorted((i.indicator, i.value, i.text, i.section_id) for i in report.indicators)


@needs_soffice
@pytest.mark.parametrize("name", [r.name for r in dx.reports()[:3]])
def test_disclosure_tables_over_pages_give_the_cells_of_the_word_file(printed, name):
    word, pdf = (pipeline.extract(p) for p in printed[name])
    assert max(t.page for t in pdf.tables) > 2, "table 三 no longer runs over pages: the test lost its point"
    assert _cells(pdf) == _cells(word)
    assert [f.check for f in pdf.findings] == [f.check for f in word.findings]
    for i in pdf.indicators:
        assert pdf.text[i.span[0]:i.span[1]] == i.text


@needs_soffice
@pytest.mark.parametrize("name", ["nankai-table", "nankai-plain", "long-7", "long-8", "long-9"])
def test_prose_gives_the_figures_text_and_sections_of_the_word_file(printed, name):
    word, pdf = (pipeline.extract(p) for p in printed[name])
    assert pdf.text.replace("\n", "") == word.text.replace("\n", "")  # quotes where they belong
    assert pdf.text.count("\n") == word.text.count("\n")  # paragraphs joined, none run together
    assert _facts(pdf) == _facts(word)
    assert [s.title for s in pdf.sections] == [s.title for s in word.sections]
    assert (pdf.meta.report_type, pdf.meta.agency, pdf.meta.year) == (word.meta.report_type, word.meta.agency,
                                                                      word.meta.year)


@needs_chromium
@pytest.mark.parametrize("report", dx.reports()[:3], ids=lambda r: r.name)
def test_a_browser_print_of_the_web_page_gives_its_cells(report, tmp_path):
    """A web page printed to PDF by the browser (the sites' 打印本页): table 三
    runs onto the next page with no border where the page cuts it, and the
    merged label 三、本年度办理结果 is cut in two (三、本年度办 | 理结果)."""
    page = dx.write_html(report, tmp_path)
    pdf = tmp_path / (report.name + ".pdf")
    subprocess.run([program("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
                    f"--user-data-dir={tmp_path / 'profile'}",
                    f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    web, printed = pipeline.extract(page), pipeline.extract(pdf)
    assert max(t.page for t in printed.tables) > 1, "the table no longer runs over pages: the test lost its point"
    assert _cells(printed) == _cells(web)
    assert [f.check for f in printed.findings] == [f.check for f in web.findings]


def _line(text: str, x0: float, x1: float, bottom: float, size: float = 11.0) -> _Line:
    return _Line(text, x0, x1, bottom + size, bottom, size)


# (case, previous line's text, its right end, the next line's text and left start, a new paragraph?)
# the text block runs from x 90 to 520, 11-point type
BODY = "平。四是法治思维运用能力显著增强"
PARAGRAPHS = [
    ("full line, next at the margin", "有效提升了政府工作科学化、法治化、规范化水", 519.0, BODY, 90.0, False),
    ("short by two characters before 。 (kinsoku), not a sentence end", "有效提升了政府工作科学化、", 497.0, BODY, 90.0,
     False),
    ("short by two characters, ends a sentence", "全年发布政策文件45件。", 497.0, BODY, 90.0, True),
    ("short by two characters, ends with a colon and a quote", "报告如下：”", 497.0, BODY, 90.0, True),
    ("short by four characters, the next line starts with text: ended", "有效提升了政府工作科学化", 476.0, BODY, 90.0,
     True),
    ("wrapped before a run of figures that did not fit", "食品、医药等产业增加值分别增长", 420.0,
     "7.5%、11.5%、9.25%，全社会用电量增长", 90.0, False),
    ("wrapped before a character and a figure (能、395)", "完成2812万吨钢铁产", 470.0, "能、395台燃煤锅炉改造", 90.0, False),
    ("wrapped before a quoted code", "专门召开现场推进会，明", 460.0, "确“1235577”工作思路", 90.0, False),
    ("wrapped before a ratio", "三次产业结构进一步优化，调整为", 440.0, "8.3∶41.4∶50.3，新兴产业", 90.0, False),
    ("wrapped before a bracketed note", "危旧房3.1万套", 470.0, "（户）、老旧管道1.68万公里", 90.0, False),
    ("the figure would have fitted: ended", "产业增加值分别增长", 380.0, "7.5%，全社会用电量", 90.0, True),
    ("a line less than half as wide (a title): ended", "2026年政府工作报告", 280.0, "2026-02-09 09:45", 90.0, True),
    ("the next line starts a numbered item", "全年办理复议案件", 470.0, "（四）加强行政执法监督", 90.0, True),
    ("the next line starts with 3.", "全年办理复议案件", 470.0, "3.加强行政执法监督", 90.0, True),
    ("the next line starts with a decimal, not an item", "收入分别增长", 478.0, "3.5%、4.2%，高于全国", 90.0, False),
    ("the next line is indented", "有效提升了政府工作科学化、法治化、规范化水", 519.0, BODY, 112.0, True),
    ("a full line ends a sentence, a flush-left heading follows", "有效提升了政府工作科学化、法治化、规范化。", 519.0,
     "一、总体情况", 90.0, True),
    ("a full line ends a sentence, a numbered item follows", "有效提升了政府工作科学化、法治化、规范化。", 519.0,
     "（二）依申请公开", 90.0, True),
    ("a full line runs on, a heading marker cannot follow it", "有效提升了政府工作科学化、法治化、规范化水", 519.0,
     "一、总体情况", 90.0, False),
]


@pytest.mark.parametrize("case, text, x1, following, next_x0, new", PARAGRAPHS, ids=[p[0] for p in PARAGRAPHS])
def test_where_a_paragraph_ends(case, text, x1, following, next_x0, new):
    prev, line = _line(text, 90.0, x1, 500.0), _line(following, next_x0, 519.0, 485.0)
    assert _starts_paragraph(prev, line, 90.0, 520.0, 15.0) is new
