"""Read a report's title, year, region, agency and type.

The title names who reports and on which year: "南开区政府办公室2025年度法治
政府建设情况报告" → region 南开区, agency 南开区人民政府办公室, year 2025. When there
is no title (web copies often drop it), the first sentence's subject is used
("2020年，广州市深入践行…" → 广州市人民政府), and "我县"/"全省" are resolved
from the region names the text mentions. The region's code, full name and
level come from the dated division table (`regions.py`), for the year
reported on; when the table cannot tell which of several same-named regions
is meant, the code stays null and a warning says why.

The year is the year reported on, never the publication date: the title's
year, else the first year of the opening sentences; a title that says only
上一年度 takes the publication year minus one.
"""
from __future__ import annotations

import functools
import itertools
import logging
from collections import Counter

import regex

from .numbers import arabic_years
from .records import Meta
from .regions import DivisionTable, division_names_in, resolve_region
from .rules import MetadataRules, Rules

# fixed patterns of the code (rule patterns live in rules/), compiled once
_HEADING_MARK_RE = regex.compile(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]")
_NOT_HAN_RE = regex.compile(r"[^\p{Han}]")
_WS_RE = regex.compile(r"\s+")
_LEADING_YEAR_RE = regex.compile(r"^(?:19|20)\d\d年度?")
_UNDER_LEAD_RE = regex.compile(r"^(?:(?:19|20)\d\d年(?:度|以来)?[，,]?)?在[^，,。]{0,60}?下[，,]")
_CLAUSE_SPLIT_RE = regex.compile(r"[，,。；;、]")
_CLAUSE_LEAD_RE = regex.compile(r"^(?:(?:19|20)\d\d年(?:度|以来)?|在.{0,30}下)")

log = logging.getLogger(__name__)

_YEAR = regex.compile(r"(?<!\d)(20\d\d|19\d\d)(?:\s*年|(?=[\p{Han}，,]))")
# Years that are not the year reported on: a plan's period (2021—2025年) and
# anything inside a document's title (《…2025年工作要点》).
_NOT_THE_YEAR = regex.compile(r"《[^《》]*》|(?:19|20)\d\d\s*年?\s*[—–\-~～至到]\s*(?:19|20)\d\d\s*年?")
_DATE_LINE = regex.compile(r"\s*(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*")
_ANY_YEAR = regex.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_TERMINAL = "。；;：:"


def read_metadata(text: str, rules: Rules, publisher: str | None = None, published: str | None = None,
                  warnings: list[str] | None = None) -> Meta:
    """The report's metadata; warnings about it (an ambiguous region) are appended to `warnings`."""
    mrules = rules.metadata
    lines = text.split("\n")
    title_idx, title = _find_title(lines, mrules)
    body_lines = [ln for i, ln in enumerate(lines[:40]) if i != title_idx and not mrules.is_chrome(ln)]
    year = _report_year(title, body_lines, lines, published, mrules) or _heading_year(lines, mrules)
    report_type = detect_report_type(title or "\n".join(body_lines[:3]), text, mrules)
    # The issuer: the title's, else an issuer line's or the opening sentence's
    # subject; the first that makes a name by the agency grammar, else none.
    table = rules.divisions
    candidates = itertools.chain([_issuer(title, mrules, table)] if title else [],
                                 _subjects(body_lines, text, mrules, table),
                                 _signature(lines, mrules, table))
    region_parts, agency, kind, rejected = [], None, None, []
    for parts, rest, vertical in candidates:
        if not parts and not rest:
            continue
        if not parts:
            level = _level_word(rest, mrules)
            if level:
                # 区司法局, 区政府办公室: the district is the one the text names
                resolved, _ = _resolve_self(level, text, mrules, table)
                if not resolved:
                    rejected.append(f"{vertical}{rest} names its region by the level word {level} only, "
                                    f"and the text names no such region")
                    continue
                parts, rest = resolved, rest[len(level):]
        name, name_kind = _agency(parts, rest, mrules)
        if name is None:
            continue
        why = agency_problem(vertical + name, mrules)
        if why:
            rejected.append(f"{vertical + name!r} {why}")
            continue
        region_parts, agency, kind = parts, vertical + name, name_kind
        break
    delivered = mrules.delivered_re.search("\n".join(lines[:15])) if mrules.delivered_re is not None else None
    if agency is None and delivered is not None and delivered.groupdict().get("region"):
        # a speech to a people's congress names the region of the congress
        parts, _ = _split_regions(delivered.group("region"), mrules, table)
        name, name_kind = _agency(parts, "政府", mrules) if parts else (None, None)
        if name is not None and agency_problem(name, mrules) is None:
            region_parts, agency, kind = parts, name, name_kind
    region, warning = resolve_region(region_parts, text, year, levels=mrules.levels, table=table)
    notes = [warning] if warning else []
    if agency is None:
        notes.append("agency: none found" + (f" ({'; '.join(rejected)})" if rejected else
                                             " in the title, an issuer line or the opening sentences"))
    if year is None:
        notes.append("year: no year in the title, the opening sentences or the headings")
    for note in notes:
        log.debug("metadata: %s", note)
        if warnings is not None:
            warnings.append(note)
    year_planned = year + 1 if year is not None else None
    if report_type in mrules.title_year_planned and year is not None:
        # 2026年政府工作报告: delivered early in 2026, it reviews 2025
        year, year_planned = year - 1, year
    if delivered is not None:  # the day it was delivered is the day it was made public
        published = f"{delivered.group('y')}-{int(delivered.group('m')):02d}-{int(delivered.group('d')):02d}"
    return Meta(title=title, year=year, region=region, agency=agency, report_type=report_type,
                agency_kind=kind, publisher=publisher, published=published, year_planned=year_planned)


