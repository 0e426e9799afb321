"""Check extraction against hand-coded gold files: precision, recall, F1.

A gold folder holds one `<id>.json` per document, matched with `OUTDIR/<id>.json`
written by `govreport extract` (the README, "Checking extraction against your
own hand coding", describes the format). The matching is the one of the
project's shared scorer, so figures agree with it:

- a gold fact and an extracted indicator match when their values are equal
  (to 1e-6 relative) and their units are equal (`%` and `％` are one unit);
  matching is greedy and one-to-one, in gold order, preferring pairs whose
  indicator ids agree;
- mentions: P/R/F1 of that matching; typed: the same, but a pair also needs
  the same indicator id;
- extracted indicators matching an `optional` gold fact count neither way;
- sections: share of gold headings found (same level, marker and title start,
  full-/half-width folded), and of those, share with the right report part;
- meta: share of gold metadata fields right (year, region code, agency).

Table cells: a gold file may list `cells` ({"indicator", "dims", "value"}), the
figures of a report's tables. They are scored apart (cell P/R/F1): a cell
matches an extracted table figure (one with `table`) of the same id, the same
dimensions and the same value, one to one; those extracted table figures then
do not count in the mentions above.

Per indicator (typed): gold = gold facts with that id, predicted = extracted
indicators with that id (optional hits removed), matched = typed pairs of that id.
Beyond the shared scorer it also counts `negatives` hit: extracted indicators
whose number lies inside a phrase the gold file says is not a fact.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from decimal import Decimal, InvalidOperation
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import store
from .errors import UsageError

PERCENT_UNITS = {"%", "％", "percent", "百分之"}


def norm_unit(unit: Any) -> str:
    unit = (unit or "").strip()
    return "%" if unit in PERCENT_UNITS else unit


def fold(text: Any) -> str:
    """Full-width and half-width forms compare equal; spaces are ignored."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


def same_value(a: Any, b: Any) -> bool:
    """Equal to 10^-6 of the gold value (exact decimals: 0.1 + 0.2 is 0.3)."""
    try:
        x, y = Decimal(str(a)), Decimal(str(b))
        return abs(x - y) <= Decimal("1e-6") * max(Decimal(1), abs(y))
    except (InvalidOperation, ValueError, TypeError):
        return False


def match(gold: list[dict], pred: list[dict], typed: bool) -> list[tuple[int, int]]:
    """Greedy one-to-one (gold index, predicted index) pairs; prefers pairs whose ids agree."""
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    matched_gold: set[int] = set()
    for want_same_id in (True, False):
        for gi, g in enumerate(gold):
            if gi in matched_gold:
                continue
            for pi, p in enumerate(pred):
                if pi in used:
                    continue
                if not same_value(p.get("value"), g.get("value")):
                    continue
                if norm_unit(p.get("unit")) != norm_unit(g.get("unit")):
                    continue
                if (want_same_id or typed) and p.get("indicator") != g.get("indicator"):
                    continue
                used.add(pi)
                matched_gold.add(gi)
                pairs.append((gi, pi))
                break
        if typed:
            break
    return pairs


@dataclass(frozen=True)
class Score:
    """Counts and the precision, recall and F1 they give."""

    gold: int
    predicted: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"gold": self.gold, "predicted": self.predicted, "matched": self.matched,
                "precision": round(self.precision, 6), "recall": round(self.recall, 6), "f1": round(self.f1, 6)}


@dataclass(frozen=True)
class Evaluation:
    documents: int
    missing: tuple[str, ...]  # gold ids without an output file
    mentions: Score
    typed: Score
    per_indicator: dict[str, Score]
    sections_gold: int
    sections_found: int
    parts_right: int
    meta_checks: int
    meta_right: int
    negatives_hit: int
    details: tuple[str, ...] = field(default=())  # one line per miss, extra or wrong type
    cells: Score | None = None  # table cells (id + dims + value), when the gold gives them

    @property
    def sections(self) -> float:
        return self.sections_found / self.sections_gold if self.sections_gold else 1.0

    @property
    def parts(self) -> float:
        return self.parts_right / self.sections_found if self.sections_found else 0.0

    @property
    def meta(self) -> float:
        return self.meta_right / self.meta_checks if self.meta_checks else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "missing": list(self.missing),
            "mentions": self.mentions.to_dict(),
            "typed": self.typed.to_dict(),
            "per_indicator": {k: v.to_dict() for k, v in sorted(self.per_indicator.items())},
            "sections": {"gold": self.sections_gold, "found": self.sections_found, "parts_right": self.parts_right,
                         "found_share": round(self.sections, 6), "parts_share": round(self.parts, 6)},
            "meta": {"checks": self.meta_checks, "right": self.meta_right, "share": round(self.meta, 6)},
            "negatives_hit": self.negatives_hit,
            "cells": self.cells.to_dict() if self.cells is not None else None,
        }


