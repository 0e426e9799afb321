"""One indicator across regions (or agencies) and years: a pivot, a file, a chart.

What is compared: the achieved levels of one indicator, one value per report
by the rule of the `report_values` view (`query.REPORT_VALUES_SQL`, the one
definition, also open to SQL): parts of a total dropped, the largest figure per
actor, named actors added, never below the largest unattributed figure; rates
and durations: the headline (first unattributed) figure. Plans and
year-on-year changes are left out.

One value per cell. Several reports can fall into one cell (a district
government's report and its departments' reports share a region; the same
agency may publish twice). Reports are never added up: a government's report
normally covers its departments' work, so adding them would count the same
cases twice. The cell holds the largest report value; the same document read
twice (same content, same `doc_id`) counts once.

Cells a finding touches (a within-report finding whose evidence is a mention
of this indicator in one of the cell's reports) keep their value and are
flagged with the finding's check ids, never averaged or dropped: the user sees
the doubt and decides.

Rows of one division level. A province's report beside its districts' compares
unlike things, so unless a level is asked for (`level`, or "all"), only the
level most rows have is kept (rows whose level is unknown stay), and the rest
is said in `Pivot.notes`. `region` keeps a division and everything below it,
by the prefix of its GB/T 2260 code (天津市 120000 → 12…).

An indicator seen in several unit classes (e.g. 次 and 人次) is compared in its
most frequent class; the others are left out and said so in `Pivot.notes`.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from .errors import FontMissing, UsageError
from .fonts import NO_FONT
from .output import atomic_write, spreadsheet_cell, xlsx_append
from .query import connect, run

log = logging.getLogger(__name__)

CHART_MAX_ROWS = 20  # lines beyond this are unreadable; the largest are drawn
LEVELS = ("province", "city", "district", "county", "township")
SORTS = ("region", "value", "-value")
FLAG_COLUMN = "findings"  # the pivot's last column in files and tables: the check ids of flagged cells
FLAG_COLOUR = "#b91c1c"
FLAG_LABEL = "核查发现（govreport audit）"  # the chart's legend entry of a flagged value


@dataclass(frozen=True)
class Pivot:
    """Rows (regions or agencies) by columns (years) of one indicator's achieved level.

    `cells[i][j]` is the value of `rows[i]` in `years[j]`, or None; `flags[i][j]`
    the check ids of the findings that touch that cell (empty when none).
    """

    indicator: str
    label: str  # the indicator's name as the tables give it (the catalog's 中文 name)
    by: str  # region | agency
    unit: str
    unit_class: str
    years: tuple[int, ...]
    rows: tuple[str, ...]
    cells: tuple[tuple[Decimal | None, ...], ...]
    documents: int  # reports that gave a value
    notes: tuple[str, ...] = field(default=())
    flags: tuple[tuple[tuple[str, ...], ...], ...] = field(default=())
    measure: str = "level"  # what is compared: level, change_pct, change_abs …
    modality: str = "achieved"  # … of achieved figures, targets or plans (columns: the years they are for)

    def header(self) -> list[str]:
        return [self.by] + [str(y) for y in self.years] + ([FLAG_COLUMN] if self.flagged() else [])

    def table(self) -> list[list[Any]]:
        """Rows as lists; with a last column of flags ("2023:impossible_value; …") when any cell has one."""
        out = []
        for i, (row, cells) in enumerate(zip(self.rows, self.cells, strict=True)):
            line: list[Any] = [row, *cells]
            if self.flagged():
                line.append(self.flag_text(i) or None)
            out.append(line)
        return out

    def value(self, row: str, year: int) -> Decimal | None:
        return self.cells[self.rows.index(row)][self.years.index(year)]

    def flag(self, row: str, year: int) -> tuple[str, ...]:
        if not self.flags:
            return ()
        return self.flags[self.rows.index(row)][self.years.index(year)]

    def flagged(self) -> bool:
        return any(f for row in self.flags for f in row)

    def flag_text(self, i: int) -> str:
        """Row i's flags: "2023:impossible_value,subset_exceeds_superset; 2024:…"."""
        if not self.flags:
            return ""
        return "; ".join(f"{y}:{','.join(f)}" for y, f in zip(self.years, self.flags[i], strict=True) if f)


