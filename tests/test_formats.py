"""Same results in every format: the bundled report as PDF, Word, web page
and GBK text gives the same sections and indicators as the .txt original.

Fixtures with a table are compared with the original plus the table's rows
(the .txt twin written by make_fixtures), since a table adds its numbers.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import pipeline
from fixtures import built, make_fixtures as mf
from pipeline.readers import pdf as pdf_reader

from conftest import program, requires

# fixture key -> (source.format, compared with the twin that has the table)
FORMATS = {
    "txt_gbk": ("txt", False),
    "pdf_table": ("pdf", True),
    "pdf_plain": ("pdf", False),
    "docx_numbered": ("docx", False),
    "docx_table": ("docx", True),
    "html_utf8": ("html", False),
    "html_gbk": ("html", False),
    "html_gbk_undeclared": ("html", True),
    "html_br": ("html", True),
}


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return built(str(tmp_path_factory.getbasetemp() / "govreport-fixtures"))


@pytest.fixture(scope="module")
def expected(fx) -> dict[bool, pipeline.Report]:
    return {False: pipeline.extract(fx["txt_original"]), True: pipeline.extract(fx["txt_table"])}


def indicators(report: pipeline.Report) -> Counter:
    return Counter((i.indicator, i.value, i.unit) for i in report.indicators)


def sections(report: pipeline.Report) -> list[tuple]:
    return [(s.level, s.marker, s.title, s.part) for s in report.sections]


def test_the_twin_with_the_table_adds_exactly_the_table_rows(expected):
    added = indicators(expected[True]) - indicators(expected[False])
    assert added == Counter({("admin_reconsideration_cases", 12, "件"): 1, ("admin_litigation_cases", 6, "件"): 1,
                             ("info_disclosure_requests", 60, "件"): 1})
    assert sections(expected[True]) == sections(expected[False])
    assert len(expected[False].indicators) >= 20 and len(expected[False].sections) >= 7


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_same_sections_and_indicators_as_the_txt_original(fx, expected, key):
    fmt, with_table = FORMATS[key]
    report = pipeline.extract(fx[key])
    assert report.source.format == fmt
    assert sections(report) == sections(expected[with_table])
    assert indicators(report) == indicators(expected[with_table])


def test_pdf_indicators_know_their_page(fx):
    report = pipeline.extract(fx["pdf_table"])
    assert report.source.pages == 6 and report.source.ocr is False
    pages = {i.page for i in report.indicators}
    assert None not in pages and pages <= set(range(1, 7)) and len(pages) >= 3
    # 专题学法14次 is on the first page; the table sits on page 3
    first = next(i for i in report.indicators if i.indicator == "study_sessions")
    assert (first.value, first.page) == (14, 1)
    from_table = [i for i in report.indicators if i.text.startswith("行政复议案件")] or [
        i for i in report.indicators if "行政复议案件" in i.sentence]
    assert from_table and from_table[0].value == 12 and from_table[0].page == 3


def test_web_page_metadata_reaches_the_report(fx):
    report = pipeline.extract(fx["html_gbk"])
    assert report.source.encoding == "gb18030"
    assert (report.meta.publisher, report.meta.published) == ("南开区政府办公室", "2026-01-21")


@requires("tesseract", program("tesseract") is not None and pdf_reader.ocr_available())
def test_scanned_pdf_is_marked_ocr_and_keeps_its_numbers(tmp_path):
    report = pipeline.extract(mf.write_scanned_pdf(tmp_path))
    assert report.source.ocr is True and report.source.pages == 1
    found = {(i.indicator, i.value, i.unit) for i in report.indicators}
    assert ("study_sessions", 14, "次") in found
    assert [s.marker for s in report.sections][:2] in (["一、", "（一）"], ["一、", "(一)"])
