"""The checks within one report, run by `extract` for every document (see pipeline.audit)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from typing import Any, Iterable, Sequence

import regex

from ..records import Finding, Indicator, Section
from ..rules import AuditRate, AuditRules, AuditSelector, Rules
from .facts import (_BREAK, _COUNTS, _HUNDRED, _INF, _NAME_JOIN, _WORDY, _YEAR, CHECKS, _added, _amount,
                    _by_sentence, _clause, _decimals, _Fact, _finding, _name, _partner, _rate_text, _role,
                    _short, _unit_step)

def audit_report(text: str, indicators: Sequence[Indicator], sections: Sequence[Section], rules: Rules,
                 doc_id: str | None = None, blanks: Sequence[Any] = ()) -> tuple[Finding, ...]:
    """The within-report findings of one report, from its text and indicators.

    A pure function of its arguments. `Finding.indicators` are indexes into
    `indicators`. `sections` are not needed by the current checks (each
    indicator carries its section id) but are part of the stage's input.
    Table cells are checked by the identities of the report type
    (pipeline.identities; `blanks` are its empty mandated cells), the prose
    figures by the checks below.
    """
    del sections  # every indicator already knows its section and part
    from ..identities import check_report

    ar = rules.audit
    prose = [i for i, ind in enumerate(indicators) if ind.table is None]
    facts = _facts_of_report(text, [indicators[i] for i in prose], ar, doc_id)
    parts_findings, part_of = _check_parts(text, facts, ar)
    findings = list(parts_findings)
    findings += _check_rates(facts, ar, part_of)
    findings += _check_impossible(facts, ar, rules.catalog)
    findings += _check_subsets(facts, ar, part_of)
    findings += _check_repeats(facts, ar, part_of)
    if len(prose) != len(indicators):  # the checks above saw the prose only: back to the report's indexes
        findings = [_reindex(f, prose) for f in findings]
    findings += check_report(indicators, blanks, rules, doc_id)
    findings.sort(key=lambda f: (min(f.indicators) if f.indicators else -1, CHECKS.index(f.check)))
    return tuple(findings)


def _reindex(finding: Finding, positions: Sequence[int]) -> Finding:
    return replace(finding, indicators=tuple(positions[i] for i in finding.indicators),
                   evidence=tuple({**e, "index": positions[e["index"]]} if isinstance(e.get("index"), int) else e
                                  for e in finding.evidence))


def _facts_of_report(text: str, indicators: Sequence[Indicator], ar: AuditRules, doc_id: str | None) -> list[_Fact]:
    out = []
    prev: Indicator | None = None
    # A report can have hundreds of thousands of indicators (a 190 MB-of-XML
    # .docx): strings equal to one already held are shared, not copied per
    # fact (a cue word as term, a window that is the indicator's own text).
    terms: dict[str, str] = {}
    for i, ind in enumerate(indicators):
        start = ind.sentence_span[0]
        if prev is not None:
            # from the previous number of its sentence (one of an earlier
            # sentence ends before this one starts)
            start = max(start, prev.span[1])
        window = _clause(text[start:ind.span[1]]) if start < ind.span[1] else ind.text
        if window == ind.text:
            window = ind.text
        term = ""
        if ind.quantity_span is not None:
            q0, q1 = ind.quantity_span
            if ind.span[0] < q0:
                term = text[ind.span[0]:q0]
            elif ind.span[1] > q1:
                term = text[q1:ind.span[1]]
            term = terms.setdefault(term, term)
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

def _depths(text: str, positions: Sequence[int]) -> list[int]:
    """How deep in brackets each position is, counted from the start of its
    paragraph; one depth per position, in their order.

    One pass over the text for all of them (counting from each paragraph start
    for each position was quadratic in a long paragraph). A list, not a table
    by position: a report of hundreds of thousands of numbers paid for a set,
    a sorted copy and a dict of them."""
    if any(b < a for a, b in zip(positions, positions[1:])):  # not in text order: by sorted position
        order = sorted(range(len(positions)), key=positions.__getitem__)
        got = _depths(text, [positions[i] for i in order])
        out = [0] * len(positions)
        for i, d in zip(order, got):
            out[i] = d
        return out
    out: list[int] = []
    depth, at = 0, 0
    for pos in positions:
        para = text.rfind("\n", at, pos) + 1
        if para > 0 and para > at:  # a new paragraph since the last position
            depth, at = 0, para
        for ch in text[at:pos]:
            if ch in "（(":
                depth += 1
            elif ch in "）)" and depth:
                depth -= 1
        at = pos
        out.append(depth)
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
    depth = _depths(text, [f.span[0] for f in seq])  # depth[k] is seq[k]'s
    for k in range(1, len(seq)):
        first = seq[k]
        # the total stands outside any brackets closed before the first part:
        # "审结50件（含上年结转3件），其中维持38件" — 50, not 3
        j = k - 1
        while j > 0 and depth[j] > depth[k]:
            j -= 1
        total = seq[j]
        if first.unit != total.unit or total.span[1] > first.span[0] or depth[j] > depth[k]:
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
        depth0 = depth[k]
        parts, last = [first], first
        for qi in range(k + 1, len(seq)):  # (a slice here copied the rest for every k)
            q = seq[qi]
            g = text[last.span[1]:q.span[0]] if last.span[1] <= q.span[0] else ""
            d = depth[qi]
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
