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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable

import regex

from .numbers import find_quantities
from .records import Indicator, Quantity, Section
from .rules import IndicatorRule, Rules
from .sections import SectionIndex
from .tokenize import word_boundaries

# fixed patterns of the code (rule patterns live in rules/), compiled once
_SEMICOLON_RE = regex.compile(r"[;；]")
_HAN_RE = regex.compile(r"\p{Han}")
_DIGIT_RE = regex.compile(r"\d")
_NAME_END_RE = regex.compile(r"的|[^\p{Han}]")

log = logging.getLogger(__name__)

_SENTENCE_END = regex.compile(r"[。！？!?\n]")
_CLAUSE_END = regex.compile(r"[，,；;。！？!?\n]")
_CN_NUMERAL = regex.compile(r"[零〇一二三四五六七八九十百千万亿两]")
# What ends the words after a number; past a list of the bodies acted on
# (对…机关、团体、企事业单位开展…), the same but the list's 、.
_AFTER_STOP_CHARS = "、，,；;。！？!?\n（(：:"
_AFTER_STOP = regex.compile(f"[{regex.escape(_AFTER_STOP_CHARS)}]")
_AFTER_STOP_PAST_LIST = regex.compile(f"[{regex.escape(_AFTER_STOP_CHARS.replace('、', ''))}]")
_LIST_SEPARATORS = "、，,；;：: "  # punctuation a label never starts with
_LIST_JOINERS = "、等和及与"  # what follows a list item's head: 合同公证、证据保全公证等
# How far back from a number its clause and sentence are read (cues, context
# words, the actor, 其中/分别, the totals it can be a part of). No clause or
# sentence of a real report comes near this; text without punctuation (one
# giant "sentence") would otherwise make every number read everything before
# it: quadratic time.
_WINDOW = 1000
_CLAUSE_WINDOW = 300  # the same for a clause (the longest real one: about 120)
_HAN = regex.compile(r"\p{Han}")


@dataclass(frozen=True)
class _Cue:
    start: int  # offsets in the document text
    end: int
    text: str
    ids: tuple[str, ...]


