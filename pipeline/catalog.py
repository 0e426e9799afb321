"""The indicator catalog as users see it: `govreport indicators`, and the
"did you mean" of `compare` and `query` for an id that is not in it.

The catalog itself is rules data (`rules/catalog.yaml`, loaded and validated
by `rules.load_rules`); this module only lists it and matches names against it.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from .records import UNIT_CLASSES
from .rules import Rules, load_rules

# Values of the indicators table's other text columns: a literal equal to one of
# these in a query is not a mistyped indicator id.
_COLUMN_VALUES = frozenset({"achieved", "planned", "level", "change_abs", "change_pct", "over", "about", "nearly",
                            "achievements", "shortcomings", "leadership_duties", "next_year_plans", "other",
                            *UNIT_CLASSES, "error", "warning",
                            "info", "government", "department", "province", "city", "district", "county",
                            "township", "region", "agency"})


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    label: str  # the catalog's Chinese name (zh)
    unit_class: str
    dims: tuple[str, ...]  # dimension names (disclosure tables); () for a scalar indicator
    report_type: str | None

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "unit_class": self.unit_class, "dims": list(self.dims),
                "report_type": self.report_type}


def entries(rules: Rules | None = None, report_type: str | None = None) -> list[CatalogEntry]:
    """Every catalog id in catalog order (`other` last), optionally of one report type."""
    rules = rules or load_rules()
    out = []
    seen: set[str] = set()
    for rtype in rules.report_types:  # every report type's catalog (an id means one thing in every type)
        for ident, item in rules.for_type(rtype).catalog.items():
            if ident in seen:
                continue
            seen.add(ident)
            dims = item.get("dims") or item.get("dimensions") or ()
            entry = CatalogEntry(ident, str(item.get("zh", ident)), str(item.get("unit_class", "")),
                                 tuple(str(d) for d in dims), item.get("report_type"))
            if report_type is None or entry.report_type == report_type or ident == "other":
                out.append(entry)
    out.sort(key=lambda e: e.id == "other")
    return out


def report_types(rules: Rules | None = None) -> list[str]:
    rules = rules or load_rules()
    return sorted(rules.report_types)


def nearest(name: str, known: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The known ids closest to `name` (difflib's ratio), best first."""
    return difflib.get_close_matches(name, sorted(set(known)), n=n, cutoff=cutoff)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    close = nearest(name, known)
    return f" (did you mean {', '.join(close)}?)" if close else ""


_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def id_like_literals(sql: str) -> list[str]:
    """The string literals of `sql` that could be an indicator id (snake_case, not a value of another column)."""
    out = []
    for m in _LITERAL.finditer(sql):
        lit = m.group(1).replace("''", "'")
        if lit not in _COLUMN_VALUES and re.fullmatch(r"[a-z][a-z0-9_]*", lit) and lit not in out:
            out.append(lit)
    return out


def mistyped_ids(sql: str, known: Iterable[str]) -> list[tuple[str, list[str]]]:
    """String literals of `sql` that look like a mistyped indicator id: not an id,
    not a value of another column, but close to an id. [(literal, nearest ids)]."""
    known_set = set(known)
    out = []
    for lit in id_like_literals(sql):
        close = nearest(lit, known_set, cutoff=0.75) if lit not in known_set else []
        if close:
            out.append((lit, close))
    return out
