"""Read a report's title, year, region, agency and type (first version).

The title names who reports and on which year: "南开区政府办公室2025年度法治
政府建设情况报告" → region 南开区, agency 南开区人民政府办公室, year 2025. When there
is no title (web copies often drop it), the first sentence's subject is used
("2020年，广州市深入践行…" → 广州市人民政府), and "我县"/"全省" are resolved
from the region names the text mentions. Division codes need a dated
division table: `code` stays null here rather than being guessed.
"""
from __future__ import annotations

import logging
from collections import Counter

import regex

from .records import Meta, Region
from .rules import MetadataRules, Rules

log = logging.getLogger(__name__)

_YEAR = regex.compile(r"(?<!\d)(20\d\d|19\d\d)(?:\s*年|(?=[\p{Han}，,]))")
_TERMINAL = "。；;：:"
_ISSUER_END = regex.compile(r"关于|(?:19|20)\d\d|法治|推进|依法行政|年度")


def read_metadata(text: str, rules: Rules, publisher: str | None = None, published: str | None = None) -> Meta:
    mrules = rules.metadata
    lines = text.split("\n")
    title_idx, title = _find_title(lines, mrules)
    year = _year(title) if title else None
    body_lines = [ln for i, ln in enumerate(lines[:40]) if i != title_idx and not _is_chrome(ln, mrules)]
    if year is None:
        for ln in body_lines[:6]:
            year = _year(ln)
            if year:
                break
    report_type = None
    probe = title or "\n".join(body_lines[:3])
    for rtype, words in mrules.report_types.items():
        if any(w in probe for w in words):
            report_type = rtype
            break
    region_parts, agency_rest = ([], None)
    if title:
        region_parts, agency_rest = _issuer(title, mrules)
    if not region_parts and agency_rest is None:
        region_parts, agency_rest = _subject(body_lines, text, mrules)
    region = _region(region_parts, mrules) if region_parts else None
    agency, kind = _agency(region_parts, agency_rest, mrules)
    return Meta(title=title, year=year, region=region, agency=agency, report_type=report_type,
                agency_kind=kind, publisher=publisher, published=published)


def _is_chrome(line: str, mrules: MetadataRules) -> bool:
    return line.startswith(mrules.chrome_prefixes) or ">" in line or "→" in line


def _find_title(lines: list[str], mrules: MetadataRules) -> tuple[int, str | None]:
    best: tuple[int, str] | None = None
    for i, line in enumerate(lines[:15]):
        if len(line) > 80 or line[-1] in "。；;" or _is_chrome(line, mrules):
            continue
        if not any(k in line for k in mrules.title_keywords):
            continue
        if regex.match(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]", line):
            continue
        if regex.search(r"(?:报告|情况|总结)$", line):
            return i, line
        if best is None:
            best = (i, line)
    return best if best else (-1, None)


def _year(line: str) -> int | None:
    m = _YEAR.search(line)
    return int(m.group(1)) if m else None


def _region_re(mrules: MetadataRules) -> regex.Pattern:
    suffixes = "|".join(regex.escape(s) for s in mrules.region_suffixes)
    return regex.compile(r"\p{Han}{1,7}?(?:%s)" % suffixes)


def _split_regions(s: str, mrules: MetadataRules) -> tuple[list[str], str]:
    """Leading region names of `s` and the rest: 重庆市长寿区卫健委 → ([重庆市, 长寿区], 卫健委)."""
    pat = _region_re(mrules)
    suffix_chars = set("".join(mrules.region_suffixes))
    parts: list[str] = []
    pos = 0
    while pos < len(s):
        m = pat.match(s, pos)
        if m is None:
            break
        end = m.end()
        # 杭州 + 市: a suffix character inside a name (州) is followed by the real suffix.
        while end < len(s) and s[end] in "省市县区" and s[end - 1] in suffix_chars and len(s[pos:end]) <= 4:
            end += 1
        name = s[pos:end]
        if name in mrules.not_regions or name[0] in "我全本该各":
            break
        # "人民政府"/"政府…" is the agency, not a region
        if name.startswith(("人民", "政府")):
            break
        parts.append(name)
        pos = end
    return parts, s[pos:]