def extract_indicators(text: str, sections: tuple[Section, ...], rules: Rules,
                       page_of=None, year: int | None = None,
                       year_planned: int | None = None,
                       not_prose: tuple[tuple[int, int], ...] = (),
                       upper: tuple[tuple[str, ...], str] | None = None,
                       own: tuple[str, ...] = ()) -> tuple[Indicator, ...]:
    """Every fact of the text. `year` is the year the report reviews (meta.year)
    and `year_planned` the year its plans are for: the periods of the figures
    that do not name their own years, and what makes a figure planned.
    `not_prose` are spans that hold no prose figure (table row labels,
    tables read cell by cell). `upper`: the words that name the region above
    the report's, and its name (全市, 长沙市 in a district's report): a clause
    opening with them is about that region, its actor. `own`: the names of the
    report's own region (浦东新区), never an actor of its figures."""
    quantities = [q for q in find_quantities(text, rules.units, rules.not_before)]
    if not_prose:
        touches = _touching_any(not_prose)
        quantities = [q for q in quantities if not touches(q.span[0], q.span[1])]
    if rules.conversions:
        quantities = [_converted(q, rules.conversions) for q in quantities]
    if year_planned is None and year is not None:
        year_planned = year + 1
    periods = _Periods(text, sections, rules, year, year_planned)
    stops = rules.stop.spans(text)
    blocked = _blocked_spans(text, rules, stops)
    quantities = [q for q in quantities if not _overlaps(q, blocked, text)]
    stops = _Spans(stops)
    sentence_bounds = [m.end() for m in _SENTENCE_END.finditer(text)]
    clause_bounds = [m.end() for m in _CLAUSE_END.finditer(text)]
    semicolons = [m.start() for m in _SEMICOLON_RE.finditer(text)]
    section_index = SectionIndex(sections)
    found = _Found()
    lists = _Lists(text, [q.span for q in quantities], rules)
    openers: dict[int, tuple[int, bool]] = {}

    out: list[Indicator] = []
    prev_q: Quantity | None = None
    cued_end = -1  # the end of the last number typed by a cue of its own
    # Strings that many indicators repeat are made once and shared: the
    # sentence of several numbers in a row, rule names, labels. A report of hundreds
    # of thousands of indicators (a 190 MB-of-XML .docx) otherwise held a copy
    # each, a third of its memory.
    kept_span: tuple[int, int] | None = None
    kept_sentence = ""
    rule_ids: dict[tuple[str, str], str] = {}
    labels: dict[str, str] = {}
    # Each quantity is let go once its indicator is made (what the loop reads
    # ahead is the next one's start, from lists.starts): with hundreds of
    # thousands of them, holding them all to the end was a third of the peak.
    n_quantities = len(quantities)
    quantities.reverse()
    for idx in range(n_quantities):
        q = quantities.pop()
        s_start, s_end = _around(sentence_bounds, q.span[0], len(text))
        # the sentence kept with the indicator is cut to _WINDOW characters on
        # either side of the number: a copy of a whole giant "sentence" per
        # number made the output itself quadratic in the text
        s_keep = (max(s_start, q.span[0] - _WINDOW), min(s_end, q.span[1] + _WINDOW))
        c_start, c_end = _around(clause_bounds, q.span[0], len(text))
        # read at most _WINDOW characters back (see there)
        s_start_read = max(s_start, q.span[0] - _WINDOW)
        c_start = max(c_start, q.span[0] - _CLAUSE_WINDOW)
        win_start = c_start
        if prev_q is not None and prev_q.span[1] > c_start:
            win_start = prev_q.span[1]
        nxt = lists.starts[idx + 1] if idx + 1 < n_quantities else len(text)
        after_end = min(c_end, nxt, q.span[1] + 25)
        after_stop = _AFTER_STOP.search(text, q.span[1], after_end)
        if after_stop is not None:
            after_end = after_stop.start()
            if text[after_end] == "、" and _acted_on_list(text, q, rules):
                # 对全市126家机关、团体、企事业单位开展…监督检查: the bodies acted on are
                # listed, and what was done to them comes after the list
                far = min(c_end, nxt, q.span[1] + 40)
                stop = _AFTER_STOP_PAST_LIST.search(text, after_end, far)
                after_end = stop.start() if stop is not None else far

        section = section_index.at(q.span[0])
        part = section.part if section else "other"
        measure, value, value_high = _measure(text, win_start, q, rules)
        if measure == "level" and out and prev_q is not None and out[-1].measure != "level" \
                and rules.context.connector_re.fullmatch(text, prev_q.span[1], q.span[0]) \
                and (q.unit == prev_q.unit or {q.unit, prev_q.unit} <= {"%", "pp"}):
            # "较2021年分别下降11.3%和6.8%": the second number of a list of
            # changes is a change in the same direction.
            sign = -1 if out[-1].value < 0 else 1
            measure = "change_pct" if q.unit == "%" else "change_abs"
            value = q.value * sign
            value_high = q.value_high * sign if q.value_high is not None else None
        in_plans = part in rules.sections.planned_parts  # next_year_plans; a work report's targets, tasks
        # (not a word inside a document's title or a stop phrase: 完成《…三年行动计划》等…5项)
        worded = any(not stops.touching(m.start(), m.end()) and not _in_book(text, m.start(), c_start, rules)
                     for m in rules.context.planned_re.finditer(text, c_start, q.span[0]))
        planned = in_plans or worded
        averaged = rules.context.averaged_re is not None and measure != "level" \
            and rules.context.averaged_re.search(text, c_start, q.span[0]) is not None
        period = periods.at(q.span[0], s_start_read, planned=in_plans, averaged=averaged)
        if period is not None and year is not None and period[0] > year:
            planned = True  # a year after the one reviewed: 2026年…, “十五五”时期…
        elif in_plans and not worded and period is not None and year is not None and period[1] <= year \
                and periods.named(q.span[0], s_start_read):
            # the plans recalling a result in the sentence's own words: "过去五年，…地区生产总值年均增长5.2%"
            # under "“十四五”时期发展成就和“十五五”时期主要目标任务"
            planned = False
        actor = _actor(text, c_start, q.span[0], rules)
        if actor is not None and actor in own:
            actor = None  # 浦东新区地区生产总值超过1.7万亿元 in 浦东新区's own report
        if actor is None and upper is not None and text.startswith(upper[0], _clause_opening(text, c_start)):
            actor = upper[1]  # 全市地区生产总值增长7.5% in a district's report: the city's
        if actor is None and out and out[-1].actor is not None and out[-1].span[0] >= s_start \
                and text.startswith(rules.context.respectively, _clause_opening(text, c_start)):
            # 花园路街道、丰产路街道地区生产总值分别达到…，分别增长6.4%和5.9%: a clause
            # that opens with 分别 speaks of the subjects of the one before
            actor = out[-1].actor

        sentence_from = max(s_start_read, prev_q.span[1]) if prev_q is not None else s_start_read
        chosen = _choose(text, q, win_start, after_end, measure, rules, sentence_from, stops, s_start_read)
        ref_start, partitive = _reference_start(text, s_start, q, sentence_bounds, rules, openers, cued_end)
        inherited = None
        respectively = lists.respectively(idx, s_start_read)
        paired = _paired(text, s_start, respectively, rules, q, measure, stops)
        if measure != "level" and rules.context.gap_re is not None \
                and rules.context.gap_re.search(text, c_start, q.span[0]):
            chosen = UNNAMED  # 增速高于全省0.3个百分点: a gap to another region, no change of anything here
        elif q.unit_class in ("count", "people") and rules.context.average_re is not None \
                and rules.context.average_re.search(text, c_start, q.span[0]):
            chosen = UNNAMED_HEAD  # 平均仅有执法人员7名: an average, which no id counts
        elif any(p.search(text, s_start_read, q.span[0]) for p in rules.indicators.no_id_patterns):
            chosen = UNNAMED_HEAD  # 法律顾问列席局党组会议7次: indicators.yaml no_id_patterns
        if chosen is UNNAMED and (paired is not None or partitive):
            # a part after 其中 is of its total, whatever words describe it
            # (其中未经设计审核擅自施工2起 are cases), unless they are its own noun
            chosen = None
        if paired is UNNAMED or chosen is UNNAMED or chosen is UNNAMED_HEAD:
            # its own noun, which no id names (a listed one, or one of no_id_cues: 移送司法机关6起
            # after 查处…案件53起): no cue or figure of another noun types it
            chosen = None
        elif paired is not None:
            # 城乡居民人均可支配收入分别增长4.4%、5.6%: one id per number of the list
            chosen = paired
        elif chosen is None and partitive and _own_measure(_own_words(text, win_start, q, rules), rules):
            pass  # 其中出口258亿元: a part that names its own measure keeps no id of the total's
        elif partitive and chosen is not None and _sub_aggregate(text, c_start, q, chosen[1], measure, rules):
            chosen = None  # 其中能源工业增加值增长5.2%: a branch's value added, no total of its own
        elif chosen is None and not partitive and _names_own(text, win_start, q, rules):
            # 城镇新增就业22.89万人，农村劳动力转移就业294.21万人: the second
            # figure names what it counts, though no cue knows the words
            pass
        elif chosen is None or (partitive and chosen[1].text in rules.indicators.weak_cues) or (
                respectively is not None and measure != "level" and chosen[2] == "cue-sentence"):
            # (a change listed after 分别 whose only cue is an earlier clause's: the
            # changes of the figures listed before, in order, when there are as many)
            # A part after 其中 is of the total before it, whatever generic
            # word names it ("其中予以公开29件" are requests, not publications).
            # a sentence that opens with 其中 lists its parts over its ；, a 其中 inside one does not
            opened = partitive and ref_start < s_start
            inherited = _inherit(found, q, max(ref_start, q.span[0] - _WINDOW), measure, text, win_start, rules,
                                 partitive, respectively if measure != "level" else None, () if opened else semicolons)
        if chosen is not None and inherited is None:
            cued_end = q.span[1]
            rule_obj, cue, how = chosen
            ident, label = rule_obj.id, rule_obj.name
            rule_id = rule_ids.get((ident, how))
            if rule_id is None:
                rule_id = rule_ids[ident, how] = f"{ident}/{how}"
            span = _span_with_cue(text, q, cue)
        else:
            if inherited is not None:
                ident, label = inherited.indicator, inherited.label
                if actor is None:
                    actor = inherited.actor  # 花园路街道…地区生产总值分别达到…，分别增长…: the change is theirs too
                rule_id = rule_ids.get((ident, "inherit"))
                if rule_id is None:
                    rule_id = rule_ids[ident, "inherit"] = f"{ident}/inherit"
                span = q.span
            else:
                ident = "other"
                label, span = _label(text, q, win_start, after_end, rules)
                label = labels.setdefault(label, label)
                rule_id = "other/noun-phrase"
        if measure != "level" and span[0] == q.span[0]:
            span = _with_change_word(text, span, c_start, rules)
        modality = "achieved"
        if planned:
            # a headline figure of the plans, or any figure of a sentence that sets targets
            target_re = rules.context.target_re
            modality = "target" if ident in rules.context.target_indicators or (
                target_re is not None and target_re.search(text, s_keep[0], s_keep[1])) else "planned"
        if s_keep != kept_span:
            kept_span, kept_sentence = s_keep, text[s_keep[0]:s_keep[1]].strip()
        out.append(Indicator(
            indicator=ident,
            label=label,
            value=value,
            value_high=value_high,
            unit=q.unit,
            unit_class=q.unit_class,
            span=span,
            text=text[span[0]:span[1]],
            sentence=kept_sentence,
            sentence_span=kept_span,
            rule=rule_id,
            section_id=section.id if section else None,
            part=part,
            qualifier=q.qualifier,
            measure=measure,
            modality=modality,
            actor=actor,
            page=page_of(q.span[0]) if page_of else None,
            quantity_span=q.span,
            period=_period_value(_state_period(period, ident, measure, q, rules, text)),
        ))
        found.add(out[-1])
        prev_q = q
    return tuple(out)


# --- what is not a fact -------------------------------------------------------------

class _Spans:
    """Spans found by one scan (finditer): in order and disjoint, so their ends
    are sorted too, and the ones touching a range are found by bisection
    instead of a pass over all of them (which made a document with many stop
    phrases or quotes quadratic)."""

    __slots__ = ("spans", "ends")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.ends = [b for _, b in spans]

    def touching(self, start: int, end: int) -> list[tuple[int, int]]:
        """The spans (a, b) with a < end and start < b, in order."""
        i = bisect.bisect_right(self.ends, start)
        out = []
        while i < len(self.spans) and self.spans[i][0] < end:
            out.append(self.spans[i])
            i += 1
        return out


def _touching_any(spans) -> Callable[[int, int], bool]:
    """A test whether (start, end) touches any of `spans` (a < end and start < b).

    The spans (table cells, row labels) may nest and come in any order; sorted
    by start with a running maximum of their ends, the test is one bisection
    instead of a pass over every span per number (a long table made that
    quadratic: a 190 MB-of-XML .docx spent most of its time there)."""
    ordered = sorted(spans)
    starts = [a for a, _ in ordered]
    max_end: list[int] = []
    for _, b in ordered:
        max_end.append(b if not max_end or b > max_end[-1] else max_end[-1])

    def touches(start: int, end: int) -> bool:
        k = bisect.bisect_left(starts, end)  # the spans with a < end
        return k > 0 and max_end[k - 1] > start

    return touches


def _blocked_spans(text: str, rules: Rules, stops: list[tuple[int, int]]) -> list[tuple[_Spans, bool]]:
    """Spans whose numbers are not facts, each kind with only_chinese_numerals.

    `stops`: the spans of the stop phrases, found once per document."""
    stop = rules.stop
    return [(_Spans(stops), False),
            (_Spans([m.span() for m in stop.book_re.finditer(text)]), False),
            (_Spans([m.span() for m in stop.quoted_re.finditer(text)]), True)]


