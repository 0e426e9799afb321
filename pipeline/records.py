"""The records that flow between the pipeline's stages.

All are frozen dataclasses: a stage never edits what an earlier stage produced,
it builds new records. Values are `decimal.Decimal` so that 16.4亿 stays
1640000000 exactly; `to_dict()` gives integral values as ints and others as
exact Decimals (never floats); `output.json_bytes` writes both exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

SCHEMA_VERSION = "2"
# Facts of the contract, defined here once and imported wherever used.
UNIT_CLASSES = ("count", "people", "percent", "points", "money", "duration", "weight", "length", "area")
ADDITIVE_UNIT_CLASSES = ("count", "people", "money")  # classes whose numbers add up (rates and days do not)
SEVERITIES = ("error", "warning", "info")  # of a finding, worst first


def json_number(value: Decimal | None) -> int | Decimal | None:
    """An exact Decimal as the JSON number a reader expects.

    Integral values become ints (274, not 274.0); others stay exact Decimals
    without trailing zeros (never a float: 12.345678901234567891 must not
    become 12.345678901234567). `output.json_bytes` writes a Decimal as a JSON
    number of exactly its digits.
    """
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


@dataclass(frozen=True)
class RawDocument:
    """What a reader got out of one input, before normalisation.

    `text` may contain form feeds (\f) between pages; normalisation turns
    them into page start offsets.
    """

    path: str
    format: str  # txt | pdf | docx | html
    text: str
    sha256: str
    encoding: str | None = None
    pages: int | None = None
    ocr: bool = False
    publisher: str | None = None  # from a web page's own metadata
    published: str | None = None
    warnings: tuple[str, ...] = ()  # what the reader had to work around (OCR of a garbled page …)
    tables: tuple[RawTable, ...] = ()  # in document order; each table's `lines` are in `text`


@dataclass(frozen=True)
class RawTable:
    """A table as a reader found it, before normalisation.

    `rows` are cell texts with merged cells spread (a cell spanning two
    columns gives its text to both) and multi-line cells joined. `lines` are
    the text lines the reader put into the document text for this table, in
    order: the tables stage finds them again in the normalised text, which
    gives every cell its span. `kind` says how it was found: html, docx,
    pdf-ruled, pdf-aligned (no ruling lines: columns from character
    geometry), text (tab/space separated or "label：v1，v2").
    """

    rows: tuple[tuple[str, ...], ...]
    lines: tuple[str, ...]
    line_rows: tuple[int, ...]  # the row each line renders
    kind: str
    page: int | None = None
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (row, col) repeats the merged cell at (row0, col0)
    # x of the column lines, left to right (ruled PDF tables): lines up the
    # pieces of a table split by a page break (`table_join`)
    edges: tuple[float, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table of the report, with where every cell sits in `Report.text`.

    `index` counts tables in document order from 1. `cell_spans[r][c]` is the
    cell's span in the text, or None where the cell is empty or its text is
    not printed in the text (a header row folded into the rows below it).
    `span` covers the table's lines; `caption` is the line just above it (the
    table's own title, "二、主动公开政府信息情况"), "" when there is none.
    """

    index: int
    kind: str
    rows: tuple[tuple[str, ...], ...]
    cell_spans: tuple[tuple[tuple[int, int] | None, ...], ...]
    span: tuple[int, int]
    page: int | None = None
    caption: str = ""
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (row, col) repeats the merged cell at (row0, col0)

    def is_merged(self, row: int, col: int) -> bool:
        """True when the slot repeats a merged cell begun in another slot."""
        return (row, col) in self._merged_slots

    @property
    def _merged_slots(self) -> frozenset[tuple[int, int]]:
        return frozenset((r, c) for r, c, _, _ in self.merged)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "caption": self.caption,
            "page": self.page,
            "span": list(self.span),
            "rows": [list(r) for r in self.rows],
            "cell_spans": [[list(s) if s else None for s in r] for r in self.cell_spans],
            "merged": [list(m) for m in self.merged],
        }


@dataclass(frozen=True)
class TableRef:
    """Where a figure read from a table sits: labels as written (multi-line joined)."""

    index: int
    row: int
    col: int
    row_label: str
    col_label: str

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "row": self.row, "col": self.col, "row_label": self.row_label,
                "col_label": self.col_label}


@dataclass(frozen=True)
class Source:
    path: str
    format: str
    sha256: str
    encoding: str | None = None
    pages: int | None = None
    ocr: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "pages": self.pages,
            "ocr": self.ocr,
        }


@dataclass(frozen=True)
class Region:
    name: str
    full_name: str | None = None
    code: str | None = None
    level: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "full_name": self.full_name, "code": self.code, "level": self.level}


@dataclass(frozen=True)
class Meta:
    title: str | None
    year: int | None
    region: Region | None
    agency: str | None
    report_type: str | None
    agency_kind: str | None = None  # government | department
    publisher: str | None = None
    published: str | None = None
    year_planned: int | None = None  # the year the report's targets and plans are for

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "year": self.year,
            "year_planned": self.year_planned,
            "region": self.region.to_dict() if self.region else None,
            "agency": self.agency,
            "agency_kind": self.agency_kind,
            "report_type": self.report_type,
            "publisher": self.publisher,
            "published": self.published,
        }


