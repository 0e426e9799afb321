"""Tables split by a page break are one table again (pipeline.table_join).

Office suites print a long table over several pages: no header rows on the
next page (or the same ones again), a merged label cell printed above the
break only, a row whose label wraps over the page end printed in two
pieces, and a sub-label column on one page only. The cases below are
made-up pieces of a table; the PDF tests draw such tables (reportlab here,
and in tests/test_office_pdfs.py: LibreOffice from the Word version of the same
report) and compare every cell with the report's Word version."""
from __future__ import annotations

from pathlib import Path

import pytest

import pipeline
from fixtures import disclosure as dx
from pipeline.readers import raw_table
from pipeline.table_join import join, join_page_breaks

from conftest import pdf_font, requires  # noqa: E402

needs_font = requires("pdf-font", pdf_font() is not None)

V = ("甲", "乙", "合计")  # value columns
X3 = (0.0, 100.0, 200.0, 250.0, 300.0, 350.0)  # label, sub-label, three values
X2 = (0.0, 200.0, 250.0, 300.0, 350.0)  # the two label columns as one


def piece(rows, edges=(), page=1, merged=(), kind="pdf-ruled"):
    return raw_table(rows, kind, page, merged, edges)


# without ruling lines: the labels' left edges, then bounds halfway between the figures' centres
A2 = (60.0, 130.0, 250.0, 300.0, 350.0, 400.0)
A3 = (60.0, 130.0, 190.0, 250.0, 300.0, 350.0, 400.0)


# (name, top piece, rest piece, expected rows of the joined table or None, expected merged slots among)
CASES = [
    ("merged label goes on empty",
     piece([("类别", "项目", *V), ("一、办理", "（一）公开", "1", "2", "3")], X3),
     piece([("", "（二）不公开", "4", "5", "9")], X3, page=2),
     [("类别", "项目", *V), ("一、办理", "（一）公开", "1", "2", "3"), ("一、办理", "（二）不公开", "4", "5", "9")],
     [(2, 0, 1, 0)]),
    ("sub-label column on the next page only",
     piece([("项目", *V), ("（一）公开", "1", "2", "3")], X2),
     piece([("（二）不公开", "1.秘密", "0", "1", "1"), ("（二）不公开", "2.内部", "4", "0", "4")], X3, page=2,
           merged=((1, 0, 0, 0),)),
     [("项目", "项目", *V), ("（一）公开", "（一）公开", "1", "2", "3"), ("（二）不公开", "1.秘密", "0", "1", "1"),
      ("（二）不公开", "2.内部", "4", "0", "4")],
     [(0, 1, 0, 0), (1, 1, 1, 0), (3, 0, 2, 0)]),
    ("a row's label wraps over the page end",
     piece([("项目", *V), ("（二）部分公开（只计这一情形，不计其", "3", "1", "4")], X2),
     piece([("他情形）", "他情形）", "", "", ""), ("（三）不予公开", "1.秘密", "0", "0", "0")], X3, page=2,
           merged=((0, 1, 0, 0),)),
     [("项目", "项目", *V), ("（二）部分公开（只计这一情形，不计其他情形）", "（二）部分公开（只计这一情形，不计其他情形）", "3", "1", "4"),
      ("（三）不予公开", "1.秘密", "0", "0", "0")],
     [(1, 1, 1, 0)]),
    ("a row of its own after the break, not the rest of one (it starts 三、)",
     piece([("项目", *V), ("二、上年结转", "1", "0", "1")], X2),
     piece([("三、本年度办理结果", "三、本年度办理结果", "", "", ""), ("（一）公开", "1.主动", "2", "2", "4")], X3, page=2),
     [("项目", "项目", *V), ("二、上年结转", "二、上年结转", "1", "0", "1"),
      ("三、本年度办理结果", "三、本年度办理结果", "", "", ""), ("（一）公开", "1.主动", "2", "2", "4")],
     []),
    ("header rows printed again on the next page",
     piece([("项目", *V), ("新收", "1", "2", "3")], (0.0, 200.0, 250.0, 300.0, 350.0)),
     piece([("项目", *V), ("结转", "0", "1", "1")], (0.0, 200.0, 250.0, 300.0, 350.0), page=2),
     [("项目", *V), ("新收", "1", "2", "3"), ("结转", "0", "1", "1")],
     []),
    ("column lines that do not line up: two tables",
     piece([("项目", *V), ("新收", "1", "2", "3")], (0.0, 200.0, 250.0, 300.0, 350.0)),
     piece([("项目", "甲", "乙"), ("结转", "0", "1")], (0.0, 150.0, 250.0, 350.0), page=2),
     None, []),
    ("other outer edges: two tables",
     piece([("项目", *V), ("新收", "1", "2", "3")], (0.0, 200.0, 250.0, 300.0, 350.0)),
     piece([("项目", *V), ("结转", "0", "1", "1")], (20.0, 200.0, 250.0, 300.0, 350.0), page=2),
     None, []),
    ("without lines: a sub-label column on the next page (spanned above it), an empty label stays empty",
     piece([("一、新收", "", "1", "2", "3"), ("三、办理", "（一）公开", "1", "1", "2")], A2, kind="pdf-aligned"),
     piece([("", "", "1.秘密", "0", "1", "1"), ("", "（二）不公开", "2.内部", "4", "0", "4")], A3, page=2,
           kind="pdf-aligned"),
     [("一、新收", "", "", "1", "2", "3"), ("三、办理", "（一）公开", "（一）公开", "1", "1", "2"), ("", "", "1.秘密", "0", "1", "1"),
      ("", "（二）不公开", "2.内部", "4", "0", "4")],
     []),
    ("without lines: figures centred elsewhere, two tables",
     piece([("一、新收", "1", "2", "3")], (60.0, 250.0, 300.0, 350.0, 400.0), kind="pdf-aligned"),
     piece([("二、结转", "0", "1", "1")], (60.0, 250.0, 310.0, 370.0, 400.0), page=2, kind="pdf-aligned"),
     None, []),
    ("no column lines (aligned tables): the same number of columns",
     piece([("项目", *V), ("新收", "1", "2", "3")]),
     piece([("结转", "0", "1", "1")], page=2),
     [("项目", *V), ("新收", "1", "2", "3"), ("结转", "0", "1", "1")],
     []),
    ("no column lines and other figure columns: two tables",
     piece([("项目", *V), ("新收", "1", "2", "3")]),
     piece([("结转", "0", "1")], page=2),
     None, []),
    ("no column lines, the merged label's column missing in the second piece: lined up from the right",
     piece([("类别", "项目", *V), ("三、办理", "（一）公开", "1", "2", "3")], page=None, kind="html"),
     piece([("（二）不公开", "4", "5", "9")], page=None, kind="html"),
     [("类别", "项目", *V), ("三、办理", "（一）公开", "1", "2", "3"), ("三、办理", "（二）不公开", "4", "5", "9")],
     [(2, 0, 1, 0)]),
]