def _overlaps(q: Quantity, blocked: list[tuple[_Spans, bool]], text: str) -> bool:
    for spans, chinese_only in blocked:
        for start, end in spans.touching(q.span[0], q.span[1]):
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


class _Found:
    """The indicators found so far, indexed for `_inherit`: the typed levels
    (all, non-rate, by unit) and all levels, each with the starts of their
    spans. Spans start in increasing order (each number's words begin after the
    previous number), so "those of this sentence" is a bisection, not a pass
    over every earlier indicator (quadratic on a long report)."""

    _RATE = ("%", "pp")

    def __init__(self) -> None:
        self.all: list[Indicator] = []
        self.lists: dict[tuple, tuple[list[int], list[int], list[Indicator]]] = {}

    def _put(self, key: tuple, ind: Indicator) -> None:
        starts, ends, items = self.lists.setdefault(key, ([], [], []))
        starts.append(ind.span[0])
        ends.append(ind.span[1])
        items.append(ind)

    def add(self, ind: Indicator) -> None:
        self.all.append(ind)
        if ind.measure != "level":
            return
        rate = ind.unit in self._RATE
        self._put(("level",), ind)
        self._put(("level", "unit", ind.unit), ind)
        if not rate:
            self._put(("level", "non-rate"), ind)
        if ind.indicator != "other":
            self._put(("typed",), ind)
            self._put(("typed", "unit", ind.unit), ind)

    def since(self, key: tuple, start: int) -> "_Since":
        """The indicators of list `key` whose spans start at or after `start`."""
        starts, ends, items = self.lists.get(key, ([], [], []))
        return _Since(items, ends, bisect.bisect_left(starts, start))

    def last_since(self, key: tuple, start: int) -> Indicator | None:
        starts, _, items = self.lists.get(key, ((), (), ()))
        if items and starts[-1] >= start:
            return items[-1]
        return None


class _Since:
    """items[lo:] without copying them: len, [i], [-1], and .ends for bisect."""

    __slots__ = ("items", "ends", "lo")

    def __init__(self, items: list[Indicator], ends: list[int], lo: int) -> None:
        self.items, self.ends, self.lo = items, _Ends(ends, lo), lo

    def __len__(self) -> int:
        return len(self.items) - self.lo

    def __getitem__(self, i: int) -> Indicator:
        return self.items[self.lo + i] if i >= 0 else self.items[i]


class _Ends:
    """The span ends of a _Since, for bisect (which needs len and [i])."""

    __slots__ = ("ends", "lo")

    def __init__(self, ends: list[int], lo: int) -> None:
        self.ends, self.lo = ends, lo

    def __len__(self) -> int:
        return len(self.ends) - self.lo

    def __getitem__(self, i: int) -> int:
        return self.ends[self.lo + i]


# --- which indicator ------------------------------------------------------------------

def _choose(text: str, q: Quantity, win_start: int, after_end: int, measure: str, rules: Rules,
            sentence_from: int, stops: "_Spans | None" = None, sentence_start: int | None = None):
    irules = rules.indicators
    # what the sentence says before the number, for rules' not_with words
    context = text[sentence_from if sentence_start is None else sentence_start:q.span[0]]
    before = _cues(text, win_start, q.span[0], rules, stops)
    after = _cues(text, q.span[1], after_end, rules, stops) if after_end > q.span[1] else []
    nominal = q.unit in irules.nominal_units
    agent = _agent(text, q, after_end, rules) if after else 0  # 21个部门…: bodies that act
    organised = q.unit_class == "people" and _organised(text, q, rules)
    if after and len(after) > 1 and organised and after[0].start == q.span[1]:
        after = after[1:]  # 组织120名执法人员旁听庭审: who they are, then what they did, which counts them
    orders = [(after, "cue-after"), (list(reversed(before)), "cue-before")]
    if not (nominal and after) or (before and _heads_number(text, before[-1], q) and q.span[1] < after[0].start
                                   and not organised):
        # N项X: the noun after a nominal measure word is what is counted, unless the
        # number closes a noun of its own (重大行政决策事项5项全部履行公众参与…), but
        # for people sent to do what follows (组织执法人员36名旁听庭审1次)
        orders.reverse()
    # A specific cue anywhere in the window beats a generic one next to the
    # number: 列席区政府常务会议1次 is public participation, not a meeting held.
    passes = [(False, orders), (True, orders)]
    if not nominal and sentence_from < win_start and not (
            q.unit_class == "percent" and rules.context.ratio_re.search(text, win_start, q.span[0])) \
            and not _names_own(text, win_start, q, rules):
        # "…开展专题集中学习，全年累计开展20余次": an activity counted in the
        # clause after the one that names it. Only when the number's own
        # clause names nothing, not even generically (学习20余次 is study,
        # whatever meeting an earlier clause names), and never for a rate
        # that names its own ratio (…考试，通过率97%；…占比98%).
        earlier = list(reversed(_cues(text, sentence_from, win_start, rules, stops)))
        passes += [(False, [(earlier, "cue-sentence")]), (True, [(earlier, "cue-sentence")])]
    for weak, pass_orders in passes:
        for cues, how in pass_orders:
            for cue in cues:
                if (cue.text in irules.weak_cues) != weak:
                    continue
                if not cue.ids:
                    # 召开新闻发布会28场: the nearest word names what no id counts; right
                    # before the number it names the number's own noun (移送…涉嫌犯罪案件41件)
                    return UNNAMED_HEAD if how == "cue-before" and len(text[cue.end:q.span[0]]) <= 1 else UNNAMED
                if how == "cue-after" and ((agent and cue.start >= q.span[1] + agent)
                                           or (weak and not _in_counted_noun(text, q, cue, after_end, irules))):
                    # 12个社区全部完成居民公约修订, 21个部门开展随机抽查: a word after the
                    # counted noun (社区, 部门) and its verb names what was done, not what
                    # is counted (将9项事项纳入重大行政决策目录 still counts decisions)
                    continue
                if weak and nominal and how == "cue-before" and _noun_after_deng(text, cue.end, q, irules):
                    # "修订…考勤等制度20余个": the count is of what follows 等,
                    # which a generic verb before it does not name (宣传资料等1.35万份
                    # counts the things listed).
                    continue
                if any(_contains(other, cue) and _accepting(other, q, measure, irules, context) is not None
                       for other in _around_cue(cues, cue)):
                    # 清理卫生健康领域规范性文件16件: the longer cue (清理…规范性文件)
                    # is more specific than the 规范性文件 inside it.
                    continue
                rule = _accepting(cue, q, measure, irules, context)
                if rule is not None and nominal and how != "cue-after" \
                        and not _counts_its_object(rule, text, cue, q, irules, rules.stop.book_marks[0]):
                    # 调解室172个, 发放排污许可证156张, 医疗纠纷调解组织3个: the noun
                    # between the cue and a nominal count is what is counted
                    continue
                if rule is not None and nominal and how == "cue-after" and rule.heads \
                        and not any(h in text[q.span[1]:cue.end] for h in rule.heads):
                    continue  # 仍有3个村未建成人民调解室: villages, not the disputes the rule counts
                if rule is not None and cue.text in irules.reach_cues:
                    rule = _reach_of(rule, text, cue, q, measure, rules, sentence_start
                                     if sentence_start is not None else sentence_from, stops)
                if rule is not None:
                    return rule, cue, how
    return None


def type_label(label: str, unit: str, unit_class: str, measure: str, rules: Rules) -> str:
    """The indicator a table row's label names (林业行政案件 → …, 其中不予处罚案件 →
    enforcement_cases, 罚没款 → enforcement_fines): its cue nearest the end that
    accepts the unit, a specific one before a generic one; else `other`."""
    end = len(label)
    q = Quantity(span=(end, end), text="", number_span=(end, end), value=Decimal(0), unit=unit, unit_class=unit_class)
    for cue in _specific_first(reversed(_cues(label, 0, end, rules)), rules.indicators):
        if not cue.ids:
            return "other"  # a word no id counts
        rule = _accepting(cue, q, measure, rules.indicators, label)
        if rule is not None:
            return rule.id
    return "other"