def detect_report_type(probe: str, text: str, mrules: MetadataRules) -> str | None:
    """The report type named by the title (or the opening lines), else the
    one whose content phrases the text holds (two at least: 本年新收政府信息
    公开申请数量, 上年结转…); None when no type or more than one fits."""
    named = mrules.types_named(probe)
    if len(named) == 1:
        return next(iter(named))
    if len(named) > 1:
        # a title naming two types ("法治政府建设和政府信息公开…"): the longer keyword is the more specific
        longest = max(named.values())
        best = [t for t, n in named.items() if n == longest]
        return best[0] if len(best) == 1 else None
    by_content = [t for t, phrases in mrules.report_type_content.items()
                  if sum(1 for p in phrases if p in text) >= 2]
    return by_content[0] if len(by_content) == 1 else None


def _find_title(lines: list[str], mrules: MetadataRules) -> tuple[int, str | None]:
    best: tuple[int, str] | None = None
    for i, line in enumerate(lines[:15]):
        if not line or len(line) > 80 or line[-1] in "。；;" or mrules.is_chrome(line):
            continue
        if not mrules.names_a_title(line):
            continue
        if _HEADING_MARK_RE.match(line):
            continue
        if line.endswith(mrules.title_endings):
            return i, line
        if best is None:
            best = (i, line)
    return best if best else (-1, None)


def _year(line: str) -> int | None:
    line = arabic_years(line)
    if _DATE_LINE.fullmatch(line):
        return None  # a date alone on its line is when it was written or published
    m = _YEAR.search(_NOT_THE_YEAR.sub("", line))
    return int(m.group(1)) if m else None


def _report_year(title: str | None, body_lines: list[str], lines: list[str], published: str | None,
                 mrules: MetadataRules) -> int | None:
    """The year reported on: the title's, else the opening sentences' (2023年，… / 2023年以来)."""
    if title:
        year = _year(title)
        if year:
            return year
        if any(w in title for w in mrules.previous_year_words):
            pub = _published_year(published, lines, mrules)
            if pub:
                return pub - 1
    for ln in body_lines[:6]:
        if _HEADING.match(ln) and any(w in ln for w in mrules.plan_words):
            continue  # "二、2026年工作计划": next year's plans (see _heading_year)
        year = _year(ln)
        if year:
            return year
    return None


_HEADING = regex.compile(r"\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")


def _heading_year(lines: list[str], mrules: MetadataRules) -> int | None:
    """The year of the body's headings ("一、2025年推进法治政府建设…"); a plan's
    heading ("四、2026年工作计划") is of the year after the one reported on."""
    plans = []
    for line in lines[:400]:
        if not _HEADING.match(line):
            continue
        year = _year(line)
        if year is None:
            continue
        if any(w in line for w in mrules.plan_words):
            plans.append(year - 1)
            continue
        return year
    return plans[0] if plans else None


def _published_year(published: str | None, lines: list[str], mrules: MetadataRules) -> int | None:
    """From the web page's date, else a 发布时间 line of the copied page."""
    candidates = [published] if published else []
    candidates += [ln for ln in lines[:15] if ln.startswith(mrules.published_prefixes)]
    for c in candidates:
        m = _ANY_YEAR.search(c)
        if m:
            return int(m.group())
    return None