def _issuer(title: str, mrules: MetadataRules) -> tuple[list[str], str | None]:
    m = _ISSUER_END.search(title)
    head = title[: m.start()] if m else title
    if not head:
        # "2020年静海区法治政府建设情况报告": the issuer follows the year
        tail = regex.sub(r"^(?:19|20)\d\d年度?", "", title)
        m2 = _ISSUER_END.search(tail)
        head = tail[: m2.start()] if m2 else ""
    head = head.strip(" ，,")
    if not head:
        return [], None
    parts, rest = _split_regions(head, mrules)
    if not parts:
        return [], head or None
    return parts, rest


def _subject(body_lines: list[str], text: str, mrules: MetadataRules) -> tuple[list[str], str | None]:
    """Who speaks in the first sentences: "广州市深入践行…", "我县坚持…"."""
    for line in body_lines[:4]:
        if regex.match(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]", line):
            break  # the body's first heading: past the opening paragraph
        if line.endswith(("：", ":")) and len(line) < 30:
            continue  # an addressee line: "城中区委全面依法治区委员会："
        # "在省委、省政府的正确领导下，" names the superiors, not the speaker
        line = regex.sub(r"^(?:(?:19|20)\d\d年(?:度|以来)?[，,]?)?在[^，,。]{0,60}?下[，,]", "", line)
        for clause in regex.split(r"[，,。；;、]", line)[:5]:
            clause = regex.sub(r"^(?:(?:19|20)\d\d年(?:度|以来)?|在.{0,30}下)", "", clause)
            for ref in mrules.self_references:
                if clause.startswith(ref):
                    return _resolve_self(ref, text, mrules)
            # "人民街街道办事处坚持…", "宣城市公安局按照…"
            suffixes = "|".join(regex.escape(s) for s in mrules.agency_suffixes)
            m = regex.match(r"\p{Han}{1,14}?(?:%s)" % suffixes, clause)
            if m:
                parts, rest = _split_regions(m.group(), mrules)
                if rest in ("委", "党委"):
                    continue  # 云南省委、省政府…: the party committee, not the government
                if parts:
                    return parts, rest
                if rest[:1] in ("区", "市", "县", "省"):
                    # 区教育局 / 省政府: the region is the one the text names most
                    resolved, _ = _resolve_self("我" + rest[0], text, mrules)
                    if not resolved:
                        return [], None
                    return resolved, rest[1:]
                return [], m.group()
            parts, rest = _split_regions(clause, mrules)
            if parts and len(parts[-1]) >= 3:
                return parts, ""
    return [], None


def _resolve_self(ref: str, text: str, mrules: MetadataRules) -> tuple[list[str], str | None]:
    """我县 → the county most named in the text; 全省 → the province named."""
    level_char = ref[-1] if ref not in ("自治区",) else "自治区"
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
    counts = Counter()
    # "…杭州市上城区…": a name is two or three characters that are not
    # themselves function words or other administrative words.
    stem = r"[^\P{Han}在的和与及对全我本该各委政府区市县省局办街乡镇]"
    for m in regex.finditer(r"%s{2,3}%s" % (stem, regex.escape(level_char)), text):
        name = m.group()
        if name in mrules.not_regions:
            continue
        counts[name] += 1
    if counts:
        return [counts.most_common(1)[0][0]], ""
    return [], None


def _region(parts: list[str], mrules: MetadataRules) -> Region | None:
    if not parts:
        return None
    name = parts[-1]
    level = None
    for suffix in mrules.region_suffixes:
        if name.endswith(suffix):
            level = mrules.levels.get(suffix)
            break
    return Region(name=name, full_name="".join(parts) if len(parts) > 1 else None, code=None, level=level)


def _agency(parts: list[str], rest: str | None, mrules: MetadataRules) -> tuple[str | None, str | None]:
    if rest is None and not parts:
        return None, None
    prefix = "".join(parts)
    rest = (rest or "").strip()
    if not rest:
        if not parts:
            return None, None
        gov = mrules.government_names.get(_suffix_of(parts[-1], mrules), mrules.government_names.get("default"))
        return prefix + (gov or ""), "government"
    for short, full in mrules.agency_expansions.items():
        if rest == short or (rest.startswith(short) and not rest.startswith(full)):
            rest = full + rest[len(short):]
            break
    kind = "government" if rest in ("人民政府", "办事处", "街道办事处") else "department"
    return prefix + rest, kind


def _suffix_of(name: str, mrules: MetadataRules) -> str:
    for suffix in mrules.region_suffixes:
        if name.endswith(suffix):
            return suffix
    return ""
