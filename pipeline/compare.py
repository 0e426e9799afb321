"""One indicator across regions (or agencies) and years: a pivot, a file, a chart.

What is compared: the achieved levels of one indicator — rows of the
`indicators` table with `modality = 'achieved'` and `measure = 'level'` (plans
and year-on-year changes are left out). A range (3至5次) counts at its low end.

One value per report. A report often names the same indicator several times;
adding the mentions up would count a total and its parts twice
("全年出庭应诉10次，其中区领导出庭3次" is 10 appearances, not 13), and taking only
the largest would lose distinct actors ("区领导出庭应诉3次，区政府办主要负责人出庭应诉7次"
is 10, not 7). The rule, per report:

1. Parts are dropped: a mention whose rule ends in `/inherit` took its id from
   the total just before it in the same sentence ("行政复议案件4件，撤销1件，维持3件"),
   so it is a part of that total, never a figure of its own.
2. For additive units (counts, people, money): per actor the largest mention
   (a restatement or a subset never exceeds the figure it restates); the
   named actors' figures are added (different people, different acts); and the
   report's value is the larger of that sum and the largest mention without an
   actor (an unattributed figure is the report-wide one, which already holds
   the named actors' parts).
3. For rates and durations (%, 个百分点, days), which cannot be added: the
   first mention without an actor in reading order (the headline figure), else
   the first mention.

One value per cell. Several reports can fall into one cell (a district
government's report and its departments' reports share a region; the same
agency may publish twice). Reports are never added up: a government's report
normally covers its departments' work, so adding them would count the same
cases twice. The cell holds the largest report value; the same document read
twice (same content, same `doc_id`) counts once.

An indicator seen in several unit classes (e.g. 次 and 人次) is compared in its
most frequent class; the others are left out and said so in `Pivot.notes`.
"""
from __future__ import annotations

import csv
import difflib
import io
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from .errors import FontMissing, UsageError
from .output import atomic_write, csv_value
from .query import connect, run

log = logging.getLogger(__name__)

ADDITIVE_UNIT_CLASSES = ("count", "people", "money")
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
             "Noto Sans CJK JP", "Noto Sans CJK TC", "Source Han Sans", "Source Han Sans CN", "Noto Sans SC",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN", "AR PL UKai CN",
             "Noto Serif CJK SC", "Source Han Serif SC")
# file names of CJK fonts, for a font installed after matplotlib built its cache
_CJK_FILE = re.compile(r"(wqy|notosanscjk|notoserifcjk|sourcehan|simhei|msyh|pingfang|uming|ukai|droidsansfallback)",
                       re.I)
NO_FONT = "no CJK font found: install fonts-noto-cjk or fonts-wqy-microhei"
CHART_MAX_ROWS = 20  # lines beyond this are unreadable; the largest are drawn




