"""PDF reader: text layer via PDFium, ruled tables, scans via Tesseract.

Why this shape:
- pypdfium2 reads text ~30x faster than pdfplumber with the same text
  (benchmarks/pdf_text.py), so every page goes through PDFium only.
- Each character's box is read once, which buys three things at a small
  cost: fake-bold duplicates (a heading drawn twice, slightly offset) are
  dropped, lines get geometry for header/footer and paragraph detection,
  and characters inside a table go to their cell.
- Tables: on pages with ruling lines, pdfplumber's table-finding geometry
  runs on the lines PDFium reports (pdfplumber's own page parsing would
  cost more than the whole PDFium pass); each row becomes one line.
- Paragraphs come out one per line and pages are separated by "\\f"; joining
  a sentence broken across a page end is left to normalisation.
- Pages with /Rotate (landscape tables) are read in display orientation:
  every box is turned the way a viewer turns the page.
"""
from __future__ import annotations

import ctypes
import functools
import hashlib
import logging
import math
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field

import pypdfium2
import pypdfium2.raw as pdfium_c

from ..errors import BrokenDocument, EmptyDocument, EncryptedDocument, GarbledText, NoTextLayer
from ..records import RawDocument
from . import _rules, drop_cjk_spaces, garbled_share, render_table

log = logging.getLogger(__name__)

__all__ = ["read", "ocr_available"]


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float  # PDF user space: y grows upwards, so top > bottom
    bottom: float
    size: float  # font size in points (OCR: line height)
    table: bool = False
    ocr: bool = False  # geometry from OCR word boxes: sizes vary with the glyphs

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class _Page:
    lines: list[_Line] = field(default_factory=list)
    left: float = 0.0  # x of the media box's left edge, as displayed
    base: float = 0.0  # y of the media box's bottom edge, as displayed
    height: float = 842.0
    ocr: bool = False
    warning: str | None = None  # said in the report's warnings


def read(path: str, data: bytes) -> RawDocument:
    """Read a PDF's text; see the module doc. Raises an InputError subclass."""
    _check_bytes(path, data)
    doc = _open(path, data)
    try:
        pages = _read_pages(path, doc)
    finally:
        doc.close()
    _drop_running_lines(pages)
    text = "\f".join(_paragraphs(page, pages) for page in pages)
    if not text.replace("\f", "").strip():
        raise EmptyDocument("PDF has no text on any page (blank pages only)", path)
    return RawDocument(
        path=path,
        format="pdf",
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        pages=len(pages),
        ocr=any(p.ocr for p in pages),
        warnings=tuple(p.warning for p in pages if p.warning),
    )


# ------------------------------------------------------------ opening

def _check_bytes(path: str, data: bytes) -> None:
    if not data:
        raise EmptyDocument("file is empty (0 bytes)", path)
    head = data[:1024]
    if b"%PDF-" not in head:
        lowered = head.lstrip().lower()
        if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered:
            raise BrokenDocument("not a PDF: the file is a web page (HTML) saved with a .pdf name", path)
        if head.startswith(b"PK\x03\x04"):
            raise BrokenDocument("not a PDF: the file is a zip archive (perhaps a .docx) with a .pdf name", path)
        raise BrokenDocument("not a PDF (no %PDF header)", path)
    # A cut-short download still opens in PDFium, which rebuilds what it can;
    # pages and text would go missing silently, so refuse it here.
    if b"%%EOF" not in data[-2048:]:
        raise BrokenDocument("PDF is truncated (no end-of-file marker): the download or copy was cut short", path)


def _open(path: str, data: bytes) -> pypdfium2.PdfDocument:
    try:
        doc = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocument("PDF is encrypted (password needed)", path) from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedDocument("PDF uses an unsupported security handler (encrypted)", path) from None
        raise BrokenDocument(f"PDF is damaged and cannot be opened ({exc})", path) from None
    if len(doc) == 0:
        doc.close()
        raise BrokenDocument("PDF has no pages", path)
    return doc


