"""The checks across reports, run by `govreport audit OUTDIR` (see pipeline.audit)."""
from __future__ import annotations

import gc
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import regex

from .. import store
from ..errors import UsageError
from ..records import Finding
from ..rules import AuditRules, Rules, load_rules
from .facts import (_HUNDRED, _INF, CHECKS, _amount, _clause, _Doc, _evidence, _Fact, _name, _partner,
                    _rate_text, _role, _short, _unit_step)

_DIGITS = regex.compile(r"\d+(?:\.\d+)?")  # a number written in the words around another


@dataclass
class _DocFacts:
    doc: _Doc
    levels: dict[tuple, list[_Fact]]  # (indicator, role, unit, actor) -> achieved, exact levels
    changes: list[tuple[_Fact, _Fact]]  # (change, the level it is a change of)


def audit_folder(outdir: str | Path, rules: Rules | str | Path | None = None, *,
                 stats: dict[str, Any] | None = None) -> list[Finding]:
    """Cross-report findings (yoy_mismatch, cross_report_conflict) over an output folder.

    Reads OUTDIR/indicators.csv and reports.csv when present (fast), else the
    per-document JSON files. Each finding's `doc_ids` and evidence name the
    documents. `stats`, when given, is filled with what was read
    (documents, read_from). Raises UsageError when the folder holds no outputs.
    """
    if not isinstance(rules, Rules):
        rules = load_rules(rules)
    ar = rules.audit
    out = Path(outdir)
    if not out.is_dir():
        raise UsageError(f"{outdir} is not a folder", str(outdir))
    # The audit makes millions of small objects and keeps them all until it
    # returns: the cyclic garbage collector would rescan them again and again
    # (half the time) and find nothing to free, as they hold no cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        docs, read_from = _read_folder(out, ar)
        by_year, by_agency = _index(docs)
        findings = _yoy(docs, by_agency, ar) + _conflicts(by_year, ar)
        from ..identities import across_years

        findings += across_years(list(_table_cell_rows(out)), rules)
    finally:
        if collecting:
            gc.enable()
    if stats is not None:
        stats.update(documents=len(docs), read_from=read_from)
    order = {c: i for i, c in enumerate(CHECKS)}
    findings.sort(key=lambda f: (order[f.check], f.doc_ids, f.message))
    return findings


_REPORT = ("doc_id", "source", "year", "region", "region_code", "region_full_name", "agency")


def _read_folder(out: Path, ar: AuditRules) -> tuple[list[_DocFacts], str]:
    files = store.table_files(out)
    if "indicators" in files and "reports" in files:
        reports = (dict(zip(_REPORT, row)) for row in store.table_rows(files["reports"], _REPORT))
        docs = list(_docs_from_tables(reports, store.table_rows(files["indicators"], _ROW), ar))
        read_from = files["indicators"].suffix.lstrip(".")
    else:
        docs = list(_docs_from_json(out, ar))
        read_from = "json"
        if not docs:
            raise UsageError(f"no govreport outputs in {out} (reports.csv and indicators.csv, or <stem>.json)",
                             str(out))
    return docs, read_from


def _table_cell_rows(out: Path) -> Iterator[dict[str, Any]]:
    """Indicator rows of table cells (those with a table index), from the combined tables as
    `_read_folder` reads them, else the JSON files."""
    files = store.table_files(out)
    if "indicators" in files and "reports" in files:
        columns = store.table_columns(files["indicators"])
        at = columns.index("table_index") if "table_index" in columns else None
        if at is None:
            return  # written before tables were read: no cells
        for row in store.table_rows(files["indicators"], columns):
            if row[at] not in (None, ""):
                yield dict(zip(columns, row))
        return
    from ..output import rows_for

    for _, data in store.report_documents(out):
        if data is None:
            continue
        report_row, _, rows = rows_for(data)
        for row in rows:
            if row.get("table_index") not in (None, ""):
                yield {**row, "region_full_name": report_row.get("region_full_name")}


def _fact_key(f: _Fact) -> tuple:
    return (f.indicator, f.role, f.unit, f.actor)


