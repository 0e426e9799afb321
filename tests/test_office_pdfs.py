"""PDFs printed by an office suite read like the Word file they were printed from.

Most real reports are Word or WPS files saved as PDF, which lay text out
differently from the reportlab fixtures: lines are not justified and break
before punctuation that may not start a line (so a line of a paragraph can
stop up to two characters short of the margin), a line's runs are written
font by font (the quotes of 紧抓“关键少数”, set in a Latin font, come after
the Chinese characters in the text layer), and a long table runs over
pages. LibreOffice prints the Word fixtures here; every figure, table cell
and section must come out as from the Word file."""
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


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """name -> (the Word file, the PDF LibreOffice prints from it)."""
    folder = tmp_path_factory.mktemp("office")
    docs = [dx.write_docx(r, folder) for r in dx.reports()[:3]]
    docs += [mf.write_docx(folder, "nankai-table.docx", with_table=True),
             mf.write_docx(folder, "nankai-plain.docx", with_table=False, auto_numbering=False)]
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
@pytest.mark.parametrize("name", ["nankai-table", "nankai-plain"])
def test_prose_gives_the_figures_text_and_sections_of_the_word_file(printed, name):
    word, pdf = (pipeline.extract(p) for p in printed[name])
    assert pdf.text.replace("\n", "") == word.text.replace("\n", "")  # quotes where they belong
    assert pdf.text.count("\n") == word.text.count("\n")  # paragraphs joined, none run together
    assert _facts(pdf) == _facts(word)
    assert [s.title for s in pdf.sections] == [s.title for s in word.sections]
    assert (pdf.meta.report_type, pdf.meta.agency, pdf.meta.year) == (word.meta.report_type, word.meta.agency,
                                                                      word.meta.year)


def _line(text: str, x0: float, x1: float, bottom: float, size: float = 11.0) -> _Line:
    return _Line(text, x0, x1, bottom + size, bottom, size)


# (case, previous line's text, its right end, next line's left start, a new paragraph?)
# the text block runs from x 90 to 520, 11-point type
PARAGRAPHS = [
    ("full line, next at the margin", "有效提升了政府工作科学化、法治化、规范化水", 519.0, 90.0, False),
    ("short by a character and a half before 。 (kinsoku), not a sentence end", "有效提升了政府工作科学化、", 503.0, 90.0,
     False),
    ("short by a character and a half, ends a sentence", "全年发布政策文件45件。", 503.0, 90.0, True),
    ("short by a character and a half, ends with a colon and a quote", "报告如下：”", 503.0, 90.0, True),
    ("short by three characters: the paragraph ended", "有效提升了政府工作科学化", 487.0, 90.0, True),
    ("the next line is indented", "有效提升了政府工作科学化、法治化、规范化水", 519.0, 112.0, True),
]


@pytest.mark.parametrize("case, text, x1, next_x0, new", PARAGRAPHS, ids=[p[0] for p in PARAGRAPHS])
def test_where_a_paragraph_ends(case, text, x1, next_x0, new):
    prev, line = _line(text, 90.0, x1, 500.0), _line("平。四是法治思维运用能力显著增强", next_x0, 519.0, 485.0)
    assert _starts_paragraph(prev, line, 90.0, 520.0, 15.0) is new
