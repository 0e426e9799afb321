"""A static review site for an output folder: `govreport view OUTDIR -o site/`.

An auditor would rather look than read JSON. For every report JSON in OUTDIR
this writes one page showing the normalised text with each indicator
highlighted (colour by unit class; hover for a summary, click for every
field), every other number of the text muted with the reason it was not
extracted, the section tree as an outline, and the findings linked to their
evidence; plus `index.html`, a sortable, filterable table of all reports.

The pages need no server and no network: CSS, JavaScript and data are inlined
into each file (templates under `pipeline/templates/`), so they open from
`file://`. Every piece of report text goes through `html.escape` (or, for the
data block the scripts read, a JSON encoding that cannot close its <script>),
and the scripts only ever set `textContent`: a report that contains
`<script>` shows it as text.

Only the JSON is read: the site shows what `govreport extract` wrote. The
muted numbers are found again here with `pipeline.numbers` and the bundled
rules' stop phrases, which is a display aid, not extraction.
"""
from __future__ import annotations

import bisect
import html
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

from .numbers import NUMERAL_RE, find_quantities
from .output import atomic_write
from . import store
from .records import SEVERITIES, UNIT_CLASSES
from .rules import Rules, load_rules

log = logging.getLogger(__name__)

__all__ = ["ReportFile", "SiteResult", "load_reports", "render_index", "render_report", "write_site"]

_PARTS_ZH = {"achievements": "成效", "shortcomings": "不足", "leadership_duties": "第一责任人",
             "next_year_plans": "下一年", "other": "其他"}


# --- reading OUTDIR --------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportFile:
    """One report JSON of OUTDIR and the page it becomes."""

    path: Path
    doc: dict[str, Any]

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def page(self) -> str:
        # a report named index.txt must not overwrite the site's index page:
        # "index", "index_", "index__" … each take one more "_" (one-to-one)
        stem = self.stem
        if stem.rstrip("_").casefold() == "index":
            stem += "_"
        return f"{stem}.html"


@dataclass
class SiteResult:
    index: Path
    pages: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # JSON files that are not reports


def load_reports(outdir: str | Path) -> tuple[list[ReportFile], list[Path]]:
    """The report JSON files directly in `outdir` (sorted by name), and the other JSON files skipped."""
    reports: list[ReportFile] = []
    skipped: list[Path] = []
    for path, doc in store.report_documents(outdir):
        if doc is None:
            log.debug("%s: not a report JSON, skipped", path)
            skipped.append(path)
        else:
            reports.append(ReportFile(path, doc))
    return reports, skipped


# --- templates -------------------------------------------------------------------------------

def _asset(name: str) -> str:
    return resources.files("pipeline").joinpath("templates", name).read_text(encoding="utf-8")


def _css() -> str:
    """The pages' CSS, with the CJK font stack of `fonts` (the one list of CJK families)."""
    from .fonts import CSS_FONT_STACK

    return f":root {{ --cjk-fonts: {CSS_FONT_STACK}; }}\n" + _asset("view.css")


def _template(name: str) -> Template:
    return Template(_asset(name))


def _e(value: Any) -> str:
    """HTML-escaped text of any value; None is empty."""
    return "" if value is None else html.escape(str(value), quote=True)


def _script_json(data: Any) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' can end the block or start markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --- the highlighted text --------------------------------------------------------------------

@dataclass(frozen=True)
class _Element:
    """A span of text wrapped in a tag; `open_tag(first)` gives the tag (ids only on the first piece)."""

    start: int
    end: int
    rank: int  # order among elements with the same extent: lower is outside
    open_tag: Callable[[bool], str]
    close_tag: str


