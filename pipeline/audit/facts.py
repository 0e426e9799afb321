"""What the audit checks look at, and how findings quote them (shared by the checks within and across reports)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, NamedTuple, Sequence

import regex

from ..records import ADDITIVE_UNIT_CLASSES, Finding
from ..rules import AuditRules

# table_identity, text_vs_table and across_years are the table checks of a
# report type (pipeline.identities); they are named here with the others so
# that the summary, the CLI and the tests know one list.
CHECKS = ("parts_exceed_total", "rate_mismatch", "impossible_value", "subset_exceeds_superset",
          "conflicting_repeat", "table_identity", "text_vs_table", "yoy_mismatch", "cross_report_conflict",
          "across_years")
REPORT_CHECKS = CHECKS[:7]
CROSS_CHECKS = CHECKS[7:]

_COUNTS = frozenset(ADDITIVE_UNIT_CLASSES)
_BREAK = regex.compile(r"[。；;!?！？\n]")  # a list of parts never runs past these
_LEAD = regex.compile(r"^[\s，,；;。、：:（）()“”\"'》《]+")
_CLAUSE = regex.compile(r"[，,；;：:。]")
_LAST_CLAUSE_BREAK = regex.compile(r"(?r)[，,；;。]")
_YEAR = regex.compile(r"(?:19|20)\d\d年")
_WORDY = regex.compile(r"[\p{L}\p{N}]")
_NAME_JOIN = regex.compile(r"[的和及与]")
_BRACKETED = regex.compile(r"[（(][^）)]*[）)]")
_INF = Decimal("Infinity")
_HUNDRED = Decimal(100)


class _Fact(NamedTuple):
    """An indicator as the audit sees it: with its role and its sentence.

    A NamedTuple rather than a frozen dataclass: as immutable, and several
    times faster to make, which counts for the millions of rows of a large
    output folder.
    """

    doc_id: str | None
    index: int  # in the report's indicators
    indicator: str
    label: str
    value: Decimal
    value_high: Decimal | None
    unit: str
    unit_class: str
    qualifier: str | None
    measure: str
    modality: str
    actor: str | None
    rule: str
    text: str
    span: tuple[int, int]
    sentence: str
    sentence_start: int  # where the sentence starts in the document: the sentence's key
    window: str  # this number's clause, from the previous number at most, to the end of its text
    role: str  # a role of audit.yaml, or "none"
    section_id: str | None
    page: int | None
    term: str = ""  # the cue written next to the number (出庭应诉 of 出庭应诉3次), if any


@dataclass(frozen=True, slots=True)
class _Doc:
    """A report as the cross-report checks see it."""

    doc_id: str
    source: str
    year: int | None
    region: str | None  # the name, for messages
    region_key: str | None  # code, else full name, else name
    agency: str | None
    region_code: str | None = None


def _clause(window: str) -> str:
    """The words a number's role and kind are read from: its clause, from the
    previous number (or clause break) to the end of its own text."""
    m = _LAST_CLAUSE_BREAK.search(window)  # searched from the end: only the last one counts
    cut = m.end() if m is not None else -1
    return window[cut:] if cut > 0 else window


def _role(window: str, ar: AuditRules) -> str:
    """The role word closest before the end of `window` (longest where two overlap)."""
    last = None
    for m in ar.role_re.finditer(window):
        last = m
    return ar.role_of[last.group()] if last is not None else "none"


def _decimals(value: Decimal) -> int:
    """Digits written after the point: 98.7 -> 1, 96 -> 0."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _unit_step(f: _Fact) -> Decimal:
    """One unit of the last digit written: 96% -> 1, 98.7% -> 0.1."""
    return Decimal(1).scaleb(-_decimals(f.value))


def _by_sentence(facts: Iterable[_Fact]) -> dict[int, list[_Fact]]:
    out: dict[int, list[_Fact]] = defaultdict(list)
    for f in facts:
        out[f.sentence_start].append(f)
    return out


def _partner(change: _Fact, sentence: list[_Fact]) -> _Fact | None:
    """The level a change is a change of: the nearest level before it in its sentence."""
    best = None
    for g in sentence:
        if g.span[0] >= change.span[0]:
            break
        if g.measure != "level":
            continue
        if change.indicator != "other":
            if g.indicator == change.indicator:
                best = g
        elif change.unit == "pp":
            if g.unit == "%":
                best = g
        elif change.measure == "change_abs":
            if g.unit == change.unit:
                best = g
        elif g.unit_class in _COUNTS or g.unit == "%":
            best = g
    return best


def _added(facts: Sequence[_Fact]) -> str:
    """"撤销4件" or "（撤销4件＋确认违法2件）"."""
    joined = "＋".join(_short(f) for f in facts)
    return f"（{joined}）" if len(facts) > 1 else joined


def _num(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _amount(value: Decimal, unit: str) -> str:
    return f"{_num(value)}{'个百分点' if unit == 'pp' else unit}"


def _rate_text(value: Decimal, places: int) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places))}%"


def _short(f: _Fact, limit: int = 24) -> str:
    """The number with the words just before it: "受理120件", "维持80件"."""
    window = f.window
    cut = [m.end() for m in _CLAUSE.finditer(window) if m.end() < len(window)]
    if cut:
        window = window[cut[-1]:]
    window = _LEAD.sub("", window)
    for marker in ("其中", "包括", "分别为", "分别是"):
        if window.startswith(marker):
            window = _LEAD.sub("", window[len(marker):])
    if len(window) > limit:
        window = "…" + window[-limit:]
    return window or f.text


def _name(f: _Fact) -> str:
    """A short name of what a number counts: the catalog name without its bracketed notes."""
    return _BRACKETED.sub("", f.label).strip() or f.indicator


def _evidence(f: _Fact, doc: "_Doc | None" = None) -> dict[str, Any]:
    e: dict[str, Any] = {
        "doc_id": f.doc_id, "index": f.index, "indicator": f.indicator, "label": f.label, "value": f.value,
        "unit": f.unit, "measure": f.measure, "role": f.role, "text": f.text, "span": f.span,
        "sentence": f.sentence, "section_id": f.section_id, "page": f.page,
    }
    if doc is not None:
        e.update(source=doc.source, year=doc.year, region=doc.region, region_code=doc.region_code, agency=doc.agency)
    return e


def _finding(check: str, severity: str, message: str, facts: Sequence[_Fact]) -> Finding:
    seen: dict[int, _Fact] = {}
    for f in facts:
        seen.setdefault(f.index, f)
    ids = tuple(dict.fromkeys(f.doc_id for f in facts if f.doc_id))
    return Finding(check=check, severity=severity, message=message, indicators=tuple(seen),
                   evidence=tuple(_evidence(f) for f in seen.values()), doc_ids=ids)