def _level_word(rest: str, mrules: MetadataRules) -> str | None:
    """区 of 区司法局; None for 市场监督管理局 (a department named without its region)."""
    if rest.startswith(mrules.not_level_words):
        return None
    for word in mrules.level_words:
        if rest.startswith(word) and len(rest) > len(word):
            return word
    return None


@functools.lru_cache(maxsize=16)
def _issuer_end(stops: tuple[str, ...], previous_year_words: tuple[str, ...]) -> regex.Pattern:
    # a year ends the issuer; so does 上一年度 (…人民政府关于上一年度…)
    words = "|".join(regex.escape(w) for w in stops + previous_year_words)
    return regex.compile(r"(?:19|20)\d\d" + (f"|{words}" if words else ""))


@functools.lru_cache(maxsize=16)
def _region_re_of(region_suffixes: tuple[str, ...]) -> regex.Pattern:
    suffixes = "|".join(regex.escape(s) for s in region_suffixes)
    # The names of autonomous prefectures and counties run longer than others
    # (克孜勒苏柯尔克孜自治州); only they get the longer reach.
    autonomous = "|".join(regex.escape(s) for s in region_suffixes if s.startswith("自治"))
    long_names = r"|\p{Han}{2,12}?(?:%s)" % autonomous if autonomous else ""
    return regex.compile(r"\p{Han}{1,7}?(?:%s)%s" % (suffixes, long_names))


def _region_re(mrules: MetadataRules) -> regex.Pattern:
    return _region_re_of(mrules.region_suffixes)


def _split_regions(s: str, mrules: MetadataRules, table: DivisionTable) -> tuple[list[str], str]:
    """Leading region names of `s` and the rest: 重庆市长寿区卫健委 → ([重庆市, 长寿区], 卫健委)."""
    pat = _region_re(mrules)
    suffix_chars = set("".join(mrules.region_suffixes))
    parts: list[str] = []
    pos = 0
    while pos < len(s):
        known = _known_division_at(s, pos, table, mrules)
        if known:
            # the longest real division name wins: 南开区 + 市场监督管理局, not 南开区市
            parts.append(known)
            pos += len(known)
            continue
        m = pat.match(s, pos)
        if m is None:
            break
        end = m.end()
        # 杭州 + 市: a suffix character inside a name (州) is followed by the real suffix.
        # (济南市市中区: a second 市 starts the next name; 城南区 + 市场监督管理局: a body)
        while (end < len(s) and s[end] in "省市县区" and s[end - 1] in suffix_chars and s[end] != s[end - 1]
               and len(s[pos:end]) <= 4 and not s.startswith(mrules.not_level_words, end)):
            end += 1
        # 新市 + 镇: a township whose name ends in a suffix character
        if end < len(s) and s[end] in "镇乡" and len(s[pos:end]) == 2 and s[end - 1] in suffix_chars:
            end += 1
        name = s[pos:end]
        if name in mrules.not_regions or name[0] in "我全本该各":
            break
        if any(name.endswith(w) for w in mrules.not_regions
               if len(w) < len(name) and w not in mrules.region_suffixes):
            break  # 苏州工业园区: a zone (园区, 开发区) is part of the body's name, not a region
        if name[0] in _level_chars(mrules):
            break  # 市市场监管局: a bare level word, not a name (real ones, 市中区, are in the table)
        # "人民政府"/"政府…" is the agency, not a region (人民街街道 is one)
        if name.startswith(("人民政府", "政府")):
            break
        parts.append(name)
        pos = end
    return parts, s[pos:]


@functools.lru_cache(maxsize=8)
def _agency_at_start_re(suffixes: tuple[str, ...]) -> regex.Pattern:
    """A clause opening with a name that ends in an agency suffix: 宣城市公安局…"""
    return regex.compile(r"\p{Han}{1,14}?(?:%s)" % "|".join(regex.escape(s) for s in suffixes))


def _level_chars(mrules: MetadataRules) -> frozenset[str]:
    return frozenset(w for w in mrules.level_words if len(w) == 1)


def _known_division_at(s: str, pos: int, table: DivisionTable, mrules: MetadataRules) -> str | None:
    """The longest name of the division table that starts `s` at `pos` and is followed by no longer name."""
    for n in table.heads.get(s[pos:pos + 2], ()):
        if pos + n > len(s):
            continue
        piece = s[pos:pos + n]
        if piece in table.by_name and piece not in mrules.not_regions:
            return piece
    return None