def _render_spans(text: str, elements: Sequence[_Element], anchors: dict[int, list[str]]) -> str:
    """`text` escaped, with every element's tags around its span.

    Elements may nest or overlap in any way: an element that crosses another's
    edge is closed and reopened, so the HTML is always well formed. Anchors are
    zero-width markup inserted at an offset.
    """
    elements = [e for e in elements if 0 <= e.start < e.end <= len(text)]
    order = sorted(range(len(elements)), key=lambda i: (elements[i].start, -elements[i].end, elements[i].rank, i))
    rank_of = {idx: pos for pos, idx in enumerate(order)}
    points = sorted({0, len(text)} | {e.start for e in elements} | {e.end for e in elements}
                    | {p for p in anchors if 0 <= p <= len(text)})
    starts: dict[int, list[int]] = {}
    for i, e in enumerate(elements):
        starts.setdefault(e.start, []).append(i)
    out: list[str] = []
    stack: list[int] = []  # open element indexes, outermost first
    opened: set[int] = set()
    active: set[int] = set()
    for a, b in zip(points, points[1:] + [None]):
        active = {i for i in active if elements[i].end > a}
        active.update(starts.get(a, ()))
        want = sorted(active, key=rank_of.__getitem__) if b is not None else []
        keep = 0
        while keep < len(stack) and keep < len(want) and stack[keep] == want[keep]:
            keep += 1
        for i in reversed(stack[keep:]):
            out.append(elements[i].close_tag)
        del stack[keep:]
        out.extend(anchors.get(a, ()))
        if b is None:
            break
        for i in want[keep:]:
            out.append(elements[i].open_tag(i not in opened))
            opened.add(i)
            stack.append(i)
        out.append(html.escape(text[a:b], quote=False))
    return "".join(out)


def _fmt_value(ind: dict[str, Any]) -> str:
    value = ind.get("value")
    text = "—" if value is None else str(value)
    if ind.get("value_high") is not None:
        text += f"–{ind['value_high']}"
    return f"{text} {ind.get('unit') or ''}".strip()


def _indicator_title(i: int, ind: dict[str, Any]) -> str:
    """The hover text of an indicator: one field per line."""
    lines = [
        f"#{i} {ind.get('indicator')} · {ind.get('label') or ''}",
        f"value: {_fmt_value(ind)} ({ind.get('unit_class')})",
        f"qualifier: {ind.get('qualifier') or '—'} · measure: {ind.get('measure') or '—'}",
        f"modality: {ind.get('modality') or '—'} · actor: {ind.get('actor') or '—'}",
        f"rule: {ind.get('rule')}",
    ]
    return "\n".join(lines)