def parse_years(text: str | None) -> tuple[int, int] | None:
    """"2020-2025" → (2020, 2025); "2024" → (2024, 2024); None → None."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–~至到]\s*(\d{4})\s*)?", text)
    if not m:
        raise UsageError(f"--years wants YEAR or FIRST-LAST (e.g. 2020-2025), got {text!r}")
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if first > last:
        raise UsageError(f"--years {text}: the first year is after the last")
    return first, last


def region_prefix(name: str) -> tuple[str, str]:
    """(code prefix, full name) of a division named or coded: 天津市 → ("12", "天津市"),
    济南市 → ("3701", "山东省济南市"), 120104 → ("120104", "天津市南开区")."""
    from .regions import load_divisions, resolve_region

    text = name.strip()
    table = load_divisions()
    if re.fullmatch(r"\d{2}(\d{2}){0,2}", text):
        code = text.ljust(6, "0")
        full = next((d.full_name for divs in table.by_name.values() for d in divs if d.code == code), code)
        return _prefix(code), full
    names = [text]
    if text not in table.by_name:  # 南京市鼓楼区: the last division name, the rest as context
        for i in range(1, len(text) - 1):
            if text[i:] in table.by_name:
                names = [text[:i], text[i:]]
                break
    region, warning = resolve_region(names, "", None, table=table)
    if region is None or region.code is None:
        why = f": {warning}" if warning else ""
        raise UsageError(f"--region {name}: not a division of the division table{why} "
                         "(give a province, city or county name, e.g. 天津市, or its six-digit code)")
    return _prefix(region.code), region.full_name or region.name


def _prefix(code: str) -> str:
    """The code prefix of a division and everything below it: 120000 → 12, 370100 → 3701."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def compare(outdirs: Sequence[str | Path], indicator: str, *, by: str = "region",
            years: tuple[int, int] | None = None, level: str | None = None, region: str | None = None,
            sort: str = "region", top: int | None = None, measure: str = "level",
            modality: str = "achieved", dims: dict[str, str] | None = None) -> Pivot:
    """The pivot of `indicator`'s achieved level by region or agency and year (see the module's rule).

    level: a division level, "all" (mix levels), or None (the level most rows have);
    region: a division name or code, keeping it and everything below it;
    sort: region (by name), value or -value (by the value in the latest of the years most rows have
          a value in; rows without one last);
    top: only the first N rows after sorting;
    dims: the table cell of an indicator with dimensions ({"applicant": "total"}): one value per
          dimension it has (a pivot never mixes cells).
    """
    if by not in ("region", "agency"):
        raise UsageError(f"--by must be region or agency, got {by!r}")
    if level is not None and level not in (*LEVELS, "all"):
        raise UsageError(f"--level must be one of {', '.join(LEVELS)} or all, got {level!r}")
    if sort not in SORTS:
        raise UsageError(f"--sort must be one of {', '.join(SORTS)}, got {sort!r}")
    if top is not None and top < 1:
        raise UsageError("--top must be at least 1")
    if indicator == "other":
        # "other" gathers unrelated facts (事项, 单位, 篇 …): a pivot of them compares nothing
        raise UsageError("'other' is not one indicator: compare a catalog id, or use govreport query "
                         "on indicators WHERE indicator = 'other' to look at those facts by label")
    prefix = region_prefix(region) if region is not None else None
    con = connect(outdirs)
    try:
        pivot = _compare(con, indicator, by, years, level, prefix, sort, top, _source(measure, modality),
                         _dims_where(con, indicator, dims or {}))
        return replace(pivot, measure=measure, modality=modality)
    finally:
        con.close()


