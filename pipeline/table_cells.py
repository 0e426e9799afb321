"""Table cells as indicators: the mandated tables of a report type, read by
the rules of its pack (`tables.yaml`).

For each table a rule `find`s, every figure becomes one indicator: the row's
label path ("三、本年度办理结果/（三）不予公开/5.属于三类内部事务信息") and
the column's header path ("申请人情况/法人或其他组织/商业企业") are matched
against the rule's row and column groups, which give the catalog id and its
dimensions. A cell is read only when every group matched and the id's
dimensions are all known: a column the catalog does not describe (the 2019
format's 上一年项目数量) stays table data only. Empty cells, "/" and "—" are
not figures, but are remembered (`Blank`) so an identity with a gap in it is
skipped rather than read as 0.

Row labels are joined with the group labels above them: a merged cell spread
over its rows gives each row the whole path, and in a text copy the group
label on a line of its own ("（三）不予公开") stands over the rows below until
a label of its level or higher comes. Header paths come from the header rows
just above the figures (table 二 has a header per article); in a text copy
whose header lost its merged cells, the figures are taken by position from
the rule's `layouts`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .records import Indicator, Section, Table, TableRef
from .rules import LabelRule, Rules, TableRule
from .sections import section_at
from .readers import ITEM_MARKER, figure_text
from .tables import is_blank, is_value

__all__ = ["Blank", "read_cells"]

_LEVELS = ((re.compile(r"^[一二三四五六七八九十]+、"), 1), (re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), 2),
           (re.compile(r"^\d+[.．、]"), 3))
_LEAF = 9  # a label without a list marker
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Blank:
    """A mandated cell left empty ("", "/", "—"): no figure, so no identity holds over it."""

    indicator: str
    dims: tuple[tuple[str, str], ...]
    table: int
    row: int
    col: int


def _level(label: str) -> int:
    for rx, level in _LEVELS:
        if rx.match(label):
            return level
    return _LEAF


def _flat(label: str) -> str:
    return _WS.sub("", label)


def read_cells(tables: Sequence[Table], text: str, sections: tuple[Section, ...], rules: Rules,
               page_of: Callable[[int], int | None] | None = None
               ) -> tuple[list[Indicator], list[Blank], list[int]]:
    """(indicators, blank cells, indexes of the tables read) of a report's tables."""
    if rules.tables is None:
        return [], [], []
    out: list[Indicator] = []
    blanks: list[Blank] = []
    read: list[int] = []
    for table in tables:
        rule = _rule_for(table, rules)
        if rule is None:
            continue
        found, gaps = _read_table(table, rule, text, sections, rules, page_of)
        if found or gaps:
            read.append(table.index)
            out.extend(found)
            blanks.extend(gaps)
    return out, blanks, read


def _rule_for(table: Table, rules: Rules) -> TableRule | None:
    haystack = _flat(table.caption) + "|" + "|".join(_flat(c) for row in table.rows for c in row)
    for rule in rules.tables.tables:
        if rule.find.search(haystack):
            return rule
    return None


def _first_value_col(row: Sequence[str]) -> int:
    """Where the values of a data row start: after its label cells (the last text cell
    before its first figure or "none" mark; empty label slots are skipped)."""
    cells = [c.strip() for c in row]
    k = next((j for j, c in enumerate(cells) if is_value(c) or (c and is_blank(c))), None)
    if k is None:  # a label whose values are all empty
        j = 0
        while j < len(cells) and cells[j] and not is_value(cells[j]) and not is_blank(cells[j]):
            j += 1
        return j
    labels = [j for j in range(k) if cells[j]]
    return labels[-1] + 1 if labels else 0


def _is_data(row: Sequence[str]) -> bool:
    """A row with a figure or a "none" mark, or a leaf label whose value cells are all empty."""
    cells = [c.strip() for c in row]
    if any(is_value(c) or (c and is_blank(c)) for c in cells):
        return True
    first = _first_value_col(cells)
    labels = {c for c in cells[:first]}
    return 0 < first < len(cells) and not any(cells[first:]) and len(labels) == 1 and \
        _level(cells[0]) == _LEAF