# ------------------------------------------------------------ pages

def _read_pages(path: str, doc: pypdfium2.PdfDocument) -> list[_Page]:
    pages: list[_Page] = []
    needs_ocr: list[int] = []
    for index in range(len(doc)):
        try:
            page = doc[index]
        except pypdfium2.PdfiumError:
            # a page tree that loops (/Pages listing itself) or a page object that is not one
            raise BrokenDocument(f"PDF is damaged: page {index + 1} cannot be loaded (its page tree is broken "
                                 "or loops)", path) from None
        try:
            out, scanned = _read_page(path, page, index)
        finally:
            page.close()
        if scanned:
            needs_ocr.append(index + 1)
        pages.append(out)
    if needs_ocr:
        if len(needs_ocr) == len(pages):
            where = f"PDF has no text layer (all {len(pages)} pages are scanned images)" if len(pages) > 1 else (
                "PDF has no text layer (its page is a scanned image)")
        else:
            shown = ", ".join(str(n) for n in needs_ocr[:10]) + (" …" if len(needs_ocr) > 10 else "")
            where = f"page{'s' if len(needs_ocr) > 1 else ''} {shown} ha{'ve' if len(needs_ocr) > 1 else 's'} no text layer (scanned image)"
        raise NoTextLayer(f"{where}; {OCR_HOW_TO} to read it by OCR", path)
    return pages


def _read_page(path: str, page: pypdfium2.PdfPage, index: int) -> tuple[_Page, bool]:
    """One page's lines; (page, True) when it is a scan and OCR is not available."""
    rotation = page.get_rotation() % 360
    left, bottom, right, top = page.get_mediabox()
    x0, _, y0, y1 = _turn((left, right, bottom, top), rotation)
    out = _Page(left=x0, base=y0, height=y1 - y0)
    textpage = page.get_textpage()
    try:
        raw = textpage.get_text_range()
        visible = sum(1 for ch in raw if not ch.isspace())
        share = garbled_share(raw)
        segments, image_share = _page_objects(page, rotation)
        if visible >= 10 and share > float(_rules.setting("pdf", "garbled_share")):
            if not ocr_available():
                raise GarbledText(
                    f"page {index + 1}: the text layer is garbled ({share:.0%} of characters are unmapped "
                    f"glyphs such as (cid:NNN)), so it cannot be trusted as text; {OCR_HOW_TO} to read it by OCR",
                    path,
                )
            # The glyphs are fine, only their Unicode map is missing: OCR reads them.
            log.warning("%s: page %d text layer is garbled (%.0f%%); reading it by OCR", path, index + 1, share * 100)
            out.warning = f"page {index + 1}: the text layer is garbled ({share:.0%} unmapped glyphs); read by OCR"
            out.lines, out.ocr = _ocr_lines(page, path, index, out), True
            if sum(len(ln.text) for ln in out.lines) < 10:
                raise GarbledText(f"page {index + 1}: the text layer is garbled and OCR found no text either", path)
        elif visible < int(_rules.setting("pdf", "scan_max_chars")) and image_share > 0.3:
            if not ocr_available():
                return out, True
            out.lines, out.ocr = _ocr_lines(page, path, index, out), True
        else:
            out.lines = _text_lines(textpage, raw, _find_tables(segments, out.base + out.height), rotation)
    finally:
        textpage.close()
    return out, False


Segment = tuple[float, float, float, float]  # x0, y0, x1, y1: an axis-aligned ruling line