@pytest.mark.parametrize("name, top, rest, rows, merged", CASES, ids=[c[0] for c in CASES])
def test_join(name, top, rest, rows, merged):
    got = join(top, rest)
    if rows is None:
        assert got is None
        return
    assert got is not None
    assert [tuple(r) for r in got.rows] == rows
    assert set(merged) <= {tuple(m) for m in got.merged}
    for r, c, r0, c0 in got.merged:  # a merged slot repeats its cell's text
        assert got.rows[r][c] == got.rows[r0][c0]
    assert got.lines == top.lines + rest.lines and len(got.line_rows) == len(got.lines)
    assert all(0 <= r < len(got.rows) for r in got.line_rows)


def _placed(pieces):
    """The pieces as `locate` places them: each line right after the one before."""
    out, at = [], 0
    for p in pieces:
        spans = []
        for line in p.lines:
            spans.append((at, at + len(line)))
            at += len(line) + 1
        out.append((p, spans))
    return out


def test_a_table_over_three_pages_is_one():
    a = piece([("项目", *V), ("新收", "1", "2", "3")], X2, page=4)
    b = piece([("结转", "0", "1", "1")], X2, page=5)
    c = piece([("合计", "1", "3", "4")], X2, page=6)
    joined = join_page_breaks(_placed([a, b, c]))
    assert len(joined) == 1
    assert [r[0] for r in joined[0][0].rows] == ["项目", "新收", "结转", "合计"]
    assert joined[0][0].page == 4


def test_pieces_not_on_following_pages_or_with_text_between_stay_apart():
    a = piece([("项目", *V), ("新收", "1", "2", "3")], X2, page=1)
    b = piece([("结转", "0", "1", "1")], X2, page=3)
    assert len(join_page_breaks(_placed([a, b]))) == 2
    b2 = piece([("结转", "0", "1", "1")], X2, page=2)
    placed = _placed([a, b2])
    (p, s), (q, t) = placed
    moved = [(x + 5, y + 5) for x, y in t]  # a line of text between them
    assert len(join_page_breaks([(p, s), (q, moved)])) == 2