def _read_table(table: Table, rule: TableRule, text: str, sections, rules: Rules, page_of):
    out: list[Indicator] = []
    blanks: list[Blank] = []
    header: list[tuple[int, tuple[str, ...]]] = []  # the header rows over the current figures
    pending: list[tuple[int, tuple[str, ...]]] = []  # header rows seen since the last data row
    stack: list[tuple[int, str]] = []  # (level, label) of the labels standing over the next rows
    begun = ""  # the start of an item's label wrapped onto the next row (see below)
    above: list[str] = []  # the labels of the next row, on a line of their own above its figures
    for r, row in enumerate(table.rows):
        if not _is_data(row):
            if r and _continues(table.rows, r):
                continue  # the rest of the row above's label (read with that row)
            distinct = [c for k, c in enumerate(row) if c.strip() and (k == 0 or c != row[k - 1])]
            if _labels_above(rule, table.rows, r, distinct):
                # a web table pasted row by row: "一、本年新收政府信息公开申请数量" | "86 3 0 1 2 0 92"
                above = distinct
            elif len(distinct) == 1 and len(set(row) - {""}) == 1 and _label_goes_on(table.rows, r):
                # a label wrapped above its figures: "（二）部分公开（区分处理的，只计" |
                # "这一情形，不计其他情形） 2 0 0…", "5.要求行政机关确认或重新" | "出具已获取信息 0 0…"
                begun = distinct[0]
            elif len(distinct) == 1 and _level(distinct[0]) < _LEAF and len(set(row) - {""}) == 1:
                # a group label on a line of its own; with the start of its first item's
                # label after it when that label wraps ("（四）无法提供 1.本机关不掌握相关政府"
                # | "信息：9，1，…"): the item's label goes on in the next row's
                group, item = _split_item(distinct[0])
                _push(stack, group)
                begun = item
            elif any(c.strip() for c in row):
                pending.append((r, row))
            continue
        if pending:
            header, pending = pending, []
        first = _first_value_col(row)
        own: list[str] = []
        for k in range(first):
            cell = row[k].strip()
            if cell and (not own or own[-1] != cell):
                own.append(cell)
        if begun and own and _level(own[0]) == _LEAF:
            own[0] = begun + own[0]  # the rest of the wrapped item label
        elif above and not own:
            # a group label and its first item's on one line: "（六）其他处理 1.申请人…"
            own = [part for c in above for part in _split_item(c) if part]
        begun, above = "", []
        for label in own:
            _push(stack, label)
        path = "/".join(_flat(lbl) for _, lbl in stack)
        if own and stack and stack[-1][1] == own[-1]:
            # a row's own innermost label heads no later row ("二、上年结转…" is no parent of
            # "（一）予以公开"); its group labels do ("（六）其他处理" over "2.…", "3.其他")
            stack.pop()
        # the row's own label alone first: an item names its row whatever group a text copy
        # put above it (a PDF's text gives a merged group label in the middle of its rows:
        # "1.属于国家秘密 0 …" | "（三）不予 4.保护第三方合法权益 1 …" | "公开 5.…")
        row_rules = _match_groups(rule.rows, _flat(own[-1])) if own else None
        if row_rules is None:
            row_rules = _match_groups(rule.rows, path)
        if row_rules is None and r + 1 < len(table.rows) and _continues(table.rows, r + 1):
            # a label wrapped below its figures ("2.…缴纳费  0 0 0" | "用、行政机关不再处理…";
            # "（四）无法 2.没有现成信息需要另行 1 0 …" | "提供 制作": the item's goes on last)
            more = _flat([c for c in table.rows[r + 1] if c.strip()][-1])
            row_rules = _match_groups(rule.rows, _flat(own[-1]) + more) if own else None
            if row_rules is None:
                row_rules = _match_groups(rule.rows, path + more)
        if row_rules is None:
            continue
        values = [(j, row[j].strip()) for j in range(first, len(row)) if not table.is_merged(r, j)]
        seen: set[tuple] = set()  # (id, dims, figure) read from this row
        for pos, (j, cell) in enumerate(values):
            # the header's column label; failing an id from it and the row's,
            # the layout's (a header that lost its merged group cells: "总计")
            ident = None
            for over in (header, []) if header else ([],):
                col_label, col_rules = _column(rule, over, row, j, pos, len(values))
                if col_rules is not None:
                    picked = row_rules + col_rules
                    ident = next((x.indicator for x in picked if x.indicator), None)
                    if ident is not None:
                        break
            if ident is None or ident not in rules.catalog:
                continue
            dims: dict[str, str] = {}
            for x in picked:
                dims.update(x.dims)
            if set(dims) != set(rules.catalog[ident].get("dims") or ()):
                continue
            ordered = tuple((d, dims[d]) for d in rules.catalog[ident].get("dims") or ())
            if not is_value(cell):
                if is_blank(cell):
                    blanks.append(Blank(ident, ordered, table.index, r, j))
                continue
            if (ident, ordered, cell) in seen:
                # a merged cell a converter wrote into each column it spans (docling's
                # Markdown: "| 行政许可 | 2368 | 2368 | 2368 |" under one header repeated)
                continue
            seen.add((ident, ordered, cell))
            span = table.cell_spans[r][j] if j < len(table.cell_spans[r]) else None
            if span is None:
                continue  # a figure not in the text cannot be quoted: right or absent
            scale = next((x.scale for x in picked if x.scale is not None), None)
            out.append(_indicator(text, table, rule, rules, ident, ordered, cell, scale, span, r, j,
                                  own[-1] if own else "", col_label, sections, page_of))
    return out, blanks