def _index(docs: list[_DocFacts]) -> tuple[dict[tuple, list[tuple[_DocFacts, _Fact]]], ...]:
    """Facts by (region, year, fact) and by (region, agency, year, fact).

    `by_year` (for conflicts between reports) holds a report's fact only when
    the report gives it one value; `by_agency` (for year-on-year changes)
    holds every mention: the change picks the one stated in the same words.
    """
    by_year: dict[tuple, list[tuple[_DocFacts, _Fact]]] = defaultdict(list)
    by_agency: dict[tuple, list[tuple[_DocFacts, _Fact]]] = defaultdict(list)
    for d in docs:
        if d.doc.region_key is None or d.doc.year is None:
            continue
        for key, facts in d.levels.items():
            if d.doc.agency:
                by_agency[(d.doc.region_key, d.doc.agency, d.doc.year, key)] += [(d, f) for f in facts]
            if len(facts) > 1 and any(f.value != facts[0].value for f in facts):
                continue  # the report gives this fact several values: none is "the" value
            by_year[(d.doc.region_key, d.doc.year, key)].append((d, facts[0]))
    return by_year, by_agency


def _conflicts(by_year: dict[tuple, list[tuple[_DocFacts, _Fact]]], ar: AuditRules) -> list[Finding]:
    findings = []
    for (region_key, year, key), entries in by_year.items():
        if len(entries) < 2 or len({f.value for _, f in entries}) < 2:
            continue
        entries = sorted(entries, key=lambda e: (e[1].value, e[0].doc.doc_id))
        first_doc = entries[0][0].doc
        parts = "；".join(f"{d.doc.agency or d.doc.source}报告{_amount(f.value, f.unit)}（“{f.text}”）"
                         for d, f in entries)
        message = (f"{first_doc.region or region_key}{year}年的同一事项（{_name(entries[0][1])}）"
                   f"在{len(entries)}份报告中数值不同：{parts}")
        findings.append(Finding(
            check="cross_report_conflict", severity=ar.conflict_severity, message=message,
            evidence=tuple(_evidence(f, d.doc) for d, f in entries),
            doc_ids=tuple(dict.fromkeys(d.doc.doc_id for d, _ in entries))))
    return findings


def _interval(f: _Fact, ar: AuditRules) -> tuple[Decimal, Decimal]:
    """The values a written number stands for: 96% is 95.5–96.5, 1.2万 is 11500–12500, 120件 is 120."""
    if f.unit in ("%", "pp"):
        half = ar.rounding * _unit_step(f)
    elif "万" in f.text or "亿" in f.text:
        digits = str(abs(int(f.value)))
        zeros = len(digits) - len(digits.rstrip("0"))
        half = ar.rounding * Decimal(10) ** zeros if f.value == f.value.to_integral_value() else Decimal(0)
    else:
        half = Decimal(0)
    return f.value - half, f.value + half


def _yoy(docs: list[_DocFacts], by_agency: dict[tuple, list[tuple[_DocFacts, _Fact]]],
         ar: AuditRules) -> list[Finding]:
    findings = []
    for d in docs:
        doc = d.doc
        if not d.changes or doc.region_key is None or doc.year is None or not doc.agency:
            continue
        for change, level in d.changes:
            m = None
            for m in ar.base_year_re.finditer(change.window):
                pass
            base_year = int(m.group("year")) if m is not None else doc.year - 1
            earlier: dict[str, tuple[_DocFacts, list[_Fact]]] = {}
            for prior_doc, prior in by_agency.get((doc.region_key, doc.agency, base_year, _fact_key(level)), []):
                if prior_doc.doc.doc_id != doc.doc_id:
                    earlier.setdefault(prior_doc.doc.doc_id, (prior_doc, []))[1].append(prior)
            for prior_doc, candidates in earlier.values():
                prior = _like(level, candidates)
                finding = _yoy_one(doc, change, level, prior_doc.doc, prior, base_year, ar) if prior else None
                if finding is not None:
                    findings.append(finding)
    return findings


def _context(f: _Fact) -> set[str]:
    """The words around a number, as character pairs with the digits taken out:
    "全年办理信息公开申请60件" and "全年办理信息公开申请50件" have the same."""
    words = _DIGITS.sub("#", f.window)
    return {words[i:i + 2] for i in range(len(words) - 1)}


