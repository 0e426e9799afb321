"""Find a report's section tree and classify each section into a report part.

Levels (patterns in rules/sections.yaml): 1 一、/第一部分, 2 （一）, 3 1. 1、 （1）,
4 一是/二是 inline in a paragraph. A block-level marker counts only at a line
start, only when its number continues its level's sequence (1, or the last
number + 1), and only when it has a heading's shape: a short whole line, or a
run-in title ending at the first 。 ("1.加强组织领导。区委常委会……").
"""
from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass

import regex

from .records import Section
from .rules import Rules

# fixed patterns of the code (rule patterns live in rules/), compiled once
_SEMICOLON_RE = regex.compile(r"[；;]")
_HAN_RE = regex.compile(r"\p{Han}")
_NESTED_MARK_RE = regex.compile(r"[（(][一二三四五六七八九十]{1,3}[）)]")

log = logging.getLogger(__name__)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_TITLE_END = regex.compile(r"[。！？!?]")
_TRAILING = "，,；;：:、。.．"
_SENTENCE_MARKS = "。；;：:！!？?，,、"


def ordinal(num: str) -> int:
    """The value of a heading number: 十一 → 11, 二十三 → 23, 12 → 12, 其三 → 3."""
    num = num.removeprefix("其")
    if num.isdigit():
        return int(num)
    if "十" in num:
        tens, _, ones = num.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(num, 0)


@dataclass
class _Heading:
    level: int
    marker: str
    num: int
    title: str
    start: int  # offset of the marker
    heading_end: int
    part: str | None  # from its own title, if the title names a part
    # (level, which of its markers): each marker of a level counts on its own, so a
    # "（1）…（3）" list inside "1." does not break the run of "1.", "2." around it
    style: tuple[int, int] = (0, 0)


def find_sections(text: str, rules: Rules, tables: tuple[tuple[int, int], ...] = ()) -> tuple[Section, ...]:
    """The section tree; lines inside `tables` (spans of table rows) are
    never headings, whatever marker their row label starts with."""
    srules = rules.sections
    headings: list[_Heading] = []
    last_num: dict[tuple[int, int], int] = {}
    # The next expected inline number per level: kept across lines, since a
    # paragraph may break before "二是" (hard-wrapped text, web copies).
    inline_next: dict[int, int] = {}
    pos = 0
    lines = text.split("\n")
    # the table rows by start, with the furthest end so far: whether a line
    # starts in one is a bisection (a pass over every row for every line was
    # quadratic in a document of many tables)
    rows = sorted(tables)
    row_starts = [a for a, _ in rows]
    row_reach: list[int] = []
    for _, b in rows:
        row_reach.append(max(b, row_reach[-1]) if row_reach else b)
    for i, line in enumerate(lines):
        line_start = pos
        pos += len(line) + 1
        k = bisect.bisect_right(row_starts, line_start)  # the rows with a <= line_start
        if k and row_reach[k - 1] > line_start:
            continue
        heading = _block_heading(line, line_start, srules, last_num)
        if heading is None and srules.unmarked:
            heading = _unmarked_heading(line, line_start, lines, i, srules)
        body_from = 0
        if heading is not None:
            headings.append(heading)
            last_num[heading.style] = heading.num
            body_from = heading.heading_end - line_start
            # "一、主要举措和成效（一）加强党的领导……" — two headings on one line
            rest = line[body_from:]
            second = _block_heading(rest, heading.heading_end, srules, last_num, min_level=heading.level + 1)
            if second is not None:
                headings.append(second)
                last_num[second.style] = second.num
                body_from = second.heading_end - line_start
        if heading is not None:
            inline_next.clear()  # 一是/二是 count afresh under a new heading
        headings.extend(_inline_headings(line, line_start, body_from, srules, inline_next))
    return _tree(headings, len(text), srules)


def _unmarked_heading(line: str, offset: int, lines: list[str], i: int, srules) -> _Heading | None:
    """A heading written without a marker ("“十四五”时期发展成就和2025年工作回顾"):
    a line of its own, short, not ending a sentence, that the rules name, with
    a longer body line after it. A body sentence never qualifies: it ends in 。
    or runs longer than unmarked_max_chars."""
    title = line.strip()
    if not title or len(title) > srules.unmarked_max_chars or title[-1] in _SENTENCE_MARKS or "。" in title:
        return None
    # the next line with text, read in place (a copy of the rest of the lines
    # for each short line was quadratic in a text of many short lines)
    nxt = next((lines[j].strip() for j in range(i + 1, len(lines)) if lines[j].strip()), "")
    if len(nxt) <= len(title) and not nxt.endswith("。"):
        return None  # a list of short lines (a glossary, a byline), not a heading over its text
    for level, patterns in srules.unmarked:
        if any(p.search(title) for p in patterns):
            start = offset + line.index(title)
            return _Heading(level, "", 0, title, start, start + len(title), _part_of(title, srules))
    return None


def _block_heading(line: str, offset: int, srules, last_num: dict[tuple[int, int], int],
                   min_level: int = 1) -> _Heading | None:
    for lv in srules.levels:
        if lv.inline or lv.level < min_level:
            continue
        for k, pat in enumerate(lv.patterns):
            m = pat.match(line)
            if m is None:
                continue
            num = ordinal(m.group("num"))
            prev = last_num.get((lv.level, k))
            if not (num == 1 or prev is None or num == prev + 1):
                log.debug("not a heading (number %d after %s): %s", num, prev, line[:30])
                continue
            marker_end = m.end("marker") if "marker" in pat.groupindex else m.end()
            marker = line[m.start():marker_end]
            title, title_end = _title(line, marker_end, srules.max_title_chars)
            if title is None:
                continue
            return _Heading(lv.level, marker, num, title, offset + m.start(), offset + title_end,
                            _part_of(title, srules), (lv.level, k))
    return None