def _continues(rows: Sequence[Sequence[str]], r: int) -> bool:
    """Whether row r is the rest of the labels of the data row above it: texts
    of no list marker, no figure, right under a row with figures and no more
    of them than its label cells ("信息" under "1.本机关不掌握相关政府 5 0 …";
    "提供 制作" under "（四）无法 2.没有现成信息需要另行 1 0 …")."""
    cells = [c.strip() for c in rows[r] if c.strip()]
    if not cells or _is_data(rows[r]) or not _is_data(rows[r - 1]):
        return False
    if any(_level(c) != _LEAF or _CONTINUATION_STOP.match(c) for c in cells):
        return False
    above = rows[r - 1]
    labels = {c.strip() for c in above[:_first_value_col(above)] if c.strip()}
    if not labels:
        return False  # nothing above to go on: the label of the figures below ("行政规范性文件" | "5 2 38")
    return len(set(cells)) == 1 or len(cells) <= len(labels)


def _labels_above(rule: TableRule, rows: Sequence[Sequence[str]], r: int, cells: list[str]) -> bool:
    """Whether row r (one or two texts, no figure) holds the labels of the next row,
    a row of figures only: no text of it names a column (a header's last row does)."""
    if not cells or len(cells) > 2 or r + 1 >= len(rows) or not _is_data(rows[r + 1]):
        return False
    if _first_value_col(rows[r + 1]) != 0:
        return False
    return not any(_match_groups(rule.cols, _flat(c)) is not None or _match_groups(rule.rows, _flat(c)) is None
                   for c in cells[-1:])


def _label_goes_on(rows: Sequence[Sequence[str]], r: int) -> bool:
    """Whether the label-only row r is the start of the next row's label: it
    starts with a list marker, the next row has figures and a first label of
    no list marker (what wrapped), so row r is no group label of its own
    (三、本年度办理结果 over （一）予以公开 …) nor a header's note ("（单位：万元）")."""
    if r + 1 >= len(rows) or not _is_data(rows[r + 1]):
        return False
    if _level(next(c.strip() for c in rows[r] if c.strip())) == _LEAF:
        return False
    below = [c.strip() for c in rows[r + 1][:_first_value_col(rows[r + 1])] if c.strip()]
    return len(below) == 1 and _level(below[0]) == _LEAF and not _CONTINUATION_STOP.match(below[0])


# lines under a row that start something of their own: 第二十条第（五）项, 其中, 信息内容…
_CONTINUATION_STOP = re.compile(r"^(?:第|其中|合计|小计|信息内容|项目|单位)")


_ITEM_START = re.compile(rf"\s*(?={ITEM_MARKER})")  # "1." starting an item's label


def _split_item(label: str) -> tuple[str, str]:
    """(group label, the start of its first item's label or "") of a label line:
    "（四）无法提供 1.本机关不掌握相关政府" → ("（四）无法提供", "1.本机关不掌握相关政府")."""
    if _level(label) == _LEAF:
        return label, ""
    m = _ITEM_START.search(label, 1)
    if m is None or m.end() >= len(label):
        return label, ""
    return label[:m.start()].strip(), label[m.end():]


def _push(stack: list[tuple[int, str]], label: str) -> None:
    level = _level(label)
    while stack and stack[-1][0] >= level:
        stack.pop()
    stack.append((level, label))


def _match_groups(groups: tuple[tuple[LabelRule, ...], ...], label: str) -> tuple[LabelRule, ...] | None:
    """The first matching rule of each group, or None when a group has none."""
    picked = []
    for group in groups:
        hit = next((x for x in group if x.match.search(label)), None)
        if hit is None:
            return None
        picked.append(hit)
    return tuple(picked)