def _span(value: Any, text_len: int) -> tuple[int, int] | None:
    """A valid (start, end) from a JSON span, else None."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        start, end = value
        if 0 <= start < end <= text_len:
            return start, end
    return None


@dataclass(frozen=True)
class MutedNumber:
    start: int
    end: int
    reason: str


class _Spans:
    """Labelled spans, for "which span covers / overlaps this one" in O(log n) plus the few nearby."""

    def __init__(self, spans: Iterable[tuple[tuple[int, int], str]]) -> None:
        self.items = sorted(spans)
        self.starts = [s for (s, _), _ in self.items]
        self.longest = max((e - s for (s, e), _ in self.items), default=0)

    def _candidates(self, start: int, end: int) -> Iterable[tuple[tuple[int, int], str]]:
        # Only spans starting within `longest` before `end` can reach [start, end).
        lo = bisect.bisect_left(self.starts, start - self.longest)
        hi = bisect.bisect_left(self.starts, end)
        return self.items[lo:hi]

    def covering(self, start: int, end: int) -> str | None:
        for (s, e), label in self._candidates(start, end):
            if s <= start and end <= e:
                return label
        return None

    def overlapping(self, start: int, end: int) -> bool:
        return any(s < end and start < e for (s, e), _ in self._candidates(start, end))


def muted_numbers(text: str, indicators: Sequence[dict[str, Any]], rules: Rules | None = None) -> list[MutedNumber]:
    """Every number of `text` that is not inside an indicator's quantity, with why it was not extracted.

    Numerals are `pipeline.numbers.NUMERAL_RE` matches. A lone Chinese numeral
    character is shown only where it reads as a number (第一, 一是, 一、, inside a
    stop phrase or a found quantity): elsewhere it is part of a word (统一, 进一步)
    and marking it would only be noise.
    """
    rules = rules or load_rules()
    taken = _Spans((span, "") for ind in indicators
                   if (span := _span(ind.get("quantity_span"), len(text)) or _span(ind.get("span"), len(text))))
    stop = rules.stop
    # Checked in this order: a stop phrase in quotes is a stop phrase.
    zones = [_Spans((m.span(), why) for m in pattern.finditer(text)) for pattern, why in (
        (stop.stop_re, "stop phrase"), (stop.book_re, "inside a document title 《》"),
        (stop.quoted_re, "inside a quoted slogan")) if pattern is not None]
    quantities = _Spans((q.number_span, "") for q in find_quantities(text, rules.units, rules.not_before))

    out: list[MutedNumber] = []
    for m in NUMERAL_RE.finditer(text):
        start, end = m.span()
        if taken.overlapping(start, end):
            continue
        numeral = m.group()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        arabic = any(c.isdigit() for c in numeral)
        # 第一: an ordinal says more than the stop pattern of ordinals that also covers it
        reason = "ordinal (第…)" if before == "第" else \
            next((why for z in zones if (why := z.covering(start, end)) is not None), None)
        if reason is None:
            if after == "年" and (len(numeral) == 4 and (numeral.isdigit() or not arabic)):
                reason = "year"
            elif after in ("月", "日", "号") and arabic:
                reason = "date"
            elif before == "第":
                reason = "ordinal (第…)"
            elif after == "是" or (after and after in "、.．)）" and (start == 0 or before in "\n（(")):
                reason = "list marker"
            elif quantities.covering(start, end) is not None:
                reason = "a quantity not kept as an indicator"
            elif arabic or len(numeral) > 1:
                reason = "number without a measure word"
        if reason is None:
            continue  # a lone 一 of 统一/进一步: a word, not a number
        out.append(MutedNumber(start, end, reason))
    return out


def _evidence_items(evidence: Any, text: str) -> list[tuple[tuple[int, int] | None, str]]:
    """(span or None, text) for each piece of a finding's evidence, whatever shape it has.

    Findings are written by the audit stage; its evidence may be a span, a list
    of spans, a dict with "span"/"text", a string, or a list of any of these.
    """
    if evidence is None:
        return []
    items = evidence if isinstance(evidence, list) and not _span(evidence, len(text)) else [evidence]
    out: list[tuple[tuple[int, int] | None, str]] = []
    for item in items:
        span = _span(item, len(text))
        if span:
            out.append((span, text[span[0]:span[1]]))
        elif isinstance(item, dict):
            span = _span(item.get("span"), len(text))
            label = item.get("text") or item.get("message") or (text[span[0]:span[1]] if span else "")
            if not label:
                label = json.dumps(item, ensure_ascii=False, sort_keys=True)
            out.append((span, str(label)))
        elif item is not None:
            out.append((None, item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)))
    return out


def _build_body(doc: dict[str, Any], findings: list[dict[str, Any]], rules: Rules) -> str:
    text: str = doc["text"]
    indicators = doc.get("indicators") or []
    elements: list[_Element] = []
    anchors: dict[int, list[str]] = {}

    for sec in doc.get("sections") or []:
        head = _span(sec.get("heading_span"), len(text))
        span = _span(sec.get("span"), len(text))
        at = head[0] if head else (span[0] if span else None)
        if at is not None:
            anchors.setdefault(at, []).append(f'<span class="anchor" id="{_e(_section_anchor(sec))}"></span>')
        if head:
            level = sec.get("level")
            cls = f"h h{int(level)}" if isinstance(level, int) else "h"
            elements.append(_Element(head[0], head[1], 0, lambda first, c=cls: f'<span class="{c}">', "</span>"))

    for i, ind in enumerate(indicators):
        span = _span(ind.get("span"), len(text))
        if not span:
            continue
        uc = ind.get("unit_class") if ind.get("unit_class") in UNIT_CLASSES else "other"
        cls = f"ind uc-{uc}" + (" id-other" if ind.get("indicator") == "other" else "")
        title = _e(_indicator_title(i, ind))

        def open_ind(first: bool, i: int = i, cls: str = cls, title: str = title) -> str:
            ident = f' id="ind-{i}" tabindex="0"' if first else ""
            return f'<mark class="{cls}"{ident} data-i="{i}" title="{title}">'

        elements.append(_Element(span[0], span[1], 1, open_ind, "</mark>"))
        q = _span(ind.get("quantity_span"), len(text))
        if q and span[0] <= q[0] and q[1] <= span[1]:
            elements.append(_Element(q[0], q[1], 3, lambda first: '<span class="qty">', "</span>"))

    for k, f in enumerate(findings):
        for j, (span, _) in enumerate(_evidence_items(f.get("evidence"), text)):
            if span is None:
                continue

            def open_ev(first: bool, k: int = k, j: int = j) -> str:
                ident = f' id="ev-{k}-{j}"' if first else ""
                return f'<span class="evidence"{ident} data-f="{k}" title="evidence of finding {k + 1}">'

            elements.append(_Element(span[0], span[1], 2, open_ev, "</span>"))

    for num in muted_numbers(text, indicators, rules):
        title = _e(f"not extracted: {num.reason}")
        elements.append(_Element(num.start, num.end, 4,
                                 lambda first, t=title: f'<span class="num-muted" title="{t}">', "</span>"))
    return _render_spans(text, elements, anchors)


# --- outline, findings, indicator table ------------------------------------------------------

def _section_anchor(sec: dict[str, Any]) -> str:
    return "sec-" + str(sec.get("id", "")).replace(".", "-")


def _outline(sections: Sequence[dict[str, Any]]) -> str:
    """The section tree as nested lists; nesting follows the dotted ids (1.2 is under 1)."""
    if not sections:
        return '<p class="none">No sections found.</p>'
    out = ["<ul>"]
    stack: list[str] = []  # ids whose <li> and inner <ul> are open
    for sec in sections:
        sid = str(sec.get("id", ""))
        while stack and not sid.startswith(stack[-1] + "."):
            stack.pop()
            out.append("</ul></li>")
        out.append("<li>" + _outline_item(sec) + "<ul>")
        stack.append(sid)
    out.extend("</ul></li>" for _ in stack)
    out.append("</ul>")
    return "".join(out).replace("<ul></ul>", "")


def _outline_item(sec: dict[str, Any]) -> str:
    part = str(sec.get("part") or "other")
    return (f'<a href="#{_e(_section_anchor(sec))}" data-section="{_e(sec.get("id"))}">'
            f'<span class="marker">{_e(sec.get("marker"))}</span>{_e(sec.get("title"))}</a>'
            f'<span class="part part-{_e(part)}" title="{_e(part)}">{_e(_PARTS_ZH.get(part, part))}</span>')


def _findings_html(findings: list[dict[str, Any]], indicators: list[dict[str, Any]], text: str) -> str:
    if not findings:
        return '<p class="none">No findings.</p>'
    out = ["<ol>"]
    for k, f in enumerate(findings):
        sev = str(f.get("severity") or "info")
        links = []
        for i in f.get("indicators") or []:
            if isinstance(i, int) and 0 <= i < len(indicators):
                links.append(f'<a href="#ind-{i}" data-i="{i}" title="{_e(indicators[i].get("indicator"))}">'
                             f'#{i} {_e(indicators[i].get("text"))}</a>')
        for j, (span, label) in enumerate(_evidence_items(f.get("evidence"), text)):
            if span is not None:
                links.append(f'<a href="#ev-{k}-{j}" class="ev-link" data-f="{k}">evidence: {_e(label)}</a>')
            else:
                links.append(f'<span class="ev-text">evidence: {_e(label)}</span>')
        out.append(
            f'<li class="finding finding-{_e(sev)}" id="finding-{k}" data-f="{k}">'
            f'<span class="sev sev-{_e(sev)}">{_e(sev)}</span><span class="check">{_e(f.get("check"))}</span>'
            f'<div class="message">{_e(f.get("message"))}</div>'
            + (f'<div class="links">{"".join(links)}</div>' if links else "")
            + "</li>")
    out.append("</ol>")
    return "".join(out)


def _indicator_table(indicators: list[dict[str, Any]]) -> str:
    if not indicators:
        return '<p class="none">No indicators.</p>'
    rows = ["<table><thead><tr><th>#</th><th>id</th><th>value</th><th>text</th></tr></thead><tbody>"]
    for i, ind in enumerate(indicators):
        rows.append(f'<tr><td><a href="#ind-{i}" data-i="{i}">{i}</a></td><td>{_e(ind.get("indicator"))}</td>'
                    f'<td>{_e(_fmt_value(ind))}</td><td>{_e(ind.get("text"))}</td></tr>')
    rows.append("</tbody></table>")
    return "".join(rows)


def _tables_html(doc: dict[str, Any], indicators: list[dict[str, Any]], findings: list[dict[str, Any]]) -> str:
    """Each table of the report as a grid: a cell read as an indicator is
    highlighted and links to it; a cell in a broken identity is marked, with
    the finding's message as its title. Slots of a merged cell beyond its
    first are shown empty."""
    tables = [t for t in doc.get("tables") or [] if isinstance(t, dict)]
    if not tables:
        return ""
    at: dict[tuple[int, int, int], int] = {}
    for i, ind in enumerate(indicators):
        ref = ind.get("table")
        if isinstance(ref, dict):
            at[(ref.get("index"), ref.get("row"), ref.get("col"))] = i
    broken: dict[int, list[str]] = {}
    for f in findings:
        if f.get("check") in ("table_identity", "text_vs_table"):
            for i in f.get("indicators") or []:
                broken.setdefault(i, []).append(str(f.get("message") or ""))
    out = ['<section class="tables"><h2>Tables</h2>']
    for t in tables:
        merged = {(m[0], m[1]) for m in t.get("merged") or [] if isinstance(m, list) and len(m) == 4}
        n = t.get("index")
        caption = t.get("caption") or ""
        out.append(f'<table class="doc-table" id="table-{_e(n)}"><caption>表{_e(n)} {_e(caption)} '
                   f'<span class="kind">({_e(t.get("kind"))}{", p. " + _e(t.get("page")) if t.get("page") else ""})'
                   f'</span></caption><tbody>')
        for r, row in enumerate(t.get("rows") or []):
            cells = []
            for c, text in enumerate(row):
                if (r, c) in merged:
                    cells.append('<td class="merged"></td>')
                    continue
                i = at.get((n, r, c))
                if i is None:
                    cells.append(f"<td>{_e(text)}</td>")
                    continue
                cls = "cell-ind" + (" cell-broken" if i in broken else "")
                title = _e(" | ".join(broken.get(i, [])) or indicators[i].get("indicator"))
                cells.append(f'<td class="{cls}" title="{title}"><a href="#ind-{i}" data-i="{i}">{_e(text)}</a></td>')
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
    out.append("</section>")
    return "".join(out)


def _legend() -> str:
    keys = [f'<span class="key"><span class="swatch" style="background:var(--{c})"></span>{c}</span>'
            for c in UNIT_CLASSES + ("other",)]
    keys.append('<span class="key"><span class="num-muted" title="not extracted">123</span> not extracted</span>')
    return "".join(keys)


# --- pages -----------------------------------------------------------------------------------

def _meta_fields(doc: dict[str, Any]) -> dict[str, Any]:
    meta = doc.get("meta") or {}
    region = meta.get("region") or {}
    return {
        "title": meta.get("title") or (doc.get("source") or {}).get("path") or doc.get("doc_id"),
        "region": region.get("full_name") or region.get("name"),
        "agency": meta.get("agency"),
        "year": meta.get("year"),
    }


def _findings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    found = doc.get("findings")
    return [f for f in found if isinstance(f, dict)] if isinstance(found, list) else []


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def render_report(doc: dict[str, Any], rules: Rules | None = None) -> str:
    """The review page of one report JSON (a dict as written by `govreport extract`)."""
    rules = rules or load_rules()
    text: str = doc["text"]
    indicators = [i for i in doc.get("indicators") or [] if isinstance(i, dict)]
    sections = [s for s in doc.get("sections") or [] if isinstance(s, dict)]
    findings = _findings(doc)
    doc = dict(doc, indicators=indicators, sections=sections)
    m = _meta_fields(doc)
    meta_line = " · ".join(_e(v) for v in (m["region"], m["agency"], m["year"]) if v not in (None, ""))
    source = (doc.get("source") or {}).get("path")
    meta_line += f' · <span class="doc-id">doc {_e(doc.get("doc_id"))}</span>'
    if source:
        meta_line += f' · <span class="source">{_e(source)}</span>'
    sev = Counter(str(f.get("severity") or "info") for f in findings)
    counts = [_count(len(indicators), "indicator"), _count(len(sections), "section"),
              _count(len(findings), "finding") + (" (" + ", ".join(f"{n} {s}" for s, n in sorted(sev.items())) + ")"
                                                  if findings else "")]
    data = {
        "indicators": indicators,
        "findings": [dict(f, evidence_text=[label for _, label in _evidence_items(f.get("evidence"), text)])
                     for f in findings],
    }
    return _template("report.html").substitute(
        page_title=_e(m["title"]),
        css=_css(),
        js=_asset("report.js"),
        title=_e(m["title"]),
        meta_line=meta_line,
        counts_line=_e(" · ".join(counts)),
        outline=_outline(sections),
        legend=_legend(),
        body=_build_body(doc, findings, rules),
        tables=_tables_html(doc, indicators, findings),
        n_findings=len(findings),
        findings=_findings_html(findings, indicators, text),
        n_indicators=len(indicators),
        indicator_table=_indicator_table(indicators),
        data=_script_json(data),
    )


_INDEX_COLUMNS = (  # header, type, data-type for sorting
    ("report", "text"), ("region", "text"), ("agency", "text"), ("year", "num"),
    ("indicators", "num"), ("sections", "num"),
)


def render_index(reports: Sequence[ReportFile], source: str | None = None) -> str:
    """The index page: one row per report, sortable by any column, filterable by text."""
    severities = list(SEVERITIES)
    for r in reports:
        for f in _findings(r.doc):
            s = str(f.get("severity") or "info")
            if s not in severities:
                severities.append(s)
    head = [f'<th data-type="{t}" scope="col">{_e(name)}</th>' for name, t in _INDEX_COLUMNS]
    head += [f'<th data-type="num" scope="col" title="findings of severity {_e(s)}">{_e(s)}</th>'
             for s in severities]
    head.append('<th data-type="text" scope="col">file</th>')
    rows = []
    for r in reports:
        m = _meta_fields(r.doc)
        sev = Counter(str(f.get("severity") or "info") for f in _findings(r.doc))
        n_ind = len(r.doc.get("indicators") or [])
        n_sec = len(r.doc.get("sections") or [])
        year = m["year"]
        cells = [
            f'<td><a href="{_e(quote(r.page))}">{_e(m["title"])}</a></td>',
            f'<td>{_e(m["region"])}</td>',
            f'<td>{_e(m["agency"])}</td>',
            f'<td class="num" data-sort="{_e(year if isinstance(year, int) else "")}">{_e(year)}</td>',
            f'<td class="num">{n_ind}</td>',
            f'<td class="num">{n_sec}</td>',
        ]
        cells += [f'<td class="num sev-n-{_e(s)}" data-sort="{sev.get(s, 0)}">{sev.get(s, 0)}</td>'
                  for s in severities]
        cells.append(f'<td class="file">{_e(r.path.name)}</td>')
        rows.append("      <tr>" + "".join(cells) + "</tr>")
    return _template("index.html").substitute(
        n_reports=len(reports),
        css=_css(),
        js=_asset("index.js"),
        source_line=_e(f"from {source}") if source else "",
        head="".join(head),
        rows="\n".join(rows),
    )


def write_site(outdir: str | Path, site: str | Path = "site", rules: Rules | str | Path | None = None) -> SiteResult:
    """Write `index.html` and one page per report JSON of `outdir` into `site`."""
    if not isinstance(rules, Rules):
        rules = load_rules(rules)
    from .fonts import INSTALL_HINT, has_cjk_font

    if has_cjk_font() is False:
        # the pages name CJK fonts (fonts.CSS_FONT_STACK); a browser here without any shows boxes
        log.warning("no CJK font installed: the pages will show empty boxes in a browser on this machine "
                    "(%s; machines with a CJK font show them fine)", INSTALL_HINT)
    outdir, site = Path(outdir), Path(site)
    reports, skipped = load_reports(outdir)
    site.mkdir(parents=True, exist_ok=True)
    result = SiteResult(index=site / "index.html", skipped=skipped)
    for r in reports:
        page = site / r.page
        atomic_write(page, render_report(r.doc, rules).encode("utf-8"))
        result.pages.append(page)
    atomic_write(result.index, render_index(reports, source=str(outdir)).encode("utf-8"))
    log.info("wrote %d report pages and index.html to %s", len(reports), site)
    return result