def _check_facts(facts: Any, key: str, path: Path) -> list[dict]:
    if facts is None:
        return []
    if not isinstance(facts, list):
        raise UsageError(f"gold file: {key!r} must be a list", str(path))
    for n, f in enumerate(facts, 1):
        if not isinstance(f, dict) or not {"indicator", "value", "unit"} <= set(f):
            raise UsageError(f"gold file: {key} #{n} needs indicator, value and unit", str(path))
    return facts


def _cell_key(cell: dict) -> tuple:
    value = cell.get("value")
    try:
        value = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        pass
    return str(cell.get("indicator")), tuple(sorted((str(k), str(v)) for k, v in (cell.get("dims") or {}).items())), \
        value


def _check_cells(cells: Any, path: Path) -> list[dict]:
    if cells is None:
        return []
    if not isinstance(cells, list) or not all(isinstance(c, dict) and {"indicator", "value"} <= set(c)
                                               and isinstance(c.get("dims", {}), dict) for c in cells):
        raise UsageError("gold file: 'cells' must be a list of {indicator, dims, value}", str(path))
    return cells


def _negative_hits(negatives: list, out: dict) -> int:
    text = out.get("text") or ""
    spans = []
    for phrase in negatives:
        if not isinstance(phrase, str) or not phrase:
            continue
        start = text.find(phrase)
        while start >= 0:
            spans.append((start, start + len(phrase)))
            start = text.find(phrase, start + 1)
    hits = 0
    for ind in out.get("indicators", []):
        qs = ind.get("quantity_span") or ind.get("span")
        if qs and any(qs[0] < e and s < qs[1] and s <= qs[0] and qs[1] <= e for s, e in spans):
            hits += 1
    return hits


def evaluate(gold_dir: str | Path, outdir: str | Path, *, details: bool = False) -> Evaluation:
    """Score `OUTDIR/<id>.json` against every `GOLD_DIR/*.json` (see the module docstring)."""
    gdir, odir = Path(gold_dir), Path(outdir)
    if not gdir.is_dir():
        raise UsageError("no such gold folder", str(gold_dir))
    if not odir.is_dir():
        raise UsageError("no such output folder", str(outdir))
    gold_files = sorted(gdir.glob("*.json"))
    if not gold_files:
        raise UsageError("no gold files (*.json) in the gold folder", str(gold_dir))
    n_gold = n_pred = tp = tp_typed = 0
    per: dict[str, list[int]] = {}  # id -> [gold, predicted, matched]
    sec = sec_found = part_ok = meta = meta_ok = neg_hits = 0
    missing: list[str] = []
    lines: list[str] = []
    cell_counts = [0, 0, 0]  # gold, predicted, matched
    any_cells = False
    for gold_file in gold_files:
        gold = store.json_object(gold_file, "gold file")
        doc_id = str(gold.get("id") or gold_file.stem)
        g_ind = _check_facts(gold.get("indicators", []), "indicators", gold_file)
        optional = _check_facts(gold.get("optional", []), "optional", gold_file)
        g_secs = gold.get("sections") or []
        n_gold += len(g_ind)
        sec += len(g_secs)
        for g in g_ind:
            per.setdefault(g["indicator"], [0, 0, 0])[0] += 1
        out = store.report_document(odir, doc_id)
        if out is None:
            missing.append(doc_id)
            lines.append(f"{doc_id}: no output")
            continue
        preds = list(out.get("indicators") or [])
        g_cells = _check_cells(gold.get("cells"), gold_file)
        if "cells" in gold:
            any_cells = True
            table_preds = [p for p in preds if p.get("table")]
            preds = [p for p in preds if not p.get("table")]
            want, got = Counter(map(_cell_key, g_cells)), Counter(map(_cell_key, table_preds))
            cell_counts[0] += len(g_cells)
            cell_counts[1] += len(table_preds)
            cell_counts[2] += sum((want & got).values())
            if details:
                lines.extend(f"{doc_id}: CELL MISSED {k[0]} {dict(k[1])} {k[2]}" for k in (want - got).elements())
                lines.extend(f"{doc_id}: CELL EXTRA  {k[0]} {dict(k[1])} {k[2]}" for k in (got - want).elements())
        opt_hit = {pi for _, pi in match(optional, preds, typed=False)}
        preds = [p for i, p in enumerate(preds) if i not in opt_hit]
        n_pred += len(preds)
        for p in preds:
            per.setdefault(str(p.get("indicator")), [0, 0, 0])[1] += 1
        pairs = match(g_ind, preds, typed=False)
        typed_pairs = match(g_ind, preds, typed=True)
        tp += len(pairs)
        tp_typed += len(typed_pairs)
        for gi, _ in typed_pairs:
            per[g_ind[gi]["indicator"]][2] += 1
        neg_hits += _negative_hits(gold.get("negatives") or [], out)
        if details:
            lines.extend(_detail_lines(doc_id, g_ind, preds, pairs))
        secs = out.get("sections") or []
        for gs in g_secs:
            found = [s for s in secs
                     if s.get("level") == gs.get("level") and fold(s.get("marker")) == fold(gs.get("marker"))
                     and fold(s.get("title")).startswith(fold(gs.get("title_starts")))]
            if found:
                sec_found += 1
                part_ok += found[0].get("part") == gs.get("part")
            elif details:
                lines.append(f"{doc_id}: SECTION MISSED {gs.get('marker')}{gs.get('title_starts')}")
        gm, om = gold.get("meta") or {}, out.get("meta") or {}
        checks = []
        if "year" in gm:
            checks.append(om.get("year") == gm["year"])
        if (gm.get("region") or {}).get("code"):
            checks.append((om.get("region") or {}).get("code") == gm["region"]["code"])
        if gm.get("agency"):
            checks.append(om.get("agency") == gm["agency"])
        meta += len(checks)
        meta_ok += sum(checks)
    return Evaluation(
        documents=len(gold_files), missing=tuple(missing),
        mentions=Score(n_gold, n_pred, tp), typed=Score(n_gold, n_pred, tp_typed),
        per_indicator={k: Score(*v) for k, v in per.items()},
        sections_gold=sec, sections_found=sec_found, parts_right=part_ok, meta_checks=meta, meta_right=meta_ok,
        negatives_hit=neg_hits, details=tuple(lines) if details else (),
        cells=Score(*cell_counts) if any_cells else None,
    )