def _turn(box: tuple[float, float, float, float], rotation: int) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) in user space -> the same box as a viewer shows the
    page after /Rotate (clockwise degrees), still with y growing upwards."""
    x0, x1, y0, y1 = box
    if rotation == 90:
        return y0, y1, -x1, -x0
    if rotation == 180:
        return -x1, -x0, -y1, -y0
    if rotation == 270:
        return -y1, -y0, x0, x1
    return box


def _page_objects(page: pypdfium2.PdfPage, rotation: int = 0) -> tuple[list[Segment], float]:
    """(ruling lines, share of the page covered by images).

    Raw PDFium calls: the helper objects cost more than the text itself on
    pages with many text runs. Only path objects are looked into.
    """
    raw = page.raw
    width, height = page.get_size()
    area = max(width * height, 1.0)
    image_area = 0.0
    segments: list[Segment] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    for i in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            if pdfium_c.FPDFPageObj_GetBounds(obj, *refs):
                image_area += max(right.value - left.value, 0) * max(top.value - bottom.value, 0)
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            segments.extend(_path_segments(obj))
    if rotation:
        turned = (_turn((sx0, sx1, sy0, sy1), rotation) for sx0, sy0, sx1, sy1 in segments)
        segments = [(tx0, ty0, tx1, ty1) for tx0, tx1, ty0, ty1 in turned]
    return segments, image_area / area


def _path_segments(obj) -> list[Segment]:
    """The straight horizontal and vertical pieces of one path, in page space."""
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
        return []
    a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
    x, y = ctypes.c_float(), ctypes.c_float()
    out: list[Segment] = []
    start = prev = None
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
            continue
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = prev = point
            continue
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and prev is not None:
            _add_segment(out, prev, point)
        prev = point
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
            _add_segment(out, prev, start)
            prev = start
    return out


def _add_segment(out: list[Segment], p: tuple[float, float], q: tuple[float, float]) -> None:
    dx, dy = abs(p[0] - q[0]), abs(p[1] - q[1])
    if (dy < 1.0 <= dx or dx < 1.0 <= dy) and max(dx, dy) >= 3.0:
        out.append((min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1])))


# ------------------------------------------------------------ text lines

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF user space (y up)


@dataclass
class _Table:
    bbox: Box
    rows: list[list[Box | None]]  # cell boxes, None where a merged cell continues
    cells: dict[tuple[int, int], list[str]] = field(default_factory=dict)

    def take(self, ch: str, cx: float, cy: float) -> bool:
        """Put a character into the cell holding (cx, cy); False when outside the table."""
        b = self.bbox
        if not (b[0] <= cx <= b[2] and b[1] <= cy <= b[3]):
            return False
        for r, row in enumerate(self.rows):
            for c, cell in enumerate(row):
                if cell is not None and cell[0] <= cx <= cell[2] and cell[1] <= cy <= cell[3]:
                    self.cells.setdefault((r, c), []).append(ch)
                    return True
        return True  # inside the table but in no cell (a border): not body text either

    def lines(self) -> list[str]:
        grid = [["".join(self.cells.get((r, c), ())) for c in range(len(row))] for r, row in enumerate(self.rows)]
        return render_table(grid)


def _text_lines(textpage: pypdfium2.PdfTextPage, raw: str, tables: list[_Table], rotation: int = 0) -> list[_Line]:
    """Lines of a page's text layer with geometry; duplicates dropped, table text rendered per row."""
    tp = textpage.raw
    count = pdfium_c.FPDFText_CountChars(tp)
    if len(raw) != count:  # characters outside the BMP: read one by one
        raw = "".join(chr(pdfium_c.FPDFText_GetUnicode(tp, k)) for k in range(count))
    # Loose boxes span the glyph's advance and the font's ascent/descent:
    # an opening quote then starts at the margin like any other character,
    # and every line of one font has the same height.
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    # Seen glyphs by character: a second glyph of the same character at the
    # same spot is fake bold (or a shadow) and is dropped.
    seen: dict[str, list[tuple[float, float]]] = {}
    lines: list[_Line] = []
    chars: list[str] = []
    geo: list[tuple[float, float, float, float]] = []
    size = 0.0
    # On a turned page PDFium breaks lines as on the unturned one: keep the
    # characters and group them by position instead.
    placed: list[tuple[str, float, float, float, float, float]] | None = [] if rotation else None

    def flush() -> None:
        nonlocal chars, geo, size
        if geo:
            text = drop_cjk_spaces("".join(chars)).strip()
            if text:
                lines.append(
                    _Line(text, min(g[0] for g in geo), max(g[1] for g in geo), max(g[3] for g in geo), min(g[2] for g in geo), size)
                )
        chars, geo, size = [], [], 0.0

    for k, ch in enumerate(raw):
        if ch in "\r\n":
            flush()
            continue
        if ch == " " or ch == "\u3000":
            # Generated spaces between digits come from spread-out glyphs,
            # not from the text: "1 8" is 18.
            if chars and chars[-1].isdigit() and k + 1 < count and raw[k + 1].isdigit() and pdfium_c.FPDFText_IsGenerated(tp, k) == 1:
                continue
            if chars and chars[-1] != " ":
                chars.append(" ")
            continue
        if ch in "\x02\ufffe\x00":  # PDFium's markers for hyphenation and unknowns
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(tp, k, rect_ref):
            continue
        x0, x1, y0, y1 = rect.left, rect.right, rect.bottom, rect.top
        if rotation:
            x0, x1, y0, y1 = _turn((x0, x1, y0, y1), rotation)
        w = max(x1 - x0, 1.0)
        h = max(y1 - y0, 1.0)
        prior = seen.setdefault(ch, [])
        if any(abs(px - x0) < 0.3 * w and abs(py - y0) < 0.3 * h for px, py in prior):
            continue
        prior.append((x0, y0))
        if tables:
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if any(t.take(ch, cx, cy) for t in tables):
                continue
        if not size:
            size = pdfium_c.FPDFText_GetFontSize(tp, k) or h
        if placed is not None:
            placed.append((ch, x0, x1, y0, y1, size))
            continue
        chars.append(ch)
        geo.append((x0, x1, y0, y1))
    flush()
    lines = _lines_from_chars(placed) if placed is not None else _merge_visual_lines(lines)
    for table in tables:
        x0, y0, x1, y1 = table.bbox
        rendered = table.lines()
        for n, row in enumerate(rendered):
            # Spread the rows over the table's height so that sorting keeps them in order.
            row_top = y1 - (y1 - y0) * n / max(len(rendered), 1)
            lines.append(_Line(row, x0, x1, row_top, row_top - 1, 0.0, table=True))
    lines.sort(key=lambda ln: -ln.top)
    return lines


