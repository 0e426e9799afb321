"""Turn the quantities of a report into typed, traceable indicators.

For each number with a measure word (pipeline.numbers) this stage decides:
- whether it is a fact at all (stop phrases, slogans in quotes, names of
  documents in 《》 are not);
- which catalog indicator it is, from the cue words of rules/indicators.yaml
  nearest to it in its clause, checked against jieba word boundaries;
- its measure (level, or a signed change after 同比/较上年), its modality
  (achieved, or planned in next-year plans and after 力争/计划), its actor.

Every indicator keeps the span of its text, its sentence and the rule that
produced it, so an archivist can go back to the words it came from.
"""
from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass
from decimal import Decimal

import regex

from .numbers import find_quantities
from .records import Indicator, Quantity, Section
from .rules import IndicatorRule, Rules
from .sections import section_at
from .tokenize import word_boundaries

log = logging.getLogger(__name__)

_SENTENCE_END = regex.compile(r"[。！？!?\n]")
_CLAUSE_END = regex.compile(r"[，,；;。！？!?\n]")
_CN_NUMERAL = regex.compile(r"[零〇一二三四五六七八九十百千万亿两]")
_AFTER_STOP = regex.compile(r"[、，,；;。！？!?\n（(：:]")
_BOOK_TITLE = regex.compile(r"《[^》\n]{0,80}》")


@dataclass(frozen=True)
class _Cue:
    start: int  # offsets in the document text
    end: int
    text: str
    ids: tuple[str, ...]


def extract_indicators(text: str, sections: tuple[Section, ...], rules: Rules,
                       page_of=None) -> tuple[Indicator, ...]:
    quantities = [q for q in find_quantities(text, rules.units, rules.not_before)]
    blocked = _blocked_spans(text, rules)
    quantities = [q for q in quantities if not _overlaps(q, blocked, text)]
    sentence_bounds = [m.end() for m in _SENTENCE_END.finditer(text)]
    clause_bounds = [m.end() for m in _CLAUSE_END.finditer(text)]

    out: list[Indicator] = []
    prev_q: Quantity | None = None
    for idx, q in enumerate(quantities):
        s_start, s_end = _around(sentence_bounds, q.span[0], len(text))
        c_start, c_end = _around(clause_bounds, q.span[0], len(text))
        win_start = c_start
        if prev_q is not None and prev_q.span[1] > c_start:
            win_start = prev_q.span[1]
        nxt = quantities[idx + 1].span[0] if idx + 1 < len(quantities) else len(text)
        after_end = min(c_end, nxt, q.span[1] + 25)
        after_stop = _AFTER_STOP.search(text, q.span[1], after_end)
        if after_stop is not None:
            after_end = after_stop.start()

        section = section_at(sections, q.span[0])
        part = section.part if section else "other"
        measure, value, value_high = _measure(text, win_start, q, rules)
        modality = "planned" if part == "next_year_plans" or rules.context.planned_re.search(
            text, c_start, q.span[0]) else "achieved"
        actor = _actor(text, c_start, q.span[0], rules)

        sentence_from = max(s_start, prev_q.span[1]) if prev_q is not None else s_start
        chosen = _choose(text, q, win_start, after_end, measure, rules, sentence_from)
        if chosen is not None:
            rule_obj, cue, how = chosen
            ident, label = rule_obj.id, rule_obj.name
            rule_id = f"{ident}/{how}"
            span = _span_with_cue(text, q, cue)
        else:
            inherited = _inherit(out, q, s_start, measure, text, win_start, rules)
            if inherited is not None:
                ident, label = inherited.indicator, inherited.label
                rule_id = f"{ident}/inherit"
                span = q.span
            else:
                ident = "other"
                label, span = _label(text, q, win_start, after_end, rules)
                rule_id = "other/noun-phrase"
        out.append(Indicator(
            indicator=ident,
            label=label,
            value=value,
            value_high=value_high,
            unit=q.unit,
            unit_class=q.unit_class,
            span=span,
            text=text[span[0]:span[1]],
            sentence=text[s_start:s_end].strip(),
            sentence_span=(s_start, s_end),
            rule=rule_id,
            section_id=section.id if section else None,
            part=part,
            qualifier=q.qualifier,
            measure=measure,
            modality=modality,
            actor=actor,
            page=page_of(q.span[0]) if page_of else None,
            quantity_span=q.span,
        ))
        prev_q = q
    return tuple(out)


# --- what is not a fact -------------------------------------------------------------