def _specific_first(cues: Iterable[_Cue], irules) -> Iterator[_Cue]:
    """`cues` in their order, the specific ones first, then the generic (weak) ones."""
    cues = list(cues)
    yield from (c for c in cues if c.text not in irules.weak_cues)
    yield from (c for c in cues if c.text in irules.weak_cues)


def _agent(text: str, q: Quantity, after_end: int, rules: Rules) -> int:
    """The length of the body that acts a count counts (indicators.yaml agent_nouns:
    21个部门开展…, 5个乡镇未配备…), 0 when it counts things or people, or bodies
    acted on (对…的4家单位依法不予处罚: object_openers)."""
    if q.unit_class != "count":
        return 0
    irules = rules.indicators
    after = text[q.span[1]:after_end]
    length = next((len(a) for a in irules.agent_nouns if after.startswith(a)), 0)
    if length and irules.object_openers:
        start = _clause_start(text, q.span[0], rules)
        if text.startswith(irules.object_openers, start):
            return 0
        # 全年对全市126家机关…开展监督检查, 计划对不少于120家单位开展检查: the opener
        # after a word of time or intent, a few words of scope before the count
        before = text[start:q.span[0]]
        for opener in irules.object_openers:
            k = before.rfind(opener)
            if 0 < k <= 4 and len(before) - k - len(opener) <= 6 and _HAN_RE.search(before[:k]) \
                    and not before.startswith(irules.object_openers_not, k):
                return 0
    return length


def _acted_on_list(text: str, q: Quantity, rules: Rules) -> bool:
    """Whether a count of bodies (agent_nouns) opens a list of the bodies acted on:
    its clause opens with an object opener (对全市126家机关、团体…)."""
    after = text[q.span[1]:q.span[1] + 8]
    if q.unit_class != "count" or not any(after.startswith(a) for a in rules.indicators.agent_nouns):
        return False
    return _agent(text, q, q.span[1] + 8, rules) == 0


def _in_counted_noun(text: str, q: Quantity, cue: _Cue, after_end: int, irules) -> bool:
    noun = _noun_after(text[q.span[1]:after_end], irules) or ""
    return cue.start < q.span[1] + len(noun)


def _heads_number(text: str, cue: _Cue, q: Quantity) -> bool:
    """The cue before the number ends a noun phrase the number closes: 决策事项5项, 议题15个."""
    gap = text[cue.end:q.span[0]]
    # (not over 的: 新申领执法证件的146名人员 — the number heads the noun after it)
    return len(gap) <= 4 and regex.fullmatch(r"\p{Han}*", gap) is not None and "的" not in gap


def _clause_start(text: str, at: int, rules: Rules) -> int:
    """Where the clause holding `at` starts, past an enumerator opening it (二是选派…:
    sections.yaml's inline markers)."""
    start = max(text.rfind(c, 0, at) for c in _CLAUSE_START) + 1
    for level in rules.sections.levels:
        if level.inline:
            for pat in level.patterns:
                m = pat.match(text, start, at)
                if m is not None:
                    return m.end("marker")
    return start


def _organised(text: str, q: Quantity, rules: Rules) -> bool:
    """Whether the number's clause opens with an organiser (组织执法人员36名…:
    indicators.yaml organiser_openers)."""
    irules = rules.indicators
    return bool(irules.organiser_openers) and text.startswith(irules.organiser_openers,
                                                              _clause_start(text, q.span[0], rules))


def _noun_after_deng(text: str, start: int, q: Quantity, irules) -> bool:
    """Whether a cue ending at `start` names no item of a 等 list the number
    counts: a noun stands between the last 等 and the number (等制度20余个), not
    only words like 共 or 累计 (label.trim_suffixes), or the cue is no list
    item's head (合同公证、证据保全公证等48件: 合同 names the notarisation)."""
    k = text.rfind("等", start, q.span[0])
    if k < 0:
        return False
    if text[start] not in _LIST_JOINERS:
        return True
    return _HAN_RE.search(_without_count_word(text[k + 1:q.span[0]], irules)) is not None


def _without_count_word(words: str, irules, keep_some: bool = False) -> str:
    """`words` less one closing word like 共 or 累计 (indicators.yaml label.trim_suffixes)
    that stands between a noun and its number: the first that matches, or with
    `keep_some` the first that leaves a word (a label 提升至 is not trimmed to nothing)."""
    for suffix in irules.label_trim_suffixes:
        if words.endswith(suffix) and (len(words) > len(suffix) or not keep_some):
            return words[: -len(suffix)]
    return words


def _counts_its_object(rule: IndicatorRule, text: str, cue: _Cue, q: Quantity, irules, book: str) -> bool:
    """A cue with a noun between it and a nominal count counts that noun: it
    types the number only when the noun is one the rule counts (its `heads`),
    or a document or publication named in 《…》 (编印《…问答》5000份)."""
    if not rule.heads:
        return True
    gap = text[cue.end:q.span[0]]
    if book in gap:
        return True
    if gap.startswith("等"):
        gap = gap[1:]  # 宣传资料等1.35万份: the cue closes the list the number counts
    gap = _without_count_word(gap, irules)
    if not _HAN_RE.search(gap):
        return True  # 调解120件: the verb names the count itself
    return any(h in gap for h in rule.heads)


def _reach_of(rule: IndicatorRule, text: str, cue: _Cue, q: Quantity, measure: str, rules: Rules,
              sentence_start: int, stops) -> IndicatorRule | None:
    """覆盖320余人次 after a training: the people reached are the trainees. A bare reach
    word takes the people-indicator of the activity its sentence names before it;
    with none named, it is a reach only in a sentence about the law (reach.context):
    None for 发放优抚资金…，惠及优抚对象1.26万人次."""
    irules = rules.indicators
    # a specific activity before a generic one: 开展法治宣传活动46场，其中巡回讲座6场，
    # …受教育群众1.3万人次 are the publicity's, not the lectures'
    found = _cues(text, sentence_start, cue.start, rules, stops)
    # (not a cue inside a longer one: “百场法治讲座进基层”活动 is publicity, whatever 法治讲座 is)
    found = [c for c in found if not any(_contains(other, c) for other in found)]
    for earlier in _specific_first(reversed(found), irules):
        for ident in earlier.ids:
            target = irules.people_of.get(ident) if irules.people_of else None
            if target is not None:
                other = irules.by_id[target]
                return other if _accepts(other, cue.text, q, measure) else rule
    if irules.reach_context and not any(w in text[sentence_start:cue.end] for w in irules.reach_context):
        return None
    return rule


def _around_cue(cues: list[_Cue], cue: _Cue) -> list[_Cue]:
    """The cues of `cues` (in text order or reversed) that overlap `cue`: the
    only ones that can contain it. Found by bisection, not a pass over all the
    cues of the window for each cue (quadratic in a window full of cues)."""
    if len(cues) < 16:
        return cues
    longest = max(c.end - c.start for c in cues)
    forward = cues[0].start <= cues[-1].start
    ordered = cues if forward else cues[::-1]
    starts = [c.start for c in ordered]
    lo = bisect.bisect_left(starts, cue.end - longest)
    hi = bisect.bisect_right(starts, cue.start)
    return ordered[lo:hi]


def _contains(outer: _Cue, inner: _Cue) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end and (outer.start, outer.end) != (inner.start, inner.end)


def _accepting(cue: _Cue, q: Quantity, measure: str, irules, context: str = "") -> IndicatorRule | None:
    for ident in cue.ids:
        rule = irules.by_id[ident]
        if _accepts(rule, cue.text, q, measure) and not any(w in context for w in rule.not_with):
            return rule
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