def _lines_from_chars(placed: list[tuple[str, float, float, float, float, float]]) -> list[_Line]:
    """Group (char, x0, x1, y0, y1, size) into lines by position alone."""
    placed.sort(key=lambda c: -(c[3] + c[4]))
    groups: list[tuple[float, list]] = []
    for c in placed:
        mid = (c[3] + c[4]) / 2
        if groups and abs(groups[-1][0] - mid) < 0.4 * max(c[4] - c[3], 1.0):
            groups[-1][1].append(c)
        else:
            groups.append((mid, [c]))
    lines = []
    for _, chars in groups:
        chars.sort(key=lambda c: c[1])
        text = ""
        for i, c in enumerate(chars):
            gap = c[1] - chars[i - 1][2] if i else 0.0
            if gap > 0.3 * max(c[4] - c[3], 1.0) and text[-1:].isascii() and text[-1:].isalnum() and c[0].isascii():
                text += " "  # spread-out Latin words; spaces next to Chinese are dropped below anyway
            text += c[0]
        text = drop_cjk_spaces(text).strip()
        if text:
            lines.append(_Line(text, chars[0][1], max(c[2] for c in chars), max(c[4] for c in chars),
                               min(c[3] for c in chars), chars[0][5]))
    return lines


def _merge_visual_lines(lines: list[_Line]) -> list[_Line]:
    """Sort top to bottom; pieces PDFium split off one visual line are joined."""
    lines = sorted(lines, key=lambda ln: (-round(ln.mid_y, 1), ln.x0))
    merged: list[_Line] = []
    for line in lines:
        prev = merged[-1] if merged else None
        if prev is not None:
            overlap = min(prev.top, line.top) - max(prev.bottom, line.bottom)
            if overlap > 0.5 * min(prev.top - prev.bottom, line.top - line.bottom):
                a, b = (prev, line) if prev.x0 <= line.x0 else (line, prev)
                merged[-1] = _Line(
                    _join(a.text, b.text, space_ok=b.x0 - a.x1 > 0.25 * max(a.size, 1.0)),
                    a.x0, max(a.x1, b.x1), max(a.top, b.top), min(a.bottom, b.bottom), a.size or b.size,
                    ocr=a.ocr,
                )
                continue
        merged.append(line)
    return merged


