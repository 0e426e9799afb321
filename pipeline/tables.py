"""The tables stage: every table of a document, with where each cell sits in
the normalised text.

Readers find tables in their format (HTML rowspan/colspan, Word merged cells,
PDF ruling lines or character geometry) and put each table into the text as
one line per row (`readers.render_rows`). Plain text has no markup, so its
tables are found here, in the raw text before normalisation removes the tabs
and spaces that separate cells: runs of lines with tab- or space-separated
cells, or "label：v1，v2，…" lines of bare figures.

After normalisation `locate` finds each table's lines again (in order, each a
whole line) and each cell's text within its row's line, so a figure read from
a table has an exact span like any figure of the prose. Tables split by a
page break (the same columns, nothing between them but the page end) are one
table.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from .normalize import normalise_table_line
from .readers import DASH, FIGURE_OR_NONE, ITEM_MARKER, ROW_MARKER, is_blank, is_value, raw_table
from .records import RawTable, Table
from .table_join import join_page_breaks

__all__ = ["text_tables", "locate", "label_spans", "is_value", "is_blank"]

_CELL_SPLIT = re.compile(r"\t+|[ \u3000]{2,}")
# "一、本年新收政府信息公开申请数量：95，0，0，0，0，0，95"
_LABEL_VALUES = re.compile(r"^(?P<label>[^：:]{1,60}?)[：:]\s*(?P<values>[-+\d.,%/／—–\-－―─]+(?:\s*[，,、;；]\s*[-+\d.,%/／—–\-－―─]+)*)\s*[。；;]?$")
_VALUE_SPLIT = re.compile(r"\s*[，,、;；]\s*")
# a header written the same way: "信息内容：本年新制作数量，本年新公开数量，对外公开总数量",
# "项目：结果维持，结果纠正，其他结果，尚未审结，总计" (words only, two at least)
_LABEL_WORDS = re.compile(r"^(?P<label>[^：:，,。；;\d]{1,20})[：:]\s*(?P<words>[^：:，,、。；;！？!?\d]{1,20}"
                          r"(?:\s*[，,、]\s*[^：:，,、。；;！？!?\d]{1,20}){1,15})$")
_WORD_SPLIT = re.compile(r"\s*[，,、]\s*")
# an item marker inside a label line ("（四）无法提供 1.本机关不掌握相关政府"): no figure
_INNER_MARKER = re.compile(ITEM_MARKER)
_MAX_LABEL_LINE = 40  # a label-only line inside a table is short ("（三）不予公开")
_PIPE_ROW = re.compile(r"^[|｜].*[|｜]$")
_BEFORE_MARKER = re.compile(r"\s+(?=" + ROW_MARKER.pattern.removeprefix("^") + ")")  # a space, then a marker
_SPACED_FIGURES = re.compile(rf"^{FIGURE_OR_NONE}(?: {FIGURE_OR_NONE}){{2,}}$")  # three or more, one space apart
# header cells one space apart: words with Chinese in them, no figure, no sentence
_SPACED_HEADER = re.compile(r"^(?=.*[\u4e00-\u9fff])[^\s\d。；;！？!?]{1,40}(?: [^\s\d。；;！？!?]{1,40}){1,15}$")
# a label (no sentence in it) and figures or "none" marks after it, one space apart
_SPACED_ROW = re.compile(rf"^(?P<label>(?=[^。；;！？!?]*?[\u4e00-\u9fff])(?:{ITEM_MARKER})?[^。；;！？!?\d\s]"
                         rf"[^。；;！？!?]{{0,59}}?)\s(?P<values>{FIGURE_OR_NONE}(?:\s{FIGURE_OR_NONE})*)$")
_PIPE = re.compile(r"\s*[|｜]\s*")
_INNER_PIPE = re.compile(r"\S?\s[|｜]\s")  # a bar set off by spaces between two cells
_PIPE_RULE = re.compile(r"^[|｜]?\s*:?-{3,}:?\s*(?:[|｜]\s*:?-{3,}:?\s*)*[|｜]?$")


# --------------------------------------------------------------- text tables

def _cells(line: str) -> list[str] | None:
    """The cells of a table row written as text, or None when the line is prose."""
    stripped = line.strip()
    m = _LABEL_VALUES.match(stripped)
    if m:
        return [m.group("label").strip()] + _VALUE_SPLIT.split(m.group("values").strip())
    m = _LABEL_WORDS.match(stripped)
    if m:
        return [m.group("label").strip()] + _WORD_SPLIT.split(m.group("words").strip())
    if _PIPE_ROW.match(stripped):  # "| 一、本年新收… | 67 | 5 |" (a table in Markdown)
        cells = [c.strip() for c in _PIPE.split(stripped.strip("|｜ \t"))]
        return cells if len(cells) >= 2 and all(len(c) <= 60 for c in cells) else None
    if _INNER_PIPE.search(line):
        # "一、本年新收… | 23 | 6 | 0", " |  | 2.其他法律… | 1 | 0": cells between bars with no
        # outer ones, a merged cell left empty (the empty first cells count: they align the row)
        cells = [c.strip() for c in _PIPE.split(line.rstrip())]
        if len(cells) >= 2 and all(len(c) <= 60 for c in cells) and any(cells):
            return cells
    cells = [c.strip() for c in _CELL_SPLIT.split(stripped) if c.strip()]
    if len(cells) >= 2 and all(len(c) <= 60 for c in cells):
        return cells
    m = _SPACED_ROW.match(stripped)
    if m:  # "一、本年新收政府信息公开申请数量 67 5 0 1 2 0 75": text taken from a PDF, one space apart
        # a group label and the row's own, each with its marker: "三、本年度办理结果 （一）予以公开"
        labels = _BEFORE_MARKER.split(m.group("label").strip())
        return labels + m.group("values").split()
    if _SPACED_FIGURES.match(stripped) or _SPACED_HEADER.match(stripped):
        return stripped.split()  # "1 1 0 0 2 …" (表四's row), "信息内容 本年制发件数 本年废止件数"
    return None


def _runs_on(lines: list[str], parsed: list[list[str] | None], kinds: list[str], units: tuple[str, ...]) -> None:
    """Lines that only look like rows one space apart because a hard-wrapped
    text broke a sentence right after a figure ("全年共组织集中学法 12" | "次，…"):
    when the next line starts with a measure word (`units`) or %, the figure
    goes on there. They are prose, left for normalisation to join."""
    starts = (*units, "%", "％")
    for k, line in enumerate(lines[:-1]):
        if kinds[k] in ("row", "header") and not _CELL_SPLIT.search(line.strip()) \
                and not _LABEL_VALUES.match(line.strip()) and not _PIPE_ROW.match(line.strip()):
            n = next((m for m in range(k + 1, min(k + 3, len(lines))) if lines[m].strip()), None)
            nxt = lines[n].strip() if n is not None else ""
            if not nxt.startswith(starts) or nxt in starts:
                continue  # (a label's last character alone: "其他对外管理服务事 14 -2 1267" | "项")
            if sum(is_value(c) for c in parsed[k] or ()) >= 3:
                continue  # prose ends in one figure, a row of a table in several
            unit = max((u for u in starts if nxt.startswith(u)), key=len)
            if kinds[n] == "row" and _HAN.match(nxt, len(unit)):
                continue  # a row of its own whose label starts like a measure word: "处理 4.无正当理由… 0 0"
            kinds[k] = "prose"


def _rows_under_labels(lines: list[str], parsed: list[list[str] | None], kinds: list[str]) -> None:
    """A web table pasted row by row puts each row's label on a line of its own and
    its figures on the next ("（六）其他处理 1.申请人无正当理由逾期不补正…" | "1 0 0 0 0 0 1",
    "行政许可" | "1263"): the label line is a label however long (no sentence in it),
    and a lone figure under it is a row of one figure. Which row the label names is
    for the reader of the table's cells (table_cells)."""
    def label_like(k: int) -> bool:
        text = lines[k].strip()
        return (kinds[k] in ("short", "marker", "prose", "header") and 0 < len(text) <= 60
                and not _SENTENCE.search(text) and _HAN.search(text) is not None and not is_value(text))

    for k in range(1, len(lines)):
        text = lines[k].strip()
        if not label_like(k - 1):
            continue
        if kinds[k] == "prose" and text and (is_value(text) or DASH.match(text)):
            kinds[k], parsed[k] = "row", [text]
        if kinds[k] == "row" and parsed[k] and not _HAN.search(" ".join(parsed[k])) and kinds[k - 1] == "prose":
            kinds[k - 1] = "marker" if ROW_MARKER.match(lines[k - 1].strip()) else "short"


