"""Find the reported numbers that do not add up, with evidence a person can check.

Within a report (`audit_report`, run by `extract` for every document):

- parts_exceed_total       the parts of a total (其中…, 分别为…, or 撤销1件，维持3件
                           right after it) add up to more than the total, or,
                           for a list that names every case, to a different sum
- rate_mismatch            a stated rate against the counts it is made of
- impossible_value         a rate above 100% where that cannot be, a negative
                           count, a count that fell by more than 100%
- subset_exceeds_superset  a count larger than the count it belongs to
                           (办结 > 受理; 出庭应诉 > 行政诉讼案件)
- conflicting_repeat       the same fact stated in two sentences with two values

Across reports (`audit_folder`, run by `govreport audit OUTDIR`):

- yoy_mismatch             同比增长X% / 增加Y件 / 下降Z个百分点 against the levels
                           in this year's and last year's report of the same
                           region and agency
- cross_report_conflict    one region, year and fact with different values in
                           two reports (the government's and a department's)

The catalog id of a number is too coarse for this: 收到 130 件, 受理 120 件 and
维持 80 件 are all admin_reconsideration_cases. Each number gets a *role* from
the role word written closest before it in its stretch of the sentence (from
the previous number to itself; rules/audit.yaml `roles`). Which roles and ids
make a rate, a subset or a list of parts is data in rules/audit.yaml too.

Every finding keeps the numbers involved as evidence: their quotes (the
document's text[span]), spans, sentences and document ids.

The cross-report checks read the combined tables (indicators.csv,
reports.csv) when the folder has them, else the per-document JSON, and group
numbers in dicts keyed by (region, agency, year, fact): the work grows with
the number of documents, never with the number of pairs of documents.
"""
from __future__ import annotations

import csv
import gc
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple, Sequence

import regex

from .errors import UsageError
from .records import SEVERITIES, Finding, Indicator, Section
from .rules import AuditRate, AuditRules, AuditSelector, Rules, load_rules

log = logging.getLogger(__name__)

CHECKS = ("parts_exceed_total", "rate_mismatch", "impossible_value", "subset_exceeds_superset",
          "conflicting_repeat", "yoy_mismatch", "cross_report_conflict")
REPORT_CHECKS = CHECKS[:5]
CROSS_CHECKS = CHECKS[5:]

_COUNTS = frozenset({"count", "people", "money"})  # classes whose numbers add up
_BREAK = regex.compile(r"[。；;!?！？\n]")  # a list of parts never runs past these
_LEAD = regex.compile(r"^[\s，,；;。、：:（）()“”\"'》《]+")
_CLAUSE = regex.compile(r"[，,；;：:。]")
_LAST_CLAUSE_BREAK = regex.compile(r"(?r)[，,；;。]")
_YEAR = regex.compile(r"(?:19|20)\d\d年")
_WORDY = regex.compile(r"[\p{L}\p{N}]")
_NAME_JOIN = regex.compile(r"[的和及与]")
_BRACKETED = regex.compile(r"[（(][^）)]*[）)]")
_INF = Decimal("Infinity")
_HUNDRED = Decimal(100)


class _Fact(NamedTuple):
    """An indicator as the audit sees it: with its role and its sentence.

    A NamedTuple rather than a frozen dataclass: as immutable, and several
    times faster to make, which counts for the millions of rows of a large
    output folder.
    """

    doc_id: str | None
    index: int  # in the report's indicators
    indicator: str
    label: str
    value: Decimal
    value_high: Decimal | None
    unit: str
    unit_class: str
    qualifier: str | None
    measure: str
    modality: str
    actor: str | None
    rule: str
    text: str
    span: tuple[int, int]
    sentence: str
    sentence_start: int  # where the sentence starts in the document: the sentence's key
    window: str  # this number's clause, from the previous number at most, to the end of its text
    role: str  # a role of audit.yaml, or "none"
    section_id: str | None
    page: int | None
    term: str = ""  # the cue written next to the number (出庭应诉 of 出庭应诉3次), if any


# --- within a report --------------------------------------------------------------------------