def _join(a: str, b: str, space_ok: bool = False) -> str:
    """Join two pieces of one paragraph or line.

    A space goes only between two Latin letters (an English word wrapped or
    spread apart); digits never get one, since "2\n025" wrapped is 2025.
    """
    if a and b and space_ok and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return a + " " + b
    return a + b


# ------------------------------------------------------------ tables

def _find_tables(segments: list[Segment], top_y: float) -> list[_Table]:
    """Ruled tables, by pdfplumber's table-finding steps run on PDFium's lines.

    pdfplumber would first parse the whole page with pdfminer (most of its
    cost, ~35 ms a page); its geometry steps need only the ruling lines, which
    PDFium has already given. Cells' text comes from PDFium's characters.
    """
    horizontal = [s for s in segments if s[3] - s[1] < 1.0]
    vertical = [s for s in segments if s[2] - s[0] < 1.0]
    if len(horizontal) < 2 or len(vertical) < 2:
        return []
    from pdfplumber import table as plumber

    edges = []
    for x0, _, x1, y1 in horizontal:
        top = top_y - y1
        edges.append({"x0": x0, "x1": x1, "top": top, "bottom": top, "width": x1 - x0, "height": 0.0, "orientation": "h"})
    for x0, y0, _, y1 in vertical:
        edges.append({"x0": x0, "x1": x0, "top": top_y - y1, "bottom": top_y - y0, "width": 0.0, "height": y1 - y0, "orientation": "v"})
    # pdfplumber's default tolerances (3 pt) for snapping, joining and crossing.
    edges = plumber.merge_edges(edges, 3, 3, 3, 3)
    edges = [e for e in edges if (e["x1"] - e["x0"] if e["orientation"] == "h" else e["bottom"] - e["top"]) >= 3]
    cells = plumber.intersections_to_cells(plumber.edges_to_intersections(edges, 3, 3))

    # pdfplumber measures down from the media box's top edge.
    def box(b: tuple[float, float, float, float] | None) -> Box | None:
        return None if b is None else (b[0], top_y - b[3], b[2], top_y - b[1])

    found = []
    for group in plumber.cells_to_tables(cells):
        table = plumber.Table(None, group)  # the page is needed only to extract text, which we do not ask of it
        rows = [[box(cell) for cell in row.cells] for row in table.rows]
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue
        found.append(_Table(box(table.bbox), rows))
    return found


# ------------------------------------------------------------ headers, footers

_DIGITS = re.compile(r"\d+")
_WS = re.compile(r"\s+")