def _is_row(cells: list[str] | None) -> bool:
    """Up to three label cells, then figures or "none" marks only."""
    if not cells or len(cells) < 2:
        return False
    k = 0
    while k < len(cells) and not (is_value(cells[k]) or DASH.match(cells[k])):
        k += 1
    return k < len(cells) and k <= 3 and all(is_value(c) or DASH.match(c) for c in cells[k:])


_SENTENCE = re.compile(r"[。！？!?]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _kind(line: str, cells: list[str] | None) -> str:
    text = line.strip()
    if not text:
        return "blank"
    if _PIPE_RULE.match(text):  # the |---|---| line under a Markdown header
        return "rule"
    if _is_row(cells):
        return "row"
    if cells and len(cells) >= 2 and not any(is_value(c) for c in cells):
        return "header"
    marker = ROW_MARKER.match(text)
    rest = text[marker.end():] if marker else text
    # a short line with a figure of its own ("行政复议收案：318件") is prose, not a label;
    # an item's number is no figure ("（四）无法提供 1.本机关不掌握相关政府", wrapped)
    if len(text) <= _MAX_LABEL_LINE and not _SENTENCE.search(text) and not re.search(r"\d", _INNER_MARKER.sub("", rest)):
        return "marker" if marker else "short"
    return "prose"


def text_tables(raw: str, units: Iterable[str] = ()) -> list[RawTable]:
    """Tables written as text lines in a plain-text report, in order.

    A table is a run of rows (label cells then figures) with what lies
    between them: header lines (cells without figures), short lines such as
    "第二十条第（五）项" that lead to a header or a row, and row-group labels
    ("三、本年度办理结果", "（三）不予公开") right above a row. A heading
    followed by prose or by a header is not taken in: it starts the next part.
    """
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    parsed = [_cells(ln) for ln in lines]
    kinds = [_kind(ln, c) for ln, c in zip(lines, parsed, strict=True)]
    _runs_on(lines, parsed, kinds, tuple(units))
    _rows_under_labels(lines, parsed, kinds)

    def next_solid(k: int) -> int:
        while k < len(lines) and kinds[k] in ("blank", "rule"):
            k += 1
        return k

    def leads_to_row(k: int) -> bool:
        """Line k (a header, short or marker line) belongs to the table below."""
        if kinds[k] == "marker":
            n = next_solid(k + 1)
            return n < len(lines) and kinds[n] in ("row", "marker")  and _marker_chain_row(n)
        n, hops = k, 0
        while n < len(lines) and hops <= 4:
            n = next_solid(n + 1)
            if n >= len(lines) or kinds[n] in ("prose", "marker"):
                return False
            if kinds[n] == "row":
                return True
            hops += 1
        return False

    def _marker_chain_row(n: int) -> bool:
        # "三、本年度办理结果" / "（三）不予公开" / "1.属于国家秘密：0，…"
        hops = 0
        while n < len(lines) and kinds[n] == "marker" and hops < 3:
            n, hops = next_solid(n + 1), hops + 1
        return n < len(lines) and kinds[n] == "row"

    per_line = _cell_per_line(lines, kinds)  # (first line, table, end)
    taken = [(first, end) for first, _, end in per_line]
    out: list[tuple[int, RawTable]] = [(first, table) for first, table, _ in per_line]
    i = 0
    while i < len(lines):
        if kinds[i] != "row":
            i += 1
            continue
        j, last = i + 1, i
        while j < len(lines):
            kind = kinds[j]
            if kind == "row":
                last = j
            elif kind in ("blank", "rule"):
                pass
            elif kind in ("header", "short", "marker") and leads_to_row(j):
                pass
            else:
                break
            j += 1
        top = i
        while top > 0 and i - top < 4 and (kinds[top - 1] in ("header", "short", "rule")
                                           or kinds[top - 1] == "marker" and _marker_chain_row(top)):
            top -= 1
        members = [k for k in range(top, last + 1) if kinds[k] not in ("blank", "rule")]
        row_count = sum(kinds[k] == "row" for k in members)
        has_figure = any(is_value(c) for k in members if kinds[k] == "row" for c in parsed[k] or ())
        headed = any(kinds[k] == "header" for k in members)
        widest = max(len(parsed[k] or ()) for k in members)
        # one row is a table when a header names its columns (表四 has one row of 15 figures)
        if has_figure and (row_count >= 2 or headed and widest >= 3) \
                and not any(a < last + 1 and members[0] < b for a, b in taken):  # lines of one table only
            # rows keep their own cells: text has no merged cells to align them by
            grid = [parsed[k] if parsed[k] else [lines[k].strip()] for k in members]
            _align_blank_cells(grid, [lines[k] for k in members], [kinds[k] for k in members])
            out.append((members[0], _text_raw_table(grid, [lines[k].strip() for k in members])))
        i = last + 1
    return [t for _, t in sorted(out, key=lambda item: item[0])]


def _spaced(line: str) -> list[tuple[str, int, int]] | None:
    """The cells of a line whose cells are set apart by runs of spaces (no tab),
    each with its first and last character's column, or None."""
    if "\t" in line or not _CELL_SPLIT.search(line.strip()):
        return None
    out, pos = [], 0
    for part in re.split(r"([ \u3000]{2,})", line):
        if part.strip() and not _CELL_SPLIT.fullmatch(part):
            lead = len(part) - len(part.lstrip())
            out.append((part.strip(), pos + lead, pos + lead + len(part.strip())))
        pos += len(part)
    return out


def _display(line: str) -> list[int]:
    """Each character's column on a screen (CJK characters two wide), and the line's end."""
    cols, at = [], 0
    for ch in line:
        cols.append(at)
        at += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return cols + [at]


def _align_blank_cells(grid: list[list[str]], raw: list[str], kinds: list[str]) -> None:
    """Rows of a table aligned by runs of spaces (`pdftotext -layout`, a report
    typed in columns) that leave cells blank ("42  5        1  1  49" under seven
    heads): each figure goes in the column of the header word it stands under,
    the columns it skips become empty cells, so the figures keep their columns.
    The header is the widest line of the nearest header lines above the row; a
    column is where its word's middle is, counted in characters (as pdftotext
    places text) or on a screen (CJK two wide), whichever puts the figures
    nearer their words. Rows as wide as their header are left alone."""
    for m, kind in enumerate(kinds):
        cells = _spaced(raw[m]) if kind == "row" else None
        if not cells or [c for c, _, _ in cells] != grid[m]:
            continue
        first = next(k for k, (c, _, _) in enumerate(cells) if is_value(c) or DASH.match(c))
        n = m - 1
        while n >= 0 and kinds[n] != "header":
            n -= 1
        block = []
        while n >= 0 and kinds[n] in ("header", "short"):
            block.append(n)
            n -= 1
        tops = [h for h in block if kinds[h] == "header"]
        top = max(tops, key=lambda h: len(_spaced(raw[h]) or ()), default=None)
        heads = (_spaced(raw[top]) or []) if top is not None else []
        best: tuple[float, list[int], int] | None = None
        for screen in (False, True):
            def mid(line: str, a: int, b: int, screen: bool = screen) -> float:
                if not screen:
                    return (a + b - 1) / 2
                cols = _display(line)
                return (cols[a] + cols[b] - 1) / 2
            edge = mid(raw[m], cells[first - 1][1], cells[first - 1][2]) if first else -1.0
            anchors = [x for x in (mid(raw[top], a, b) for _, a, b in heads) if x > edge]
            figures = [mid(raw[m], a, b) for _, a, b in cells[first:]]
            if len(anchors) <= len(figures):
                continue
            slots = [min(range(len(anchors)), key=lambda k, x=x: abs(anchors[k] - x)) for x in figures]
            if any(b <= a for a, b in zip(slots, slots[1:])):
                continue  # two figures under one word: not a column layout
            cost = sum(abs(anchors[k] - x) for k, x in zip(slots, figures))
            if best is None or cost < best[0]:
                best = (cost, slots, len(anchors))
        if best is not None:
            row = [""] * best[2]
            for k, (c, _, _) in zip(best[1], cells[first:]):
                row[k] = c
            grid[m] = [c for c, _, _ in cells[:first]] + row


_MIN_CELL_ROWS = 2  # rows of a table written one cell per line
_MIN_CELL_FIGURES = 5  # or figures of its one row (表四: fifteen)
_MAX_CELL_HEADER = 30  # header lines over such a row (表四's: 22, one cell each)
_MAX_CELL_GAP = 6  # lines between two rows of one table (表二: an article, the corner, three headers)


def _cell_per_line(lines: list[str], kinds: list[str]) -> list[tuple[int, RawTable, int]]:
    """Tables written one cell per line, as a PDF's text layer or a web
    table copied as text gives them: a label line ("一、本年新收政府信息公开申请
    数量") followed by two or more lines that each hold one figure ("67",
    "5", …, or "/") is a row; rows with no more than a few short label lines
    between them ("三、本年度办理结果", "（三）不予公开": row-group labels) are
    one table. Each row's lines are its lines in the text. (first line,
    table, end) of each."""
    n = len(lines)
    figure = [bool(t) and (is_value(t) or bool(DASH.match(t))) for t in (ln.strip() for ln in lines)]
    rows: list[tuple[int, int]] = []  # (label line, end of its figure lines)
    i = 0
    while i < n:
        if kinds[i] in ("short", "marker") and i + 1 < n and figure[i + 1]:
            j = i + 1
            while j < n and figure[j]:
                j += 1
            rows.append((i, j))
            i = j
        else:
            i += 1
    out: list[tuple[int, RawTable, int]] = []
    k = 0
    while k < len(rows):
        run = [rows[k]]
        while k + 1 < len(rows) and rows[k + 1][0] - run[-1][1] <= _MAX_CELL_GAP and all(
                kinds[m] in ("short", "marker", "blank") for m in range(run[-1][1], rows[k + 1][0])):
            k += 1
            run.append(rows[k])
        k += 1
        # a label and one figure alone is no table ("第三章" over a page number): two rows,
        # one of them with two figures or more, or one row of many figures
        if not (len(run) >= _MIN_CELL_ROWS and any(end - label > 2 for label, end in run)
                or run[0][1] - run[0][0] > _MIN_CELL_FIGURES):
            continue
        grid: list[list[str]] = []
        table_lines: list[str] = []
        line_rows: list[int] = []
        # one row of many figures has no label of its own: the line above it
        # is the header's last (表四: …尚未审结 / 总计 / 1 / 1 / 0 …)
        lone = len(run) == 1
        top = run[0][0]
        while top > 0 and run[0][0] - top < (_MAX_CELL_HEADER if lone else _MAX_CELL_GAP) \
                and kinds[top - 1] == "short" and (not out or top - 1 >= out[-1][2]):
            top -= 1  # the header over the first row (not a heading: "四、…情况" has its marker)
        for r, (label, end) in enumerate(run):
            first = label + 1 if lone else label
            between = [m for m in range(run[r - 1][1] if r else top, first) if kinds[m] != "blank"]
            figures = end - first - (0 if lone else 1)
            # a row of up to three figures under as many header lines (and the corner's):
            # "信息内容 / 本年制发件数 / 本年废止件数 / 现行有效件数" is one header row.
            # A wider header (表三's, of several rows) is left to the layouts.
            header = between[-(figures + 1):] if 1 <= figures <= 3 and len(between) > figures else []
            for m in between[:len(between) - len(header)]:  # group labels, a row each
                line_rows.append(len(grid))
                table_lines.append(lines[m].strip())
                grid.append([lines[m].strip()])
            if header:
                line_rows.extend([len(grid)] * len(header))
                table_lines.extend(lines[m].strip() for m in header)
                grid.append([lines[m].strip() for m in header])
            row = len(grid)
            grid.append([lines[m].strip() for m in range(first, end)])
            for m in range(first, end):
                table_lines.append(lines[m].strip())
                line_rows.append(row)
        base = raw_table(grid, "text")
        out.append((top, RawTable(rows=base.rows, lines=tuple(table_lines), line_rows=tuple(line_rows),
                                  kind="text"), run[-1][1]))
    return out


def _text_raw_table(grid: list[list[str]], lines: list[str]) -> RawTable:
    base = raw_table(grid, "text")
    # the text's own lines are the table's lines (the reader printed nothing)
    return RawTable(rows=base.rows, lines=tuple(lines), line_rows=tuple(range(len(lines))), kind="text")


# --------------------------------------------------------------- locating

def locate(raw_tables: Sequence[RawTable], text: str,
           page_of: Callable[[int], int | None] | None = None) -> tuple[Table, ...]:
    """Tables with the span of each line and cell in the normalised `text`."""
    cursor = 0
    placed: list[tuple[RawTable, list[tuple[int, int] | None]]] = []
    for rt in raw_tables:
        spans: list[tuple[int, int] | None] = []
        for line in rt.lines:
            found = _find_line(text, normalise_table_line(line), cursor)
            spans.append(found)
            if found:
                cursor = found[1]
        placed.append((rt, spans))
    placed = join_page_breaks(placed)
    tables: list[Table] = []
    for rt, spans in placed:
        cell_spans: list[list[tuple[int, int] | None]] = [[None] * len(r) for r in rt.rows]
        merged = {(r, c): (r0, c0) for r, c, r0, c0 in rt.merged}
        done: set[int] = set()
        for (row, span) in zip(rt.line_rows, spans, strict=True):
            if span is not None and row < len(rt.rows):
                cells = [cell if (row, c) not in merged else "" for c, cell in enumerate(rt.rows[row])]
                if row in done:
                    # a row printed as several lines (split by a page break, or one
                    # cell per line): each cell is searched until a line holds it
                    cells = [c if cell_spans[row][k] is None else "" for k, c in enumerate(cells)]
                    found = _cell_spans(text, span, cells)
                    cell_spans[row] = [a or b for a, b in zip(cell_spans[row], found, strict=True)]
                else:
                    cell_spans[row] = _cell_spans(text, span, cells)
                    done.add(row)
        for (r, c), (r0, c0) in merged.items():  # a merged cell's slots share its span
            if r < len(cell_spans) and c < len(cell_spans[r]) and r0 < len(cell_spans) and c0 < len(cell_spans[r0]):
                cell_spans[r][c] = cell_spans[r0][c0]
        got = [s for s in spans if s]
        span = (got[0][0], got[-1][1]) if got else (cursor, cursor)
        page = rt.page
        if page is None and page_of is not None and got:
            page = page_of(got[0][0])
        caption = ""
        if got and span[0] > 0:
            prev_start = text.rfind("\n", 0, span[0] - 1) + 1
            caption = text[prev_start:span[0] - 1]
            if any(t.span[0] <= prev_start < t.span[1] for t in tables):
                caption = ""
        tables.append(Table(index=len(tables) + 1, kind=rt.kind, rows=rt.rows,
                            cell_spans=tuple(tuple(r) for r in cell_spans), span=span, page=page,
                            caption=caption, merged=rt.merged))
    return tuple(tables)


def _find_line(text: str, line: str, start: int) -> tuple[int, int] | None:
    """The first whole line equal to `line` at or after `start`."""
    if not line:
        return None
    pos = text.find(line, start)
    while pos >= 0:
        end = pos + len(line)
        if (pos == 0 or text[pos - 1] == "\n") and (end == len(text) or text[end] == "\n"):
            return pos, end
        pos = text.find(line, pos + 1)
    return None


def _cell_spans(text: str, line: tuple[int, int], cells: Sequence[str]) -> list[tuple[int, int] | None]:
    """Each cell's span inside its row's line, searched left to right; a
    merged cell spread over several slots shares the span of its first slot."""
    out: list[tuple[int, int] | None] = []
    cursor = line[0]
    prev_text, prev_span = None, None
    for cell in cells:
        norm = normalise_table_line(cell)
        if not norm:
            out.append(None)
            continue
        if norm == prev_text and not is_value(norm):
            out.append(prev_span)
            continue
        span = _find_in(text, norm, cursor, line[1])
        out.append(span)
        if span:
            cursor = span[1]
        prev_text, prev_span = norm, span
    return out


def _find_in(text: str, needle: str, start: int, end: int) -> tuple[int, int] | None:
    pos = text.find(needle, start, end)
    while pos >= 0:
        stop = pos + len(needle)
        # a figure is never part of a longer number ("0" is not the 0 of "30")
        left_ok = not needle[0].isdigit() or pos == 0 or not (text[pos - 1].isdigit() or text[pos - 1] == ".")
        right_ok = not needle[-1].isdigit() or stop >= len(text) or not (text[stop].isdigit() or text[stop] == ".")
        if left_ok and right_ok:
            return pos, stop
        pos = text.find(needle, pos + 1, end)
    return None


def label_spans(tables: Sequence[Table]) -> tuple[tuple[int, int], ...]:
    """Spans of the cells that are not figures (row labels, headers): a
    number in them ("5.属于三类内部事务信息") is never a fact."""
    out = []
    for t in tables:
        for row, spans in zip(t.rows, t.cell_spans, strict=True):
            for cell, span in zip(row, spans, strict=True):
                if span is not None and not is_value(cell):
                    out.append(span)
    return tuple(sorted(set(out)))