def _strip_vertical(s: str, mrules: MetadataRules) -> tuple[str, str]:
    """国家税务总局河北省税务局 → (国家税务总局, 河北省税务局)."""
    for prefix in mrules.vertical_prefixes:
        if s.startswith(prefix):
            return prefix, s[len(prefix):]
    return "", s


def agency_problem(agency: str, mrules: MetadataRules) -> str | None:
    """Why `agency` is not an agency name by the grammar of rules/metadata.yaml, or None."""
    if len(agency) > mrules.agency_max_chars:
        return f"longer than {mrules.agency_max_chars} characters"
    bad = _NOT_HAN_RE.search(agency)
    if bad:
        return f"holds {bad.group()!r} (punctuation, a digit or a heading marker)"
    for word in mrules.agency_forbidden_words:
        if word in agency:
            return f"holds {word!r}, which no agency name does"
    gov = agency.find("人民政府")
    if gov >= 0 and gov + 4 < len(agency) and not agency.startswith(("办公室", "办公厅"), gov + 4):
        return "人民政府 is not at its end"
    names = tuple(mrules.agency_suffixes) + tuple(mrules.government_names.values())
    if not agency.endswith(names):
        return "does not end in an agency suffix (局, 委员会, 人民政府, …)"
    if agency in names or agency in mrules.level_words:
        return "a suffix alone names no agency"
    return None


def _issuer(title: str, mrules: MetadataRules, table: DivisionTable) -> tuple[list[str], str | None, str]:
    issuer_end = _issuer_end(mrules.issuer_stops, mrules.previous_year_words)
    m = issuer_end.search(title)
    head = title[: m.start()] if m else title
    if not head:
        # "2020年静海区法治政府建设情况报告": the issuer follows the year
        tail = _LEADING_YEAR_RE.sub("", title)
        m2 = issuer_end.search(tail)
        head = tail[: m2.start()] if m2 else ""
    head = head.strip(" ，,")
    vertical, head = _strip_vertical(head, mrules)
    if not head:
        return [], None, ""
    parts, rest = _split_regions(head, mrules, table)
    if not parts:
        return [], head or None, vertical
    return parts, rest, vertical


def _subjects(body_lines: list[str], text: str, mrules: MetadataRules, table: DivisionTable):
    """Who may be speaking, in order: an issuer line alone ("杭州市临安区人民政府",
    "国家税务总局河北省税务局"), then the subjects of the opening sentences
    ("广州市深入践行…", "我县坚持…"). Yields (regions, rest, vertical prefix)."""
    for line in body_lines[:4]:
        if _HEADING.match(line):
            break
        if len(line) <= 30 and not _NOT_HAN_RE.search(line):
            vertical, rest_line = _strip_vertical(line, mrules)
            if vertical:
                parts, rest = _split_regions(rest_line, mrules, table)
                if parts and rest:
                    yield parts, rest, vertical
    for line in body_lines[:4]:
        if _HEADING.match(line):
            break  # the body's first heading: past the opening paragraph
        if line.endswith(("：", ":")) and len(line) < 30:
            continue  # an addressee line: "城中区委全面依法治区委员会："
        # "在省委、省政府的正确领导下，" names the superiors, not the speaker
        line = _UNDER_LEAD_RE.sub("", line)
        for clause in _CLAUSE_SPLIT_RE.split(line)[:5]:
            clause = _CLAUSE_LEAD_RE.sub("", clause)
            for opener in mrules.subject_openers:
                if clause.startswith(opener):
                    clause = clause[len(opener):]  # 现将新市镇…: the subject follows
                    break
            vertical, clause = _strip_vertical(clause, mrules)
            ref = next((r for r in mrules.self_references if clause.startswith(r)), None)
            if ref:
                yield (*_resolve_self(ref, text, mrules, table), "")
                continue
            # "人民街街道办事处坚持…", "宣城市公安局按照…"
            m = _agency_at_start_re(mrules.agency_suffixes).match(clause)
            if m:
                parts, rest = _split_regions(m.group(), mrules, table)
                if rest in ("委", "党委"):
                    continue  # 云南省委、省政府…: the party committee, not the government
                if parts:
                    yield parts, rest, vertical
                elif rest[:1] in ("区", "市", "县", "省"):
                    # 区教育局 / 省政府: the region is the one the text names most
                    resolved, _ = _resolve_self("我" + rest[0], text, mrules, table)
                    if resolved:
                        yield resolved, rest[1:], vertical
                elif not m.group().endswith(("政府", *mrules.government_suffixes)):
                    # (a government is named by its region: "主动公开政府信息情况" names none)
                    yield [], m.group(), vertical
                continue
            parts, rest = _split_regions(clause, mrules, table)
            if parts and len(parts[-1]) >= 3:
                yield parts, "", ""