def _cues(text: str, start: int, end: int, rules: Rules, stops: "_Spans | None" = None) -> list[_Cue]:
    """Cue words in text[start:end] that are whole jieba words, in order.

    `stops`: the spans of the document's stop phrases (a cue inside one names
    the slogan: “第一议题”, “四议两公开”)."""
    if end <= start:
        return []
    irules = rules.indicators
    window = text[start:end]
    found: list[_Cue] = []
    bounds: set[int] | None = None
    # overlapped: "负责人出庭应诉" holds both 负责人出庭 and 出庭应诉; jieba's
    # word boundaries then decide which of them is a whole word here.
    book = rules.stop.book_re  # 《…》 names a document
    titles = [(b.start(), b.end()) for b in book.finditer(window)] if rules.stop.book_marks[0] in window else []
    stops = [(a - start, b - start) for a, b in stops.touching(start, end)] if stops is not None else []
    literal_re, any_pattern_re, pattern_res = irules.literal_re, irules.any_pattern_re, irules.patterns
    # Literals and each pattern are searched on their own: one regex of them
    # all reports a single match per start position, so 合同…审核 (a pattern)
    # would be hidden by 合同 (a literal) starting at the same character.
    matches = [(m, True) for m in literal_re.finditer(window, overlapped=True)]
    seen: set[tuple[int, int]] | None = None
    # every start where some pattern matches, then each pattern tried there
    starts = sorted({m.start() for m in any_pattern_re.finditer(window, overlapped=True)})
    if starts:
        for pos in starts:
            for pat in pattern_res:
                m = pat.match(window, pos)
                if m is not None:
                    matches.append((m, False))
        matches.sort(key=lambda x: (x[0].start(), -x[0].end()))
        seen = set()  # the same span from two patterns, or a pattern and a literal
    for m, literal in matches:
        word = m.group()
        if seen is not None and (m.start(), m.end()) in seen:
            continue
        if any(a <= m.start() < b for a, b in titles):
            continue  # a word inside 《…》 names a document, it is not what is counted
        if any(a <= m.start() and m.end() <= b for a, b in stops):
            continue
        if literal:
            ids = irules.cue_ids[word]
            if bounds is None:  # segment only windows that hold a cue
                bounds = word_boundaries(window, rules)
            if m.start() not in bounds or m.end() not in bounds:
                continue
        else:
            # A pattern cue ("法治…议题") spans several words by design.
            ids = tuple(ident for pat, ident in irules.pattern_ids if pat.fullmatch(word))
            if not ids:
                continue
        if seen is not None:
            seen.add((m.start(), m.end()))
        found.append(_Cue(start + m.start(), start + m.end(), word, ids))
    return found


def _reference_start(text: str, s_start: int, q: Quantity, sentence_bounds: list[int],
                     rules: Rules, openers: dict[int, tuple[int, bool]] | None = None,
                     cued_end: int = -1) -> tuple[int, bool]:
    """Where the totals a number can be a part of begin, and whether it is a part.

    Its own sentence; the sentence before too when its sentence opens with a
    partitive (其中，…; 审结案件中，…). `openers` caches the first case per
    sentence (every number of the sentence would walk back the same way).
    Within a sentence, a 其中 speaks of the numbers after it up to the next
    one named by a cue of its own (`cued_end`) in a clause before it: in "…年均增长5%以上，其中制造业
    增加值占比25%左右，…城镇调查失业率控制在5.5%左右，全社会研发经费投入年均增长9%"
    the 9% is no part of anything."""
    if openers is not None and s_start in openers:
        return openers[s_start]
    if rules.context.partitive_opener_re.match(text, s_start, q.span[0]):
        prev_start = s_start
        while prev_start > 0:
            end = prev_start
            prev_start, _ = _around(sentence_bounds, prev_start - 1, len(text))
            # text[end:s_start] is blank already: look at the new part only
            if text[prev_start:end].strip("\n 。"):
                break
        if openers is not None:
            openers[s_start] = (prev_start, True)
        return prev_start, True
    if cued_end > s_start and not any(c in _CLAUSE_START for c in text[cued_end:q.span[0]]):
        cued_end = -1  # 其中政策文件12条、预警信息163条: a list after 其中 goes on past a cued item
    start = max(s_start, q.span[0] - _WINDOW, cued_end)
    return s_start, rules.context.partitive_re.search(text, start, q.span[0]) is not None


class _Lists:
    """Runs of numbers joined by connectors (和, 、), worked out once per
    document: walking each run from each of its numbers was quadratic in the
    run's length."""

    def __init__(self, text: str, spans: list[tuple[int, int]], rules: Rules) -> None:
        # the quantities' spans only: the quantities themselves are let go as
        # the indicators are made (see extract_indicators)
        self.text, self.spans, self.rules = text, spans, rules
        self.run_start: list[int] | None = None
        self.run_end: list[int] = []
        self.starts = [a for a, _ in spans]

    def _runs(self) -> None:
        qs, connector = self.spans, self.rules.context.connector_re
        joined = [connector.fullmatch(self.text, a[1], b[0]) is not None for a, b in zip(qs, qs[1:])]
        n = len(qs)
        self.run_start = [0] * n
        for i in range(1, n):
            self.run_start[i] = self.run_start[i - 1] if joined[i - 1] else i
        self.run_end = [n - 1] * n
        for i in range(n - 2, -1, -1):
            self.run_end[i] = self.run_end[i + 1] if joined[i] else i

    def respectively(self, idx: int, s_start: int):
        """(k, n, at) when quantities[idx] is the k-th of n numbers listed right after
        分别 (at its offset) in its sentence: "…486件，罚没款3862.5万元，较2021年分别
        下降11.3%和6.8%"."""
        text, start = self.text, self.starts[idx]
        at = max(text.rfind(word, s_start, start) for word in self.rules.context.respectively)
        if at < 0:
            return None
        if self.run_start is None:
            self._runs()
        # the first number of the run that is after 分别
        after = bisect.bisect_right(self.starts, at)  # the first number after 分别
        first = max(self.run_start[idx], after)
        if first > 0 and self.starts[first - 1] > at and not self._second_list(first, after):
            return None  # another number between 分别 and the list
        last = self.run_end[idx]
        n = last - first + 1
        return (idx - first, n, at) if n > 1 else None

    def _second_list(self, first: int, after: int) -> bool:
        """Whether the run starting at quantities[first] follows the 分别 list
        (starting at quantities[after]) as a second list of as many numbers, in
        the same order: "分别增长8.3%和9.6%，达到36546元、15796元"."""
        prev_last = first - 1
        between = self.rules.context.second_list_re
        return (between is not None and self.run_start[first] == first and self.run_start[prev_last] == after
                and self.run_end[first] - first == prev_last - after
                and between.fullmatch(self.text, self.spans[prev_last][1], self.starts[first]) is not None)