def _blocked_spans(text: str, rules: Rules) -> list[tuple[int, int, bool]]:
    """Spans whose numbers are not facts: (start, end, only_chinese_numerals)."""
    spans: list[tuple[int, int, bool]] = []
    stop = rules.stop
    if stop.stop_re is not None:
        spans.extend((m.start(), m.end(), False) for m in stop.stop_re.finditer(text))
    spans.extend((m.start(), m.end(), False) for m in stop.book_re.finditer(text))
    spans.extend((m.start(), m.end(), True) for m in stop.quoted_re.finditer(text))
    return spans


def _overlaps(q: Quantity, blocked: list[tuple[int, int, bool]], text: str) -> bool:
    for start, end, chinese_only in blocked:
        if q.span[0] < end and start < q.span[1]:
            if chinese_only:
                # A slogan in quotes is written in Chinese numerals (“两张清单”);
                # an Arabic count inside quotes is still a count.
                if _CN_NUMERAL.search(text, q.number_span[0], q.number_span[1]) is None:
                    continue
                # …and the number must be inside the quotes, not just touching them.
                if not (start < q.span[0] and q.span[1] <= end):
                    continue
            return True
    return False


# --- which indicator ------------------------------------------------------------------

def _choose(text: str, q: Quantity, win_start: int, after_end: int, measure: str, rules: Rules,
            sentence_from: int):
    irules = rules.indicators
    before = _cues(text, win_start, q.span[0], rules)
    after = _cues(text, q.span[1], after_end, rules) if after_end > q.span[1] else []
    nominal = q.unit in irules.nominal_units
    orders = [(after, "cue-after"), (list(reversed(before)), "cue-before")]
    if not (nominal and after):
        orders.reverse()
    if not nominal and sentence_from < win_start:
        # "…开展专题集中学习，全年累计开展20余次": an activity counted in the
        # clause after the one that names it.
        orders.append((list(reversed(_cues(text, sentence_from, win_start, rules))), "cue-sentence"))
    # A specific cue anywhere in the window beats a generic one next to the
    # number: 列席区政府常务会议1次 is public participation, not a meeting held.
    for weak in (False, True):
        for cues, how in orders:
            for cue in cues:
                if (cue.text in irules.weak_cues) != weak:
                    continue
                if weak and nominal and how == "cue-before" and "等" in text[cue.end:q.span[0]]:
                    # "修订…考勤等制度20余个": the count is of what follows 等,
                    # which a generic verb before it does not name.
                    continue
                for ident in cue.ids:
                    rule = irules.by_id[ident]
                    if _accepts(rule, cue.text, q, measure):
                        return rule, cue, how
    return None


def _accepts(rule: IndicatorRule, cue_text: str, q: Quantity, measure: str) -> bool:
    if measure != "level" and q.unit in ("%", "pp"):
        # A change of a rate or a count: "同比下降3个百分点", "同比增长20%".
        return True
    if q.unit_class not in rule.unit_classes:
        return False
    if rule.units is not None and q.unit not in rule.units and q.unit_class not in ("percent", "points", "money"):
        return False
    only = rule.cue_units.get(cue_text)
    return only is None or q.unit in only


def _cues(text: str, start: int, end: int, rules: Rules) -> list[_Cue]:
    """Cue words in text[start:end] that are whole jieba words, in order."""
    if end <= start:
        return []
    irules = rules.indicators
    window = text[start:end]
    found: list[_Cue] = []
    bounds: set[int] | None = None
    # overlapped: "负责人出庭应诉" holds both 负责人出庭 and 出庭应诉; jieba's
    # word boundaries then decide which of them is a whole word here.
    titles = [(b.start(), b.end()) for b in _BOOK_TITLE.finditer(window)] if "《" in window else []
    for m in irules.cue_re.finditer(window, overlapped=True):
        word = m.group()
        if any(a <= m.start() < b for a, b in titles):
            continue  # a word inside 《…》 names a document, it is not what is counted
        ids = irules.cue_ids.get(word)
        if ids is None:
            # A pattern cue ("法治…议题") spans several words by design.
            ids = tuple(ident for pat, ident in irules.pattern_ids if pat.fullmatch(word))
            if not ids:
                continue
        else:
            if bounds is None:  # segment only windows that hold a cue
                bounds = word_boundaries(window, rules)
            if m.start() not in bounds or m.end() not in bounds:
                continue
        found.append(_Cue(start + m.start(), start + m.end(), word, ids))
    return found