# the date under a signature: 2023年2月15日, 二〇二三年二月十五日 (its year in Chinese
# digits made Arabic by numbers.arabic_years first)
_DATE_LINE_RE = regex.compile(r"^20\d\d年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日$")


def _signature(lines: list[str], mrules: MetadataRules, table: DivisionTable):
    """The signer at the end, on a line of its own over the date ("成都市武侯区审计局" |
    "2023年2月15日"): the issuer of a report whose title and opening name none.
    Yields (regions, rest, vertical prefix) as `_subjects` does."""
    tail = [ln.strip() for ln in lines[-12:] if ln.strip()]
    for k in range(len(tail) - 1, 0, -1):
        if _DATE_LINE_RE.match(arabic_years(_WS_RE.sub("", tail[k]))):
            line = tail[k - 1]
            if len(line) <= 30 and not _NOT_HAN_RE.search(line):
                vertical, rest_line = _strip_vertical(line, mrules)
                parts, rest = _split_regions(rest_line, mrules, table)
                if parts and rest:
                    yield parts, rest, vertical
            return


def _resolve_self(ref: str, text: str, mrules: MetadataRules,
                  table: DivisionTable) -> tuple[list[str], str | None]:
    """我县 → the county most named in the text; 全省 → the province named. `ref` may be the level word alone (区)."""
    level_char = "自治区" if ref.endswith("自治区") else ref[-1]
    if level_char in ("省", "自治区"):
        counts = Counter()
        for prov in mrules.provinces:
            stem = regex.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", prov)
            if prov.endswith(level_char) or (level_char == "自治区" and "自治区" in prov):
                n = text.count(stem)
                if n:
                    counts[prov] = n
        if counts:
            return [counts.most_common(1)[0][0]], ""
        return [], None
    # Names the division table knows first: they are real regions, of any length.
    known = Counter({name: n for name, n in division_names_in(text, table).items()
                     if name.endswith(level_char) and name not in mrules.not_regions})
    if known:
        return [known.most_common(1)[0][0]], ""
    counts = Counter()
    # "…杭州市上城区…": a name is two or three characters that are not
    # themselves function words or other administrative words.
    stem = r"[^\P{Han}在的和与及对全我本该各委政府区市县省局办街乡镇]"
    if level_char in ("镇", "乡"):
        stem = r"[^\P{Han}在的和与及对全我本该各委政府区县省局办街乡镇]"  # 新市镇: a town may hold 市
    for m in regex.finditer(r"%s{2,3}%s" % (stem, regex.escape(level_char)), text):
        name = m.group()
        if name in mrules.not_regions:
            continue
        counts[name] += 1
    if counts:
        return [counts.most_common(1)[0][0]], ""
    return [], None


def _agency(parts: list[str], rest: str | None, mrules: MetadataRules) -> tuple[str | None, str | None]:
    if rest is None and not parts:
        return None, None
    prefix = "".join(parts)
    rest = (rest or "").strip()
    # the region's own government: 静海区 → 人民政府, 六村堡街道 → 办事处
    gov = mrules.government_names.get(_suffix_of(parts[-1], mrules), mrules.government_names.get("default")) \
        if parts else None
    if not rest:
        if not parts:
            return None, None
        return prefix + (gov or ""), "government"
    level = _level_word(rest, mrules) if not parts else None
    if gov and gov.startswith(rest):
        rest = gov  # 玉林街道办: 办 is short for the 街道's 办事处
    elif level:  # 区政府办 whose district was not found: 区人民政府办公室
        rest = level + _expand(rest[len(level):], mrules)
    else:
        rest = _expand(rest, mrules)
    agency = prefix + rest
    own = gov is not None and rest == gov
    kind = "government" if own or agency.endswith(mrules.government_suffixes) else "department"
    return agency, kind


def _expand(rest: str, mrules: MetadataRules) -> str:
    """政府办 → 人民政府办公室, 卫健委 → 卫生健康委员会: the official name."""
    for short in sorted(mrules.agency_expansions, key=len, reverse=True):
        full = mrules.agency_expansions[short]
        if rest.startswith(short) and not rest.startswith(full):
            return full + rest[len(short):]
    return rest


def _suffix_of(name: str, mrules: MetadataRules) -> str:
    for suffix in mrules.region_suffixes:
        if name.endswith(suffix):
            return suffix
    return ""