def _drop_running_lines(pages: list[_Page]) -> None:
    """Remove page numbers and headers/footers repeated on most pages."""
    numbers = _rules.patterns("page_number_patterns")
    conf = _rules.section("running_lines")
    edge = conf["edge_lines"]
    share = float(conf["min_share"])
    tol = float(conf["y_tolerance"])

    # (zone, text with digits as #) -> [(page index, line id, y)]
    seen: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    drop: set[tuple[int, int]] = set()
    for p, page in enumerate(pages):
        body = [ln for ln in page.lines if not ln.table]
        for zone, cands in (("top", body[:edge]), ("bottom", body[-edge:] if len(body) > edge else [])):
            for line in cands:
                flat = _WS.sub("", line.text)
                rel = (line.bottom if zone == "top" else line.top) - page.base
                near_edge = rel > 0.85 * page.height if zone == "top" else rel < 0.15 * page.height
                if near_edge and any(rx.search(flat) for rx in numbers):
                    drop.add((p, id(line)))
                    continue
                seen.setdefault((zone, _DIGITS.sub("#", flat)), []).append((p, id(line), line.mid_y))
    need = max(2, math.ceil(share * len(pages)))
    for hits in seen.values():
        if len({p for p, _, _ in hits}) < need:
            continue
        middle = statistics.median(y for _, _, y in hits)
        near = [(p, i) for p, i, y in hits if abs(y - middle) <= tol]
        if len({p for p, _ in near}) >= need:
            drop.update(near)
    if drop:
        for p, page in enumerate(pages):
            page.lines = [ln for ln in page.lines if (p, id(ln)) not in drop]


# ------------------------------------------------------------ paragraphs

def _paragraphs(page: _Page, pages: list[_Page]) -> str:
    """Join wrapped lines into paragraphs, one per output line.

    When the page's last paragraph visibly ends on the page (its last line
    stops short of the right margin, or is a table row) the page text ends
    with "\\n": a page break right after text means the paragraph goes on
    on the next page. Normalisation can use this where punctuation does not
    tell (a heading or a sentence cut at the page end).
    """
    lines = page.lines
    if not lines:
        return ""
    body = [ln for ln in lines if not ln.table]
    left, right = _margins(body, pages)
    pitches = [a.bottom - b.bottom for a, b in zip(body, body[1:], strict=False) if a.bottom > b.bottom]
    pitch = statistics.median(pitches) if pitches else 0.0
    out: list[str] = []
    prev: _Line | None = None
    for line in lines:
        if prev is None or _starts_paragraph(prev, line, left, right, pitch):
            out.append(line.text)
        else:
            out[-1] = _join(out[-1], line.text, space_ok=True)
        prev = line
    text = "\n".join(out)
    if prev is not None and (prev.table or prev.x1 < right - max(prev.size, 1.0)):
        text += "\n"
    return text


def _starts_paragraph(prev: _Line, line: _Line, left: float, right: float, pitch: float) -> bool:
    if prev.table or line.table:
        return True
    em = max(line.size, prev.size, 1.0)
    size_tolerance = 0.4 * em if line.ocr else 1.0  # OCR boxes hug the ink, which varies by glyph
    if abs(line.size - prev.size) > size_tolerance:  # a title or a heading in another size
        return True
    if prev.x1 < right - 1.0 * em:  # the previous line stops short: its paragraph ended
        return True
    if line.x0 > left + 0.8 * em:  # first-line indent, or a centred line
        return True
    return bool(pitch) and prev.bottom - line.bottom > 1.6 * pitch  # a blank gap


def _margins(body: list[_Line], pages: list[_Page]) -> tuple[float, float]:
    """The left and right edges of the text block.

    Taken from where most lines start and end, not from the extremes: a wide
    title, a hanging number or a stray text box would otherwise move the
    margins and make every line look indented or short.
    """
    if len(body) >= 6:
        return _edge([ln.x0 for ln in body], low=True), _edge([ln.x1 for ln in body], low=False)
    # Too few lines on this page to tell: use the whole document's lines.
    every = [ln for page in pages for ln in page.lines if not ln.table]
    if len(every) >= 6:
        return _edge([ln.x0 for ln in every], low=True), _edge([ln.x1 for ln in every], low=False)
    if body:
        return min(ln.x0 for ln in body), max(ln.x1 for ln in body)
    return 0.0, 0.0