def audit_report(text: str, indicators: Sequence[Indicator], sections: Sequence[Section], rules: Rules,
                 doc_id: str | None = None) -> tuple[Finding, ...]:
    """The within-report findings of one report, from its text and indicators.

    A pure function of its arguments. `Finding.indicators` are indexes into
    `indicators`. `sections` are not needed by the current checks (each
    indicator carries its section id) but are part of the stage's input.
    """
    del sections  # every indicator already knows its section and part
    ar = rules.audit
    facts = _facts_of_report(text, indicators, ar, doc_id)
    parts_findings, part_of = _check_parts(text, facts, ar)
    findings = list(parts_findings)
    findings += _check_rates(facts, ar, part_of)
    findings += _check_impossible(facts, ar, rules.catalog)
    findings += _check_subsets(facts, ar, part_of)
    findings += _check_repeats(facts, ar, part_of)
    findings.sort(key=lambda f: (min(f.indicators) if f.indicators else -1, CHECKS.index(f.check)))
    return tuple(findings)


def _clause(window: str) -> str:
    """The words a number's role and kind are read from: its clause, from the
    previous number (or clause break) to the end of its own text."""
    m = _LAST_CLAUSE_BREAK.search(window)  # searched from the end: only the last one counts
    cut = m.end() if m is not None else -1
    return window[cut:] if cut > 0 else window


def _role(window: str, ar: AuditRules) -> str:
    """The role word closest before the end of `window` (longest where two overlap)."""
    last = None
    for m in ar.role_re.finditer(window):
        last = m
    return ar.role_of[last.group()] if last is not None else "none"


def _facts_of_report(text: str, indicators: Sequence[Indicator], ar: AuditRules, doc_id: str | None) -> list[_Fact]:
    out = []
    prev: Indicator | None = None
    for i, ind in enumerate(indicators):
        start = ind.sentence_span[0]
        if prev is not None:
            # from the previous number of its sentence (one of an earlier
            # sentence ends before this one starts)
            start = max(start, prev.span[1])
        window = _clause(text[start:ind.span[1]]) if start < ind.span[1] else ind.text
        term = ""
        if ind.quantity_span is not None:
            q0, q1 = ind.quantity_span
            if ind.span[0] < q0:
                term = text[ind.span[0]:q0]
            elif ind.span[1] > q1:
                term = text[q1:ind.span[1]]
        out.append(_Fact(
            doc_id=doc_id, index=i, indicator=ind.indicator, label=ind.label, value=ind.value,
            value_high=ind.value_high, unit=ind.unit, unit_class=ind.unit_class, qualifier=ind.qualifier,
            measure=ind.measure, modality=ind.modality, actor=ind.actor, rule=ind.rule, text=ind.text,
            span=ind.span, sentence=ind.sentence, sentence_start=ind.sentence_span[0], window=window,
            role=_role(window, ar), section_id=ind.section_id, page=ind.page, term=term,
        ))
        prev = ind
    return out


# --- parts of a total ---

def _depths(text: str, positions: Iterable[int]) -> dict[int, int]:
    """How deep in brackets each position is, counted from the start of its paragraph.

    One pass over the text for all of them (counting from each paragraph start
    for each position was quadratic in a long paragraph)."""
    out: dict[int, int] = {}
    depth, at = 0, 0
    for pos in sorted(set(positions)):
        if pos < at:
            continue
        para = text.rfind("\n", at, pos) + 1
        if para > 0 and para > at:  # a new paragraph since the last position
            depth, at = 0, para
        for ch in text[at:pos]:
            if ch in "（(":
                depth += 1
            elif ch in "）)" and depth:
                depth -= 1
        at = pos
        out[pos] = depth
    return out


