"""Load, validate and compile the extraction rules in `rules/*.yaml`.

Rules are data: indicator cues, units, section-heading patterns, stop phrases
and metadata lexicons. Each file is checked against a small schema when it is
loaded; a problem raises `RulesError` naming the file, the rule and what is
wrong (E101), so a researcher editing a rule sees exactly where.

The bundled rules ship inside the wheel (`pipeline/rules/`) and are found with
`importlib.resources`; in a source checkout they are the top-level `rules/`.
`load_rules(dir)` caches per folder, so rules compile once per process.
"""
from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import regex
import yaml

from .errors import RulesError

log = logging.getLogger(__name__)

RULE_FILES = ("catalog.yaml", "units.yaml", "stopwords.yaml", "sections.yaml", "indicators.yaml",
              "context.yaml", "metadata.yaml", "audit.yaml")
UNIT_CLASSES = {"count", "people", "percent", "points", "money", "duration"}
PARTS = {"achievements", "shortcomings", "leadership_duties", "next_year_plans", "other"}


def default_rules_dir() -> Path:
    """The bundled rules: inside the installed package, else the checkout's rules/."""
    try:
        packaged = resources.files("pipeline") / "rules"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - odd loaders
        pass
    return Path(__file__).resolve().parent.parent / "rules"


# --- schema checking ---------------------------------------------------------------

