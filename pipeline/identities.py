"""The sums a report type's tables must satisfy (audit.yaml `identities`).

Three kinds, all data:
- total_of: in each row (or column) of the named ids, the cell whose
  dimension `dim` is `total` equals the sum of the others (results_total,
  applicant_total, appeals_total);
- balance: for each value of dimension `per`, the left cells add up to the
  right cells (carry_balance: new + carried in = results total + carried over);
- across_years: the left cells of year N equal the right cells of year N+1
  for the same agency (`govreport audit` over an output folder).

A report whose tables hold is never flagged; an identity with an empty cell
in it ("/", "—", blank) is skipped, never read as 0. Each broken identity is
one `table_identity` finding (severity from the rule) with every cell it
involves as evidence. `text_vs_table` compares a prose figure for a table
quantity (共收到申请95件) with the table's total cell: a warning, since the
prose may count a narrower office.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from .records import Finding, Indicator
from .rules import Identity, Rules

__all__ = ["check_report", "across_years"]

Key = tuple[str, tuple[tuple[str, str], ...]]  # (indicator, sorted dims)


def _key(indicator: str, dims: Iterable[tuple[str, str]]) -> Key:
    return indicator, tuple(sorted(dims))


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def _evidence(index: int, ind: Indicator, doc_id: str | None, identity: str) -> dict[str, Any]:
    return {
        "doc_id": doc_id, "index": index, "indicator": ind.indicator, "label": ind.label, "value": ind.value,
        "unit": ind.unit, "measure": ind.measure, "text": ind.text, "span": ind.span, "sentence": ind.sentence,
        "section_id": ind.section_id, "page": ind.page, "dims": dict(ind.dims),
        "table": ind.table.to_dict() if ind.table else None, "identity": identity,
    }


def _finding(check: str, severity: str, message: str, cells: Sequence[tuple[int, Indicator]],
             doc_id: str | None, identity: str) -> Finding:
    seen = dict(cells)
    return Finding(check=check, severity=severity, message=message, indicators=tuple(seen),
                   evidence=tuple(_evidence(i, ind, doc_id, identity) for i, ind in seen.items()),
                   doc_ids=(doc_id,) if doc_id else ())


def _name(ind: Indicator, rules: Rules) -> str:
    """A cell named for a message: its row and column as written, else its dims."""
    if ind.table is not None and (ind.table.row_label or ind.table.col_label):
        return "".join(p for p in (ind.table.row_label, ind.table.col_label and f"（{ind.table.col_label}）") if p)
    return ind.label + ("".join(f"[{v}]" for _, v in ind.dims) if ind.dims else "")


def check_report(indicators: Sequence[Indicator], blanks: Sequence[Any], rules: Rules,
                 doc_id: str | None = None) -> list[Finding]:
    """The identity and text_vs_table findings of one report."""
    ir = rules.identities
    if ir is None:
        return []
    cells: dict[Key, tuple[int, Indicator]] = {}
    for i, ind in enumerate(indicators):
        if ind.table is not None:
            cells.setdefault(_key(ind.indicator, ind.dims), (i, ind))
    if not cells:
        return []
    empty = {_key(b.indicator, b.dims) for b in blanks}
    out: list[Finding] = []
    for identity in ir.identities:
        if identity.kind == "total_of":
            out += _total_of(identity, cells, empty, rules, doc_id)
        elif identity.kind == "balance":
            out += _balance(identity, cells, empty, rules, doc_id)
    out += _text_vs_table(indicators, cells, rules, doc_id)
    return out


def _total_of(identity: Identity, cells, empty, rules: Rules, doc_id) -> list[Finding]:
    groups: dict[Key, dict[str, tuple[int, Indicator]]] = defaultdict(dict)
    gaps: set[Key] = set()
    for (ident, dims), cell in cells.items():
        d = dict(dims)
        if ident in identity.indicators and identity.dim in d:
            rest = _key(ident, ((k, v) for k, v in dims if k != identity.dim))
            groups[rest][d[identity.dim]] = cell
    for ident, dims in empty:
        d = dict(dims)
        if ident in identity.indicators and identity.dim in d:
            gaps.add(_key(ident, ((k, v) for k, v in dims if k != identity.dim)))
    out = []
    for group, members in groups.items():
        if identity.total not in members or len(members) < 2 or group in gaps:
            continue
        total_i, total = members[identity.total]
        parts = [members[v] for v in members if v != identity.total]
        added = sum((p.value for _, p in parts), Decimal(0))
        if added == total.value:
            continue
        where = "".join(f"[{v}]" for _, v in group[1])
        message = (f"{identity.name}不成立{where}：{_name(total, rules)} = {_num(total.value)}，"
                   f"各项之和 = {_num(added)}（{' + '.join(_num(p.value) for _, p in parts)}）")
        out.append(_finding("table_identity", identity.severity, f"{identity.id}: {message}",
                            [(total_i, total)] + parts, doc_id, identity.id))
    return out


def _balance(identity: Identity, cells, empty, rules: Rules, doc_id) -> list[Finding]:
    values = sorted({dict(dims).get(identity.per) for (ident, dims) in cells
                     if ident in {r.indicator for r in identity.left + identity.right}} - {None})
    out = []
    for value in values:
        sides = []
        for refs in (identity.left, identity.right):
            side = []
            for ref in refs:
                want = {**dict(ref.dims), identity.per: value}
                key = _key(ref.indicator, want.items())
                if key in empty or key not in cells:
                    side = None
                    break
                side.append(cells[key])
            if side is None:
                break
            sides.append(side)
        if len(sides) != 2:
            continue  # a cell is empty or missing: not checkable
        left, right = sides
        a = sum((c.value for _, c in left), Decimal(0))
        b = sum((c.value for _, c in right), Decimal(0))
        if a == b:
            continue
        message = (f"{identity.name}不成立[{value}]："
                   f"{' + '.join(f'{_name(c, rules)}{_num(c.value)}' for _, c in left)} = {_num(a)}，"
                   f"{' + '.join(f'{_name(c, rules)}{_num(c.value)}' for _, c in right)} = {_num(b)}")
        out.append(_finding("table_identity", identity.severity, f"{identity.id}: {message}", left + right,
                            doc_id, identity.id))
    return out


def _text_vs_table(indicators: Sequence[Indicator], cells, rules: Rules, doc_id) -> list[Finding]:
    ir = rules.identities
    if ir is None or not ir.totals:
        return []
    out = []
    for i, ind in enumerate(indicators):
        if ind.table is not None or ind.indicator == "other" or ind.measure != "level" \
                or ind.modality != "achieved" or ind.qualifier is not None or ind.rule.endswith("/inherit"):
            continue  # (…/inherit: a part of a total before it, "其中自然人申请85件", is no total)
        names = rules.catalog.get(ind.indicator, {}).get("dims") or ()
        if not all(d in ir.totals for d in names):
            continue
        cell = cells.get(_key(ind.indicator, ((d, ir.totals[d]) for d in names)))
        if cell is None or cell[1].value == ind.value:
            continue
        j, table_cell = cell
        message = (f"text_vs_table: 正文“{ind.text}”为{_num(ind.value)}，表{table_cell.table.index if table_cell.table else ''}"
                   f"“{_name(table_cell, rules)}”为{_num(table_cell.value)}（正文可能只计某一部门，请核对）")
        out.append(_finding("text_vs_table", ir.text_vs_table_severity, message, [(i, ind), cell], doc_id,
                            "text_vs_table"))
    return out


def across_years(rows: Iterable[dict[str, Any]], rules: Rules) -> list[Finding]:
    """across_years findings over the table cells of many reports.

    `rows`: indicator rows (as in indicators.csv: doc_id, source, year,
    region_code, region, agency, indicator, value, dims columns, text, start,
    end, page, …). The same agency is the same region key and agency name."""
    findings: list[Finding] = []
    for t in rules.report_types:
        ir = rules.for_type(t).identities
        if ir is None:
            continue
        for identity in ir.identities:
            if identity.kind == "across_years":
                findings += _across(identity, rows, rules.for_type(t))
    return findings


def _across(identity: Identity, rows: Iterable[dict[str, Any]], rules: Rules) -> list[Finding]:
    """Each report of year N against each report of year N+1 of the same
    agency (two copies of a report, or a revised one, are each compared: a
    broken identity is found whichever copy holds it, and said once)."""
    wanted = {r.indicator for r in identity.left + identity.right}
    dims_of = {ident: tuple(rules.catalog.get(ident, {}).get("dims") or ()) for ident in wanted}
    # (agency key, year, per value) -> (source, doc id) -> side -> list of rows
    seen: dict[tuple, dict[tuple[str, str], dict[str, list[dict]]]] = defaultdict(
        lambda: defaultdict(lambda: {"left": [], "right": []}))
    for row in rows:
        ident = row.get("indicator")
        if ident not in wanted or row.get("table_index") in (None, ""):  # table 0 is a table
            continue
        try:
            year = int(row.get("year"))
        except (TypeError, ValueError):
            continue
        agency = (row.get("region_code") or row.get("region") or "", row.get("agency") or "")
        if not agency[1]:
            continue
        dims = {d: row.get(d) for d in dims_of[ident] if row.get(d)}
        doc = (str(row.get("source") or ""), str(row.get("doc_id") or ""))  # a copy has the same doc id
        for side, refs in (("left", identity.left), ("right", identity.right)):
            for ref in refs:
                if ref.indicator == ident and all(dims.get(k) == v for k, v in ref.dims.items()):
                    seen[(agency, year, dims.get(identity.per, ""))][doc][side].append(row)
    out = []
    for (agency, year, value), docs in sorted(seen.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
        following = seen.get((agency, year + 1, value)) or {}
        said: set[tuple[Decimal, Decimal]] = set()
        for doc, sides in sorted(docs.items()):
            # every cell of the identity, once: a cell missing or read twice is not checkable
            if len(sides["left"]) != len(identity.left):
                continue
            for nxt_doc, nxt in sorted(following.items()):
                if len(nxt["right"]) != len(identity.right):
                    continue
                a = sum((Decimal(str(r["value"])) for r in sides["left"]), Decimal(0))
                b = sum((Decimal(str(r["value"])) for r in nxt["right"]), Decimal(0))
                if a == b or (a, b) in said:
                    continue
                said.add((a, b))
                out.append(_across_finding(identity, agency, year, value, a, b, sides["left"] + nxt["right"]))
    return out


def _across_finding(identity: Identity, agency: tuple[str, str], year: int, value: str, a: Decimal, b: Decimal,
                    rows: list[dict]) -> Finding:
    message = (f"{identity.id}: {identity.name}不成立[{value}]：{agency[1]}{year}年报告结转下年度 {_num(a)}，"
               f"{year + 1}年报告上年结转 {_num(b)}")
    evidence = tuple({"doc_id": r.get("doc_id"), "source": r.get("source"), "year": r.get("year"),
                      "region": r.get("region"), "agency": r.get("agency"), "indicator": r.get("indicator"),
                      "value": Decimal(str(r["value"])), "unit": r.get("unit"), "text": r.get("text"),
                      "span": (int(r["start"]), int(r["end"])) if r.get("start") not in (None, "") else None,
                      "sentence": r.get("sentence"), "page": r.get("page"), "identity": identity.id}
                     for r in rows)
    doc_ids = tuple(dict.fromkeys(str(r.get("doc_id")) for r in rows))
    return Finding(check="across_years", severity=identity.severity, message=message,
                   evidence=evidence, doc_ids=doc_ids)