def _marker(text: str, facts: list[_Fact], total: _Fact, first: _Fact, ar: AuditRules) -> regex.Match | None:
    """A parts marker (其中…) right after `total`, before `first`; None if there is none.

    "Right after": only punctuation between the marker and the number before it
    (the total, or a rate or change that follows the total), so that
    "信息公开申请60件，行政复议、行政诉讼分别为12件、6件" does not make 60 a total.
    """
    between = facts[total.index + 1:first.index]
    for m in ar.part_marker_re.finditer(text, total.span[1], first.span[0]):
        before = max([total.span[1]] + [f.span[1] for f in between if f.span[1] <= m.start()])
        stretch = text[before:m.start()]
        if len(stretch) <= ar.part_max_gap and not _WORDY.search(stretch):
            return m
        # "120件，维持、撤销、驳回分别为80件、30件、10件": only the parts' names between
        if m.group() in ar.exhaustive_markers and not _WORDY.search(_NAME_JOIN.sub("", ar.role_re.sub("", stretch))):
            return m
    return None


def _check_parts(text: str, facts: list[_Fact], ar: AuditRules) -> tuple[list[Finding], dict[int, int]]:
    """parts_exceed_total; also returns {part index: total index} for the other checks."""
    seq = [f for f in facts if f.unit_class in _COUNTS and f.measure == "level"]
    findings: list[Finding] = []
    part_of: dict[int, int] = {}
    at = _depths(text, (f.span[0] for f in seq))
    depth = {f.index: at[f.span[0]] for f in seq}
    for k in range(1, len(seq)):
        first = seq[k]
        # the total stands outside any brackets closed before the first part:
        # "审结50件（含上年结转3件），其中维持38件" — 50, not 3
        j = k - 1
        while j > 0 and depth[seq[j].index] > depth[first.index]:
            j -= 1
        total = seq[j]
        if first.unit != total.unit or total.span[1] > first.span[0] or depth[total.index] > depth[first.index]:
            continue
        gap = text[total.span[1]:first.span[0]]
        if "\n" in gap:
            continue
        marker = _marker(text, facts, total, first, ar)
        listed = False
        if marker is not None:
            families = set(ar.families)
            exhaustive = any(m.group() in ar.exhaustive_markers
                             for m in ar.part_marker_re.finditer(text, marker.start(), first.span[0]))
            # after 分别为 the parts were named before it: the numbers carry no role of their own
            listed = exhaustive
        else:
            # no marker: "行政复议案件4件，撤销1件，维持3件" — outcomes right after their total
            # (the first must name an outcome: "其他事项297项" after a count is no part of it)
            if (first.role == "none" or first.role in ar.remainder_roles or first.indicator != total.indicator
                    or total.indicator == "other" or _BREAK.search(gap)):
                continue
            families = {n for n in ar.implicit_families if first.role in ar.families[n]}
            if any(total.role in ar.families[n] for n in families):
                continue  # the number before is itself one of the outcomes
            exhaustive = False
        roleless = first.role == "none" or listed
        families = {n for n in families if first.role in ar.families[n]}
        if not families and not roleless:
            continue
        depth0 = depth[first.index]
        parts, last = [first], first
        for qi in range(k + 1, len(seq)):  # (a slice here copied the rest for every k)
            q = seq[qi]
            g = text[last.span[1]:q.span[0]] if last.span[1] <= q.span[0] else ""
            d = depth[q.index]
            if d > depth0 and not _BREAK.search(g):
                last = q  # a breakdown of the part before, in brackets: not a part itself
                continue
            if d < depth0 or _BREAK.search(g) or ar.part_marker_re.search(g) or q.unit != total.unit:
                break
            if roleless:
                if not listed and q.role != "none" and q.role not in ar.remainder_roles:
                    break
            else:
                fams = {n for n in families if q.role in ar.families[n]}
                if not fams:
                    break
                families = fams
            parts.append(q)
            last = q
        for p in parts:
            part_of.setdefault(p.index, total.index)
        exhaustive = exhaustive or any(p.role in ar.remainder_roles for p in parts)
        if total.qualifier is not None or any(p.qualifier in ("about", "nearly") for p in parts):
            continue  # 120余件: no exact total to check against
        added = sum((p.value for p in parts), Decimal(0))
        quotes = "、".join(_short(p) for p in parts)
        name = _name(total)
        if added > total.value:
            findings.append(_finding(
                "parts_exceed_total", "error",
                f"其中各项之和{_amount(added, total.unit)}超过总数{_amount(total.value, total.unit)}"
                f"（{name}）：{_short(total)}；{quotes}",
                [total] + parts))
        elif exhaustive and added != total.value and not any(p.qualifier for p in parts):
            findings.append(_finding(
                "parts_exceed_total", "warning",
                f"各项之和{_amount(added, total.unit)}与总数{_amount(total.value, total.unit)}不符"
                f"（{name}，所列各项应合计为总数）：{_short(total)}；{quotes}",
                [total] + parts))
    return findings, part_of


