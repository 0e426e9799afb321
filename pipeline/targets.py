"""Targets against results: the across-years check of government work reports.

A work report given early in year N+1 reviews year N (achieved figures,
period N) and sets the targets of N+1 (modality `target`, period N+1). So the
target for year N is in the report of N-1, and what was achieved in N is in
the report of N. `targets` lines them up per region, indicator and measure:

    region   indicator  measure     year  target     achieved  gap   status
    某省     gdp        change_pct  2025  5 (about)  5.2       0.2   met

One value per report and figure (`FIGURES_SQL`): the first mention in the
report without an actor (a figure of a lower region, of the country or of a
group names one) for that indicator, unit class, measure, modality and
period; a target's headline comes first (the target list), a result's too
(the review). Period spans (2021-2025) are not yearly figures and are left out.

A target is missed when the result is below it, or above it for a ceiling:
a target written with 以内/不超过 (qualifier `within`), or one of the
indicators whose target is a ceiling (context.yaml, modality.target_ceilings:
unemployment, consumer prices). 左右 (about) is read as the number itself:
5%左右 with 4.9% achieved is flagged, for a person to judge.
"""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from .errors import UsageError
from .output import atomic_write, csv_value
from .query import connect, run

log = logging.getLogger(__name__)

# One value per report and figure: the first unattributed mention. `year` is the
# figure's own year (its period), `report_year` the year the report reviews.
FIGURES_SQL = """
WITH m AS (
    SELECT DISTINCT doc_id, year AS report_year, region, region_code, agency, report_type, indicator, label,
           value, unit, unit_class, measure, modality, qualifier, TRY_CAST(period AS INTEGER) AS year, start
    FROM indicators
    WHERE value IS NOT NULL AND unit_class IS NOT NULL AND indicator IS NOT NULL AND indicator <> 'other'
      AND (actor IS NULL OR actor = '') AND TRY_CAST(period AS INTEGER) IS NOT NULL
), per_doc AS (
    SELECT doc_id, indicator, unit_class, measure, modality, year, arg_min(value, start) AS value,
           arg_min(unit, start) AS unit, arg_min(qualifier, start) AS qualifier, any_value(label) AS label,
           count(*)::INTEGER AS mentions, any_value(report_year) AS report_year, any_value(region) AS region,
           any_value(region_code) AS region_code, any_value(agency) AS agency,
           any_value(report_type) AS report_type
    FROM m GROUP BY doc_id, indicator, unit_class, measure, modality, year
), docs AS (
    SELECT doc_id, any_value(region_full_name) AS region_full_name, any_value(region_level) AS region_level
    FROM reports GROUP BY doc_id
)
SELECT doc_id, year, report_year, region, region_full_name, region_code, region_level, agency, report_type,
       indicator, label, unit_class, unit, measure, modality, qualifier, value, mentions
FROM per_doc LEFT JOIN docs USING (doc_id)
"""

COLUMNS = ["region", "region_code", "indicator", "label", "measure", "unit", "year", "target", "qualifier",
           "achieved", "gap", "status"]


@dataclass(frozen=True)
class TargetRow:
    region: str
    region_code: str | None
    indicator: str
    label: str
    measure: str
    unit: str
    year: int
    target: Decimal | None
    qualifier: str | None
    achieved: Decimal | None
    status: str  # met | missed | "" (one side missing)

    @property
    def gap(self) -> Decimal | None:
        if self.target is None or self.achieved is None:
            return None
        return self.achieved - self.target

    def cells(self) -> list[Any]:
        return [self.region, self.region_code, self.indicator, self.label, self.measure, self.unit, self.year,
                self.target, self.qualifier, self.achieved, self.gap, self.status]


def targets(outdirs: Sequence[str | Path], *, indicator: str | None = None, measure: str | None = None,
            years: tuple[int, int] | None = None, ceilings: frozenset[str] | None = None) -> list[TargetRow]:
    """Per region, indicator, measure and year: the target (from the report before) beside the result."""
    if ceilings is None:
        from .rules import load_rules

        ceilings = load_rules().context.target_ceilings
    con = connect(outdirs)
    try:
        where = ["modality IN ('target', 'achieved')"]
        params: dict[str, Any] = {}
        if indicator is not None:
            where.append("indicator = $indicator")
            params["indicator"] = indicator
        if measure is not None:
            where.append("measure = $measure")
            params["measure"] = measure
        if years is not None:
            where.append("year BETWEEN $first AND $last")
            params.update(first=years[0], last=years[1])
        sql = f"""SELECT coalesce(region_full_name, region) AS r, region_code, indicator, label, measure, unit,
                         unit_class, year, modality, value, qualifier, report_year
                  FROM ({FIGURES_SQL}) WHERE {' AND '.join(where)}
                  ORDER BY r, indicator, measure, year, modality, report_year"""
        found = run(con, sql, params=params).rows
    finally:
        con.close()
    # a target counts only from a report of an earlier year; a result only from the report of its year
    cells: dict[tuple, dict[str, Any]] = {}
    for r, code, ind, label, meas, unit, _cls, year, modality, value, qual, report_year in found:
        if r is None or report_year is None:
            continue
        if modality == "target" and not report_year < year:
            continue
        if modality == "achieved" and report_year != year:
            continue
        cell = cells.setdefault((r, ind, meas, unit, year), {"code": code, "label": label})
        # the latest report of each side wins (a corrected reissue)
        if modality not in cell or report_year >= cell[modality][2]:
            cell[modality] = (value, qual, report_year)
    rows = []
    for (r, ind, meas, unit, year), cell in sorted(cells.items(), key=lambda kv: kv[0]):
        target, qual, _ = cell.get("target", (None, None, None))
        achieved = cell.get("achieved", (None, None, None))[0]
        status = ""
        if target is not None and achieved is not None:
            ceiling = qual == "within" or ind in ceilings
            status = "missed" if (achieved > target if ceiling else achieved < target) else "met"
        rows.append(TargetRow(r, cell["code"], ind, cell["label"] or ind, meas, unit, year, target, qual, achieved,
                              status))
    if not rows:
        raise UsageError("no targets or results of work reports in these outputs"
                         + (f" for {indicator}" if indicator else ""))
    return rows


def write_rows(rows: list[TargetRow], path: str | Path) -> Path:
    """The table as CSV (UTF-8 with BOM, for Excel and WPS)."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise UsageError(f"-o must name a .csv file, got {path.name!r}")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for row in rows:
        w.writerow([csv_value(v) for v in row.cells()])
    atomic_write(path, ("\ufeff" + buf.getvalue()).encode("utf-8"))
    return path