def _inherit(found: _Found, q: Quantity, sentence_start: int, measure: str, text: str,
             win_start: int, rules: Rules, partitive: bool = False, respectively=None,
             semicolons: list[int] = ()) -> Indicator | None:
    """A cue-less number after a typed one: a part of it, its change, or another measure of it.

    "行政复议案件4件，撤销1件，维持3件": 撤销 and 维持 are parts of the 4 cases.
    "受理…2.36万件，同比增长31.5%，审结2.12万件": the part looks past the change.
    "…1268件，罚没款2356.8万元。其中，食品安全案件412件": after 其中 it looks past
    other measures too, to the last total in its own unit.
    "败诉率为1.26%，同比下降18.88个百分点": the change is of the same rate.
    "接待群众来访328批次1056人次": two measures of one thing, written together.
    A rate named in its own words ("办结率98%") is its own fact.
    """
    # a part does not reach across ；: "调解纠纷41件；指导企业申请商标1260件", nor
    # does a part after 其中 ("第一产业增加值4500亿元；规模以上工业增加值增长7.1%，
    # 其中高技术制造业增长12%" is no part of the 4500亿元); `semicolons` is empty
    # in a sentence opening with 其中, whose parts go on past its ；
    # (…except a bare verb first after it, which goes on with the subject before it:
    # 新收行政复议案件1.37万件，同比增长21.4%；审结1.22万件)
    i = bisect.bisect_left(semicolons, q.span[0]) - 1
    if i >= 0 and semicolons[i] >= sentence_start and (
            len(_HAN_RE.findall(text, win_start, q.span[0])) > 2
            or (found.all and found.all[-1].span[0] > semicolons[i])):
        sentence_start = semicolons[i] + 1
    if not found.all or found.all[-1].span[0] < sentence_start:
        return None  # nothing found yet in this sentence
    rate = ("%", "pp")
    if measure != "level":
        # a change is of the nearest level of the sentence it can be a change of:
        # "受理120件，同比增长20%，较上年增加20件" — both changes are of the 120件;
        # "办理案件486件，罚没款3862.5万元，分别下降11.3%和6.8%" — in order
        levels = found.since(("typed",) if q.unit in rate else ("typed", "unit", q.unit), sentence_start)
        if respectively is not None:
            k, n, at = respectively
            # every level, typed or not: "财政总收入380.5亿元，一般公共预算收入209.7亿元，
            # 分别增长3.1%和2.8%" — the 3.1% is of the first, which no catalog id names
            listed_levels = found.since(("level",) if q.unit in rate else ("level", "unit", q.unit),
                                        sentence_start)
            listed = bisect.bisect_right(listed_levels.ends, at)  # how many end before 分别
            if listed >= n:
                return listed_levels[listed - n + k]
        # the nearest level is what changed; an untyped one ("民间投资占比提高到48.5%、
        # 提高1.1个百分点") gives no id, however far back a typed one is
        nearest = found.last_since(("level",) if q.unit in rate else ("level", "unit", q.unit), sentence_start)
        if nearest is not None and nearest.indicator == "other":
            return None
        return levels[-1] if levels else None
    if q.unit_class == "percent" and rules.context.ratio_re.search(text, win_start, q.span[0]):
        return None
    # the nearest level before it, looking past changes, and past rates for a
    # count (a rate of the total before it), and past other units after 其中
    alike = rules.alike.get(q.unit, (q.unit,))
    if partitive:
        # the last total in its unit, or one that counts the same things (26场次，其中…9场),
        # before the 其中 if there is one: 合法性审查57件，其中规范性文件2件、…、其他文件13件
        # are reviews, whatever the part before names
        marker = None
        for marker in rules.context.partitive_re.finditer(text, sentence_start, q.span[0]):
            pass
        if marker is not None and any(c in _CLAUSE_START for c in text[marker.end():q.span[0]].lstrip("，,：:")):
            marker = None  # 其中，行政复议案件31件，维持25件: a part of the part named in a clause before
        got = []
        for u in alike:
            levels = found.since(("level", "unit", u), sentence_start)
            n = bisect.bisect_right(levels.ends, marker.start()) if marker is not None else 0
            if n or len(levels):
                got.append(levels[n - 1] if n else levels[-1])
        prev = max(got, key=lambda i: i.span[0]) if got else None
    else:
        prev = found.last_since(("level", "non-rate") if q.unit not in rate else ("level",), sentence_start)
    if prev is None:
        return _level_after_change(found, q, text, sentence_start, rules)
    if prev.indicator == "other":
        return None
    if prev.unit in alike:
        return prev
    adjacent = prev is found.all[-1] and prev.quantity_span is not None and prev.quantity_span[1] == q.span[0]
    rule = rules.indicators.by_id.get(prev.indicator)
    if rule is not None and q.unit_class in rule.unit_classes and (
            adjacent or (q.unit_class == "people" and prev.unit_class != "people")):
        # 接待群众来访328批次1056人次, 旁听庭审4次，参与120余人次: who took part in it
        return prev
    return None


def _level_after_change(found: _Found, q: Quantity, text: str, sentence_start: int,
                        rules: Rules) -> Indicator | None:
    """The level a change reached, written right after it with no level before
    it in the sentence: "城镇居民人均可支配收入增长4.9%、达到41267元"."""
    pat = rules.context.level_after_change_re
    last = found.all[-1]
    if pat is None or last.measure == "level" or last.indicator == "other" or last.span[0] < sentence_start \
            or last.quantity_span is None:
        return None
    rule = rules.indicators.by_id.get(last.indicator)
    if rule is None or q.unit_class not in rule.unit_classes:
        return None
    return last if pat.fullmatch(text, last.quantity_span[1], q.span[0]) else None


def _sub_aggregate(text: str, clause_start: int, q: Quantity, cue: _Cue, measure: str, rules: Rules) -> bool:
    """A figure after 其中 whose cue word has a qualifier of its own before it
    (其中能源工业增加值增长5.2%, 其中民营企业进出口…) is a branch of an economic
    total, not the total: a change or an amount (a count's part, 其中食品安全
    案件412件, is still of the count's id)."""
    if cue.end > q.span[0] or not (measure != "level" or q.unit_class == "money"):
        return False
    last = None
    for last in rules.context.partitive_re.finditer(text, clause_start, cue.start):
        pass
    if last is None:
        return False
    between = text[last.end():cue.start]
    return len(_HAN_RE.findall(between)) >= 2 and not any(c in _CLAUSE_START + "、" for c in between)


def _names_own(text: str, win_start: int, q: Quantity, rules: Rules) -> bool:
    """Whether the words of a number's own window name a thing of their own:
    more Han characters than grammar.inherit_max_chars, once change words
    (同比增长, 年均增长) are left out. 撤销1件 and 审结2.12万件 do not; a part
    of a total is named by a short verb."""
    limit = rules.context.inherit_max_chars
    if limit is None:
        return False
    own = _own_words(text, win_start, q, rules)
    if _own_measure(own, rules):
        return True  # 肉类总产量4.2万吨: however short, a measure of its own
    return len(_HAN.findall(own)) > limit


def _own_words(text: str, win_start: int, q: Quantity, rules: Rules) -> str:
    """The words of a number's own window, its change words (同比增长, 年均) left out."""
    own = text[win_start:q.span[0]]
    ctx = rules.context
    for pat in (ctx.change_re, ctx.increase_re, ctx.decrease_re, ctx.change_qualifiers_re):
        if pat is not None:
            own = pat.sub("", own)
    return own


def _own_measure(own: str, rules: Rules) -> bool:
    """Whether a number's own words end in a measure of its own (context.yaml
    own_measures): 肉类总产量 (4.2万吨), 其中出口 (258亿元, 增长10.8%)."""
    pat = rules.context.own_measures_re
    return pat is not None and pat.search(own.strip("，,、；; ")) is not None


def _paired(text: str, s_start: int, respectively, rules: Rules, q: Quantity | None = None,
            measure: str = "level", stops: "_Spans | None" = None):
    """(rule, cue, how) of a number listed after 分别 whose noun names one
    indicator per number (indicators.yaml, paired_cues), or that follows as
    many cue words listed one after the other right before 分别 (规模以上工业
    增加值、固定资产投资分别增长6.5%和7.2%: the k-th number is the k-th
    word's), else None."""
    if respectively is None:
        return None
    k, n, at = respectively
    w_start = max(s_start, at - 40)
    window = text[w_start:at]
    for pat, ids in rules.indicators.paired_cues:
        for m in pat.finditer(window):
            if _list_ends_at(text, w_start + m.end(), at) and len(ids) == n:
                start = w_start + m.start()
                cue = _Cue(start, start + len(m.group()), m.group(), (ids[k],))
                return rules.indicators.by_id[ids[k]], cue, "paired-cue"
    if q is None:
        return None
    listed = _listed_cues(text, max(s_start, at - 80), at, rules, stops)
    if not listed:
        # 临泽县、高台县规模以上工业增加值分别增长14.2%和12.6%: one measure of as
        # many subjects as numbers
        cue = _cue_of_listed_subjects(text, max(s_start, at - 80), at, n, rules, stops)
        # (with the sentence before the number, for the rule's not_with words: 监督抽检合格率
        # 分别为… is no exam's)
        rule = _accepting(cue, q, measure, rules.indicators, text[s_start:q.span[0]]) if cue is not None else None
        return (rule, cue, "listed-subjects") if rule is not None else None
    if len(listed) != n or len({c.ids for c in listed}) != n:
        return None
    if not listed[k].ids:
        return UNNAMED
    rule = _accepting(listed[k], q, measure, rules.indicators, text[s_start:q.span[0]])
    return (rule, listed[k], "listed-cue") if rule is not None else None


UNNAMED = object()  # _paired, _choose: the number's own noun names no indicator
UNNAMED_HEAD = object()  # _choose: …and it stands right before the number, even after 其中