def _title(line: str, start: int, max_chars: int) -> tuple[str | None, int]:
    """A heading's title: the rest of a short line, or a run-in title up to 。."""
    rest = line[start:]
    m = _TITLE_END.search(rest)
    if m is not None and m.start() <= max_chars:
        title = rest[: m.start()]
        end = start + m.end()
    elif len(rest) <= max_chars:
        title, end = rest, len(line)
    else:
        # A run-in heading whose 。 was lost ("1.加强组织领导,坚持高位推动县政府
        # 高度重视…"): the number's sequence already vouches for it; the title
        # is cut at the first ； or at max_chars.
        semi = _SEMICOLON_RE.search(rest[:max_chars])
        cut = semi.start() if semi else max_chars
        title, end = rest[:cut], start + cut
    if title and not _HAN_RE.search(title):
        return None, start
    # A second heading run into the same line ends this title: "一、成效（一）…"
    nested = _NESTED_MARK_RE.search(title)
    if nested is not None and nested.start() > 0:
        title = title[: nested.start()]
        end = start + nested.start()
    title = title.strip().rstrip(_TRAILING)
    if not title:
        return None, start
    return title, end


def _inline_headings(line: str, offset: int, body_from: int, srules, inline_next: dict[int, int]) -> list[_Heading]:
    out: list[_Heading] = []
    for lv in srules.levels:
        if not lv.inline:
            continue
        expected = inline_next.get(lv.level, 1)
        for pat in lv.patterns:
            for m in pat.finditer(line, body_from):
                # Only at the start of a line or right after a sentence: "。二是".
                if m.start() > 0 and line[m.start() - 1] not in "。；;：:!！?？ ”":
                    continue
                num = ordinal(m.group("num"))
                if num != expected and num != 1:
                    continue
                expected = num + 1
                marker_end = m.end("marker") if "marker" in pat.groupindex else m.end()
                # searched in place: a slice of the rest of the line for each
                # 一是 made one long line of them quadratic
                end_m = _TITLE_END.search(line, marker_end)
                stop = (end_m.start() if end_m else len(line)) - marker_end
                title = line[marker_end:marker_end + min(stop, srules.max_title_chars)].rstrip(_TRAILING)
                title_end = end_m.end() if end_m else len(line)
                out.append(_Heading(lv.level, line[m.start():marker_end], num, title, offset + m.start(),
                                    offset + title_end, _part_of(title, srules)))
        inline_next[lv.level] = expected
    out.sort(key=lambda h: h.start)
    return out


def _part_of(title: str, srules) -> str | None:
    if srules.any_part_re is not None and srules.any_part_re.search(title) is None:
        return None
    for part, pat in srules.parts:
        if pat.search(title):
            return part
    return None


def _tree(headings: list[_Heading], text_len: int, srules) -> tuple[Section, ...]:
    headings.sort(key=lambda h: h.start)
    sections: list[Section] = []
    stack: list[tuple[_Heading, str, str]] = []  # (heading, id, part)
    counters: dict[str, int] = {}
    later_part_begun = False
    divider: str | None = None  # the part of the last unmarked top-level heading
    for i, h in enumerate(headings):
        while stack and stack[-1][0].level >= h.level:
            stack.pop()
        parent_id = stack[-1][1] if stack else ""
        counters[parent_id] = counters.get(parent_id, 0) + 1
        sid = f"{parent_id}.{counters[parent_id]}" if parent_id else str(counters[parent_id])
        if h.part is not None:
            part = h.part
        elif stack:
            part = stack[-1][2]
        elif divider is not None:
            # 一、二、… after an unmarked part heading ("…主要目标和2026年重点工作") belong to it
            part = divider
        else:
            # An unnamed top-level heading: reports give their results first,
            # so it is an achievement until a later part has begun.
            first, later = srules.unnamed_parts
            part = later if later_part_begun else first
        if not stack and part != srules.unnamed_parts[0]:
            later_part_begun = True
        if not stack and not h.marker:
            divider = part
        end = text_len
        for j in range(i + 1, len(headings)):  # (a slice here copied the rest for every heading)
            if headings[j].level <= h.level:
                end = headings[j].start
                break
        sections.append(Section(sid, h.level, h.marker, h.title, part, (h.start, end), (h.start, h.heading_end)))
        stack.append((h, sid, part))
    return tuple(sections)


class SectionIndex:
    """`section_at` for many offsets: a bisection and a walk up at most one
    chain of parents, instead of a pass over every section per offset.

    Sections nest (a deeper heading's section ends no later than its
    parent's) and a deeper one has a higher level, so the deepest section
    holding an offset is the last-starting one that holds it: the section
    started last before the offset, or one of its ancestors."""

    def __init__(self, sections: tuple[Section, ...]) -> None:
        self.sections = sorted(sections, key=lambda s: s.span[0])
        self.starts = [s.span[0] for s in self.sections]
        self.parent: list[int] = []
        stack: list[int] = []
        for i, s in enumerate(self.sections):
            while stack and not self.sections[stack[-1]].span[0] <= s.span[0] < self.sections[stack[-1]].span[1]:
                stack.pop()
            self.parent.append(stack[-1] if stack else -1)
            stack.append(i)

    def at(self, offset: int) -> Section | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        while i >= 0:
            s = self.sections[i]
            if s.span[0] <= offset < s.span[1]:
                return s
            i = self.parent[i]
        return None


def section_at(sections: tuple[Section, ...], offset: int) -> Section | None:
    """The deepest section whose span holds `offset`."""
    best = None
    for s in sections:
        if s.span[0] <= offset < s.span[1] and (best is None or s.level >= best.level):
            best = s
    return best
