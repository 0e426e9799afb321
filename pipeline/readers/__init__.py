"""Readers: one module per input format, each `read(path, data) -> RawDocument`.

`pipeline.ingest` picks the module by file extension. This package module
holds the few helpers the readers share (table rows as text, spaces between
Chinese characters, garbled-text detection); it imports nothing heavy, so
importing one reader does not pull in the others' libraries.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["is_cjk", "drop_cjk_spaces", "render_table", "render_rows", "raw_table", "spread_cells", "garbled_share",
           "is_value", "is_blank", "figure_text", "join_pieces", "ROW_MARKER", "DASH",
           "DIGITS", "FIGURE", "NONE_MARK", "FIGURE_OR_NONE", "ITEM_MARKER"]

# Ideographs, CJK punctuation, full-width forms and Kangxi radicals: the
# characters between which a space is never part of Chinese text.
_CJK_CLASS = (
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u3000-\u303f"  # CJK punctuation (、。「」 and the ideographic space)
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\ufe30-\ufe4f"  # compatibility forms
    "\uff00-\uffef"  # full-width forms (，：（）)
    "\u201c\u201d\u2018\u2019\u2014\u2026"  # “”‘’—… as used in Chinese text
)
_CJK = re.compile(f"[{_CJK_CLASS}]")
_SPACE_NEAR_CJK = re.compile(f"(?<=[{_CJK_CLASS}])[ \\t]+|[ \\t]+(?=[{_CJK_CLASS}])")


def is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


def drop_cjk_spaces(text: str) -> str:
    """Remove spaces next to Chinese characters or punctuation.

    PDF extraction and OCR put spaces wherever glyphs are spread out
    (justified or letter-spaced lines); in Chinese text such a space is never
    meant, and a space inside "学法 14 次" would split tokens for no reason.
    """
    return _SPACE_NEAR_CJK.sub("", text)


# --------------------------------------------------------------- tables

# The one definition of a table's figures, which every table reader builds on:
DIGITS = r"[-+]?\d+(?:[.,]\d+)*"  # 12, -3, 1,234.5
FIGURE = DIGITS + "%?"  # a figure as a table cell writes it (98%)
NONE_MARK = r"[/／\\—–\-－―─]+"  # a "no figure" mark of a table cell
FIGURE_OR_NONE = rf"(?:{FIGURE}|{NONE_MARK})"
_NUMBER = re.compile(rf"^{FIGURE}$")
# "数量（件）", "金额(万元)", "比例（%）": the unit a header gives its column.
_HEADER_UNIT = re.compile(r"^(.*?)[（(]\s*(?:单位[：:])?\s*([^（）()]{1,4}?)\s*[）)]\s*$")
DASH = re.compile(rf"^{NONE_MARK}$")
_SEQUENCE_HEADERS = {"序号", "编号", "序", "No.", "NO.", "no."}
# the number of an item in a list of labels ("2.", "3、"), never a decimal (2.5)
ITEM_MARKER = r"\d{1,2}[.．、](?!\d)"
# a label that starts a row of its own: "三、", "（四）", "2."
ROW_MARKER = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．、](?!\d))")




def is_value(cell: str) -> bool:
    """A figure: digits, with a decimal point, thousands commas or a %, or
    a count with its measure word (units.yaml) as some tables write it ("67件").

    >>> [is_value(c) for c in ("12", "1,234.5", "98%", " 7 ", "/", "12件", "12万元", "1.属于", "")]
    [True, True, True, True, False, True, False, False, False]
    """
    cell = cell.strip()
    return bool(_NUMBER.match(cell)) or _counted(cell) is not None


def figure_text(cell: str) -> str:
    """The figure of a value cell without its measure word.

    >>> figure_text("67件"), figure_text(" 1,234.5 "), figure_text("98%")
    ('67', '1,234.5', '98%')
    """
    cell = cell.strip()
    m = _counted(cell)
    return m.group(1) if m else cell


def _counted(cell: str):
    """The match of a figure with its count's measure word ("67件"; the words of
    units.yaml, through the layout rules in use), or None."""
    from . import _rules  # (the rules module imports this one)

    counted = _rules.current().counted
    return counted.match(cell) if counted is not None and cell[-1:] and not cell[-1].isdigit() else None


def is_blank(cell: str) -> bool:
    """No figure: an empty cell, "/" or a dash (a written 0 is a figure).

    >>> [is_blank(c) for c in ("", " ", "/", "—", "0")]
    [True, True, True, True, False]
    """
    return not cell.strip() or bool(DASH.match(cell.strip()))


def join_pieces(a: str, b: str) -> str:
    """Two pieces of one cell's text (its lines, or its parts on two pages):
    joined without a space, but for a space between two ASCII letters or digits.

    >>> join_pieces("不计其", "他情形）"), join_pieces("PDF", "file"), join_pieces("", "x")
    ('不计其他情形）', 'PDF file', 'x')
    """
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def _clean_cell(cell: str | None) -> str:
    if not cell:
        return ""
    if isinstance(cell, str) and cell.split() == [cell]:
        return cell  # no whitespace at all (most cells: a figure): nothing to join or drop
    # Cells wrap inside their box; the pieces of one cell are one phrase.
    parts = [p.strip() for p in str(cell).splitlines() if p.strip()]
    joined = ""
    for part in parts:
        joined = join_pieces(joined, part)
    return drop_cjk_spaces(joined).strip()


def render_table(rows: Sequence[Sequence[str | None]]) -> list[str]:
    """Table rows as text lines, one line per row (see `render_rows`)."""
    return [line for _, line in render_rows(rows)]


Merged = tuple[tuple[int, int, int, int], ...]  # (row, col, origin row, origin col)


def raw_table(rows: Sequence[Sequence[str | None]], kind: str, page: int | None = None, merged: Merged = (),
              edges: Sequence[float] = ()):
    """A reader's table as a `RawTable`: cleaned cells, and the lines
    `render_table` puts into the text for it (with the row each renders).
    `merged` lists the slots that repeat a merged cell's text; `edges` are
    the x of its column lines (ruled PDF tables)."""
    from ..records import RawTable

    cleaned = tuple(tuple(_clean_cell(c) for c in row) for row in rows)
    # cleaning is idempotent: render the cleaned cells, not clean them twice
    rendered = _render_rows(cleaned, frozenset((r, c) for r, c, _, _ in merged), clean=False)
    return RawTable(rows=cleaned, lines=tuple(line for _, line in rendered),
                    line_rows=tuple(r for r, _ in rendered), kind=kind, page=page, merged=tuple(merged),
                    edges=tuple(edges))


def spread_cells(rows: Sequence[Sequence[tuple[str, int, int]]]) -> tuple[list[list[str]], Merged]:
    """A grid of cell texts from rows of (text, rowspan, colspan) cells, as
    HTML and Word give them: a merged cell's text fills every slot it covers,
    so each row reads whole (its row label, each value's column header).
    Also the slots so filled, with the slot of the cell they repeat."""
    grid: dict[tuple[int, int], str] = {}
    merged: list[tuple[int, int, int, int]] = []
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in grid:
                c += 1
            for dr in range(max(rowspan, 1)):
                for dc in range(max(colspan, 1)):
                    grid[(r + dr, c + dc)] = text
                    if dr or dc:
                        merged.append((r + dr, c + dc, r, c))
            c += max(colspan, 1)
            width = max(width, c)
    height = max((r for r, _ in grid), default=-1) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)], tuple(sorted(merged))


def render_rows(rows: Sequence[Sequence[str | None]], merged: frozenset[tuple[int, int]] = frozenset()
                ) -> list[tuple[int, str]]:
    """Table rows as text lines, one line per row: (row index, line).

    The label cell and the value cells are joined by "：" so the row reads as
    a phrase the indicator rules already know ("行政复议案件：12件"). When the
    header row names a column's unit ("数量（件）"), bare numbers in that
    column get the unit; with several value columns each value is preceded by
    its column name ("行政复议：收案12件，结案10件"). A recognised header row
    is folded into the data rows instead of being printed on its own.
    """
    return _render_rows(rows, merged, clean=True)


def _render_rows(rows: Sequence[Sequence[str | None]], merged: frozenset[tuple[int, int]], clean: bool
                 ) -> list[tuple[int, str]]:
    """`render_rows`; clean=False when the cells are cleaned already (`raw_table`)."""
    # a merged cell is printed once, in its first slot
    if clean:
        indexed = [(r, [_clean_cell(c) if (r, j) not in merged else "" for j, c in enumerate(row)])
                   for r, row in enumerate(rows)]
    elif merged:
        indexed = [(r, [c if (r, j) not in merged else "" for j, c in enumerate(row)]) for r, row in enumerate(rows)]
    else:
        indexed = [(r, list(row)) for r, row in enumerate(rows)]
    indexed = [(r, row) for r, row in indexed if any(row)]
    if not indexed:
        return []
    index = [r for r, _ in indexed]
    table = [row for _, row in indexed]
    width = max(len(row) for row in table)
    table = [row + [""] * (width - len(row)) for row in table]
    # the cells that are numbers, tested once per distinct text
    numbers = {c for row in table for c in row if c and is_value(c)}

    header: list[str] | None = None
    first = table[0]
    # Fold a one-row header only: a header of several rows (merged cells
    # over sub-headers) cannot name each value in a few characters, so its
    # rows are printed as lines of their own.
    second_numbers = len(table) > 1 and any(c in numbers for c in table[1][1:])
    if second_numbers and not any(c in numbers for c in first[1:]):
        header, table, index = first, table[1:], index[1:]

    skip = set()
    if header is not None:
        skip = {j for j, h in enumerate(header) if h in _SEQUENCE_HEADERS}
    names: list[str] = []
    units: list[str] = []
    for j in range(width):
        h = header[j] if header is not None else ""
        m = _HEADER_UNIT.match(h)
        names.append((m.group(1) if m else h).strip())
        units.append(m.group(2).strip() if m else "")

    # With several value columns each value needs its column's name.
    several = sum(1 for j in range(width) if j not in skip) > 2
    lines: list[tuple[int, str]] = []
    for r, row in zip(index, table, strict=True):
        cells = []
        for j, c in enumerate(row):
            # a merged cell spread over several slots is printed once
            if not c or j in skip or (cells and cells[-1][1] == c and c not in numbers):
                continue
            cells.append((j, c))
        if not cells:
            continue
        n_label = 1
        if any(c in numbers for _, c in cells):
            # the leading text cells are one row label ("三、本年度办理结果 （一）予以公开")
            n_label = 0
            while n_label < len(cells) and cells[n_label][1] not in numbers and not DASH.match(cells[n_label][1]):
                n_label += 1
        label = " ".join(c for _, c in cells[:n_label])
        values = []
        for j, cell in cells[n_label:]:
            if cell in numbers and units[j] and _NUMBER.match(cell) and not cell.endswith("%"):
                cell = cell + units[j]
            if several and names[j]:
                cell = names[j] + cell
            values.append(cell)
        if not label:
            lines.append((r, "，".join(values)))
        else:
            lines.append((r, label + ("：" + "，".join(values) if values else "")))
    return lines


# ------------------------------------------------------------- garbling

_CID = re.compile(r"\(cid:\d+\)")
# what garbled_share counts as bad, whitespace aside (\x1c-\x1f, \x85 and \xa0 are whitespace)
_BAD = re.compile("[\x00-\x1f\x7f\x80-\u024f\ufffd\ue000-\uf8ff]")
_SPACE = re.compile(r"\s")  # str.isspace's characters


def garbled_share(text: str) -> float:
    """Share of characters that cannot be real text of a Chinese report.

    Counted as bad: pdfminer's "(cid:NNN)" placeholders, U+FFFD, private-use
    code points, C0 controls and Latin-1/Latin-Extended letters (what a
    CID font without a Unicode map decodes to). 0.0 for empty text.
    """
    cids = _CID.findall(text)
    rest = _CID.sub("", text) if cids else text
    bad = len(cids) + sum(1 for ch in _BAD.findall(rest) if not ch.isspace())
    total = len(cids) + len(rest) - len(_SPACE.findall(rest))
    return bad / total if total else 0.0