# --- rates ---

def _rate_rule(f: _Fact, ar: AuditRules) -> AuditRate | None:
    for rule in ar.rates:
        if f.indicator in rule.indicators:
            return rule
    best, best_end = None, -1
    for rule in ar.rates:
        for word in rule.words:
            end = f.window.rfind(word)
            if end >= 0 and end + len(word) > best_end:
                best, best_end = rule, end + len(word)
    return best


def _matches(sel: AuditSelector, f: _Fact) -> bool:
    return ((not sel.indicators or f.indicator in sel.indicators)
            and (not sel.roles or f.role in sel.roles)
            and (not sel.units or f.unit in sel.units))


def _nearest(found: list[_Fact], anchor: _Fact) -> _Fact:
    """The nearest before `anchor`, else the first after it."""
    before = [f for f in found if f.span[0] < anchor.span[0]]
    return before[-1] if before else found[0]


def _select(alternatives: Sequence[AuditSelector], pool: list[_Fact], anchor: _Fact,
            part_of: dict[int, int]) -> list[_Fact]:
    for sel in alternatives:
        found = [f for f in pool if _matches(sel, f)]
        if not found:
            continue
        if sel.sum:
            taken = {f.index for f in found}
            # a part of a number already added is not added again
            return [f for f in found if part_of.get(f.index) not in taken]
        return [_nearest(found, anchor)]
    return []


