"""Readers: one module per input format, each `read(path, data) -> RawDocument`.

`pipeline.ingest` picks the module by file extension. This package module
holds the few helpers the readers share (table rows as text, spaces between
Chinese characters, garbled-text detection); it imports nothing heavy, so
importing one reader does not pull in the others' libraries.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["is_cjk", "drop_cjk_spaces", "render_table", "garbled_share"]

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

_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)*%?$")
# "数量（件）", "金额(万元)", "比例（%）": the unit a header gives its column.
_HEADER_UNIT = re.compile(r"^(.*?)[（(]\s*(?:单位[：:])?\s*([^（）()]{1,4}?)\s*[）)]\s*$")
_SEQUENCE_HEADERS = {"序号", "编号", "序", "No.", "NO.", "no."}


def _clean_cell(cell: str | None) -> str:
    if not cell:
        return ""
    # Cells wrap inside their box; the pieces of one cell are one phrase.
    parts = [p.strip() for p in str(cell).splitlines() if p.strip()]
    joined = ""
    for part in parts:
        if joined and joined[-1].isascii() and joined[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            joined += " "
        joined += part
    return drop_cjk_spaces(joined).strip()


def render_table(rows: Sequence[Sequence[str | None]]) -> list[str]:
    """Table rows as text lines, one line per row.

    The label cell and the value cells are joined by "：" so the row reads as
    a phrase the indicator rules already know ("行政复议案件：12件"). When the
    header row names a column's unit ("数量（件）"), bare numbers in that
    column get the unit; with several value columns each value is preceded by
    its column name ("行政复议：收案12件，结案10件"). A recognised header row
    is folded into the data rows instead of being printed on its own.
    """
    table = [[_clean_cell(c) for c in row] for row in rows]
    table = [row for row in table if any(row)]
    if not table:
        return []
    width = max(len(row) for row in table)
    table = [row + [""] * (width - len(row)) for row in table]

    header: list[str] | None = None
    first = table[0]
    later_numbers = any(_NUMBER.match(c) for row in table[1:] for c in row[1:])
    if len(table) > 1 and later_numbers and not any(_NUMBER.match(c) for c in first[1:]):
        header, table = first, table[1:]

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
    lines = []
    for row in table:
        cells = [(j, c) for j, c in enumerate(row) if c and j not in skip]
        if not cells:
            continue
        (_, label), rest = cells[0], cells[1:]
        values = []
        for j, cell in rest:
            if _NUMBER.match(cell) and units[j] and not cell.endswith("%"):
                cell = cell + units[j]
            if several and names[j]:
                cell = names[j] + cell
            values.append(cell)
        lines.append(label + ("：" + "，".join(values) if values else ""))
    return lines


# ------------------------------------------------------------- garbling

_CID = re.compile(r"\(cid:\d+\)")


def garbled_share(text: str) -> float:
    """Share of characters that cannot be real text of a Chinese report.

    Counted as bad: pdfminer's "(cid:NNN)" placeholders, U+FFFD, private-use
    code points, C0 controls and Latin-1/Latin-Extended letters (what a
    CID font without a Unicode map decodes to). 0.0 for empty text.
    """
    cids = _CID.findall(text)
    rest = _CID.sub("", text)
    bad = len(cids)
    total = len(cids)
    for ch in rest:
        if ch.isspace():
            continue
        total += 1
        o = ord(ch)
        if o < 32 or o == 0x7F or 0x80 <= o <= 0x24F or o == 0xFFFD or 0xE000 <= o <= 0xF8FF:
            bad += 1
    return bad / total if total else 0.0
