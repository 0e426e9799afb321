"""Tables split by a page break, joined again.

Office suites print a long table over several pages: the rows go on at the
top of the next page, often without the header rows, and

- a vertically merged label cell ("三、本年度办理结果") goes on as an empty
  cell: its text is printed on the first page only;
- a row whose label wraps over the page end is printed in two pieces: the
  label's first lines and the row's figures on one page, the rest of the
  label ("他情形）") as a row of its own, without figures, on the next;
- a column split on one page only (a sub-label column that the rows of the
  first page span) gives the pieces different column counts: PDF tables
  keep the x of their column lines (`RawTable.edges`), which line the
  columns up;
- the header rows may be printed again on every page.

`join_page_breaks` makes such pieces one table again, so that every cell
keeps its row and column labels, as in the Word or HTML version of the same
report. Pieces are joined only when nothing but the page end lies between
them and their columns line up. Web pages and Word files copied from such a
PDF (or split by hand) hold the pieces as two tables with nothing between
them: they are joined the same way.
"""
from __future__ import annotations

from collections.abc import Sequence

from .readers import ROW_MARKER, is_value, join_pieces
from .records import RawTable

__all__ = ["join_page_breaks", "EDGE_TOLERANCE"]

EDGE_TOLERANCE = 2.0  # points: two column lines this close are the same line
# web pages and Word files have no pages, but a table copied from a PDF or
# split by hand comes as two tables one right after the other
_PAGELESS = frozenset({"html", "docx"})

Span = tuple[int, int] | None


def join_page_breaks(placed: Sequence[tuple[RawTable, list[Span]]]) -> list[tuple[RawTable, list[Span]]]:
    """The located tables (each with the spans of its lines), the pieces of
    a table split by page breaks joined: a piece that starts on the line
    right after the previous table, on the page after that table's last
    page (or, in a web page or Word file, right after it), with columns
    that line up."""
    out: list[tuple[RawTable, list[Span], int | None]] = []  # with the last page of each
    for rt, spans in placed:
        if out:
            prev, prev_spans, last_page = out[-1]
            last = next((s for s in reversed(prev_spans) if s), None)
            first = next((s for s in spans if s), None)
            if last and first and first[0] == last[1] + 1 and rt.kind == prev.kind \
                    and (last_page is not None and rt.page == last_page + 1
                         or last_page is None and rt.page is None and rt.kind in _PAGELESS):
                joined = join(prev, rt)
                if joined is not None:
                    out[-1] = (joined, prev_spans + spans, rt.page)
                    continue
        out.append((rt, spans, rt.page))
    return [(rt, spans) for rt, spans, _ in out]


def join(top: RawTable, rest: RawTable) -> RawTable | None:
    """`rest` as the continuation of `top` on the next page, or None when
    their columns do not line up."""
    columns = _columns(top, rest)
    if columns is None:
        return None
    edges, top_cover, rest_cover = columns
    width = 1 + max(k for cover in (top_cover, rest_cover) for ks in cover for k in ks)
    rows, origin = _spread(top, top_cover, width)
    more, more_origin = _spread(rest, rest_cover, width)

    # rows of `rest` -> rows of the joined table
    row_of: dict[int, int] = {}
    skip = _repeated_header(rows, more)
    for r in range(skip):
        row_of[r] = r
    start = skip
    if start < len(more) and rows and _continues_row(rows[-1], more[start]):
        last = len(rows) - 1
        rows[-1] = [join_pieces(a, b) if b and b != a else a for a, b in zip(rows[-1], more[start], strict=True)]
        row_of[start] = last
        start += 1
    shift = len(rows) - start
    for r in range(start, len(more)):
        row_of[r] = r + shift
    for (r, c), (r0, c0) in more_origin.items():
        if r >= start and r0 >= start:
            origin[(r + shift, c)] = (r0 + shift, c0)
    rows.extend(more[start:])
    if top.kind != "pdf-aligned":
        # (without ruling lines a merged label stands by the middle of its rows, and
        # the rows above and below it are left empty on every page alike)
        _carry_labels(rows, origin, len(rows) - (len(more) - start))

    merged = tuple(sorted((r, c, *_root(origin, (r, c))) for (r, c) in origin))
    return RawTable(rows=tuple(tuple(row) for row in rows), lines=top.lines + rest.lines,
                    line_rows=top.line_rows + tuple(row_of.get(r, r + shift) for r in rest.line_rows),
                    kind=top.kind, page=top.page, merged=merged, edges=edges)