def _column(rule: TableRule, header: list[tuple[int, tuple[str, ...]]], row: Sequence[str], j: int, pos: int,
            n_values: int) -> tuple[str, tuple[LabelRule, ...] | None]:
    """(innermost column label as written, the column rules it matched).

    The header rows above give the path where they are as wide as the row (a
    grid with merged cells spread); a narrower header row lines up from the
    right, or from the left when it keeps its empty first cells; failing both,
    the rule's layout for this many figures does."""
    parts: list[str] = []
    for _, hrow in header:
        # a narrower row that keeps its empty first cells (" |  |  | 自然人 | …") lines up
        # from the left, its empty last ones dropped
        left = len(hrow) == len(row) or (len(hrow) > 1 and not hrow[0].strip())
        if not left and len(hrow) < n_values:
            continue  # a header row of merged cells, lost in a text copy: it cannot be lined up
        k = j if left else len(hrow) - (len(row) - j)
        if 0 <= k < len(hrow):
            cell = hrow[k].strip()
            first = _first_value_col(row)
            if not cell and len(hrow) == len(row) and sum(1 for c in row[first:] if c.strip()) == 1:
                # one figure under a header set in the middle of its merged cell (a PDF
                # without ruling lines: "本年处理决定数量" stands left of the figure)
                cell = next((hrow[m].strip() for m in range(k - 1, first - 1, -1) if hrow[m].strip()), "")
            if cell and (not parts or parts[-1] != cell):
                parts.append(cell)
    if parts and _runs_together(rule.cols, _flat(parts[-1])):
        parts = []  # the header words of neighbouring columns run together: the layout decides
    if parts:
        got = _match_groups(rule.cols, "/".join(_flat(p) for p in parts))
        if got is None and len(parts) > 1:
            # header words wrapped over two lines of a text copy: "本年新" | "制作数量"
            got = _match_groups(rule.cols, "".join(_flat(p) for p in parts))
        if got is not None:
            return parts[-1], got
    # failing a layout as wide as the row's values, one as wide as the values from the
    # first written one: empty slots right after the label are the label's own columns
    # (a row label over three label columns of a grid without merged cells)
    first = _first_value_col(row)
    lead = next((k for k, c in enumerate(row[first:]) if c.strip()), 0)
    for n, at in ((n_values, pos), (n_values - lead, pos - lead)):
        for layout in rule.layouts:
            if len(layout) == n and 0 <= at < n:
                got = _match_groups(rule.cols, _flat(layout[at]))
                if got is not None:
                    return layout[at].split("/")[-1], got
        if any(len(layout) == n for layout in rule.layouts):
            break
    return "", None


def _runs_together(groups: tuple[tuple[LabelRule, ...], ...], label: str) -> bool:
    """Whether a header cell names two columns of one group side by side
    ("结果维持结果纠正其他结果尚未审结" over four columns: a PDF without ruling
    lines whose narrow header words stand too close to be told apart): two of
    the group's alternatives match it in places apart. Alternatives that match
    in the same place (收费金额.*万元 and 收费金额) or match nothing ('^') do not."""
    for group in groups:
        spans = []
        for x in group:
            m = x.match.search(label)
            if m and m.end() > m.start():
                spans.append(m.span())
        if any(b[0] >= a[1] or a[0] >= b[1] for k, a in enumerate(spans) for b in spans[k + 1:]):
            return True
    return False


def cell_context(text: str, span: tuple[int, int], sections) -> tuple[int, int, Section | None]:
    """(start, end) of a cell's line, which stands for its sentence, and its section."""
    line_start = text.rfind("\n", 0, span[0]) + 1
    line_end = text.find("\n", span[1])
    return line_start, len(text) if line_end < 0 else line_end, section_at(sections, span[0])


def _indicator(text: str, table: Table, rule: TableRule, rules: Rules, ident: str, dims, cell: str,
               scale: Decimal | None, span: tuple[int, int], r: int, j: int, row_label: str, col_label: str,
               sections, page_of) -> Indicator:
    entry = rules.catalog[ident]
    try:
        value = Decimal(figure_text(cell).replace(",", ""))
    except InvalidOperation:  # pragma: no cover - is_value vetted it
        value = Decimal(0)
    if scale is not None:
        value = value * scale
    unit_class = str(entry.get("unit_class", "count"))
    unit = "元" if unit_class == "money" else rule.unit
    line_start, line_end, section = cell_context(text, span, sections)
    return Indicator(
        indicator=ident, label=str(entry.get("zh", ident)), value=value, unit=unit, unit_class=unit_class,
        span=span, text=text[span[0]:span[1]], sentence=text[line_start:line_end],
        sentence_span=(line_start, line_end), rule=f"{ident}/table-{rule.id}",
        section_id=section.id if section else None, part=section.part if section else "other",
        # the cell's own page: a table split by a page break has cells on each
        page=page_of(span[0]) if page_of else table.page,
        quantity_span=span, dims=dims,
        table=TableRef(index=table.index, row=r, col=j, row_label=row_label, col_label=col_label),
    )