# after the list, before 分别: a few words (较上年, 同口径) or a 分别 clause of
# its own ("…分别达到37600元、15960元，分别增长5.8%、8.0%")
_BEFORE_RESPECTIVELY = regex.compile(r"[^，,；;。、]{0,4}|[^，,；;。]{0,4}分别[^；;。！？!?]{0,60}?[，,][^，,；;。、]{0,4}")


_NOUN_RE = regex.compile(r"\p{Han}{2,10}")  # a noun that names no indicator, as a list's first
_CLAUSE_START = "，,；;。：:\n"


def _list_ends_at(text: str, end: int, at: int) -> bool:
    """Whether a list that ends at text[end] is what 分别 (at text[at]) refers to."""
    return _BEFORE_RESPECTIVELY.fullmatch(text, end, at) is not None


def _unnamed_first(text: str, lo: int, end: int, connector: regex.Pattern) -> _Cue | None:
    """A noun of 2 to 10 Han characters that opens its clause and is joined to
    the list's first cue (at `end`) by a connector (context.yaml, connectors):
    "财政总收入和一般公共预算收入分别…"; looked for no further back than `lo`."""
    cut = max(text.rfind(c, lo, end) for c in _CLAUSE_START)
    if cut >= 0:
        head = cut + 1
    elif lo == 0 or text[lo - 1] in _CLAUSE_START:
        head = lo  # the window opens its clause (a sentence's start)
    else:
        return None  # the clause starts before the window
    for j in range(head + 2, min(head + 10, end) + 1):
        if connector.fullmatch(text, j, end) and _NOUN_RE.fullmatch(text, head, j):
            return _Cue(head, j, text[head:j], ())
    return None


def _listed_cues(text: str, start: int, at: int, rules: Rules, stops: "_Spans | None") -> list[_Cue]:
    """The cue words listed one right after the other, joined by a connector,
    that end just before 分别 (at `at`), in order; [] when there is no such list.
    A cue inside a longer one (工业增加值 in 规模以上工业增加值) is that one's."""
    cues = _cues(text, start, at, rules, stops)
    outer = [c for c in cues if not any(o is not c and o.start <= c.start and c.end <= o.end
                                        and (o.start, o.end) != (c.start, c.end) for o in cues)]
    if not outer or not _list_ends_at(text, outer[-1].end, at):
        return []
    connector = rules.context.connector_re  # 、 和 及 与 以及, as between the numbers
    chain = [outer[-1]]
    for cue in reversed(outer[:-1]):
        if not connector.fullmatch(text, cue.end, chain[0].start):
            break
        chain.insert(0, cue)
    # a first noun that names no indicator, from the clause's start:
    # "财政总收入和一般公共预算收入分别增长4%和3%" (its number is no revenue)
    unnamed = _unnamed_first(text, max(start, chain[0].start - 16), chain[0].start, connector)
    if unnamed is not None:
        chain.insert(0, unnamed)
    return chain if len(chain) > 1 else []


def _cue_of_listed_subjects(text: str, start: int, at: int, n: int, rules: Rules,
                            stops: "_Spans | None") -> _Cue | None:
    """The one cue word right before 分别 (at `at`) when its clause names, before
    it, a list of exactly `n` subjects (临泽县、高台县…): each number is the
    cue's measure of one of them."""
    cues = _cues(text, start, at, rules, stops)
    if not cues:
        return None
    last = cues[-1]
    cue = min((c for c in cues if c.start <= last.start and c.end >= last.end), key=lambda c: c.start)
    if not _list_ends_at(text, cue.end, at):
        return None
    head = max(text.rfind(ch, start, cue.start) for ch in _CLAUSE_START) + 1
    head = max(head, start)
    names = _SUBJECTS_SPLIT.split(text[head:cue.start])
    if len(names) != n or not all(_NOUN_RE.fullmatch(nm) for nm in names):
        return None
    if any(_cues(text, head, cue.start, rules, stops)):
        return None  # a subject that is itself a cue word is a list of measures, not of subjects
    return cue


_SUBJECTS_SPLIT = regex.compile(r"[、和及与]")


def _span_with_cue(text: str, q: Quantity, cue: _Cue) -> tuple[int, int]:
    """The quantity with its cue when they stand together ("出庭应诉3次")."""
    if cue.end <= q.span[0]:
        gap = text[cue.end:q.span[0]]
        # not over another figure: "…分别增长6.5%和7.2%" gives 7.2% alone
        if len(gap) <= 12 and _AFTER_STOP.search(gap) is None and not _DIGIT_RE.search(gap):
            return (cue.start, q.span[1])
    elif cue.start >= q.span[1]:
        gap = text[q.span[1]:cue.start]
        if len(gap) <= 12 and _AFTER_STOP.search(gap) is None:
            return (q.span[0], cue.end)
    return q.span


def _in_book(text: str, at: int, start: int, rules: Rules) -> bool:
    """Whether offset `at` is inside a 《…》 opened after `start` (a document's title)."""
    opened = text.rfind(rules.stop.book_marks[0], start, at)
    return opened >= 0 and text.find(rules.stop.book_marks[1], opened, at) < 0


def _with_change_word(text: str, span: tuple[int, int], clause_start: int, rules: Rules) -> tuple[int, int]:
    """A change's span from the change word right before its number, which its
    sign comes from: "分别增加26件、减少6件" keeps 减少 with the −6."""
    ctx = rules.context
    lo = max(clause_start, span[0] - 4)
    for pat in (ctx.decrease_re, ctx.increase_re):
        for m in pat.finditer(text, lo, span[0]):
            if m.end() == span[0]:
                return (m.start(), span[1])
    return span


def _label(text: str, q: Quantity, win_start: int, after_end: int, rules: Rules) -> tuple[str, tuple[int, int]]:
    """For `other`: the noun phrase before the number (学习重点内容18项), or the
    noun after a nominal measure word (15家重点责任单位)."""
    irules = rules.indicators
    if q.unit in irules.nominal_units and after_end > q.span[1]:
        noun = _noun_after(text[q.span[1]:after_end], irules)
        if noun:  # 组建6个工作专班 → 工作专班; 860个服务事项 → 服务事项
            return noun, (q.span[0], q.span[1] + len(noun))
    start = win_start
    while start < q.span[0] and text[start] in _LIST_SEPARATORS:
        start += 1  # "…听证会1场、专家论证会2次": the label starts after the 、
    base = start
    before = text[base:q.span[0]]
    for word in irules.label_cut_after:
        i = before.rfind(word)
        if i >= 0 and i + len(word) < len(before):
            start = max(start, base + i + len(word))
    phrase = text[start:q.span[0]]
    phrase = _without_count_word(phrase, irules, keep_some=True)
    phrase = phrase.strip("“”\"'《》（）() ")
    if len(phrase) > irules.label_max_chars:
        phrase = phrase[-irules.label_max_chars:]
    if len(phrase) >= 2:
        span_start = q.span[0] - len(text[start:q.span[0]])
        return phrase, (span_start, q.span[1])
    return q.unit, q.span


def _noun_after(after: str, irules) -> str | None:
    """The noun a nominal measure word counts: the words after it up to 的, a
    punctuation mark or a stop word (12个社区全部完成… → 社区); None when too short."""
    cut = _NAME_END_RE.search(after)
    noun = after[: cut.start()] if cut else after
    for word in irules.label_after_stops:
        i = noun.find(word)
        if i >= 0:
            noun = noun[:i]
    noun = noun[: irules.label_max_chars]
    return noun if len(noun) >= 2 else None


# --- measure, actor -------------------------------------------------------------------