class _Checker:
    """Collects the context (file, rule) for error messages."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, rule: str | None, problem: str) -> None:
        raise RulesError(self.file, rule, problem)

    def mapping(self, value: Any, rule: str | None, what: str) -> dict:
        if not isinstance(value, dict):
            self.fail(rule, f"{what} must be a mapping, got {type(value).__name__}")
        return value

    def strings(self, value: Any, rule: str | None, what: str, allow_empty: bool = False) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(rule, f"{what} must be a list of non-empty strings")
        if not value and not allow_empty:
            self.fail(rule, f"{what} must not be empty")
        return value

    def pattern(self, value: Any, rule: str | None, what: str) -> regex.Pattern:
        if not isinstance(value, str) or not value:
            self.fail(rule, f"{what} must be a non-empty regex string")
        try:
            return regex.compile(value)
        except regex.error as exc:
            self.fail(rule, f"{what} {value!r} is not a valid regex: {exc}")
        raise AssertionError  # unreachable

    def items(self, value: Any, rule: str | None, what: str) -> list:
        if not isinstance(value, list):
            self.fail(rule, f"{what} must be a list, got {type(value).__name__}")
        return value

    def integer(self, value: Any, rule: str | None, what: str, minimum: int = 0) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.fail(rule, f"{what} must be an integer of at least {minimum}, got {value!r}")
        return value

    def require(self, data: dict, key: str, rule: str | None) -> Any:
        if key not in data:
            self.fail(rule, f"missing required key {key!r}")
        return data[key]

    def known_keys(self, data: dict, allowed: set[str], rule: str | None) -> None:
        extra = sorted(set(data) - allowed)
        if extra:
            self.fail(rule, f"unknown key(s) {', '.join(map(repr, extra))}; allowed: {', '.join(sorted(allowed))}")


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise RulesError(str(path), None, "rules file is missing")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RulesError(str(path), None, f"not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise RulesError(str(path), None, "must be a YAML mapping at the top level")
    return data


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


@dataclass(frozen=True)
class IndicatorRule:
    id: str
    name: str  # the catalog's zh name
    unit_classes: frozenset[str]
    units: frozenset[str] | None
    cue_units: dict[str, frozenset[str]]
    not_with: tuple[str, ...] = ()  # words earlier in the sentence that show the number is about something else


@dataclass(frozen=True)
class IndicatorRules:
    by_id: dict[str, IndicatorRule]
    literal_re: regex.Pattern  # every literal cue, longest first
    any_pattern_re: regex.Pattern  # all cue patterns as one: a cheap test that a window holds any
    patterns: tuple[regex.Pattern, ...]  # the distinct cue patterns, each searched on its own
    cue_ids: dict[str, tuple[str, ...]]  # literal cue -> indicator ids
    pattern_ids: tuple[tuple[regex.Pattern, str], ...]
    nominal_units: frozenset[str]
    weak_cues: frozenset[str]
    label_max_chars: int
    label_cut_after: tuple[str, ...]
    label_trim_suffixes: tuple[str, ...]
    domain_terms: tuple[str, ...]  # for jieba's user dictionary


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


@dataclass(frozen=True)
class StopRules:
    stop_re: regex.Pattern | None
    quoted_max: int
    quote_pairs: tuple[tuple[str, str], ...]
    book_marks: tuple[str, str]
    book_re: regex.Pattern  # 《…》: a document's name
    quoted_re: regex.Pattern  # a short quotation: “两张清单”


@dataclass(frozen=True)
class MetadataRules:
    title_keywords: tuple[str, ...]
    title_endings: tuple[str, ...]
    issuer_stops: tuple[str, ...]
    chrome_prefixes: tuple[str, ...]
    report_types: dict[str, tuple[str, ...]]
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
class Rules:
    directory: str
    version: str  # a hash of the rule files: outputs record it, reruns compare it
    catalog: dict[str, dict]
    units: dict[str, str]  # measure word -> unit class
    not_before: tuple[str, ...]
    stop: StopRules
    sections: SectionRules
    indicators: IndicatorRules
    context: ContextRules
    metadata: MetadataRules
    audit: AuditRules


def load_rules(directory: str | Path | None = None) -> Rules:
    """Load and validate every rules file of `directory` (default: bundled)."""
    path = Path(directory) if directory is not None else default_rules_dir()
    return _load_rules_cached(str(path.resolve()), _fingerprint(path))


def _fingerprint(base: Path) -> tuple:
    """Sizes and times of the rule files: an edited file is loaded afresh,
    an unchanged folder comes from the cache (rules compile once per process)."""
    out = []
    for path in [base / name for name in RULE_FILES] + sorted(base.glob("divisions.*")):
        try:
            st = path.stat()
            out.append((path.name, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((path.name, None, None))
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _load_rules_cached(directory: str, fingerprint: tuple = ()) -> Rules:
    base = Path(directory)
    if not base.is_dir():
        raise RulesError(directory, None, "rules folder does not exist")
    raw = {name: _read_yaml(base / name) for name in RULE_FILES}
    digest = hashlib.sha256()
    # The division table is data the rules read too: a new table is a new version.
    for path in [base / name for name in RULE_FILES] + sorted(base.glob("divisions.*")):
        digest.update(path.read_bytes())
    catalog = _catalog(raw["catalog.yaml"], str(base / "catalog.yaml"))
    units, not_before = _units(raw["units.yaml"], str(base / "units.yaml"))
    rules = Rules(
        directory=directory,
        version=digest.hexdigest()[:12],
        catalog=catalog,
        units=units,
        not_before=not_before,
        stop=_stopwords(raw["stopwords.yaml"], str(base / "stopwords.yaml")),
        sections=_sections(raw["sections.yaml"], str(base / "sections.yaml")),
        indicators=_indicators(raw["indicators.yaml"], str(base / "indicators.yaml"), catalog, units),
        context=_context(raw["context.yaml"], str(base / "context.yaml")),
        metadata=_metadata(raw["metadata.yaml"], str(base / "metadata.yaml")),
        audit=_audit(raw["audit.yaml"], str(base / "audit.yaml"), catalog, units),
    )
    log.debug("loaded rules from %s (version %s)", directory, rules.version)
    return rules


def _catalog(data: dict, file: str) -> dict[str, dict]:
    c = _Checker(file)
    items = c.require(data, "indicators", None)
    if not isinstance(items, list):
        c.fail(None, "'indicators' must be a list")
    out: dict[str, dict] = {}
    for i, item in enumerate(items):
        item = c.mapping(item, f"#{i}", "an indicator")
        ident = c.require(item, "id", f"#{i}")
        if ident in out:
            c.fail(ident, "duplicate id")
        out[ident] = item
    if "other" not in out:
        c.fail(None, "the catalog must define 'other'")
    return out


def _units(data: dict, file: str) -> tuple[dict[str, str], tuple[str, ...]]:
    c = _Checker(file)
    c.known_keys(data, {"version", "units", "not_before"}, None)
    classes = c.mapping(c.require(data, "units", None), "units", "'units'")
    units: dict[str, str] = {}
    for cls, words in classes.items():
        if cls not in UNIT_CLASSES - {"percent", "points"}:
            c.fail(cls, "unknown unit class; expected one of count, people, money, duration")
        for word in c.strings(words, cls, "the measure words"):
            if word in units:
                c.fail(cls, f"measure word {word!r} is already in class {units[word]!r}")
            units[word] = cls
    not_before = tuple(c.strings(data.get("not_before", []), "not_before", "not_before", allow_empty=True))
    return units, not_before


def _stopwords(data: dict, file: str) -> StopRules:
    c = _Checker(file)
    c.known_keys(data, {"version", "phrases", "patterns", "quoted_slogan_max_chars", "book_title_marks",
                        "quote_marks"}, None)
    alts = [regex.escape(p) for p in c.strings(data.get("phrases", []), "phrases", "phrases", allow_empty=True)]
    for i, p in enumerate(data.get("patterns", []) or []):
        alts.append(c.pattern(p, f"patterns[{i}]", "pattern").pattern)
    quoted = data.get("quoted_slogan_max_chars", 10)
    if not isinstance(quoted, int) or quoted < 0:
        c.fail("quoted_slogan_max_chars", "must be a non-negative integer")
    pairs = []
    for i, pair in enumerate(data.get("quote_marks", []) or []):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) and len(x) == 1 for x in pair)):
            c.fail(f"quote_marks[{i}]", "each entry must be a pair of single characters")
        pairs.append((pair[0], pair[1]))
    book = data.get("book_title_marks", ["《", "》"])
    if not (isinstance(book, list) and len(book) == 2):
        c.fail("book_title_marks", "must be a pair of characters")
    # Longest first so that 一规划、两纲要 wins over a shorter phrase inside it.
    alts.sort(key=len, reverse=True)
    stop_re = regex.compile("|".join(alts)) if alts else None
    open_b, close_b = regex.escape(book[0]), regex.escape(book[1])
    book_re = regex.compile(f"{open_b}[^{close_b}\\n]{{1,80}}{close_b}")
    quoted_alts = [f"{regex.escape(a)}[^{regex.escape(b)}\\n]{{1,{quoted}}}{regex.escape(b)}" for a, b in pairs]
    quoted_re = regex.compile("|".join(quoted_alts) if quoted_alts else "(?!)")
    return StopRules(stop_re, quoted, tuple(pairs), (book[0], book[1]), book_re, quoted_re)


def _sections(data: dict, file: str) -> SectionRules:
    c = _Checker(file)
    c.known_keys(data, {"version", "max_title_chars", "levels", "parts"}, None)
    levels = []
    block_patterns = []
    for i, item in enumerate(c.items(c.require(data, "levels", None), None, "'levels'")):
        rule = f"levels[{i}]"
        item = c.mapping(item, rule, "a level")
        c.known_keys(item, {"level", "markers", "inline"}, rule)
        level = c.require(item, "level", rule)
        if level not in (1, 2, 3, 4):
            c.fail(rule, "level must be 1, 2, 3 or 4")
        pats = []
        for j, p in enumerate(c.strings(c.require(item, "markers", rule), rule, "markers")):
            pat = c.pattern(p, f"{rule}.markers[{j}]", "marker")
            if "num" not in pat.groupindex:
                c.fail(f"{rule}.markers[{j}]", "a marker pattern must name a group 'num'")
            pats.append(pat)
        inline = bool(item.get("inline", False))
        levels.append(SectionLevel(level, tuple(pats), inline))
        if not inline:
            block_patterns.extend(p.pattern for p in pats)
    parts = []
    for i, item in enumerate(c.items(c.require(data, "parts", None), "parts", "'parts'")):
        rule = f"parts[{i}]"
        item = c.mapping(item, rule, "a part")
        part = c.require(item, "part", rule)
        if part not in PARTS:
            c.fail(rule, f"unknown part {part!r}; expected one of {', '.join(sorted(PARTS))}")
        for j, p in enumerate(c.strings(c.require(item, "patterns", rule), f"{rule} ({part})", "patterns")):
            parts.append((part, c.pattern(p, f"{rule}.patterns[{j}]", "pattern")))
    max_title = data.get("max_title_chars", 60)
    if not isinstance(max_title, int) or max_title < 5:
        c.fail("max_title_chars", "must be an integer of at least 5")
    # Inline enumerators (一是) also stop a line from being joined to the previous one.
    starters = block_patterns + [p.pattern for lv in levels if lv.inline for p in lv.patterns]
    line_start = regex.compile("(?:" + ")|(?:".join(_strip_names(p) for p in starters) + ")")
    return SectionRules(tuple(sorted(levels, key=lambda lv: lv.level)), max_title, tuple(parts), line_start)


def _strip_names(pattern: str) -> str:
    """Drop group names so several marker patterns can share one regex."""
    return regex.sub(r"\(\?P<[A-Za-z_]\w*>", "(?:", pattern)


def _indicators(data: dict, file: str, catalog: dict[str, dict], units: dict[str, str]) -> IndicatorRules:
    c = _Checker(file)
    c.known_keys(data, {"version", "indicators", "nominal_units", "weak_cues", "label"}, None)
    by_id: dict[str, IndicatorRule] = {}
    cue_ids: dict[str, list[str]] = {}
    pattern_ids: list[tuple[regex.Pattern, str]] = []
    all_units = set(units) | {"%", "pp"}
    for i, item in enumerate(c.items(c.require(data, "indicators", None), None, "'indicators'")):
        item = c.mapping(item, f"indicators[{i}]", "an indicator rule")
        ident = c.require(item, "id", f"indicators[{i}]")
        rule = str(ident)
        c.known_keys(item, {"id", "unit_classes", "units", "cues", "patterns", "cue_units", "not_with"}, rule)
        if ident not in catalog or ident == "other":
            c.fail(rule, "id is not an indicator of the catalog (catalog.yaml)")
        if ident in by_id:
            c.fail(rule, "duplicate rule for this id")
        classes = c.strings(c.require(item, "unit_classes", rule), rule, "unit_classes")
        for cls in classes:
            if cls not in UNIT_CLASSES:
                c.fail(rule, f"unknown unit class {cls!r}")
        only = item.get("units")
        if only is not None:
            for u in c.strings(only, rule, "units"):
                if u not in all_units:
                    c.fail(rule, f"unit {u!r} is not a measure word of units.yaml")
        cues = c.strings(c.require(item, "cues", rule), rule, "cues")
        cue_units = {}
        for cue, us in (c.mapping(item.get("cue_units", {}) or {}, rule, "cue_units")).items():
            if cue not in cues:
                c.fail(rule, f"cue_units names {cue!r}, which is not one of its cues")
            for u in c.strings(us, rule, f"cue_units[{cue}]"):
                if u not in all_units:
                    c.fail(rule, f"cue_units[{cue}]: unit {u!r} is not a measure word of units.yaml")
            cue_units[cue] = frozenset(us)
        for cue in cues:
            ids = cue_ids.setdefault(cue, [])
            if ident in ids:
                c.fail(rule, f"cue {cue!r} is listed twice")
            ids.append(ident)
        for j, p in enumerate(item.get("patterns", []) or []):
            pattern_ids.append((c.pattern(p, f"{rule}.patterns[{j}]", "pattern"), ident))
        not_with = tuple(c.strings(item.get("not_with", []), rule, "not_with", allow_empty=True))
        by_id[ident] = IndicatorRule(ident, str(catalog[ident].get("zh", ident)), frozenset(classes),
                                     frozenset(only) if only else None, cue_units, not_with)
    label = c.mapping(data.get("label", {}) or {}, "label", "label")
    nominal = c.strings(data.get("nominal_units", []), "nominal_units", "nominal_units", allow_empty=True)
    weak = c.strings(data.get("weak_cues", []), "weak_cues", "weak_cues", allow_empty=True)
    for w in weak:
        if w not in cue_ids:
            c.fail("weak_cues", f"{w!r} is not a cue of any indicator")
    literals = sorted(cue_ids, key=len, reverse=True)
    patterns = tuple({p.pattern: p for p, _ in pattern_ids}.values())
    return IndicatorRules(
        by_id=by_id,
        literal_re=regex.compile("|".join(regex.escape(x) for x in literals) or "(?!)"),
        any_pattern_re=regex.compile("|".join(f"(?:{p.pattern})" for p in patterns) or "(?!)"),
        patterns=patterns,
        cue_ids={k: tuple(v) for k, v in cue_ids.items()},
        pattern_ids=tuple(pattern_ids),
        nominal_units=frozenset(nominal),
        weak_cues=frozenset(weak),
        label_max_chars=c.integer(label.get("max_chars", 12), "label", "max_chars", minimum=1),
        label_cut_after=tuple(c.strings(label.get("cut_after", []), "label", "cut_after", allow_empty=True)),
        label_trim_suffixes=tuple(sorted(c.strings(label.get("trim_suffixes", []), "label", "trim_suffixes",
                                                   allow_empty=True), key=len, reverse=True)),
        domain_terms=tuple(literals),
    )


def _context(data: dict, file: str) -> ContextRules:
    c = _Checker(file)
    c.known_keys(data, {"version", "modality", "measure", "actor", "grammar"}, None)
    modality = c.mapping(c.require(data, "modality", None), "modality", "'modality'")
    measure = c.mapping(c.require(data, "measure", None), "measure", "'measure'")
    actor = c.mapping(c.require(data, "actor", None), "actor", "'actor'")

    def alt(values: list[str], rule: str) -> regex.Pattern:
        for j, v in enumerate(values):
            c.pattern(v, f"{rule}[{j}]", "pattern")
        return regex.compile("|".join(f"(?:{v})" for v in values))

    actor_res = []
    for j, p in enumerate(c.strings(c.require(actor, "patterns", "actor"), "actor", "patterns")):
        pat = c.pattern(p, f"actor.patterns[{j}]", "pattern")
        if "actor" not in pat.groupindex:
            c.fail(f"actor.patterns[{j}]", "an actor pattern must name a group 'actor'")
        actor_res.append(pat)
    return ContextRules(
        planned_re=alt(c.strings(c.require(modality, "planned", "modality"), "modality", "planned"), "modality.planned"),
        change_re=alt(c.strings(c.require(measure, "change", "measure"), "measure", "change"), "measure.change"),
        increase_re=alt(c.strings(c.require(measure, "increase", "measure"), "measure", "increase"), "measure.increase"),
        decrease_re=alt(c.strings(c.require(measure, "decrease", "measure"), "measure", "decrease"), "measure.decrease"),
        actor_res=tuple(actor_res),
        **_grammar(c, c.mapping(c.require(data, "grammar", None), "grammar", "'grammar'")),
    )


def _grammar(c: _Checker, grammar: dict) -> dict:
    """The few function words the indicator stage reads (context.yaml, grammar)."""
    c.known_keys(grammar, {"partitive", "partitive_nouns", "connectors", "respectively", "ratio_words"},
                 "grammar")
    words = {k: c.strings(c.require(grammar, k, "grammar"), "grammar", k) for k in
             ("partitive", "partitive_nouns", "connectors", "respectively", "ratio_words")}

    def alt(values: list[str]) -> str:
        return "|".join(regex.escape(v) for v in sorted(values, key=len, reverse=True))

    return {
        "partitive_re": regex.compile(alt(words["partitive"])),
        # "其中，…" or "<up to 12 characters><a counted noun>中，…" at a sentence start
        "partitive_opener_re": regex.compile(
            rf"\s*(?:{alt(words['partitive'])}|[^,，;；。！？!?\n]{{0,12}}?(?:{alt(words['partitive_nouns'])})中[,，])"),
        "connector_re": regex.compile(rf"\s*(?:{alt(words['connectors'])})\s*"),
        "respectively": tuple(words["respectively"]),
        "ratio_re": regex.compile(alt(words["ratio_words"])),
    }


def _metadata(data: dict, file: str) -> MetadataRules:
    c = _Checker(file)
    keys = {"version", "title_keywords", "title_endings", "issuer_stops", "chrome_prefixes", "report_types", "provinces", "region_suffixes",
            "not_regions", "agency_suffixes", "agency_expansions", "self_references", "levels",
            "government_names", "level_words", "not_level_words", "government_suffixes", "previous_year_words",
            "published_prefixes"}
    c.known_keys(data, keys, None)
    for key in keys - {"version"}:
        c.require(data, key, None)
    report_types = {k: tuple(c.strings(v, f"report_types.{k}", "keywords"))
                    for k, v in c.mapping(data["report_types"], "report_types", "'report_types'").items()}
    expansions = c.mapping(data["agency_expansions"], "agency_expansions", "'agency_expansions'")
    levels = c.mapping(data["levels"], "levels", "'levels'")
    for short, full in expansions.items():
        if not (isinstance(short, str) and short and isinstance(full, str) and full):
            c.fail(f"agency_expansions.{short}", "short form and expansion must be non-empty strings")
    for suffix, level in levels.items():
        if level not in ("province", "city", "district", "county", "township"):
            c.fail(f"levels.{suffix}", f"unknown level {level!r}; expected province, city, district, county or township")
    return MetadataRules(
        title_keywords=tuple(c.strings(data["title_keywords"], "title_keywords", "title_keywords")),
        title_endings=tuple(c.strings(data["title_endings"], "title_endings", "title_endings")),
        issuer_stops=tuple(c.strings(data["issuer_stops"], "issuer_stops", "issuer_stops")),
        chrome_prefixes=tuple(c.strings(data["chrome_prefixes"], "chrome_prefixes", "chrome_prefixes")),
        report_types=report_types,
        provinces=tuple(c.strings(data["provinces"], "provinces", "provinces")),
        region_suffixes=tuple(sorted(c.strings(data["region_suffixes"], "region_suffixes", "region_suffixes"),
                                     key=len, reverse=True)),
        not_regions=frozenset(c.strings(data["not_regions"], "not_regions", "not_regions")),
        agency_suffixes=tuple(sorted(c.strings(data["agency_suffixes"], "agency_suffixes", "agency_suffixes"),
                                     key=len, reverse=True)),
        agency_expansions={str(k): str(v) for k, v in expansions.items()},
        self_references=tuple(c.strings(data["self_references"], "self_references", "self_references")),
        levels={str(k): str(v) for k, v in levels.items()},
        government_names={str(k): str(v) for k, v in
                          c.mapping(data["government_names"], "government_names", "'government_names'").items()},
        level_words=tuple(sorted(c.strings(data["level_words"], "level_words", "level_words"), key=len, reverse=True)),
        not_level_words=tuple(c.strings(data["not_level_words"], "not_level_words", "not_level_words",
                                        allow_empty=True)),
        government_suffixes=tuple(c.strings(data["government_suffixes"], "government_suffixes",
                                            "government_suffixes")),
        previous_year_words=tuple(c.strings(data["previous_year_words"], "previous_year_words",
                                            "previous_year_words", allow_empty=True)),
        published_prefixes=tuple(c.strings(data["published_prefixes"], "published_prefixes", "published_prefixes",
                                           allow_empty=True)),
    )


SEVERITIES = ("error", "warning", "info")


def _audit(data: dict, file: str, catalog: dict[str, dict], units: dict[str, str]) -> AuditRules:
    c = _Checker(file)
    c.known_keys(data, {"version", "roles", "parts", "rates", "tolerance", "impossible", "subsets", "repeats",
                        "cross"}, None)
    role_of: dict[str, str] = {}
    for role, words in c.mapping(c.require(data, "roles", None), "roles", "'roles'").items():
        if not isinstance(role, str) or not regex.fullmatch(r"[a-z_]+", role) or role == "none":
            c.fail(f"roles.{role}", "a role name must be lower-case letters and _ (and not 'none')")
        for w in c.strings(words, f"roles.{role}", "role words"):
            if w in role_of:
                c.fail(f"roles.{role}", f"word {w!r} is already a word of role {role_of[w]!r}")
            role_of[w] = role
    role_names = set(role_of.values()) | {"none"}
    all_units = set(units) | {"%", "pp"}

    def names(value: Any, rule: str, what: str, known: set[str], kind: str) -> frozenset[str]:
        got = c.strings(value, rule, what)
        for v in got:
            if v not in known:
                c.fail(rule, f"{what}: {v!r} is not {kind}")
        return frozenset(got)

    def severity(value: Any, rule: str) -> str:
        if value not in SEVERITIES:
            c.fail(rule, f"severity must be one of {', '.join(SEVERITIES)}, got {value!r}")
        return value

    def selector(value: Any, rule: str) -> AuditSelector:
        item = c.mapping(value, rule, "a selector")
        c.known_keys(item, {"indicators", "roles", "units", "sum"}, rule)
        if not item:
            c.fail(rule, "a selector needs at least one of indicators, roles, units")
        return AuditSelector(
            indicators=names(item["indicators"], rule, "indicators", set(catalog), "an id of catalog.yaml")
            if "indicators" in item else frozenset(),
            roles=names(item["roles"], rule, "roles", role_names, "a role of 'roles' (or none)")
            if "roles" in item else frozenset(),
            units=names(item["units"], rule, "units", all_units, "a measure word of units.yaml")
            if "units" in item else frozenset(),
            sum=bool(item.get("sum", False)),
        )

    parts = c.mapping(c.require(data, "parts", None), "parts", "'parts'")
    c.known_keys(parts, {"markers", "max_gap", "exhaustive_markers", "remainder_roles", "families",
                         "implicit_families"}, "parts")
    markers = c.strings(c.require(parts, "markers", "parts"), "parts", "markers")
    exhaustive = c.strings(parts.get("exhaustive_markers", []), "parts", "exhaustive_markers", allow_empty=True)
    for m in exhaustive:
        if m not in markers:
            c.fail("parts", f"exhaustive marker {m!r} is not one of the markers")
    families = {}
    for name, roles in c.mapping(c.require(parts, "families", "parts"), "parts.families", "families").items():
        families[str(name)] = names(roles, f"parts.families.{name}", "roles", role_names,
                                    "a role of 'roles' (or none)")
    implicit = names(parts["implicit_families"], "parts", "implicit_families", set(families),
                     "a family of parts.families") if parts.get("implicit_families") else frozenset()

    rates = []
    seen: set[str] = set()
    for i, item in enumerate(c.items(c.require(data, "rates", None), "rates", "'rates'")):
        item = c.mapping(item, f"rates[{i}]", "a rate")
        rule = str(item.get("id", f"rates[{i}]"))
        c.known_keys(item, {"id", "name", "rate", "numerator", "denominator", "same_indicator", "repeat_units",
                            "severity"}, rule)
        for key in ("id", "name", "rate", "numerator", "denominator"):
            c.require(item, key, rule)
        if rule in seen:
            c.fail(rule, "duplicate rate id")
        seen.add(rule)
        rate = c.mapping(item["rate"], rule, "rate")
        c.known_keys(rate, {"indicators", "words"}, f"{rule}.rate")
        if not rate:
            c.fail(rule, "rate needs indicators or words")
        rates.append(AuditRate(
            id=rule,
            name=str(item["name"]),
            indicators=names(rate["indicators"], f"{rule}.rate", "indicators", set(catalog), "an id of catalog.yaml")
            if "indicators" in rate else frozenset(),
            words=tuple(c.strings(rate.get("words", []), f"{rule}.rate", "words", allow_empty=True)),
            numerator=tuple(selector(s, f"{rule}.numerator[{j}]")
                            for j, s in enumerate(c.items(item["numerator"], rule, "numerator"))),
            denominator=tuple(selector(s, f"{rule}.denominator[{j}]")
                              for j, s in enumerate(c.items(item["denominator"], rule, "denominator"))),
            same_indicator=bool(item.get("same_indicator", False)),
            repeat_units=names(item["repeat_units"], rule, "repeat_units", all_units, "a measure word of units.yaml")
            if "repeat_units" in item else frozenset(),
            severity=severity(item.get("severity", "error"), rule),
        ))
        if not rates[-1].numerator or not rates[-1].denominator:
            c.fail(rule, "numerator and denominator need at least one selector")

    tol = c.mapping(c.require(data, "tolerance", None), "tolerance", "'tolerance'")

    def fraction(key: str) -> Decimal:
        value = c.require(tol, key, "tolerance")
        try:
            out = Decimal(str(value))
        except InvalidOperation:
            out = Decimal(-1)
        if isinstance(value, bool) or not out.is_finite() or out < 0:
            c.fail(f"tolerance.{key}", f"must be a non-negative number, got {value!r}")
        return out

    rounding, truncation = fraction("rounding"), fraction("truncation")
    if truncation < rounding:
        c.fail("tolerance.truncation", "must be at least tolerance.rounding")

    imp = c.mapping(c.require(data, "impossible", None), "impossible", "'impossible'")
    c.known_keys(imp, {"max_100_indicators", "max_100_words", "nonnegative_classes"}, "impossible")

    subsets = []
    seen = set()
    for i, item in enumerate(c.items(c.require(data, "subsets", None), "subsets", "'subsets'")):
        item = c.mapping(item, f"subsets[{i}]", "a subset rule")
        rule = str(item.get("id", f"subsets[{i}]"))
        c.known_keys(item, {"id", "subset", "superset", "same_indicator", "unless", "severity", "note"}, rule)
        if rule in seen:
            c.fail(rule, "duplicate subset id")
        seen.add(rule)
        subsets.append(AuditSubset(
            id=rule,
            subset=selector(c.require(item, "subset", rule), f"{rule}.subset"),
            superset=selector(c.require(item, "superset", rule), f"{rule}.superset"),
            same_indicator=bool(item.get("same_indicator", False)),
            unless=tuple(c.strings(item.get("unless", []), rule, "unless", allow_empty=True)),
            severity=severity(c.require(item, "severity", rule), rule),
            note=str(item["note"]) if item.get("note") else None,
        ))

    rep = c.mapping(data.get("repeats", {}) or {}, "repeats", "'repeats'")
    c.known_keys(rep, {"rules", "scope_words"}, "repeats")
    scope_words = sorted(c.strings(rep.get("scope_words", []), "repeats", "scope_words", allow_empty=True),
                         key=len, reverse=True)
    cross = c.mapping(data.get("cross", {}) or {}, "cross", "'cross'")
    c.known_keys(cross, {"exclude_indicators", "base_year", "yoy_severity", "conflict_severity"}, "cross")
    base_year = c.pattern(cross.get("base_year", r"(?:较|比)(?P<year>(?:19|20)\d\d)年"), "cross", "base_year")
    if "year" not in base_year.groupindex:
        c.fail("cross", "base_year must name a group 'year'")

    def longest_first(words: list[str]) -> regex.Pattern:
        return regex.compile("|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True)))

    return AuditRules(
        role_of=role_of,
        role_re=longest_first(list(role_of)) if role_of else regex.compile(r"(?!)"),
        part_marker_re=longest_first(markers),
        part_max_gap=c.integer(parts.get("max_gap", 2), "parts", "max_gap"),
        exhaustive_markers=frozenset(exhaustive),
        remainder_roles=names(parts["remainder_roles"], "parts", "remainder_roles", role_names, "a role of 'roles'")
        if parts.get("remainder_roles") else frozenset(),
        families=families,
        implicit_families=implicit,
        rates=tuple(rates),
        rounding=rounding,
        truncation=truncation,
        max_100_indicators=names(imp["max_100_indicators"], "impossible", "max_100_indicators", set(catalog),
                                 "an id of catalog.yaml") if imp.get("max_100_indicators") else frozenset(),
        max_100_words=tuple(c.strings(imp.get("max_100_words", []), "impossible", "max_100_words",
                                      allow_empty=True)),
        nonnegative_classes=names(imp["nonnegative_classes"], "impossible", "nonnegative_classes", UNIT_CLASSES,
                                  "a unit class") if imp.get("nonnegative_classes") else frozenset(),
        subsets=tuple(subsets),
        repeat_rules=frozenset(c.strings(rep.get("rules", []), "repeats", "rules", allow_empty=True)),
        scope_re=longest_first(scope_words) if scope_words else None,
        cross_exclude=names(cross["exclude_indicators"], "cross", "exclude_indicators", set(catalog),
                            "an id of catalog.yaml") if cross.get("exclude_indicators") else frozenset(),
        base_year_re=base_year,
        yoy_severity=severity(cross.get("yoy_severity", "warning"), "cross.yoy_severity"),
        conflict_severity=severity(cross.get("conflict_severity", "info"), "cross.conflict_severity"),
    )