def _decimals(value: Decimal) -> int:
    """Digits written after the point: 98.7 -> 1, 96 -> 0."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _unit_step(f: _Fact) -> Decimal:
    """One unit of the last digit written: 96% -> 1, 98.7% -> 0.1."""
    return Decimal(1).scaleb(-_decimals(f.value))


def _check_rates(facts: list[_Fact], ar: AuditRules, part_of: dict[int, int]) -> list[Finding]:
    by_sentence = _by_sentence(facts)
    findings = []
    for f in facts:
        if f.unit != "%" or f.measure != "level" or f.qualifier == "about" or f.value_high is not None:
            continue  # only a single stated rate can be checked
        rule = _rate_rule(f, ar)
        if rule is None or "分别" in f.window:
            continue  # 出庭应诉率、败诉率分别为…: which rate is which is not certain
        pool = [g for g in by_sentence[f.sentence_start]
                if g.unit_class in _COUNTS and g.measure == "level" and g.modality == f.modality]
        num = _select(rule.numerator, pool, f, part_of)
        if not num:
            continue
        used = {g.index for g in num}
        pool = [g for g in pool if g.index not in used
                and (not rule.same_indicator or g.indicator == num[0].indicator)]
        den = _select(rule.denominator, pool, f, part_of)
        if not den or any(g.qualifier is not None for g in num + den):
            continue
        n = sum((g.value for g in num), Decimal(0))
        d = sum((g.value for g in den), Decimal(0))
        if d <= 0:
            continue
        computed = n / d * _HUNDRED
        step = _unit_step(f)
        lo, hi = f.value - ar.rounding * step, f.value + ar.rounding * step
        if f.qualifier == "over":  # 达95%以上
            hi = _INF
        elif f.qualifier == "nearly":  # 近100%
            lo = f.value - ar.truncation * step * 10
        repeats = any(g.unit in rule.repeat_units for g in num)
        if repeats:
            # several hearings of one case: the counts only say the rate is at most `computed`
            bad = computed < lo
        else:
            bad = computed < lo or computed > hi
        if not bad:
            continue
        far = (computed < f.value - ar.truncation * step) or (not repeats and hi != _INF
                                                                and computed > f.value + ar.truncation * step)
        severity = rule.severity if far else "warning"
        sum_num, sum_den = _added(num), _added(den)
        shown = _rate_text(computed, max(1, _decimals(f.value) + 1))
        if repeats:
            message = (f"{rule.name}{_amount(f.value, '%')}高于所列数字可支持的上限：{sum_num}÷{sum_den}＝{shown}"
                       f"（{f.text}）")
        else:
            message = f"{rule.name}{_amount(f.value, '%')}与所列数字不符：{sum_num}÷{sum_den}＝{shown}（{f.text}）"
        if severity == "warning" and not repeats:
            message += "；差值在末位一个单位内，可能为截尾取值"
        findings.append(_finding("rate_mismatch", severity, message, [f] + num + den))
    return findings


# --- impossible values ---

def _check_impossible(facts: list[_Fact], ar: AuditRules, catalog: dict[str, dict]) -> list[Finding]:
    findings = []
    by_sentence = _by_sentence(facts)
    for f in facts:
        if f.unit == "%" and f.measure == "level":
            top = f.value_high if f.value_high is not None and f.value_high > f.value else f.value
            word = next((w for w in ar.max_100_words if w in f.window), None)
            if top > _HUNDRED and (f.indicator in ar.max_100_indicators or word):
                what = word or _name(f)
                findings.append(_finding("impossible_value", "error",
                                         f"{what}{_amount(top, '%')}超过100%（{_short(f)}）", [f]))
        elif f.unit_class in ar.nonnegative_classes and f.measure == "level" and f.value < 0:
            findings.append(_finding("impossible_value", "error",
                                     f"数量不能为负：{_amount(f.value, f.unit)}（{_short(f)}）", [f]))
        elif f.measure == "change_pct" and f.value < -_HUNDRED:
            level = _partner(f, by_sentence[f.sentence_start])
            cls = level.unit_class if level is not None else catalog.get(f.indicator, {}).get("unit_class")
            if cls in ar.nonnegative_classes:
                findings.append(_finding(
                    "impossible_value", "error",
                    f"数量下降{_amount(-f.value, '%')}：减少不可能超过100%（{_short(f)}）",
                    [f] + ([level] if level is not None else [])))
    return findings


# --- subsets ---

def _check_subsets(facts: list[_Fact], ar: AuditRules, part_of: dict[int, int]) -> list[Finding]:
    findings = []
    for group in _by_sentence(facts).values():
        counts = [g for g in group if g.unit_class in _COUNTS and g.measure == "level"]
        for rule in ar.subsets:
            for s in counts:
                if not _matches(rule.subset, s):
                    continue
                sups = [g for g in counts if g.index != s.index and g.modality == s.modality
                        and _matches(rule.superset, g)
                        and (not rule.same_indicator or g.indicator == s.indicator)]
                if not sups:
                    continue
                sup = _nearest(sups, s)
                if part_of.get(s.index) == sup.index:
                    continue  # parts_exceed_total already speaks for this pair
                if s.qualifier in ("about", "nearly") or sup.qualifier in ("over", "about"):
                    continue
                if s.value <= sup.value or any(w in s.sentence for w in rule.unless):
                    continue
                message = (f"{_short(s)}多于其所属的{_short(sup)}"
                           f"（{_amount(s.value, s.unit)}＞{_amount(sup.value, sup.unit)}，{_name(sup)}）")
                if rule.note:
                    message += f"；{rule.note}"
                findings.append(_finding("subset_exceeds_superset", rule.severity, message, [s, sup]))
    return findings


# --- the same fact twice ---

def _check_repeats(facts: list[_Fact], ar: AuditRules, part_of: dict[int, int]) -> list[Finding]:
    groups: dict[tuple, list[_Fact]] = defaultdict(list)
    for f in facts:
        how = f.rule.rsplit("/", 1)[-1]
        if (how not in ar.repeat_rules or f.indicator == "other" or not f.term or f.index in part_of
                or f.qualifier in ("about", "nearly")):
            continue
        scope = ""
        if ar.scope_re is not None:
            found = ar.scope_re.findall(f.window)
            scope = found[-1] if found else ""
        key = (f.indicator, f.term, f.role, f.actor, f.modality, f.measure, f.unit, scope,
               tuple(_YEAR.findall(f.window)))
        groups[key].append(f)
    findings = []
    for key, group in groups.items():
        exact = {f.value for f in group if f.qualifier is None}
        overs = {f.value for f in group if f.qualifier == "over"}
        if not (len(exact) > 1 or (exact and overs and min(exact) < max(overs))):
            continue
        by_sent: dict[int, set[Decimal]] = defaultdict(set)
        for f in group:
            by_sent[f.sentence_start].add(f.value)
        if any(len(v) > 1 for v in by_sent.values()):
            continue  # two values in one sentence: a breakdown (面对面…网络…), not a repeat
        shown: dict[tuple, _Fact] = {}
        for f in group:
            shown.setdefault((f.value, f.qualifier), f)
        reps = list(shown.values())
        where = "；".join(f"“{f.text}”" + (f"（第{f.section_id}节）" if f.section_id else "") for f in reps)
        findings.append(_finding("conflicting_repeat", "warning",
                                 f"同一事项前后数值不同（{_name(reps[0])}）：{where}", reps))
    return findings


# --- helpers -------------------------------------------------------------------------------------

def _by_sentence(facts: Iterable[_Fact]) -> dict[int, list[_Fact]]:
    out: dict[int, list[_Fact]] = defaultdict(list)
    for f in facts:
        out[f.sentence_start].append(f)
    return out


def _partner(change: _Fact, sentence: list[_Fact]) -> _Fact | None:
    """The level a change is a change of: the nearest level before it in its sentence."""
    best = None
    for g in sentence:
        if g.span[0] >= change.span[0]:
            break
        if g.measure != "level":
            continue
        if change.indicator != "other":
            if g.indicator == change.indicator:
                best = g
        elif change.unit == "pp":
            if g.unit == "%":
                best = g
        elif change.measure == "change_abs":
            if g.unit == change.unit:
                best = g
        elif g.unit_class in _COUNTS or g.unit == "%":
            best = g
    return best


def _added(facts: Sequence[_Fact]) -> str:
    """"撤销4件" or "（撤销4件＋确认违法2件）"."""
    joined = "＋".join(_short(f) for f in facts)
    return f"（{joined}）" if len(facts) > 1 else joined


def _num(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _amount(value: Decimal, unit: str) -> str:
    return f"{_num(value)}{'个百分点' if unit == 'pp' else unit}"


def _rate_text(value: Decimal, places: int) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places))}%"


def _short(f: _Fact, limit: int = 24) -> str:
    """The number with the words just before it: "受理120件", "维持80件"."""
    window = f.window
    cut = [m.end() for m in _CLAUSE.finditer(window) if m.end() < len(window)]
    if cut:
        window = window[cut[-1]:]
    window = _LEAD.sub("", window)
    for marker in ("其中", "包括", "分别为", "分别是"):
        if window.startswith(marker):
            window = _LEAD.sub("", window[len(marker):])
    if len(window) > limit:
        window = "…" + window[-limit:]
    return window or f.text


def _name(f: _Fact) -> str:
    """A short name of what a number counts: the catalog name without its bracketed notes."""
    return _BRACKETED.sub("", f.label).strip() or f.indicator


def _evidence(f: _Fact, doc: "_Doc | None" = None) -> dict[str, Any]:
    e: dict[str, Any] = {
        "doc_id": f.doc_id, "index": f.index, "indicator": f.indicator, "label": f.label, "value": f.value,
        "unit": f.unit, "measure": f.measure, "role": f.role, "text": f.text, "span": f.span,
        "sentence": f.sentence, "section_id": f.section_id, "page": f.page,
    }
    if doc is not None:
        e.update(source=doc.source, year=doc.year, region=doc.region, agency=doc.agency)
    return e


def _finding(check: str, severity: str, message: str, facts: Sequence[_Fact]) -> Finding:
    seen: dict[int, _Fact] = {}
    for f in facts:
        seen.setdefault(f.index, f)
    ids = tuple(dict.fromkeys(f.doc_id for f in facts if f.doc_id))
    return Finding(check=check, severity=severity, message=message, indicators=tuple(seen),
                   evidence=tuple(_evidence(f) for f in seen.values()), doc_ids=ids)


# --- across reports ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Doc:
    doc_id: str
    source: str
    year: int | None
    region: str | None  # the name, for messages
    region_key: str | None  # code, else full name, else name
    agency: str | None


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
    finally:
        if collecting:
            gc.enable()
    if stats is not None:
        stats.update(documents=len(docs), read_from=read_from)
    order = {c: i for i, c in enumerate(CHECKS)}
    findings.sort(key=lambda f: (order[f.check], f.doc_ids, f.message))
    return findings


def _read_folder(out: Path, ar: AuditRules) -> tuple[list[_DocFacts], str]:
    if (out / "indicators.csv").is_file() and (out / "reports.csv").is_file():
        docs = list(_docs_from_tables(_read_csv(out / "reports.csv"), _indicator_rows(out / "indicators.csv"), ar))
        read_from = "csv"
    elif (out / "indicators.parquet").is_file() and (out / "reports.parquet").is_file():
        docs = list(_docs_from_tables(_read_parquet(out / "reports.parquet"),
                                      _indicator_rows(out / "indicators.parquet"), ar))
        read_from = "parquet"
    else:
        docs = list(_docs_from_json(out, ar))
        read_from = "json"
        if not docs:
            raise UsageError(f"no govreport outputs in {out} (reports.csv and indicators.csv, or <stem>.json)",
                             str(out))
    return docs, read_from


def _fact_key(f: _Fact) -> tuple:
    return (f.indicator, f.role, f.unit, f.actor)


def _index(docs: list[_DocFacts]) -> tuple[dict[tuple, list[tuple[_DocFacts, _Fact]]], ...]:
    """Each document's unambiguous facts, by (region, year, fact) and (region, agency, year, fact)."""
    by_year: dict[tuple, list[tuple[_DocFacts, _Fact]]] = defaultdict(list)
    by_agency: dict[tuple, list[tuple[_DocFacts, _Fact]]] = defaultdict(list)
    for d in docs:
        if d.doc.region_key is None or d.doc.year is None:
            continue
        for key, facts in d.levels.items():
            if len(facts) > 1 and any(f.value != facts[0].value for f in facts):
                continue  # the report gives this fact several values: none is "the" value
            by_year[(d.doc.region_key, d.doc.year, key)].append((d, facts[0]))
            if d.doc.agency:
                by_agency[(d.doc.region_key, d.doc.agency, d.doc.year, key)].append((d, facts[0]))
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
            for prior_doc, prior in by_agency.get((doc.region_key, doc.agency, base_year, _fact_key(level)), []):
                if prior_doc.doc.doc_id == doc.doc_id:
                    continue
                finding = _yoy_one(doc, change, level, prior_doc.doc, prior, base_year, ar)
                if finding is not None:
                    findings.append(finding)
    return findings


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
               f"{base_year}年报告为{_amount(prior.value, prior.unit)}（“{prior.text}”），按此应为{said}")
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


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return
        for rec in reader:
            yield dict(zip(header, rec))