@dataclass(frozen=True)
class Section:
    id: str  # "1", "1.2", "1.2.3", "1.2.3.1" — unique within a report
    level: int  # 1 一、 | 2 （一） | 3 1. 1、 （1） | 4 一是
    marker: str  # as written
    title: str
    part: str  # achievements | shortcomings | leadership_duties | next_year_plans | other
    span: tuple[int, int]  # from the marker to the start of the next section of the same or higher level
    heading_span: tuple[int, int]  # the marker and title only

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "marker": self.marker,
            "title": self.title,
            "part": self.part,
            "span": list(self.span),
            "heading_span": list(self.heading_span),
        }


@dataclass(frozen=True, slots=True)  # as many as the indicators (see there)
class Quantity:
    """A number with its measure word, as found in the text (no meaning yet).

    `span` covers qualifier, number, unit and trailing qualifier exactly as
    written; `number_span` only the numeral(s).
    """

    span: tuple[int, int]
    text: str
    number_span: tuple[int, int]
    value: Decimal
    unit: str  # normalised: "%" for every percentage, "pp" for 个百分点, "元" for money
    unit_class: str  # count | people | percent | points | money | duration | weight
    value_high: Decimal | None = None
    qualifier: str | None = None  # over | about | nearly | within (以内, 不超过)


# slots: a report can hold hundreds of thousands of these (a 190 MB-of-XML
# .docx has about 370,000); without a __dict__ each is about 100 bytes smaller.
@dataclass(frozen=True, slots=True)
class Indicator:
    indicator: str
    label: str
    value: Decimal
    unit: str
    unit_class: str
    span: tuple[int, int]
    text: str
    sentence: str
    sentence_span: tuple[int, int]
    rule: str
    section_id: str | None = None
    part: str = "other"
    value_high: Decimal | None = None
    qualifier: str | None = None
    measure: str = "level"  # level | change_abs | change_pct
    modality: str = "achieved"  # achieved | target (预期目标, 左右 in a target list) | planned
    actor: str | None = None
    page: int | None = None
    quantity_span: tuple[int, int] | None = None
    # schema 2: the catalog's dimensions of the id ({"applicant": "total"}),
    # the table cell it was read from (None for prose)
    dims: tuple[tuple[str, str], ...] = ()
    table: TableRef | None = None
    # The year the figure is about (2025), or a span of years ("2021-2025" for
    # a five-year review); None when neither the text nor the metadata says.
    period: int | str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "label": self.label,
            "value": json_number(self.value),
            "value_high": json_number(self.value_high),
            "unit": self.unit,
            "unit_class": self.unit_class,
            "qualifier": self.qualifier,
            "measure": self.measure,
            "modality": self.modality,
            "period": self.period,
            "actor": self.actor,
            "section_id": self.section_id,
            "part": self.part,
            "page": self.page,
            "span": list(self.span),
            "text": self.text,
            "quantity_span": list(self.quantity_span) if self.quantity_span else None,
            "sentence": self.sentence,
            "sentence_span": list(self.sentence_span),
            "rule": self.rule,
            "dims": dict(self.dims),
            "table": self.table.to_dict() if self.table else None,
        }


@dataclass(frozen=True)
class Finding:
    """A number that does not add up (pipeline.audit), with what shows it.

    `indicators` are indexes into the report's indicators (within-report
    checks; empty across reports). `evidence` holds one dict per number
    involved: doc_id, index, indicator, label, value (Decimal), unit, measure,
    text (the quote, == the document's text[span]), span, sentence,
    section_id, page, and for cross-report findings the document's source,
    year, region and agency. `doc_ids`: the documents involved.
    """

    check: str
    severity: str  # error | warning | info
    message: str
    indicators: tuple[int, ...] = ()
    evidence: tuple[dict[str, Any], ...] = ()
    doc_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "indicators": list(self.indicators),
            "doc_ids": list(self.doc_ids),
            "evidence": [_evidence_json(e) for e in self.evidence],
        }


def _evidence_json(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, Decimal):
            value = json_number(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


@dataclass(frozen=True)
class Report:
    doc_id: str
    source: Source
    meta: Meta
    text: str
    sections: tuple[Section, ...]
    indicators: tuple[Indicator, ...]
    findings: tuple[Finding, ...] = ()
    page_starts: tuple[int, ...] = field(default=(), repr=False)
    warnings: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "doc_id": self.doc_id,
            "source": self.source.to_dict(),
            "meta": self.meta.to_dict(),
            "text": self.text,
            "sections": [s.to_dict() for s in self.sections],
            "indicators": [i.to_dict() for i in self.indicators],
            "tables": [t.to_dict() for t in self.tables],
            "findings": [f.to_dict() for f in self.findings],
            "warnings": list(self.warnings),
        }


def field_names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]