@dataclass(frozen=True)
class Pivot:
    """Rows (regions or agencies) by columns (years) of one indicator's achieved level.

    `cells[i][j]` is the value of `rows[i]` in `years[j]`, or None.
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

    def header(self) -> list[str]:
        return [self.by] + [str(y) for y in self.years]

    def table(self) -> list[list[Any]]:
        return [[row, *cells] for row, cells in zip(self.rows, self.cells, strict=True)]

    def value(self, row: str, year: int) -> Decimal | None:
        return self.cells[self.rows.index(row)][self.years.index(year)]


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


_MENTIONS = """
WITH docs AS (
    SELECT doc_id, any_value(region_full_name) AS region_full_name FROM reports GROUP BY doc_id
), m AS (
    -- DISTINCT: the same document reached through two folders or two paths counts once
    SELECT DISTINCT i.doc_id, i.year, i.region, i.agency, i.actor, i.value, i.unit, i.unit_class, i.label,
           i.start, i."end", i.rule
    FROM indicators i
    WHERE i.indicator = $indicator AND i.modality = 'achieved' AND i.measure = 'level' AND i.value IS NOT NULL
)
SELECT m.*, docs.region_full_name FROM m LEFT JOIN docs USING (doc_id)
"""

_PIVOT = """
WITH mentions AS ({mentions}),
sel AS (
    SELECT doc_id, year, actor, value, start,
           {label_expr} AS row_label
    FROM mentions
    WHERE unit_class = $unit_class AND NOT coalesce(rule LIKE '%/inherit', false)
),
per_actor AS (
    SELECT doc_id, actor, max(value) AS top, arg_min(value, start) AS first_value, min(start) AS first_start
    FROM sel GROUP BY doc_id, actor
),
per_doc AS (
    SELECT doc_id,
           {doc_value} AS value
    FROM per_actor GROUP BY doc_id
),
doc_meta AS (
    SELECT doc_id, any_value(year) AS year, any_value(row_label) AS row_label FROM sel GROUP BY doc_id
)
SELECT row_label, year, max(value) AS value, count(*) AS documents
FROM per_doc JOIN doc_meta USING (doc_id)
WHERE year IS NOT NULL AND row_label IS NOT NULL {year_filter}
GROUP BY row_label, year
ORDER BY row_label, year
"""

_ADDITIVE = ("greatest(coalesce(max(top) FILTER (WHERE actor IS NULL), 0), "
             "coalesce(sum(top) FILTER (WHERE actor IS NOT NULL), 0))")
_FIRST = ("coalesce(arg_min(first_value, first_start) FILTER (WHERE actor IS NULL), "
          "arg_min(first_value, first_start))")


def compare(outdirs: Sequence[str | Path], indicator: str, *, by: str = "region",
            years: tuple[int, int] | None = None) -> Pivot:
    """The pivot of `indicator`'s achieved level by region or agency and year (see the module's rule)."""
    if by not in ("region", "agency"):
        raise UsageError(f"--by must be region or agency, got {by!r}")
    if indicator == "other":
        # "other" gathers unrelated facts (事项, 单位, 篇 …): a pivot of them compares nothing
        raise UsageError("'other' is not one indicator: compare a catalog id, or use govreport query "
                         "on indicators WHERE indicator = 'other' to look at those facts by label")
    con = connect(outdirs)
    try:
        return _compare(con, indicator, by, years)
    finally:
        con.close()


def _compare(con, indicator: str, by: str, years: tuple[int, int] | None) -> Pivot:
    params = {"indicator": indicator}
    classes = run(con, f"SELECT unit_class, unit, label, count(*) AS n FROM ({_MENTIONS}) "
                       "WHERE unit_class IS NOT NULL "
                       "GROUP BY ALL ORDER BY n DESC, unit_class, unit, label", params=params).rows
    if not classes:
        raise UsageError(_no_values(con, indicator))
    by_class: dict[str, int] = {}
    for unit_class, _, _, n in classes:
        by_class[unit_class] = by_class.get(unit_class, 0) + n
    unit_class = max(by_class, key=lambda c: (by_class[c], c == classes[0][0]))
    unit = next(u for c, u, _, _ in classes if c == unit_class)
    label = next(lab for c, _, lab, _ in classes if c == unit_class) or indicator
    notes = [f"{n} mention(s) in {c} units left out (compared in {unit_class})"
             for c, n in sorted(by_class.items()) if c != unit_class]

    label_expr = "coalesce(region_full_name, region)" if by == "region" else "agency"
    doc_value = _ADDITIVE if unit_class in ADDITIVE_UNIT_CLASSES else _FIRST
    year_filter = ""
    if years is not None:
        year_filter = "AND year BETWEEN $first AND $last"
    sql = _PIVOT.format(mentions=_MENTIONS, label_expr=label_expr, doc_value=doc_value, year_filter=year_filter)
    params = dict(params, unit_class=unit_class)
    if years is not None:
        params.update(first=years[0], last=years[1])
    cells_found = run(con, sql, params=params).rows
    skipped = run(con, f"""SELECT count(DISTINCT doc_id) FROM ({_MENTIONS})
                           WHERE unit_class = $unit_class AND (year IS NULL OR {label_expr} IS NULL)""",
                  params={"indicator": indicator, "unit_class": unit_class}).rows[0][0]
    if skipped:
        notes.append(f"{skipped} report(s) without a year or {by} left out")

    if years is not None:
        year_cols = tuple(range(years[0], years[1] + 1))
    else:
        year_cols = tuple(sorted({y for _, y, _, _ in cells_found}))
    row_labels = tuple(sorted({r for r, _, _, _ in cells_found}))
    grid = {(r, y): v for r, y, v, _ in cells_found}
    cells = tuple(tuple(grid.get((r, y)) for y in year_cols) for r in row_labels)
    documents = sum(n for _, _, _, n in cells_found)
    if not row_labels and years is not None:
        notes.append(f"no values in {years[0]}-{years[1]}")
    for note in notes:
        log.info("%s: %s", indicator, note)
    return Pivot(indicator=indicator, label=label, by=by, unit=unit, unit_class=unit_class, years=year_cols,
                 rows=row_labels, cells=cells, documents=documents, notes=tuple(notes))


def _no_values(con, indicator: str) -> str:
    ids = [r[0] for r in run(con, "SELECT DISTINCT indicator FROM indicators WHERE indicator IS NOT NULL").rows]
    close = difflib.get_close_matches(indicator, ids, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"no achieved level values of indicator {indicator!r} in these outputs{hint}"


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
        writer.writerow(pivot.header())
        for row in pivot.table():
            writer.writerow([csv_value(v) for v in row])
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

    wb = Workbook()
    ws = wb.active
    ws.title = pivot.indicator[:31]  # Excel's limit on sheet names
    ws.append(pivot.header())
    for row in pivot.table():
        ws.append([row[0], *(_excel_number(v) for v in row[1:])])
    ws.column_dimensions["A"].width = max(12, min(40, max((len(r) * 2 for r in pivot.rows), default=12)))
    ws.freeze_panes = "B2"
    meta = wb.create_sheet("about")
    for key, value in (("indicator", pivot.indicator), ("label", pivot.label), ("unit", pivot.unit),
                       ("by", pivot.by), ("documents", pivot.documents),
                       ("rule", "achieved level; per report: parts (inherit) dropped, largest per actor, "
                                "named actors added, never below the largest unattributed figure; "
                                "per cell: the largest report value"),
                       *(("note", n) for n in pivot.notes)):
        meta.append([key, value])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- chart -----------------------------------------------------------------------------------

def find_cjk_font() -> tuple[str, str] | None:
    """(family name, file) of an installed font that draws Chinese, or None.

    Looks in matplotlib's font list first, then for CJK font files matplotlib
    has not cached yet (installed after its cache was built).
    """
    from matplotlib import font_manager

    by_name = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in by_name:
            return name, by_name[name]
    for fname in sorted(font_manager.findSystemFonts()):
        if _CJK_FILE.search(Path(fname).name):
            try:
                font_manager.fontManager.addfont(fname)
                return font_manager.FontProperties(fname=fname).get_name(), fname
            except (OSError, RuntimeError, ValueError):  # an unreadable font file: try the next
                continue
    return None


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
    rows = list(zip(pivot.rows, pivot.cells, strict=True))
    title = f"{pivot.label}（{pivot.indicator}，单位：{pivot.unit}）"
    if len(rows) > CHART_MAX_ROWS:
        rows.sort(key=lambda rc: -sum(v for v in rc[1] if v is not None))
        rows = rows[:CHART_MAX_ROWS]
        title += f"\n数值最大的 {CHART_MAX_ROWS} 个（共 {len(pivot.rows)} 个）"
    by_zh = "地区" if pivot.by == "region" else "机关"
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [family, "DejaVu Sans"],
                                "axes.unicode_minus": False}):
        fig = Figure(figsize=(9, max(4.5, 0.35 * len(rows) + 2)) if len(pivot.years) == 1 else (9, 5.5),
                     dpi=120)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        if len(pivot.years) == 1:
            shown = [(r, float(c[0])) for r, c in rows if c[0] is not None][::-1]
            labels, values = [r for r, _ in shown], [v for _, v in shown]
            ax.barh(labels, values, color="#3b75af")
            ax.set_xlabel(f"{pivot.years[0]} 年（{pivot.unit}）")
            ax.set_ylabel(by_zh)
        else:
            if len(rows) > 10:  # the default cycle repeats its colours after 10 lines
                ax.set_prop_cycle(color=matplotlib.colormaps["tab20"].colors)
            for label, cells in rows:
                # NaN for a year without a value: the line breaks there instead of bridging the gap
                ys = [float(v) if v is not None else float("nan") for v in cells]
                ax.plot(list(pivot.years), ys, marker="o", label=label)
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