def _detail_lines(doc_id: str, g_ind: list[dict], preds: list[dict], pairs: list[tuple[int, int]]) -> list[str]:
    lines = []
    got = {gi for gi, _ in pairs}
    hit = {pi for _, pi in pairs}
    for gi, g in enumerate(g_ind):
        if gi not in got:
            lines.append(f"{doc_id}: MISSED {g['indicator']} {g['value']}{g['unit']} 「{g.get('quote', '')}」")
    for pi, p in enumerate(preds):
        if pi not in hit:
            lines.append(f"{doc_id}: EXTRA  {p.get('indicator')} {p.get('value')}{p.get('unit')} "
                         f"「{p.get('text', '')}」")
    for gi, pi in pairs:
        if g_ind[gi]["indicator"] != preds[pi].get("indicator"):
            lines.append(f"{doc_id}: TYPE   want {g_ind[gi]['indicator']} got {preds[pi].get('indicator')} "
                         f"「{g_ind[gi].get('quote', '')}」")
    return lines


def report_lines(ev: Evaluation) -> list[str]:
    """The human-readable report: per-indicator table, then the overall figures."""
    from .query import format_table

    rows = [[k, s.gold, s.predicted, s.matched, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"]
            for k, s in sorted(ev.per_indicator.items())]
    table = format_table(["indicator", "gold", "predicted", "matched", "P", "R", "F1"], rows).rstrip("\n")
    m, t = ev.mentions, ev.typed
    return [
        *ev.details,
        "per indicator (typed):",
        *table.splitlines()[:-1],  # the "(n rows)" footer says nothing here
        "",
        f"documents {ev.documents}, without output: {len(ev.missing)}",
        f"mentions  P={m.precision:.3f} R={m.recall:.3f} F1={m.f1:.3f}  "
        f"(gold {m.gold}, predicted {m.predicted}, matched {m.matched})",
        f"typed     P={t.precision:.3f} R={t.recall:.3f} F1={t.f1:.3f}  (matched {t.matched})",
        f"sections  found={ev.sections:.3f}  parts right={ev.parts:.3f}  meta right={ev.meta:.3f}",
        f"negatives extracted: {ev.negatives_hit}",
        *([f"cells     P={ev.cells.precision:.3f} R={ev.cells.recall:.3f} F1={ev.cells.f1:.3f}  "
           f"(gold {ev.cells.gold}, predicted {ev.cells.predicted}, matched {ev.cells.matched})"]
          if ev.cells is not None else []),
        f"summary mentionF1={m.f1:.3f} typedF1={t.f1:.3f} sections={ev.sections:.3f} parts={ev.parts:.3f} "
        f"meta={ev.meta:.3f}",
    ]