def _edge(values: list[float], low: bool) -> float:
    """The most common edge (to 1 pt) when at least a quarter of the lines share
    it; else a robust extreme (10th or 90th percentile)."""
    counts: dict[int, int] = {}
    for v in values:
        counts[round(v)] = counts.get(round(v), 0) + 1
    value, count = max(counts.items(), key=lambda kv: (kv[1], -kv[0] if low else kv[0]))
    if count >= max(2, len(values) / 4):
        # the extreme among lines within 1 pt of the common edge
        near = [v for v in values if abs(v - value) <= 1.0]
        return min(near) if low else max(near)
    ordered = sorted(values)
    return ordered[int(0.1 * (len(ordered) - 1))] if low else ordered[int(0.9 * (len(ordered) - 1))]


# ------------------------------------------------------------ OCR

OCR_HOW_TO = "install Tesseract OCR with Chinese (Debian packages tesseract-ocr and tesseract-ocr-chi-sim)"


def ocr_available() -> bool:
    """True when `tesseract` is on PATH and has the configured language."""
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    lang = str(_rules.setting("pdf", "ocr_lang"))
    return all(part in _tesseract_languages(exe) for part in lang.split("+"))


@functools.lru_cache(maxsize=4)
def _tesseract_languages(exe: str) -> frozenset[str]:
    try:
        done = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(ln.strip() for ln in (done.stdout + done.stderr).splitlines()[1:] if ln.strip())


def _ocr_lines(page: pypdfium2.PdfPage, path: str, index: int, frame: _Page) -> list[_Line]:
    """OCR one page with Tesseract; lines with geometry like the text layer's,
    in the page's display frame (`frame`: PDFium renders pages turned by /Rotate)."""
    dpi = int(_rules.setting("pdf", "ocr_dpi"))
    lang = str(_rules.setting("pdf", "ocr_lang"))
    timeout = float(_rules.setting("pdf", "ocr_timeout"))
    scale = dpi / 72
    image = page.render(scale=scale).to_pil().convert("L")
    env = dict(os.environ)
    # Tesseract's OpenMP threads make one page 3-4x slower on small machines.
    env.setdefault("OMP_THREAD_LIMIT", "1")
    with tempfile.TemporaryDirectory(prefix="govreport-ocr-") as tmp:
        png = os.path.join(tmp, "page.png")
        image.save(png)
        try:
            done = subprocess.run(
                [shutil.which("tesseract") or "tesseract", png, "stdout", "-l", lang, "--dpi", str(dpi), "tsv"],
                capture_output=True, text=True, timeout=timeout, env=env, check=False,
            )
        except subprocess.TimeoutExpired:
            raise NoTextLayer(f"page {index + 1}: OCR took longer than {timeout:.0f} s", path) from None
        except OSError as exc:
            raise NoTextLayer(f"page {index + 1}: OCR could not run ({exc})", path) from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise NoTextLayer(f"page {index + 1}: OCR failed ({reason})", path)
    return _tsv_lines(done.stdout, scale, frame.left, frame.base + frame.height)


def _tsv_lines(tsv: str, scale: float, x_origin: float, y_top: float) -> list[_Line]:
    """Tesseract TSV words -> lines, in PDF coordinates (points, y up)."""
    words: dict[tuple[str, str, str], list[tuple[int, int, int, int, str]]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        key = (cols[2], cols[3], cols[4])  # block, paragraph, line
        words.setdefault(key, []).append((int(cols[6]), int(cols[7]), int(cols[8]), int(cols[9]), cols[11].strip()))
    lines = []
    for items in words.values():
        items.sort()
        text = ""
        for _, _, _, _, word in items:
            text = _join(text, word, space_ok=True)
        text = drop_cjk_spaces(text).strip()
        if not text:
            continue
        x0 = min(w[0] for w in items) / scale
        x1 = max(w[0] + w[2] for w in items) / scale
        top = min(w[1] for w in items) / scale
        bottom = max(w[1] + w[3] for w in items) / scale
        lines.append(_Line(text, x_origin + x0, x_origin + x1, y_top - top, y_top - bottom, bottom - top, ocr=True))
    return _merge_visual_lines(lines)