def _cells(report):
    return sorted((i.indicator, tuple(sorted(i.dims)), i.value, i.table.row_label, i.table.col_label)
                  for i in report.indicators if i.table)


@needs_font
@pytest.mark.parametrize("report", dx.reports()[:3], ids=lambda r: r.name)
def test_a_ruled_table_split_over_pages_gives_the_cells_of_the_word_version(report, tmp_path):
    word = pipeline.extract(dx.write_docx(report, tmp_path))
    split = pipeline.extract(dx.write_pdf(report, tmp_path, ruled=True, split_before="（三）不予公开"))
    assert _cells(split) == _cells(word)
    assert len(split.tables) == 3
    pages = {i.page for i in split.indicators if i.table and i.table.index == 2}
    assert len(pages) == 2  # each cell on its own page, not the table's first
    for i in split.indicators:
        assert split.text[i.span[0]:i.span[1]] == i.text


@pytest.mark.parametrize("carry", [True, False], ids=["merged-label-goes-on-empty", "no-column-for-it"])
@pytest.mark.parametrize("report", dx.reports()[:3], ids=lambda r: r.name)
def test_a_web_table_in_two_pieces_gives_the_cells_of_the_whole(report, carry, tmp_path):
    """A web page holding a table printed over two pages (pasted from the
    PDF): two <table>s one right after the other, the second without a
    header, its merged label cell going on empty or without a column."""
    whole = pipeline.extract(dx.write_html(report, tmp_path))
    split = pipeline.extract(dx.write_html(report, tmp_path, split_before="（三）不予公开", carry=carry))
    assert split.text == whole.text
    assert _cells(split) == _cells(whole)
    assert len(split.tables) == 3
    assert [f.check for f in split.findings] == [f.check for f in whole.findings]


@needs_font
@pytest.mark.parametrize("report", dx.reports()[:3], ids=lambda r: r.name)
def test_an_aligned_table_split_over_pages_gives_the_cells_of_the_word_version(report, tmp_path):
    """Drawn without lines, the table's columns are lined up by where its
    labels start and its figures are centred; a label wrapped over the page
    end belongs to the table, and an empty label cell stays empty (a merged
    label stands by the middle of its rows)."""
    word = pipeline.extract(dx.write_docx(report, tmp_path))
    whole = pipeline.extract(dx.write_pdf(report, tmp_path, ruled=False))
    split = pipeline.extract(dx.write_pdf(report, tmp_path, ruled=False, split_before="（三）不予公开"))
    assert _cells(split) == _cells(whole)  # labels as read without lines (表二's headers differ from Word's)
    assert [c[:3] for c in _cells(split)] == [c[:3] for c in _cells(word)]
    assert len(split.tables) == 3


# ---------------------------------------------------------------- any pieces

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_cell = st.sampled_from(["", "三、办理", "（一）公开", "1.秘密", "他情形）", "项目", "甲", "0", "12", "3.5", "/"])
_row = st.lists(_cell, min_size=1, max_size=6)
_edges = st.lists(st.sampled_from([0.0, 60.0, 120.0, 121.0, 200.0, 250.0, 300.0, 350.0]), min_size=0, max_size=8,
                  unique=True).map(lambda xs: tuple(sorted(xs)))


@st.composite
def _pieces(draw):
    kind = draw(st.sampled_from(["pdf-ruled", "pdf-aligned", "html", "docx"]))
    made = []
    for page in (1, 2):
        rows = draw(st.lists(_row, min_size=1, max_size=5))
        width = max(len(r) for r in rows)
        edges = draw(_edges) if kind.startswith("pdf") else ()
        if edges and len(edges) != width + 1:
            edges = tuple(float(60 * k) for k in range(width + 1)) if draw(st.booleans()) else edges
        made.append(piece(rows, edges, page=page if kind.startswith("pdf") else None, kind=kind))
    return made


@settings(max_examples=300, deadline=None, database=None)
@given(_pieces())
def test_joining_any_two_pieces_keeps_every_line_and_row(pieces):
    top, rest = pieces
    got = join(top, rest)
    if got is None:
        return
    assert got.lines == top.lines + rest.lines and len(got.line_rows) == len(got.lines)
    assert all(0 <= r < len(got.rows) for r in got.line_rows)
    width = {len(r) for r in got.rows}
    assert len(width) == 1  # one grid
    for r, c, r0, c0 in got.merged:  # a merged slot repeats its cell's text, and its cell is no repeat
        assert got.rows[r][c] == got.rows[r0][c0]
        assert (r0, c0) != (r, c)
    assert len(got.rows) <= len(top.rows) + len(rest.rows)