def _read_parquet(path: Path) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(batch_size=65536):
        yield from batch.to_pylist()


def _indicator_rows(path: Path) -> Iterator[tuple]:
    """`_ROW` tuples of indicators.csv or indicators.parquet, streamed in blocks.

    Arrow's readers convert whole columns at C speed; a row-by-row csv.reader
    is kept for tables that lack a column (written by an older version).
    """
    import pyarrow as pa

    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        source = pq.ParquetFile(path)
        if set(_ROW) <= set(source.schema_arrow.names):
            batches: Iterable = source.iter_batches(batch_size=65536, columns=list(_ROW))
        else:
            batches = ()
            for r in _read_parquet(path):
                yield tuple(r.get(k) for k in _ROW)
    else:
        import pyarrow.csv as pacsv

        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
        if set(_ROW) <= set(header):
            batches = pacsv.open_csv(
                path, read_options=pacsv.ReadOptions(block_size=8 << 20),
                convert_options=pacsv.ConvertOptions(include_columns=list(_ROW),
                                                     column_types={c: pa.string() for c in _ROW}))
        else:
            batches = ()
            for r in _read_csv(path):
                yield tuple(r.get(k) for k in _ROW)
    for batch in batches:
        yield from zip(*(batch.column(name).to_pylist() for name in _ROW))