def _inherit(done: list[Indicator], q: Quantity, sentence_start: int, measure: str, text: str,
             win_start: int, rules: Rules) -> Indicator | None:
    """A cue-less number right after a typed one in the same sentence.

    "行政复议案件4件，撤销1件，维持3件": 撤销 and 维持 are parts of the 4 cases.
    "败诉率为1.26%，同比下降18.88个百分点": the change is of the same rate.
    "接待群众来访328批次1056人次": two measures of one thing, written together.
    A rate named in its own words ("办结率98%") is its own fact.
    """
    if not done:
        return None
    last = done[-1]
    if last.span[0] < sentence_start or last.indicator == "other":
        return None
    if measure != "level":
        # a change is of the nearest level of the sentence it can be a change of:
        # "受理120件，同比增长20%，较上年增加20件" — both changes are of the 120件
        for prev in reversed(done):
            if prev.span[0] < sentence_start:
                break
            if prev.indicator != "other" and prev.measure == "level" and (
                    q.unit in ("%", "pp") or q.unit == prev.unit):
                return prev
        return None
    if last.measure != "level":
        return None
    if q.unit_class == "percent" and "率" in text[win_start:q.span[0]]:
        return None
    if last.unit == q.unit:
        return last
    adjacent = last.quantity_span is not None and last.quantity_span[1] == q.span[0]
    rule = rules.indicators.by_id.get(last.indicator)
    if adjacent and rule is not None and q.unit_class in rule.unit_classes:
        return last
    return None


def _span_with_cue(text: str, q: Quantity, cue: _Cue) -> tuple[int, int]:
    """The quantity with its cue when they stand together ("出庭应诉3次")."""
    if cue.end <= q.span[0]:
        gap = text[cue.end:q.span[0]]
        if len(gap) <= 12 and _AFTER_STOP.search(gap) is None:
            return (cue.start, q.span[1])
    elif cue.start >= q.span[1]:
        gap = text[q.span[1]:cue.start]
        if len(gap) <= 12 and _AFTER_STOP.search(gap) is None:
            return (q.span[0], cue.end)
    return q.span


def _label(text: str, q: Quantity, win_start: int, after_end: int, rules: Rules) -> tuple[str, tuple[int, int]]:
    """For `other`: the noun phrase before the number (学习重点内容18项), or the
    noun after a nominal measure word (15家重点责任单位)."""
    irules = rules.indicators
    start = win_start
    before = text[start:q.span[0]]
    for word in irules.label_cut_after:
        i = before.rfind(word)
        if i >= 0 and i + len(word) < len(before):
            start = max(start, win_start + i + len(word))
    phrase = text[start:q.span[0]]
    for suffix in irules.label_trim_suffixes:
        if phrase.endswith(suffix) and len(phrase) > len(suffix):
            phrase = phrase[: -len(suffix)]
            break
    phrase = phrase.strip("“”\"'《》（）() ")
    if len(phrase) > irules.label_max_chars:
        phrase = phrase[-irules.label_max_chars:]
    if len(phrase) >= 2:
        span_start = q.span[0] - len(text[start:q.span[0]])
        return phrase, (span_start, q.span[1])
    if q.unit in irules.nominal_units and after_end > q.span[1]:
        after = text[q.span[1]:after_end]
        cut = regex.search(r"的|[，。；、]", after)
        noun = after[: cut.start()] if cut else after
        noun = noun[: irules.label_max_chars]
        if len(noun) >= 2:
            return noun, (q.span[0], q.span[1] + len(noun))
    return q.unit, q.span


# --- measure, actor -------------------------------------------------------------------

def _measure(text: str, win_start: int, q: Quantity, rules: Rules) -> tuple[str, Decimal, Decimal | None]:
    ctx = rules.context
    before = text[win_start:q.span[0]]
    change = ctx.change_re.search(before)
    is_points = q.unit == "pp"
    if change is None and not is_points:
        return "level", q.value, q.value_high
    tail = before[change.end():] if change is not None else before[-6:]
    dec = ctx.decrease_re.search(tail)
    inc = ctx.increase_re.search(tail)
    if change is not None and dec is None and inc is None:
        return "level", q.value, q.value_high  # 同比 without a direction: not a change
    sign = -1 if dec is not None and (inc is None or dec.start() > inc.start()) else 1
    kind = "change_pct" if q.unit == "%" else "change_abs"
    value = q.value * sign
    high = q.value_high * sign if q.value_high is not None else None
    return kind, value, high


def _actor(text: str, start: int, end: int, rules: Rules) -> str | None:
    best = None
    for pat in rules.context.actor_res:
        for m in pat.finditer(text, start, end):
            if best is None or m.start() >= best[0]:
                best = (m.start(), m.group("actor"))
    return best[1] if best else None


def _around(bounds: list[int], offset: int, length: int) -> tuple[int, int]:
    """The start and end of the unit (sentence, clause) holding `offset`."""
    i = bisect.bisect_right(bounds, offset)
    start = bounds[i - 1] if i > 0 else 0
    end = bounds[i] if i < len(bounds) else length
    return start, end