def _like(level: _Fact, candidates: list[_Fact]) -> _Fact | None:
    """The earlier report's figure to compare `level` with: among its mentions of the same
    id, role, unit and actor, the one stated in the most similar words; None when two
    different figures are equally close (no way to tell which one the change is against)."""
    if len({f.value for f in candidates}) == 1:
        return candidates[0]
    mine = _context(level)

    def likeness(f: _Fact) -> float:
        theirs = _context(f)
        return len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0

    scored = sorted(((likeness(f), f) for f in candidates), key=lambda sf: -sf[0])
    best_score, best = scored[0]
    if any(score == best_score and f.value != best.value for score, f in scored[1:]):
        return None
    return best


def _yoy_one(doc: _Doc, change: _Fact, level: _Fact, prior_doc: _Doc, prior: _Fact, base_year: int,
             ar: AuditRules) -> Finding | None:
    llo, lhi = _interval(level, ar)
    plo, phi = _interval(prior, ar)
    clo, chi = _interval(change, ar)
    if change.qualifier == "over":
        clo, chi = (clo, _INF) if change.value >= 0 else (-_INF, chi)
    elif change.qualifier is not None:
        return None
    ranges = []
    if change.measure == "change_pct":
        if plo <= 0:
            return None
        ranges.append(((llo - phi) / phi * _HUNDRED, (lhi - plo) / plo * _HUNDRED))
        if level.unit == "%":  # 同比增长2% of a rate may mean points
            ranges.append((llo - phi, lhi - plo))
        actual = (level.value - prior.value) / prior.value * _HUNDRED
        said = f"{'增长' if actual >= 0 else '下降'}{_rate_text(abs(actual), 1)}"
    elif change.unit == "pp":
        if level.unit != "%":
            return None
        ranges.append((llo - phi, lhi - plo))
        actual = level.value - prior.value
        said = f"{'上升' if actual >= 0 else '下降'}{_amount(abs(actual), 'pp')}"
    else:
        if change.unit != level.unit:
            return None
        ranges.append((llo - phi, lhi - plo))
        actual = level.value - prior.value
        said = f"{'增加' if actual >= 0 else '减少'}{_amount(abs(actual), level.unit)}"
    if any(clo <= hi and lo <= chi for lo, hi in ranges):
        return None
    message = (f"“{_short(change)}”与{base_year}年报告不符：本报告{doc.year}年{_short(level)}，"
               f"{base_year}年报告为{_amount(prior.value, prior.unit)}（“{_short(prior)}”，见“{prior.sentence}”），"
               f"按此应为{said}")
    return Finding(check="yoy_mismatch", severity=ar.yoy_severity, message=message,
                   evidence=(_evidence(change, doc), _evidence(level, doc), _evidence(prior, prior_doc)),
                   doc_ids=(doc.doc_id, prior_doc.doc_id))


# --- reading an output folder ---

def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        # normalised: Parquet's decimal128(38, 10) writes 96 as 96.0000000000,
        # and the digits written decide the rounding tolerance
        return Decimal(str(value)).normalize()
    except InvalidOperation:
        return None


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _region_key(code: Any, full_name: Any, name: Any) -> str | None:
    return _text(code) or _text(full_name) or _text(name)


# The indicator columns the cross-report checks read, in this order.
_ROW = ("doc_id", "source", "sentence", "text", "start", "end", "value", "indicator", "measure", "modality", "label",
        "value_high", "unit", "unit_class", "qualifier", "actor", "rule", "section_id", "page")