def _docs_from_tables(reports: Iterable[dict[str, Any]], indicators: Iterable[Sequence[Any]],
                      ar: AuditRules) -> Iterator[_DocFacts]:
    """Documents from the combined tables: report rows, and indicator `_ROW` tuples in document order."""
    docs: dict[str, _Doc] = {}
    for r in reports:
        if r.get("doc_id") and r["doc_id"] not in docs:  # the same document under two paths counts once
            docs[r["doc_id"]] = _Doc(r["doc_id"], r.get("source") or "", _int(r.get("year")),
                                     _text(r.get("region")),
                                     _region_key(r.get("region_code"), r.get("region_full_name"), r.get("region")),
                                     _text(r.get("agency")))
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
    from .output import rows_for

    seen: set[str] = set()
    for path in sorted(out.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            log.warning("%s: not a readable JSON file, skipped", path)
            continue
        if not (isinstance(data, dict) and "doc_id" in data and "indicators" in data and "meta" in data):
            continue
        if data["doc_id"] in seen:
            continue
        seen.add(data["doc_id"])
        report_row, _, indicator_rows = rows_for(data)
        doc = _Doc(data["doc_id"], report_row.get("source") or "", _int(report_row.get("year")),
                   _text(report_row.get("region")),
                   _region_key(report_row.get("region_code"), report_row.get("region_full_name"),
                               report_row.get("region")),
                   _text(report_row.get("agency")))
        yield _collect(doc, [tuple(r.get(k) for k in _ROW) for r in indicator_rows], ar)


def load_report_findings(outdir: str | Path) -> list[dict[str, Any]]:
    """The within-report findings written by extract: findings.csv, else each JSON's `findings`."""
    out = Path(outdir)
    if (out / "findings.csv").is_file():
        return list(_read_csv(out / "findings.csv"))
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in sorted(out.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if not (isinstance(data, dict) and "doc_id" in data) or data["doc_id"] in seen:
            continue
        seen.add(data["doc_id"])
        for f in data.get("findings") or []:
            found.append(dict(f, doc_id=data["doc_id"]))
    return found


def summary(report_findings: Iterable[dict[str, Any]], cross_findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Counts by check and severity: [{"check", "scope", "error", "warning", "info"}] in CHECKS order."""
    counts: dict[str, dict[str, int]] = {c: dict.fromkeys(SEVERITIES, 0) for c in CHECKS}
    for f in report_findings:
        check, sev = str(f.get("check")), str(f.get("severity"))
        counts.setdefault(check, dict.fromkeys(SEVERITIES, 0))
        counts[check][sev] = counts[check].get(sev, 0) + 1
    for f in cross_findings:
        counts.setdefault(f.check, dict.fromkeys(SEVERITIES, 0))
        counts[f.check][f.severity] = counts[f.check].get(f.severity, 0) + 1
    return [dict(check=c, scope="cross" if c in CROSS_CHECKS else "report", **n) for c, n in counts.items()]


def format_summary(rows: Sequence[dict[str, Any]]) -> str:
    """The summary of `summary()` as a plain-text table, with a total line."""
    header = ["check", "scope", *SEVERITIES]
    body = [[r["check"], r["scope"], *(str(r.get(s, 0)) for s in SEVERITIES)] for r in rows]
    body.append(["total", "", *(str(sum(int(r.get(s, 0)) for r in rows)) for s in SEVERITIES)])
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(b) for b in body[:-1]), rule, line(body[-1])]) + "\n"