def _dims_where(con, indicator: str, dims: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """SQL conditions and parameters selecting one cell of an indicator's dimensions."""
    from .query import dimension_columns, one_line

    known = dimension_columns(con)
    for name in dims:
        if name not in known:
            raise UsageError(f"--dim {name}: no such dimension in these outputs"
                             + (f" (dimensions: {', '.join(known)})" if known else ""))
    where, params = [], {}
    for k, (name, value) in enumerate(sorted(dims.items())):
        where.append(f'"{name}" = $dim{k}')
        params[f"dim{k}"] = value
    used = []
    for name in known:
        if name in dims:
            continue
        try:
            n = run(con, f'SELECT count(*) FROM report_values WHERE indicator = $i AND "{name}" IS NOT NULL',
                    params={"i": indicator}).rows[0][0]
        except Exception as exc:  # pragma: no cover - DuckDB errors are reported as usage errors
            raise UsageError(one_line(str(exc))) from None
        if n:
            used.append(name)
    if used:
        values = {name: [r[0] for r in run(con, f'SELECT DISTINCT "{name}" FROM report_values WHERE indicator = $i '
                                                f'AND "{name}" IS NOT NULL ORDER BY 1', params={"i": indicator}).rows]
                  for name in used}
        hint = "; ".join(f"{name}: {', '.join(map(str, v))}" for name, v in values.items())
        raise UsageError(f"{indicator} is a table cell with dimensions: choose one with "
                         + " ".join(f"--dim {name}=VALUE" for name in used) + f" ({hint})")
    return where, params


def _source(measure: str, modality: str) -> str:
    """What the pivot reads: report_values (achieved levels), or for another
    measure or modality the work reports' figures by the year they are for
    (targets.FIGURES_SQL: the headline, first unattributed mention)."""
    if (measure, modality) == ("level", "achieved"):
        return "report_values"
    if measure not in ("level", "change_pct", "change_abs") or modality not in ("achieved", "target", "planned"):
        raise UsageError(f"unknown measure {measure!r} or modality {modality!r}")
    from .targets import FIGURES_SQL

    # literals from the two closed lists above, so safe to write into the SQL
    return f"({FIGURES_SQL}) WHERE measure = '{measure}' AND modality = '{modality}'"


def _compare(con, indicator: str, by: str, years: tuple[int, int] | None, level: str | None,
             prefix: tuple[str, str] | None, sort: str, top: int | None, source: str = "report_values",
             dim_where: tuple[list[str], dict[str, str]] = ([], {})) -> Pivot:
    params: dict[str, Any] = {"indicator": indicator, **dim_where[1]}
    cond = " AND ".join(["indicator = $indicator", *dim_where[0]])
    source = f"(SELECT * FROM {source})" if source != "report_values" else source
    classes = run(con, f"SELECT unit_class, unit, label, sum(mentions) AS n FROM {source} "
                       f"WHERE {cond} GROUP BY ALL ORDER BY n DESC, unit_class, unit, label",
                  params=params).rows
    if not classes:
        raise UsageError(_no_values(con, indicator))
    by_class: Counter = Counter()
    for unit_class, _, _, n in classes:
        by_class[unit_class] += n
    unit_class = max(by_class, key=lambda c: (by_class[c], c == classes[0][0]))
    unit = next(u for c, u, _, _ in classes if c == unit_class)
    label = next(lab for c, _, lab, _ in classes if c == unit_class) or indicator
    notes = [f"{n} mention(s) in {c} units left out (compared in {unit_class})"
             for c, n in sorted(by_class.items()) if c != unit_class]
    params["unit_class"] = unit_class

    label_expr = "coalesce(region_full_name, region)" if by == "region" else "agency"
    where = ["indicator = $indicator", "unit_class = $unit_class", *dim_where[0]]
    if years is not None:
        where.append("year BETWEEN $first AND $last")
        params.update(first=years[0], last=years[1])
    if prefix is not None:
        where.append("starts_with(region_code, $prefix)")
        params["prefix"] = prefix[0]
    sql = f"""SELECT {label_expr} AS row_label, year, value, doc_id, region_level
              FROM {source} WHERE {' AND '.join(where)}"""
    found = run(con, sql, params=params).rows
    skipped = {d for r, y, _, d, _ in found if r is None or y is None}
    if skipped:
        notes.append(f"{len(skipped)} report(s) without a year or {by} left out")
    found = [f for f in found if f[0] is not None and f[1] is not None]
    if prefix is not None:
        notes.append(f"only {prefix[1]} and the divisions in it (codes {prefix[0]}…)")

    # one level: the one asked for, else the one most rows have (unknown levels stay)
    row_levels: dict[str, Counter] = {}
    for r, _, _, _, lv in found:
        row_levels.setdefault(r, Counter())[lv] += 1
    level_of = {r: c.most_common(1)[0][0] for r, c in row_levels.items()}
    if level != "all":
        chosen = level or _common_level(level_of.values())
        if chosen is not None:
            other = Counter(lv for r, lv in level_of.items() if lv != chosen and (level or lv is not None))
            if other:
                counts = ", ".join(f"{lv or 'unknown'}: {n}" for lv, n in sorted(other.items(), key=str))
                notes.append(f"{sum(other.values())} row(s) of other levels left out ({counts}); "
                             f"compared: {chosen} (--level to choose, --level all to mix)")
            keep = {r for r, lv in level_of.items() if lv == chosen or (level is None and lv is None)}
            found = [f for f in found if f[0] in keep]

    grid: dict[tuple[str, int], Decimal] = {}
    docs: dict[tuple[str, int], set[str]] = {}
    for r, y, v, d, _ in found:
        if (r, y) not in grid or v > grid[(r, y)]:
            grid[(r, y)] = v
        docs.setdefault((r, y), set()).add(d)
    if years is not None:
        year_cols = tuple(range(years[0], years[1] + 1))
    else:
        year_cols = tuple(sorted({y for _, y in grid}))
    row_labels = sorted({r for r, _ in grid})
    if sort != "region" and row_labels:
        # rows are ranked on one year: the latest of the years most rows have a value in
        # (a lone later report does not decide the order of all the others)
        filled = Counter(y for _, y in grid)
        at = max(y for y in year_cols if filled[y] == max(filled.values()))
        sign = 1 if sort == "value" else -1

        def key(r: str) -> tuple:
            v = grid.get((r, at))
            return (v is None, sign * v if v is not None else 0, r)

        row_labels.sort(key=key)
        notes.append(f"rows sorted by their {at} value ({'largest' if sign < 0 else 'smallest'} first)")
    if top is not None and len(row_labels) > top:
        notes.append(f"the first {top} of {len(row_labels)} rows shown")
        row_labels = row_labels[:top]

    checks: dict[str, set[str]] = {}
    for d, check in run(con, 'SELECT DISTINCT doc_id, "check" FROM finding_indicators '
                             "WHERE indicator = $indicator", params={"indicator": indicator}).rows:
        checks.setdefault(d, set()).add(check)
    cells = tuple(tuple(grid.get((r, y)) for y in year_cols) for r in row_labels)
    flags = tuple(tuple(tuple(sorted(set().union(*(checks.get(d, set()) for d in docs.get((r, y), ())))))
                        for y in year_cols) for r in row_labels)
    documents = sum(len(docs[(r, y)]) for r in row_labels for y in year_cols if (r, y) in docs)
    if not row_labels and years is not None:
        notes.append(f"no values in {years[0]}-{years[1]}")
    for note in notes:
        log.info("%s: %s", indicator, note)
    return Pivot(indicator=indicator, label=label, by=by, unit=unit, unit_class=unit_class, years=year_cols,
                 rows=tuple(row_labels), cells=cells, documents=documents, notes=tuple(notes), flags=flags)


def _common_level(levels) -> str | None:
    """The level most rows have (the lower one on a tie: districts outnumber their city)."""
    counts = Counter(lv for lv in levels if lv is not None)
    if not counts:
        return None
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    return max(counts, key=lambda lv: (counts[lv], rank.get(lv, -1)))


def _no_values(con, indicator: str) -> str:
    from .catalog import did_you_mean, entries

    ids = {r[0] for r in run(con, "SELECT DISTINCT indicator FROM indicators WHERE indicator IS NOT NULL").rows}
    known = ids | {e.id for e in entries()}  # outputs made with --rules may hold ids of their own
    if indicator not in known:
        return (f"unknown indicator id {indicator!r}{did_you_mean(indicator, known - {'other'})}: "
                "`govreport indicators` lists them")
    return f"no achieved level values of indicator {indicator!r} in these outputs{did_you_mean(indicator, ids)}"


# --- files -----------------------------------------------------------------------------------

def _excel_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def check_paths(output: str | Path | None, chart: str | Path | None) -> None:
    """Refuse a wrong file suffix before any work, so nothing is half done."""
    if output is not None and Path(output).suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError("the pivot file must end in .csv or .xlsx", str(output))
    if chart is not None and Path(chart).suffix.lower() != ".png":
        raise UsageError("the chart file must end in .png", str(chart))


def write_pivot(pivot: Pivot, path: str | Path) -> Path:
    """Write the pivot as CSV (UTF-8 with BOM, like the output tables) or XLSX, by the file's suffix."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        # region and agency names are text from the reports: never a formula (output.neutralise)
        writer.writerow([spreadsheet_cell(v) for v in pivot.header()])
        for row in pivot.table():
            writer.writerow([spreadsheet_cell(v) for v in row])
        data = ("\ufeff" + buf.getvalue()).encode("utf-8")
    elif suffix == ".xlsx":
        data = _xlsx_bytes(pivot)
    else:
        raise UsageError("the pivot file must end in .csv or .xlsx", str(path))
    try:
        atomic_write(p, data)
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", str(path)) from None
    return p


def _xlsx_bytes(pivot: Pivot) -> bytes:
    try:
        from openpyxl import Workbook
    except ImportError:
        raise UsageError("writing .xlsx needs openpyxl (pip install openpyxl); .csv works without it") from None

    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = pivot.indicator[:31]  # Excel's limit on sheet names
    xlsx_append(ws, pivot.header())  # text cells are strings, never formulas
    flag_fill = PatternFill("solid", fgColor="FDE68A")  # amber: look here before using the number
    for i, row in enumerate(pivot.table()):
        values = [_excel_number(v) for v in row[1:1 + len(pivot.years)]]
        xlsx_append(ws, [row[0], *values, *row[1 + len(pivot.years):]])
        for j, year in enumerate(pivot.years):
            checks = pivot.flags[i][j] if pivot.flags else ()
            if checks:
                cell = ws.cell(row=i + 2, column=j + 2)
                cell.fill = flag_fill
                cell.comment = Comment(f"{pivot.rows[i]} {year}: audit finding(s) {', '.join(checks)} touch this "
                                       "value (govreport query: SELECT * FROM finding_indicators)", "govreport")
    ws.column_dimensions["A"].width = max(12, min(40, max((len(r) * 2 for r in pivot.rows), default=12)))
    ws.freeze_panes = "B2"
    meta = wb.create_sheet("about")
    for key, value in (("indicator", pivot.indicator), ("label", pivot.label), ("unit", pivot.unit),
                       ("by", pivot.by), ("documents", pivot.documents),
                       ("rule", "achieved level; per report: the report_values view (parts (inherit) dropped, "
                                "largest per actor, named actors added, never below the largest unattributed "
                                "figure; rates: the headline); per cell: the largest report value"),
                       ("flags", "cells that an audit finding touches are coloured and carry a comment; "
                                 "the findings column lists their check ids"),
                       *(("note", n) for n in pivot.notes)):
        xlsx_append(meta, [key, value])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- chart -----------------------------------------------------------------------------------

def find_cjk_font() -> tuple[str, str] | None:
    """(family name, file) of an installed regular-weight font that draws Chinese, or None."""
    from .fonts import chart_font

    return chart_font()


def check_chart_font() -> tuple[str, str]:
    """The CJK font a chart will use; `FontMissing` when there is none (never draw empty boxes)."""
    try:
        found = find_cjk_font()
    except ImportError:
        raise UsageError("charts need matplotlib (pip install matplotlib)") from None
    if found is None:
        raise FontMissing(NO_FONT)
    return found


def draw_chart(pivot: Pivot, path: str | Path, font: tuple[str, str] | None = None) -> Path:
    """Draw the pivot as a PNG: a line per row over the years (bars when there is one year)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    p = Path(path)
    if p.suffix.lower() != ".png":
        raise UsageError("the chart file must end in .png", str(path))
    family, _ = font or check_chart_font()
    flags = pivot.flags or tuple(tuple(() for _ in pivot.years) for _ in pivot.rows)
    rows = list(zip(pivot.rows, pivot.cells, flags, strict=True))
    title = f"{pivot.label}（{pivot.indicator}，单位：{pivot.unit}）"
    if len(rows) > CHART_MAX_ROWS:
        rows.sort(key=lambda rcf: -sum(v for v in rcf[1] if v is not None))
        rows = rows[:CHART_MAX_ROWS]
        title += f"\n数值最大的 {CHART_MAX_ROWS} 个（共 {len(pivot.rows)} 个）"
    by_zh = "地区" if pivot.by == "region" else "机关"
    # only the CJK face: no fallback family to resolve (and warn about), and its Latin glyphs draw the digits
    with matplotlib.rc_context({"font.family": [family], "axes.unicode_minus": False}):
        fig = Figure(figsize=(9, max(4.5, 0.35 * len(rows) + 2)) if len(pivot.years) == 1 else (9, 5.5),
                     dpi=120)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        if len(pivot.years) == 1:
            shown = [(r, float(c[0]), bool(f[0])) for r, c, f in rows if c[0] is not None][::-1]
            labels, values = [r for r, _, _ in shown], [v for _, v, _ in shown]
            bars = ax.barh(labels, values, color="#3b75af")
            for bar, (_, _, flagged) in zip(bars, shown, strict=True):
                if flagged:  # an audit finding touches this value: hatched, red edge
                    bar.set_hatch("//")
                    bar.set_edgecolor(FLAG_COLOUR)
                    bar.set_label(FLAG_LABEL if FLAG_LABEL not in [b.get_label() for b in bars] else "_nolegend_")
            if any(f for _, _, f in shown):
                ax.legend(fontsize="small", loc="lower right")
            ax.set_xlabel(f"{pivot.years[0]} 年（{pivot.unit}）")
            ax.set_ylabel(by_zh)
        else:
            if len(rows) > 10:  # the default cycle repeats its colours after 10 lines
                ax.set_prop_cycle(color=matplotlib.colormaps["tab20"].colors)
            fx: list[int] = []
            fy: list[float] = []
            for label, cells, row_flags in rows:
                # NaN for a year without a value: the line breaks there instead of bridging the gap
                ys = [float(v) if v is not None else float("nan") for v in cells]
                ax.plot(list(pivot.years), ys, marker="o", label=label)
                for y, v, f in zip(pivot.years, cells, row_flags, strict=True):
                    if f and v is not None:
                        fx.append(y)
                        fy.append(float(v))
            if fx:  # an audit finding touches these values: a red ring around the point, never clipped
                ax.scatter(fx, fy, s=220, facecolors="none", edgecolors=FLAG_COLOUR, linewidths=2, zorder=5,
                           clip_on=False, label=FLAG_LABEL)
            ax.set_ylim(bottom=0)  # levels are counts, rates, amounts: a zero baseline does not exaggerate
            ax.set_xticks(list(pivot.years))
            ax.set_xticklabels([str(y) for y in pivot.years])
            ax.set_xlabel("年度")
            ax.set_ylabel(pivot.unit)
            ax.legend(title=by_zh, fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
            ax.grid(True, alpha=0.3)
        ax.set_title(title)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    try:
        atomic_write(p, buf.getvalue())
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", str(path)) from None
    return p