def _collect(doc: _Doc, rows: Iterable[Sequence[Any]], ar: AuditRules) -> _DocFacts:
    """The facts a cross-report check can use, from one document's indicator rows (`_ROW` tuples, in order).

    Rows carry the sentence but not where it starts: the first row of a
    sentence is found in it by its quote, the others by their distance from
    it, so each number's role is read from the same stretch of sentence as
    within the report.
    """
    levels: dict[tuple, list[_Fact]] = defaultdict(list)
    changes: list[tuple[_Fact, _Fact]] = []
    cur_sentence: str | None = None
    cur_start = 0
    prev_end = -1
    sentence_facts: list[_Fact] = []
    exclude = ar.cross_exclude
    for index, (_, _, sentence, text, start, end, value, indicator, measure, modality, label, value_high, unit,
                unit_class, qualifier, actor, rule, section_id, page) in enumerate(rows):
        sentence, text = sentence or "", text or ""
        start, end = _int(start), _int(end)
        if start is None or end is None:
            continue
        if sentence != cur_sentence or not (0 <= start - cur_start <= len(sentence)):
            pos = sentence.find(text)
            cur_sentence, cur_start = sentence, (start - pos if pos >= 0 else start)
            prev_end = -1
            sentence_facts = []
        w0 = max(cur_start, prev_end)
        prev_end = end
        indicator, measure = indicator or "other", measure or "level"
        if "/table-" in (rule or ""):
            continue  # a table cell: its dimensions tell it apart (pipeline.identities checks it across years)
        if (modality or "achieved") != "achieved" or (measure == "level" and indicator in exclude):
            continue  # compared across reports neither itself nor as the level of a change
        value = _decimal(value)
        if value is None:
            continue
        a, b = w0 - cur_start, end - cur_start
        window = _clause(sentence[a:b]) if 0 <= a < b <= len(sentence) else text
        f = _Fact(doc.doc_id, index, indicator, label or "", value, _decimal(value_high), unit or "",
                  unit_class or "", _text(qualifier), measure, "achieved", _text(actor), rule or "", text,
                  (start, end), sentence, cur_start, window, _role(window, ar), _text(section_id), _int(page))
        if measure == "level":
            sentence_facts.append(f)
            if f.qualifier is None:
                levels[(indicator, f.role, f.unit, f.actor)].append(f)
        else:
            level = _partner(f, sentence_facts)
            if level is not None and level.indicator not in exclude and level.qualifier is None:
                changes.append((f, level))
    return _DocFacts(doc, dict(levels), changes)


def _docs_from_tables(reports: Iterable[dict[str, Any]], indicators: Iterable[Sequence[Any]],
                      ar: AuditRules) -> Iterator[_DocFacts]:
    """Documents from the combined tables: report rows, and indicator `_ROW` tuples in document order."""
    docs: dict[str, _Doc] = {}
    for r in reports:
        if r.get("doc_id") and r["doc_id"] not in docs:  # the same document under two paths counts once
            docs[r["doc_id"]] = _Doc(r["doc_id"], r.get("source") or "", _int(r.get("year")),
                                     _text(r.get("region")),
                                     _region_key(r.get("region_code"), r.get("region_full_name"), r.get("region")),
                                     _text(r.get("agency")), _text(r.get("region_code")))
    done: set[str] = set()
    rows: list[Sequence[Any]] = []
    current: tuple[str, str] | None = None
    for r in indicators:
        key = (r[0] or "", r[1] or "")
        if key != current:
            if current is not None and rows:
                yield _collect(docs[current[0]], rows, ar)
                done.add(current[0])
            rows = []
            doc = docs.get(key[0])
            current = key if doc is not None and doc.source == key[1] and key[0] not in done else None
        if current is not None:
            rows.append(r)
    if current is not None and rows:
        yield _collect(docs[current[0]], rows, ar)
        done.add(current[0])
    for doc_id, doc in docs.items():  # documents without indicators still count as read
        if doc_id not in done:
            yield _DocFacts(doc, {}, [])


def _docs_from_json(out: Path, ar: AuditRules) -> Iterator[_DocFacts]:
    from ..output import rows_for

    seen: set[str] = set()
    for _, data in store.report_documents(out):
        if data is None or data["doc_id"] in seen:
            continue
        seen.add(data["doc_id"])
        report_row, _, indicator_rows = rows_for(data)
        doc = _Doc(data["doc_id"], report_row.get("source") or "", _int(report_row.get("year")),
                   _text(report_row.get("region")),
                   _region_key(report_row.get("region_code"), report_row.get("region_full_name"),
                               report_row.get("region")),
                   _text(report_row.get("agency")), _text(report_row.get("region_code")))
        yield _collect(doc, [tuple(r.get(k) for k in _ROW) for r in indicator_rows], ar)