def _measure(text: str, win_start: int, q: Quantity, rules: Rules) -> tuple[str, Decimal, Decimal | None]:
    ctx = rules.context
    before = text[win_start:q.span[0]]
    change = ctx.change_re.search(before)
    is_points = q.unit == "pp"
    # 增长5.4%, 按可比价格计算增长4%: a direction word right before the number
    direct = ctx.direct_re.search(before) if change is None and ctx.direct_re is not None else None
    if change is None and not is_points and direct is None:
        return "level", q.value, q.value_high
    if change is not None:
        tail = before[change.end():]
    else:
        tail = direct.group() if direct is not None else before[-6:]
    dec = ctx.decrease_re.search(tail)
    inc = ctx.increase_re.search(tail)
    if change is not None and dec is None and inc is None:
        return "level", q.value, q.value_high  # 同比 without a direction: not a change
    # the last direction word wins; of two ending together the longer (负增长, not its 增长)
    sign = -1 if dec is not None and (inc is None or (dec.end(), -dec.start()) > (inc.end(), -inc.start())) else 1
    kind = "change_pct" if q.unit == "%" else "change_abs"
    value = q.value * sign
    high = q.value_high * sign if q.value_high is not None else None
    return kind, value, high


_OPENING = regex.compile(r"[\s，,；;：:]*(?:其中[，,]?)?")


def _clause_opening(text: str, start: int) -> int:
    """Where a clause's words begin: past punctuation, spaces and 其中."""
    return _OPENING.match(text, start).end()


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


# --- units and periods ----------------------------------------------------------------

def _converted(q: Quantity, conversions: dict[str, tuple[str, Decimal]]) -> Quantity:
    """840亿斤 → 42000000 吨: a measure word of units.yaml's `convert` in its class's base unit."""
    conv = conversions.get(q.unit)
    if conv is None:
        return q
    to, factor = conv

    def scale(v: Decimal | None) -> Decimal | None:
        if v is None:
            return None
        v = v * factor
        return v.quantize(Decimal(1)) if v == v.to_integral_value() else v.normalize()

    return replace(q, value=scale(q.value), value_high=scale(q.value_high), unit=to)


def _period_value(period: tuple[int, int] | None) -> int | str | None:
    if period is None:
        return None
    return period[0] if period[0] == period[1] else f"{period[0]}-{period[1]}"


def _state_period(period: tuple[int, int] | None, ident: str, measure: str, q: Quantity,
                  rules: Rules, text: str = "") -> tuple[int, int] | None:
    """A level in a unit of a state (context.yaml period.state_units: a rate), or
    one reached (period.reached: 突破, 提高到…), over a span of years is the level
    the span ends at (今后五年…研发经费投入强度达到3.5%, 全体居民人均可支配收入突破
    10万元: 2030; 五年来…由5.5万元提高到7.9万元: 2025), unless it is a ceiling,
    which holds all along (城镇调查失业率控制在5%以内); a sum over the span stays
    the span's (累计新增城镇就业24.6万人)."""
    if period is None or period[0] == period[1] or measure != "level" or ident in rules.context.target_ceilings:
        return period
    ctx = rules.context
    window = text[max(0, q.span[0] - 12):q.span[0]]
    if any(w in window for w in ctx.sum_words):
        return period  # 五年累计达到4380亿元: a sum over the span
    if q.unit in ctx.state_units or (ctx.reached_re is not None and ctx.reached_re.search(window)):
        return period[1], period[1]
    return period


class _Periods:
    """The years each figure is about (context.yaml, period).

    In order of precedence: the last period word or year of the figure's own
    sentence before it (2025年全省…, “十四五”时期年均增长…); the period set by
    the nearest heading or paragraph opening before it that names one ("——这五年，",
    "二、2026年工作安排"; a heading naming two periods, "2025年工作回顾和“十四五”…",
    sets none); else the year reviewed, or the year planned in a plans part.
    """

    def __init__(self, text: str, sections: tuple[Section, ...], rules: Rules,
                 year: int | None, year_planned: int | None) -> None:
        self.ctx = rules.context
        self.book_re = rules.stop.book_re
        self.book_mark = rules.stop.book_marks[0]
        self.text = text
        self.year = year
        self.year_planned = year_planned
        self.enabled = bool(self.ctx.period_words or self.ctx.year_re is not None or self.ctx.period_span_res)
        events: list[tuple[int, int, tuple[int, int] | None]] = []  # (offset, order, period)
        if self.enabled:
            max_title = rules.sections.max_title_chars
            for sec in sections:
                found = {p for _, p in self._cues(sec.title)}
                if found:
                    events.append((sec.span[0], 0, found.pop() if len(found) == 1 else None))
            pos = 0
            for line in text.split("\n"):
                period = self._paragraph(line, max_title)
                if period is not False:
                    events.append((pos, 1, period))
                pos += len(line) + 1
        events.sort(key=lambda e: (e[0], e[1]))
        self.offsets = [e[0] for e in events]
        self.events = [e[2] for e in events]

    def _resolve(self, word, first: int, last: int) -> tuple[int, int] | None:
        if word.since:
            return (word.first, self.year) if self.year is not None and self.year >= word.first else None
        if not word.relative:
            return (word.first, word.last)
        if self.year is None:
            return None
        return (self.year + word.first, self.year + word.last)

    def _cues(self, s: str, paragraph: bool = False) -> list[tuple[int, tuple[int, int]]]:
        """(offset, period) of every period word and year in `s`."""
        ctx = self.ctx
        out = []
        if self.book_mark in s:
            # a year inside 《…》 is part of a document's name (same length: offsets stay)
            s = self.book_re.sub(lambda m: " " * len(m.group()), s)
        words = ctx.period_words + (ctx.paragraph_period_words if paragraph else ())
        any_re = ctx.period_any_paragraph_re if paragraph else ctx.period_any_re
        if any_re is None or any_re.search(s) is None:
            words = ()
        for w in words:
            for m in w.pattern.finditer(s):
                p = self._resolve(w, w.first, w.last)
                if p is not None:
                    out.append((m.start(), p))
        if ctx.year_re is not None:
            for m in ctx.year_re.finditer(s):
                y = int(m.group("year"))
                out.append((m.start(), (y, y)))
        for rx in ctx.period_span_res:
            for m in rx.finditer(s):
                first, last = int(m.group("first")), int(m.group("last"))
                if first <= last:
                    out.append((m.start(), (first, last)))
        out.sort(key=lambda c: c[0])
        return out

    def _paragraph(self, line: str, max_title: int):
        """The period a paragraph opens with: a period, None (it names two: a
        heading of both), or False (it sets nothing)."""
        start = 0
        if self.ctx.paragraph_lead_re is not None:
            start = self.ctx.paragraph_lead_re.match(line).end()
        cues = self._cues(line[start:], paragraph=True)
        if not cues:
            return False
        if len(line) <= max_title and "。" not in line:
            found = {p for _, p in cues}  # a heading-like line: all it names
            return found.pop() if len(found) == 1 else None
        # “十四五”时期…: the opening quote of a name is no lead
        return cues[0][1] if cues[0][0] <= 1 else False

    def named(self, offset: int, sentence_start: int) -> bool:
        """Whether the figure's own sentence names its period before it."""
        return self.enabled and bool(self._cues(self.text[sentence_start:offset]))

    def at(self, offset: int, sentence_start: int, planned: bool, averaged: bool = False) -> tuple[int, int] | None:
        """`averaged`: a change averaged over years (年均增长) is over the last span
        its sentence names before it, past a deadline's year between (“十四五”期间，
        …，到2025年突破2200亿元；…收入年均增长6%: 2021-2025)."""
        if self.enabled:
            cues = self._cues(self.text[sentence_start:offset])
            if cues and self.ctx.deadline_words:
                # a deadline of an earlier ；-part (…到2030年突破1900亿元；…) is not this figure's
                part = max(self.text.rfind(c, sentence_start, offset) for c in "；;") - sentence_start
                cues = [(o, p) for o, p in cues if not (
                    o < part and p[0] == p[1] and self.text.endswith(self.ctx.deadline_words, 0, sentence_start + o))]
            if averaged:
                spans = [p for _, p in cues if p[0] != p[1]]
                if spans:
                    return spans[-1]
            if cues:
                return cues[-1][1]
            i = bisect.bisect_right(self.offsets, offset)
            if i > 0 and self.events[i - 1] is not None:
                return self.events[i - 1]
        y = self.year_planned if planned else self.year
        return (y, y) if y is not None else None
