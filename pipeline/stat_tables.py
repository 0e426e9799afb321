"""Figures of a statistics table in a report of any type: each row names what
it counts, with its measure word in brackets, and the columns are years or
the change between them.

    项目                  2021年  2020年  增减
    林业行政案件（起）      46      52     -6
    罚没款（万元）          38.6    45.2   -6.6

The column of the year the report reviews gives the row's figure, typed by
the cue words of its label as a figure of the prose would be; a column of an
earlier year gives `other` (a baseline, not a result of the year); a change
column (增减) gives the change of the row's figure. A table the report type's
own table rules read (the disclosure tables) is not read here, nor a table
whose header names neither the year reviewed (2021年, or 本年, 本期) nor a
change.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

from .indicators import type_label
from .numbers import _CN_BIG_VALUES as _MAGNITUDES  # 万, 亿: one table of them
from .records import Indicator, Section, Table, TableRef
from .rules import Rules
from .table_cells import cell_context

# a row label with its measure word: 林业行政案件（起）, 罚没款(万元), 合格率（%）
_LABEL_RE = re.compile(r"^(?:其中[：:]?)?\s*(?P<name>.+?)\s*[（(](?P<unit>[^（()）]{1,4})[)）]\s*$")
_NUMBER_RE = re.compile(r"^[+\-−]?\d+(?:\.\d+)?$")
_YEAR_RE = re.compile(r"((?:19|20)\d\d)年?")


def read_stat_tables(tables: Sequence[Table], text: str, sections: tuple[Section, ...], rules: Rules,
                     year: int | None, skip: set[int],
                     page_of: Callable[[int], int | None] | None = None) -> tuple[list[Indicator], list[int]]:
    """(figures, indexes of the tables read) of the statistics tables not in `skip`."""
    out: list[Indicator] = []
    read: list[int] = []
    if year is None:
        return out, read
    for table in tables:
        if table.index in skip or len(table.rows) < 2:
            continue
        # the header: the first row naming the year reviewed (a caption line may stand above it)
        head = next((h for h, row in enumerate(table.rows) if "current" in _columns(row, year, rules).values()),
                    None)
        if head is None:
            continue
        columns = _columns(table.rows[head], year, rules)
        found = [ind for r in range(head + 1, len(table.rows))
                 for ind in _row(table, r, columns, text, sections, rules, year, page_of, head)]
        if found:
            out.extend(found)
            read.append(table.index)
    return out, read


def _columns(header: Sequence[str], year: int, rules: Rules) -> dict[int, str]:
    """column -> current | previous | change, for the header cells that name one
    (a year, or context.yaml's table_headers)."""
    ctx = rules.context
    out: dict[int, str] = {}
    for j, cell in enumerate(header):
        flat = re.sub(r"\s+", "", cell)
        m = _YEAR_RE.fullmatch(flat) or _YEAR_RE.fullmatch(flat.removesuffix("度"))
        if flat in ctx.table_this_year:
            out[j] = "current"
        elif flat in ctx.table_last_year:
            out[j] = "previous"
        elif m:
            y = int(m.group(1))
            if y == year:
                out[j] = "current"
            elif y < year:
                out[j] = "previous"
        elif flat in ctx.table_change:
            out[j] = "change"
    return out


def _row(table: Table, r: int, columns: dict[int, str], text: str, sections, rules: Rules, year: int,
         page_of, head: int) -> list[Indicator]:
    row = table.rows[r]
    m = _LABEL_RE.match(row[0].strip()) if row else None
    if m is None:
        return []
    unit, scale = _unit(m.group("unit"), rules)
    if unit is None:
        return []
    unit_class = "percent" if unit == "%" else rules.units[unit]
    ident = type_label(m.group("name"), unit, unit_class, "level", rules)
    out = []
    for j, kind in columns.items():
        if j >= len(row) or j >= len(table.cell_spans[r]) or table.cell_spans[r][j] is None:
            continue
        cell = row[j].strip()
        if not _NUMBER_RE.match(cell):
            continue
        try:
            value = Decimal(cell.replace("−", "-")) * scale
        except InvalidOperation:  # pragma: no cover - the pattern vetted it
            continue
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))  # 38.6万元 is 386000 元, not 386000.0
        cell_unit, measure, the_id, period = unit, "level", ident, year
        if kind == "previous":
            the_id, period = "other", year - 1
        elif kind == "change":
            # a rate's change is in percentage points
            cell_unit, measure = ("pp", "change_abs") if unit == "%" else (unit, "change_abs")
        out.append(_indicator(table, r, j, text, the_id, value, cell_unit, measure, period, sections, rules,
                              page_of, head))
    return out


def _unit(written: str, rules: Rules) -> tuple[str | None, Decimal]:
    """(unit, scale) of a label's measure word: 起 -> (起, 1), 万元 -> (元, 10000), % -> (%, 1)."""
    written = written.strip().replace("％", "%")
    if written == "%":
        return "%", Decimal(1)
    scale = Decimal(1)
    if written[:1] in _MAGNITUDES and written[1:] in rules.units:
        scale, written = Decimal(_MAGNITUDES[written[0]]), written[1:]
    return (written, scale) if written in rules.units else (None, scale)


def _indicator(table: Table, r: int, j: int, text: str, ident: str, value: Decimal, unit: str, measure: str,
               period: int, sections, rules: Rules, page_of, head: int) -> Indicator:
    span = table.cell_spans[r][j]
    entry = rules.catalog.get(ident, {})
    line_start, line_end, section = cell_context(text, span, sections)
    unit_class = {"%": "percent", "pp": "points"}.get(unit) or rules.units[unit]
    return Indicator(
        indicator=ident, label=str(entry.get("zh", table.rows[r][0].strip())) if ident != "other"
        else table.rows[r][0].strip(),
        value=value, unit=unit, unit_class=unit_class, span=span, text=text[span[0]:span[1]],
        sentence=text[line_start:line_end], sentence_span=(line_start, line_end),
        rule=f"{ident}/stat-table", section_id=section.id if section else None,
        part=section.part if section else "other",
        page=page_of(span[0]) if page_of else table.page, quantity_span=span, measure=measure,
        period=period,
        table=TableRef(index=table.index, row=r, col=j, row_label=table.rows[r][0].strip(),
                       col_label=table.rows[head][j].strip()),
    )