def _columns(top: RawTable, rest: RawTable
             ) -> tuple[tuple[float, ...], list[list[int]], list[list[int]]] | None:
    """The joined table's column lines, and the joined columns each column
    of `top` and of `rest` covers; None when they do not line up. Without
    column lines (a web page, a Word file), the same number of columns, or
    the same figure columns with fewer label columns in one piece."""
    top_width = max((len(r) for r in top.rows), default=0)
    rest_width = max((len(r) for r in rest.rows), default=0)
    if not top.edges or not rest.edges:
        if not top_width or not rest_width:
            return None
        if top_width == rest_width:
            same = [[c] for c in range(top_width)]
            return (), same, same
        # a piece without the leading label column that a merged cell filled on the
        # page before: the figure columns line up from the right, and so do the labels
        n_top, n_rest = _label_columns(top), _label_columns(rest)
        if n_top is None or n_rest is None or top_width - n_top != rest_width - n_rest:
            return None
        width = max(top_width, rest_width)
        return (), [[c + width - top_width] for c in range(top_width)], \
            [[c + width - rest_width] for c in range(rest_width)]
    if len(top.edges) - 1 != top_width or len(rest.edges) - 1 != rest_width:
        return None
    if top.kind == "pdf-aligned":
        return _aligned_columns(top, rest)
    coarse, fine = sorted((top.edges, rest.edges), key=len)
    # the outer lines are the same, and every line of one is a line of the other
    if not all(any(abs(x - y) <= EDGE_TOLERANCE for y in fine) for x in coarse):
        return None
    if abs(coarse[0] - fine[0]) > EDGE_TOLERANCE or abs(coarse[-1] - fine[-1]) > EDGE_TOLERANCE:
        return None
    edges = tuple(fine)

    def cover(own: Sequence[float]) -> list[list[int]]:
        at = [min(range(len(edges)), key=lambda k: abs(edges[k] - x)) for x in own]
        return [list(range(at[j], at[j + 1])) for j in range(len(own) - 1)]

    return edges, cover(top.edges), cover(rest.edges)


def _aligned_columns(top: RawTable, rest: RawTable
                     ) -> tuple[tuple[float, ...], list[list[int]], list[list[int]]] | None:
    """`_columns` for tables drawn without lines, whose bounds the reader
    made from the text: the figure columns must be the same (as many, centred
    alike); the label columns are put together from where each piece's
    labels start (a piece may lack one: a merged label printed on the
    other page, a sub-label column on one page only)."""
    n_top, n_rest = _label_columns(top), _label_columns(rest)
    if n_top is None or n_rest is None:
        return None
    values, others = top.edges[n_top:], rest.edges[n_rest:]
    if len(values) != len(others) or any(abs(a - b) > EDGE_TOLERANCE for a, b in zip(values, others, strict=True)):
        return None
    labels: list[float] = []
    for x in sorted(top.edges[:n_top] + rest.edges[:n_rest]):
        if not labels or x - labels[-1] > EDGE_TOLERANCE:
            labels.append(x)

    def cover(own: Sequence[float], n: int) -> list[list[int]]:
        at = [min(range(len(labels)), key=lambda k: abs(labels[k] - x)) for x in own[:n]] + [len(labels)]
        return [list(range(at[j], at[j + 1])) for j in range(n)] + \
            [[len(labels) + k] for k in range(len(values) - 1)]

    return tuple(labels) + tuple(values), cover(top.edges, n_top), cover(rest.edges, n_rest)


def _label_columns(rt: RawTable) -> int | None:
    """How many columns left of the figures a table has (None: no figure)."""
    firsts = [next((c for c, text in enumerate(row) if is_value(text)), None) for row in rt.rows]
    firsts = [c for c in firsts if c is not None]
    return min(firsts) if firsts else None


def _spread(rt: RawTable, cover: list[list[int]], width: int
            ) -> tuple[list[list[str]], dict[tuple[int, int], tuple[int, int]]]:
    """`rt`'s rows on the joined columns (a cell covering several of them
    fills each), and which slots repeat which (slot -> the slot it repeats)."""
    rows = [[""] * width for _ in rt.rows]
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(rt.rows):
        for c, text in enumerate(row):
            ks = cover[c]
            for k in ks:
                rows[r][k] = text
                if k != ks[0]:
                    origin[(r, k)] = (r, ks[0])
    for r, c, r0, c0 in rt.merged:
        for k in cover[c]:
            origin[(r, k)] = (r0, cover[c0][0])
    return rows, origin


def _repeated_header(rows: list[list[str]], more: list[list[str]]) -> int:
    """How many of the first rows of `more` repeat the first rows of the
    table (header rows printed again on the next page): rows without a figure."""
    n = 0
    while n < len(more) - 1 and n < len(rows) and more[n] == rows[n] and not any(map(is_value, more[n])):
        n += 1
    return n


def _continues_row(last: list[str], first: list[str]) -> bool:
    """Whether `first`, the first row after the page break, is the rest of
    `last`: text only where `last` has none of its figures, no figure, and
    no label that starts a row of its own."""
    if not any(map(is_value, last)) or not any(first):
        return False
    for a, b in zip(last, first, strict=True):
        if b and (is_value(b) or is_value(a) or ROW_MARKER.match(b)):
            return False
    return True


def _carry_labels(rows: list[list[str]], origin: dict[tuple[int, int], tuple[int, int]], start: int) -> None:
    """Label cells left empty at the top of the continuation (from row
    `start`): the rest of a merged cell whose text was printed above the
    page break. Each takes the text of the cell above it, as a slot of that
    cell, down to the first label the column prints again. Label columns
    are those left of every figure of the continuation."""
    if start <= 0 or start >= len(rows):
        return
    figures = [c for row in rows[start:] for c, text in enumerate(row) if is_value(text)]
    if not figures:
        return
    for c in range(min(figures)):
        r = start
        while r < len(rows) and not rows[r][c] and rows[r - 1][c]:
            rows[r][c] = rows[r - 1][c]
            origin[(r, c)] = _root(origin, (r - 1, c))
            r += 1


def _root(origin: dict[tuple[int, int], tuple[int, int]], slot: tuple[int, int]) -> tuple[int, int]:
    """The slot whose cell `slot` repeats, following repeats of repeats."""
    seen = 0
    while slot in origin and seen < 1000:
        slot = origin[slot]
        seen += 1
    return slot
