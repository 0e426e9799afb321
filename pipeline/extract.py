"""The public entry points: a report file (`extract`) or a report's text (`extract_text`) becomes a `Report`."""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from .audit import audit_report
from .contract import within_contract
from .errors import EmptyDocument
from .indicators import extract_indicators
from .ingest import read_document, sha256_bytes
from .metadata import read_metadata
from .normalize import normalise
from .readers import _rules as reader_rules
from .records import RawDocument, Report, Source
from .rules import Rules, load_rules
from .sections import find_sections
from .stat_tables import read_stat_tables
from .table_cells import read_cells
from .tables import label_spans, locate, text_tables

log = logging.getLogger(__name__)


def extract(path: str | Path, rules: Rules | str | Path | None = None) -> Report:
    """Extract metadata, sections and indicators from one report file (any supported format).

    `path` is always a file name, never report text (that is `extract_text`):
    a file that is not there raises `MissingFile` (E002), whatever the string
    looks like. `rules` is a `Rules`, a rules folder, or None for the bundled
    rules. Raises an `InputError` subclass when the file cannot be read.
    """
    if not isinstance(rules, Rules):
        rules = load_rules(rules)
    return build_report(read_document(path, rules=rules), rules)


def extract_text(text: str, rules: Rules | str | Path | None = None) -> Report:
    r"""Extract metadata, sections and indicators from the text of one report.

    >>> extract_text("某区2025年法治政府建设情况报告\n全年组织集中学法8次。").indicators[0].value
    Decimal('8')
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_text takes the report's text (str), got {type(text).__name__}: "
                        "for a file use extract(path)")
    if not isinstance(rules, Rules):
        rules = load_rules(rules)
    raw = RawDocument(path="<text>", format="txt", text=text, sha256=sha256_bytes(text.encode("utf-8")),
                      encoding="utf-8")
    return build_report(raw, rules)


def build_report(raw: RawDocument, rules: Rules) -> Report:
    # the layout rules in use answer what the table stages ask the readers' helpers
    # (a cell's figure with its measure word, readers.is_value), as during the read
    with reader_rules.using(rules.layout):
        return _build_report(raw, rules)


def _upper_region(meta, rules) -> tuple[tuple[str, ...], str] | None:
    """(words, name) of the region above the report's (全市 and 长沙市 for a report
    of 长沙市岳麓区), from metadata.yaml's upper_region_words; None when unknown."""
    region = meta.region
    words = rules.metadata.upper_region_words.get(region.level or "") if region is not None else None
    # a county-level city's 全市 is itself (临江市), as a 旗's 全旗 is
    words = tuple(w for w in words or () if not region.name.endswith(w[-1]))
    if not words:
        return None
    above = (region.full_name or "").removesuffix(region.name)
    for province in rules.metadata.provinces:
        if above.startswith(province) and above != province:
            above = above[len(province):]  # 湖南省长沙市 -> 长沙市 (but 北京市 stays)
            break
    return words, above or words[0]


def _own_region(meta) -> tuple[str, ...]:
    """The names of the report's own region (浦东新区, 上海市浦东新区)."""
    region = meta.region
    return tuple(n for n in (region.name, region.full_name) if n) if region is not None else ()


def _build_report(raw: RawDocument, rules: Rules) -> Report:
    # tables written as text lines are found before normalisation removes
    # the tabs and spaces between their cells
    raw_tables = list(raw.tables) or text_tables(raw.text, rules.units)
    norm = normalise(raw.text, rules, frozenset(line.strip() for t in raw_tables for line in t.lines))
    if not norm.text:
        raise EmptyDocument("no text left after normalisation", raw.path)
    text = norm.text
    page_of = norm.page_of if norm.page_starts else None
    tables = locate(raw_tables, text, page_of)
    # read_metadata says why a region has no code (ambiguous name, township, not in the table)
    warnings: list[str] = list(raw.warnings)
    meta = read_metadata(text, rules, publisher=raw.publisher, published=raw.published, warnings=warnings)
    # the report type's own catalog, section parts, indicator and table rules
    rules = rules.for_type(meta.report_type)
    sections = find_sections(text, rules, tuple(t.span for t in tables))
    cells, blanks, read = read_cells(tables, text, sections, rules, page_of)
    # a table no rule of the type reads may still be a table of the year's figures
    stats, stat_read = read_stat_tables(tables, text, sections, rules, meta.year, set(read), page_of)
    read = [*read, *stat_read]
    not_prose = label_spans(tables) + tuple(t.span for t in tables if t.index in read)
    # the years reviewed and planned give the periods of figures that name none
    # values no output can hold (a 61-digit run) are dropped here, with a warning naming them
    prose, dropped = within_contract(extract_indicators(text, sections, rules, page_of=page_of, year=meta.year,
                                                        year_planned=meta.year_planned, not_prose=not_prose,
                                                        upper=_upper_region(meta, rules),
                                                        own=_own_region(meta)))
    warnings.extend(dropped)
    # a table cell is about the year the report reviews
    cells = [replace(c, period=meta.year) for c in cells]
    indicators = tuple(sorted([*prose, *cells, *stats], key=lambda i: (i.span[0], i.span[1])))
    source = Source(path=raw.path, format=raw.format, sha256=raw.sha256, encoding=raw.encoding,
                    pages=raw.pages, ocr=raw.ocr)
    ident = doc_id(raw.sha256)
    # numbers that do not add up: a pure function of the text and its indicators
    findings = audit_report(text, indicators, sections, rules, doc_id=ident, blanks=blanks)
    return Report(
        doc_id=ident,
        source=source,
        meta=meta,
        text=text,
        sections=sections,
        indicators=tuple(indicators),
        findings=findings,
        page_starts=norm.page_starts,
        warnings=tuple(warnings),
        tables=tables,
    )


def doc_id(sha256: str) -> str:
    """Stable: the same content gives the same id wherever the file lives."""
    return sha256[:16]
