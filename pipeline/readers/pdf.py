"""PDF reader: text layer via PDFium, ruled tables, scans via Tesseract.

Why this shape:
- pypdfium2 reads text ~30x faster than pdfplumber with the same text
  (benchmarks/pdf_text.py), so every page goes through PDFium only.
- Each character's box is read once, which buys three things at a small
  cost: fake-bold duplicates (a heading drawn twice, slightly offset) are
  dropped, lines get geometry for header/footer and paragraph detection,
  and characters inside a table go to their cell.
- Tables: ruled ones are the grid of the ruling lines PDFium reports,
  those drawn without lines are found by the alignment of their figures;
  each row becomes one line. The per-character and per-object PDFium calls
  skip ctypes' argument conversion (`_unchecked`): it cost more than the calls.
  A path's points are read in one piece (`_path_points`), and the grid is
  found by sorted sweeps over the lines, never by testing them pairwise.
- On table pages the per-character and per-path work is done on numpy
  arrays (`_chars_by_arrays`, `_path_lines`): the characters' boxes read
  into one buffer, the fake-bold check only for characters with two glyphs
  near each other, cells by searchsorted. Pages without tables, or with
  few paths, keep the loops (`_chars_one_by_one`, `_add_path`), which cost
  less there; tests hold the two to the same result.
- Paragraphs come out one per line and pages are separated by "\\f"; joining
  a sentence broken across a page end is left to normalisation.
- Pages with /Rotate (landscape tables) are read in display orientation:
  every box is turned the way a viewer turns the page.
"""
from __future__ import annotations

import bisect
import ctypes
import functools
import hashlib
import itertools
import logging
import math
import operator
import os
import re
import shutil
import statistics
import struct
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pypdfium2
import pypdfium2.raw as pdfium_c

from ..errors import BrokenDocument, EmptyDocument, EncryptedDocument, GarbledText, NoTextLayer
from ..records import RawDocument, RawTable
from . import FIGURE_OR_NONE, ROW_MARKER, _rules, drop_cjk_spaces, garbled_share, raw_table, render_table

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
    # pieces of the line separated by a gap wider than a character: the cells
    # of a table drawn without ruling lines, (text, x0, x1)
    chunks: tuple[tuple[str, float, float], ...] = ()

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class _Page:
    lines: list[_Line] = field(default_factory=list)
    tables: list[RawTable] = field(default_factory=list)
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
    text = "\f".join(_paragraphs(page, pages, pages[n + 1] if n + 1 < len(pages) else None)
                     for n, page in enumerate(pages))
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
        tables=tuple(t for p in pages for t in p.tables),
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
        visible = len(raw) - len(_SPACE_CHAR.findall(raw))  # characters that are not whitespace
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
            out.lines = _text_lines(textpage, raw, _find_tables(segments, out.base + out.height), rotation,
                                    page_no=index + 1, found=out.tables)
    finally:
        textpage.close()
    return out, False


Segment = tuple[float, float, float, float]  # x0, y0, x1, y1: an axis-aligned ruling line
_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
_RECT = struct.Struct("=4f")  # an FS_RECTF read in one piece: left, top, right, bottom
_SPACE_CHAR = re.compile(r"\s")  # str.isspace's characters
_FEW_GLYPHS = 16  # a character's kept glyphs tested one by one up to this many
_ARRAYS_FROM_PATHS = 16  # pages with this many paths or more: ruling lines found on arrays
_ARRAYS_FROM_TABLES = 1  # pages with this many ruled tables or more: characters handled on arrays
_BUCKET = 8.0  # points: the grid the fake-bold check files glyphs in (wider than 0.3 em of any body font)


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


def _unchecked(function, restype=ctypes.c_int):
    """The same PDFium function, called without ctypes' per-argument conversion.

    pypdfium2's bindings declare argtypes, and converting the arguments costs
    more than the call itself (2 µs against 0.7 µs for a character's box): the
    per-character and per-object calls below are most of a page's time. Every
    argument passed is already a ctypes pointer or a Python int, so nothing is
    lost."""
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)


_Handle = ctypes.POINTER(ctypes.c_ubyte)  # a returned object handle, passed back as it is
_char_box = _unchecked(pdfium_c.FPDFText_GetLooseCharBox)
_count_objects = _unchecked(pdfium_c.FPDFPage_CountObjects)
_get_object = _unchecked(pdfium_c.FPDFPage_GetObject, _Handle)
_object_type = _unchecked(pdfium_c.FPDFPageObj_GetType)
_object_bounds = _unchecked(pdfium_c.FPDFPageObj_GetBounds)
_object_matrix = _unchecked(pdfium_c.FPDFPageObj_GetMatrix)
_count_segments = _unchecked(pdfium_c.FPDFPath_CountSegments)
_get_segment = _unchecked(pdfium_c.FPDFPath_GetPathSegment, _Handle)
_segment_point = _unchecked(pdfium_c.FPDFPathSegment_GetPoint)
_segment_type = _unchecked(pdfium_c.FPDFPathSegment_GetType)
_segment_close = _unchecked(pdfium_c.FPDFPathSegment_GetClose)


def _page_objects(page: pypdfium2.PdfPage, rotation: int = 0) -> tuple[list[Segment], float]:
    """(ruling lines, share of the page covered by images).

    Raw PDFium calls: the helper objects cost more than the text itself on
    pages with many text runs. Only path objects are looked into, each
    path's points read in one piece where PDFium's layout allows it
    (`_path_points`), every object's calls mapped over all of them.
    """
    raw = page.raw
    width, height = page.get_size()
    area = max(width * height, 1.0)
    image_area = 0.0
    segments: list[Segment] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    image_kind, path_kind = pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH
    # every object and its type with one call each, mapped (no Python loop)
    n_objects = _count_objects(raw)
    objects = list(map(_get_object, itertools.repeat(raw, n_objects), range(n_objects)))
    kinds = list(map(_object_type, objects))
    if image_kind in kinds:
        for obj, kind in zip(objects, kinds, strict=True):
            if kind == image_kind and _object_bounds(obj, *refs):
                image_area += max(right.value - left.value, 0) * max(top.value - bottom.value, 0)
    paths = [obj for obj, kind in zip(objects, kinds, strict=True) if kind == path_kind] if path_kind in kinds else []
    if paths:
        segments = _paths_lines(paths)
    if rotation:
        turned = (_turn((sx0, sx1, sy0, sy1), rotation) for sx0, sy0, sx1, sy1 in segments)
        segments = [(tx0, ty0, tx1, ty1) for tx0, tx1, ty0, ty1 in turned]
    return segments, image_area / area


def _paths_lines(paths: list) -> list[Segment]:
    """The ruling lines of path objects, in their order. Each path's points
    in one piece (see _path_points; PDFium keeps them in one array, whose
    layout _bulk_points_work checked), every path's first point, count and
    matrix read by mapped calls, and all of them turned into lines at once
    (_path_lines); path by path on pages with few paths (where numpy's
    set-up costs more than it saves) or where a path's points cannot be
    read so."""
    n = len(paths)
    if n >= _ARRAYS_FROM_PATHS and _bulk_points_work():
        firsts = list(map(_segment_address, paths, itertools.repeat(0, n)))
        counts = list(map(_count_segments, paths))
        if all(first or not count for first, count in zip(firsts, counts, strict=True)):
            held = _buffer("matrices", pdfium_c.FS_MATRIX, n)
            done = list(map(_object_matrix, paths, held[1][:n]))
            matrices = np.frombuffer(held[0], dtype=np.float32, count=6 * n).reshape(n, 6)
            # a path without points has no lines (as _path_segments gives it)
            keep = [k for k in range(n) if done[k] and firsts[k]]
            if len(keep) < n:
                firsts, counts = [firsts[k] for k in keep], [counts[k] for k in keep]
                matrices = matrices[keep]
            size = _POINT.size
            blobs = list(map(ctypes.string_at, firsts, [count * size for count in counts]))
            return _path_lines(blobs, matrices, counts)
    segments: list[Segment] = []
    bulk = _bulk_points_work()
    matrix = pdfium_c.FS_MATRIX()
    matrix_ref = ctypes.byref(matrix)
    for obj in paths:
        first = _segment_address(obj, 0) if bulk else None
        if not first:
            segments.extend(_path_segments(obj))
        elif _object_matrix(obj, matrix_ref):
            n = _count_segments(obj)
            _add_path(segments, _POINT.iter_unpack(ctypes.string_at(first, n * _POINT.size)),
                      _MATRIX.unpack_from(matrix))
    return segments


# A path segment handle is PDFium's own CFX_Path::Point, one of the path's
# points stored one after the other: x and y (float), the point's type (the
# FPDF_SEGMENT_* value) and its close flag (one byte each), padded to 12
# bytes. Reading them in one piece takes one call per path instead of four
# per segment; `_bulk_points_work` checks the layout once against PDFium's
# own accessors, and each path's first and last handles are checked to lie
# where the layout puts them, else the accessors are used.
_POINT = struct.Struct("=ffBB2x")
_MATRIX = struct.Struct("=6f")  # an FS_MATRIX read in one piece: a, b, c, d, e, f
_segment_address = _unchecked(pdfium_c.FPDFPath_GetPathSegment, ctypes.c_void_p)


def _path_points(obj) -> list[tuple[float, float, int, int]] | None:
    """A path's points (x, y, type, close) in the path's own space, or None
    when they cannot be read in one piece."""
    n = _count_segments(obj)
    if n <= 0:
        return []
    first = _segment_address(obj, 0)
    if not first or (n > 1 and _segment_address(obj, n - 1) != first + (n - 1) * _POINT.size):
        return None
    return _POINT.iter_unpack(ctypes.string_at(first, n * _POINT.size))  # type: ignore[return-value]


@functools.lru_cache(maxsize=1)
def _bulk_points_work() -> bool:
    """Whether `_path_points` reads what PDFium's per-segment accessors give,
    on a path made for the check (lines, a curve, a closed figure)."""
    path = pdfium_c.FPDFPageObj_CreateNewPath(1.5, 2.25)
    if not path:
        return False
    try:
        pdfium_c.FPDFPath_LineTo(path, 100.75, 2.25)
        pdfium_c.FPDFPath_BezierTo(path, 110.0, 5.0, 120.5, 15.0, 130.25, 40.0)
        pdfium_c.FPDFPath_LineTo(path, 1.5, 40.0)
        pdfium_c.FPDFPath_Close(path)
        pdfium_c.FPDFPath_MoveTo(path, -7.0, 300.5)
        pdfium_c.FPDFPath_LineTo(path, -7.0, 3.0e4)
        read = _path_points(path)
        points = list(read) if read is not None else []
        if not points or len(points) != pdfium_c.FPDFPath_CountSegments(path):
            return False
        x, y = ctypes.c_float(), ctypes.c_float()
        for i, (px, py, kind, close) in enumerate(points):
            seg = pdfium_c.FPDFPath_GetPathSegment(path, i)
            if not pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
                return False
            if (px, py, kind, bool(close)) != (x.value, y.value, pdfium_c.FPDFPathSegment_GetType(seg),
                                                bool(pdfium_c.FPDFPathSegment_GetClose(seg))):
                return False
        return True
    except Exception:  # noqa: BLE001 - any surprise means: use the accessors
        return False
    finally:
        pdfium_c.FPDFPageObj_Destroy(path)


def _add_path(out: list[Segment], points: Iterable[tuple[float, float, int, int]],
              matrix: tuple[float, float, float, float, float, float]) -> None:
    """The straight horizontal and vertical pieces of one path (its points,
    as `_path_points` gives them), in page space: as `_path_segments` and
    `_add_segment`, inlined."""
    a, b, c, d, e, f = matrix
    moveto, lineto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO
    sx = sy = qx = qy = 0.0
    started = drawn = False  # a start point (moveto), a previous point
    for x, y, kind, close in points:
        px, py = a * x + c * y + e, b * x + d * y + f
        if kind == moveto:
            sx, sy = qx, qy = px, py
            started = drawn = True
            continue
        if kind == lineto and drawn:
            x0, x1 = (qx, px) if qx <= px else (px, qx)
            y0, y1 = (qy, py) if qy <= py else (py, qy)
            if (y1 - y0 < 1.0 and x1 - x0 >= 3.0) or (x1 - x0 < 1.0 and y1 - y0 >= 3.0):
                out.append((x0, y0, x1, y1))
        qx, qy = px, py
        drawn = True
        if close and started:
            x0, x1 = (qx, sx) if qx <= sx else (sx, qx)
            y0, y1 = (qy, sy) if qy <= sy else (sy, qy)
            if (y1 - y0 < 1.0 and x1 - x0 >= 3.0) or (x1 - x0 < 1.0 and y1 - y0 >= 3.0):
                out.append((x0, y0, x1, y1))
            qx, qy = sx, sy


_POINT_DTYPE = np.dtype([("x", "<f4"), ("y", "<f4"), ("kind", "u1"), ("close", "u1"), ("pad", "V2")])


def _path_lines(blobs: list[bytes], matrices: list[tuple[float, float, float, float, float, float]],
                counts: list[int]) -> list[Segment]:
    """The straight horizontal and vertical pieces of paths, in page space
    and in the order `_add_path` gives them path by path: each path's points
    as `_path_points` reads them (`blobs`), its matrix and its point count.

    The same walk as _add_path, on arrays: a piece is drawn to a lineto point
    from the point before it (or from the path's start when that point
    closed its figure), and from a closing point back to the start, the
    last moveto point of the path so far."""
    points = np.frombuffer(b"".join(blobs), dtype=_POINT_DTYPE)
    total = len(points)
    if not total:
        return []
    matrix = np.repeat(np.array(matrices, dtype=np.float64), counts, axis=0)
    x, y = points["x"].astype(np.float64), points["y"].astype(np.float64)
    px = matrix[:, 0] * x + matrix[:, 2] * y + matrix[:, 4]
    py = matrix[:, 1] * x + matrix[:, 3] * y + matrix[:, 5]
    kind = points["kind"]
    at = np.arange(total)
    path_start = np.repeat(np.cumsum([0, *counts[:-1]]), counts)  # the index of each point's path's first point
    move = kind == pdfium_c.FPDF_SEGMENT_MOVETO
    last_move = np.maximum.accumulate(np.where(move, at, -1))
    started = last_move >= path_start
    start = np.where(started, last_move, 0)
    sx, sy = px[start], py[start]
    closes = (points["close"] != 0) & ~move & started
    line = (kind == pdfium_c.FPDF_SEGMENT_LINETO) & (at != path_start)
    qx, qy = np.empty(total), np.empty(total)  # the point each piece is drawn from
    qx[0] = qy[0] = 0.0
    qx[1:] = np.where(closes[:-1], sx[:-1], px[:-1])
    qy[1:] = np.where(closes[:-1], sy[:-1], py[:-1])
    pieces = np.empty((total, 2, 4))  # per point: the piece to it, the piece closing its figure
    for n, (ax, ay, bx, by) in enumerate(((qx, qy, px, py), (px, py, sx, sy))):
        pieces[:, n, 0] = np.minimum(ax, bx)
        pieces[:, n, 1] = np.minimum(ay, by)
        pieces[:, n, 2] = np.maximum(ax, bx)
        pieces[:, n, 3] = np.maximum(ay, by)
    dx, dy = pieces[:, :, 2] - pieces[:, :, 0], pieces[:, :, 3] - pieces[:, :, 1]
    keep = ((dy < 1.0) & (dx >= 3.0)) | ((dx < 1.0) & (dy >= 3.0))
    keep[:, 0] &= line
    keep[:, 1] &= closes
    return list(map(tuple, pieces.reshape(-1, 4)[keep.ravel()].tolist()))


def _path_segments(obj) -> list[Segment]:
    """The straight horizontal and vertical pieces of one path, in page space."""
    matrix = pdfium_c.FS_MATRIX()
    if not _object_matrix(obj, ctypes.byref(matrix)):
        return []
    a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
    x, y = ctypes.c_float(), ctypes.c_float()
    x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
    moveto, lineto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO
    out: list[Segment] = []
    start = prev = None
    for i in range(_count_segments(obj)):
        seg = _get_segment(obj, i)
        if not seg or not _segment_point(seg, x_ref, y_ref):
            continue
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = _segment_type(seg)
        if kind == moveto:
            start = prev = point
            continue
        if kind == lineto and prev is not None:
            _add_segment(out, prev, point)
        prev = point
        if _segment_close(seg) and start is not None:
            _add_segment(out, prev, start)
            prev = start
    return out


def _add_segment(out: list[Segment], p: tuple[float, float], q: tuple[float, float]) -> None:
    (px, py), (qx, qy) = p, q
    x0, x1 = (px, qx) if px <= qx else (qx, px)
    y0, y1 = (py, qy) if py <= qy else (qy, py)
    dx, dy = x1 - x0, y1 - y0
    if (dy < 1.0 and dx >= 3.0) or (dx < 1.0 and dy >= 3.0):
        out.append((x0, y0, x1, y1))


# ------------------------------------------------------------ text lines

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF user space (y up)


@dataclass
class _Table:
    """A ruled table: the x of its column lines, the y of its row lines (top
    down), and which grid slots are one merged cell (a missing inner border)."""

    xs: list[float]
    ys: list[float]  # descending: PDF y grows upwards
    group: dict[tuple[int, int], tuple[int, int]]  # slot of a merged cell -> its first slot (others: absent)
    kind: str = "pdf-ruled"
    chars: dict[tuple[int, int], list[tuple[float, float, str]]] = field(default_factory=dict)
    # the text of a one-line cell filed by put_arrays, with its number of characters then
    texts: dict[tuple[int, int], tuple[int, str]] = field(default_factory=dict, repr=False, compare=False)
    # (x0, x1) of the bottom row's cells without a bottom border: a merged cell cut by the
    # page's end in a browser's print, whose text may run on just under the table
    open_below: tuple[tuple[float, float], ...] = ()

    @property
    def bbox(self) -> Box:
        return (self.xs[0], self.ys[-1], self.xs[-1], self.ys[0])

    def put(self, ch: str, cx: float, cy: float, h: float = 0.0) -> None:
        """Put a character into the cell holding (cx, cy), a point inside the table."""
        c = min(max(bisect.bisect_right(self.xs, cx) - 1, 0), len(self.xs) - 2)
        r = min(max(bisect.bisect_left(self._neg_ys, -cy) - 1, 0), len(self.ys) - 2)
        self.chars.setdefault(self.group.get((r, c), (r, c)), []).append((cy, cx, ch, h))

    def put_all(self, chars: list[tuple[float, float, str, float]]) -> None:
        """`put` each of (cy, cx, ch, h), in order."""
        xs, neg_ys, last_c, last_r = self.xs, self._neg_ys, len(self.xs) - 2, len(self.ys) - 2
        group, cells = self.group, self.chars
        bisect_right, bisect_left = bisect.bisect_right, bisect.bisect_left
        inf = math.inf
        # the slot of the character before, as the bounds put gives it: x in
        # [x_lo, x_hi), -y in (y_lo, y_hi] (the outer slots open outwards);
        # the next character mostly falls into the same one
        x_lo = x_hi = y_lo = y_hi = 0.0
        cell: list = []
        for item in chars:
            cy, cx = item[0], item[1]
            if x_lo <= cx < x_hi and y_lo < -cy <= y_hi:
                cell.append(item)
                continue
            c = bisect_right(xs, cx) - 1
            c = 0 if c < 0 else last_c if c > last_c else c
            r = bisect_left(neg_ys, -cy) - 1
            r = 0 if r < 0 else last_r if r > last_r else r
            x_lo, x_hi = (xs[c] if c > 0 else -inf), (xs[c + 1] if c < last_c else inf)
            y_lo, y_hi = (neg_ys[r] if r > 0 else -inf), (neg_ys[r + 1] if r < last_r else inf)
            slot = group.get((r, c), (r, c))
            cell = cells.get(slot)  # type: ignore[assignment]
            if cell is None:
                cell = cells[slot] = [item]
            else:
                cell.append(item)

    def put_arrays(self, cy: np.ndarray, cx: np.ndarray, chars: list[str], h: np.ndarray) -> None:
        """`put` each of the characters `chars` at (cx, cy) of height h, in
        order: their slots by bisecting arrays (np.searchsorted, the same sides
        as put's bisect), each cell's characters in their order."""
        if not chars:
            return
        n_cols = len(self.xs) - 1
        c = np.minimum(np.maximum(np.searchsorted(self.xs, cx, side="right") - 1, 0), n_cols - 1)
        r = np.minimum(np.maximum(np.searchsorted(self._neg_ys, -cy, side="left") - 1, 0), len(self.ys) - 2)
        slots = r * n_cols + c
        if self.group:
            first = np.arange(n_cols * (len(self.ys) - 1))
            for (gr, gc), (fr, fc) in self.group.items():
                first[gr * n_cols + gc] = fr * n_cols + fc
            slots = first[slots]
        order = np.argsort(slots, kind="stable")  # by slot, in text order within each
        ordered = slots[order]
        cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        starts = np.concatenate(([0], cuts))
        ys = cy[order]
        one_line = (np.minimum.reduceat(ys, starts) == np.maximum.reduceat(ys, starts)).tolist()
        items = list(zip(ys.tolist(), cx[order].tolist(), [chars[k] for k in order.tolist()], h[order].tolist(),
                         strict=True))
        # a one-line cell's text: its characters left to right (a stable sort, text order on a
        # tie), as _cell_lines joins them; cells of more lines are left to _cell_lines
        letters = [chars[k] for k in np.lexsort((cx, slots)).tolist()]
        cells, texts = self.chars, self.texts
        bounds = starts.tolist()
        for start, end, slot, one in zip(bounds, [*bounds[1:], len(items)], ordered[starts].tolist(), one_line,
                                         strict=True):
            key = divmod(slot, n_cols)
            cell = cells.get(key)
            if cell is None:
                cells[key] = items[start:end]
                if one:
                    texts[key] = (end - start, "".join(letters[start:end]))
            else:
                cell.extend(items[start:end])

    @functools.cached_property
    def _neg_ys(self) -> list[float]:
        return [-y for y in self.ys]

    def grid(self) -> list[list[str]]:
        """Cell texts, a merged cell's text in each of its slots; the lines of
        a wrapped cell joined in reading order."""
        done = self.texts  # one-line cells put_arrays joined (while no character was added since)
        texts = {slot: done[slot][1] if slot in done and done[slot][0] == len(chars) else _cell_lines(chars)
                 for slot, chars in self.chars.items()}
        return [[texts.get(self.group.get((r, c), (r, c)), "") for c in range(len(self.xs) - 1)]
                for r in range(len(self.ys) - 1)]

    def merged(self) -> tuple[tuple[int, int, int, int], ...]:
        """Slots of a merged cell other than its first (top-left) one."""
        return tuple(sorted((r, c, r0, c0) for (r, c), (r0, c0) in self.group.items() if (r, c) != (r0, c0)))


def _cell_lines(chars: list[tuple[float, float, str, float]]) -> str:
    """A cell's characters as its lines of text (top down, left to right),
    one per output line: the reader joins them into one phrase."""
    if len(chars) == 1:
        return chars[0][2]
    chars = sorted(chars, key=_FIRST, reverse=True)  # top down (stable, as a sort by -y)
    if chars[0][0] == chars[-1][0]:  # one line (a figure, a short label)
        return "".join([c[2] for c in sorted(chars, key=_SECOND)])
    lines: list[list[tuple[float, float, str, float]]] = []
    for c in chars:
        if lines and abs(lines[-1][0][0] - c[0]) < 0.5 * max(c[3], lines[-1][0][3], 1.0):
            lines[-1].append(c)
        else:
            lines.append([c])
    return "\n".join("".join([c[2] for c in sorted(line, key=_SECOND)]) for line in lines)


def _chars_by_arrays(tp, raw: str, count: int, tables: list[_Table], rotation: int
                     ) -> tuple[list[_Line], list[tuple[str, float, float, float, float, float]] | None]:
    """The page's characters outside `tables` as lines (or, on a turned page,
    as characters placed for _lines_from_chars); those inside put into the
    tables' cells. What `_chars_one_by_one` does, on arrays: see there."""
    # Loose boxes span the glyph's advance and the font's ascent/descent:
    # an opening quote then starts at the margin like any other character,
    # and every line of one font has the same height. All of the page's
    # boxes are read at once, and what is done to every character (turning,
    # the fake-bold check, which table holds it) is done on arrays of them;
    # only the characters outside tables go through a Python loop.
    codes = np.frombuffer(raw.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    special = _SPECIAL[np.minimum(codes, 0xFFFF)]
    boxes, ok = _char_boxes(tp, count)
    x0, y1, x1, y0 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]  # FS_RECTF: left, top, right, bottom
    if rotation:
        x0, x1, y0, y1 = _turn((x0, x1, y0, y1), rotation)
    w, h = x1 - x0, y1 - y0
    w, h = np.where(w > 1.0, w, 1.0), np.where(h > 1.0, h, 1.0)
    glyph = ok & ~special  # the characters with a box: fake-bold check, tables, lines
    # A double is a glyph of the same character less than 0.3 of its size
    # away from an earlier kept one: fake bold (or a shadow), dropped.
    # Checked one by one only for the characters that can have one.
    index = np.flatnonzero(glyph)
    suspects = _double_suspects(codes[index], x0[index], y0[index], w[index], h[index])
    if suspects is not None:
        check = index[np.isin(codes[index], suspects)]
        dropped = _doubles([raw[k] for k in check.tolist()], x0[check].tolist(), y0[check].tolist(),
                           w[check].tolist(), h[check].tolist())
        if dropped:
            glyph[check[dropped]] = False
    # each table's characters, in text order: a character goes to the first table holding its centre
    inside: list[tuple[np.ndarray, np.ndarray, list[str], np.ndarray]] = []
    if tables:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        for t in tables:
            tx0, ty0, tx1, ty1 = t.bbox
            mine = glyph & (tx0 <= cx) & (cx <= tx1) & (ty0 <= cy) & (cy <= ty1)
            if t.open_below:  # a line of an open cell's text just under the table (see _grid)
                under = glyph & (cy < ty0) & (cy + h >= ty0)
                if under.any():
                    for ox0, ox1 in t.open_below:
                        mine |= under & (ox0 <= cx) & (cx <= ox1)
            idx = np.flatnonzero(mine)
            glyph &= ~mine
            inside.append((cy[idx], cx[idx], [raw[k] for k in idx.tolist()], h[idx]))
    out = _Lines(tp, raw, count, rotation)
    chars, geo, pieces, placed = out.chars, out.geo, out.pieces, out.placed
    boxes_of = iter(np.column_stack((x0, x1, y0, y1))[glyph].tolist())
    for k in np.flatnonzero(special | glyph).tolist():
        ch = raw[k]
        if ch in _CONTROL:
            out.control(ch, k)
            continue
        box = next(boxes_of)
        if not out.size:
            out.size = pdfium_c.FPDFText_GetFontSize(tp, k) or (box[3] - box[2] if box[3] - box[2] > 1.0 else 1.0)
        if placed is not None:
            placed.append((ch, box[0], box[1], box[2], box[3], out.size))
        else:
            chars.append(ch)
            geo.append(box)
            pieces.append(ch)
    out.flush()
    for t, mine in zip(tables, inside, strict=True):
        t.put_arrays(*mine)
    return out.lines, placed


def _chars_one_by_one(tp, raw: str, count: int, tables: list[_Table], rotation: int
                      ) -> tuple[list[_Line], list[tuple[str, float, float, float, float, float]] | None]:
    """`_chars_by_arrays`, character by character: faster on pages with
    few characters or without tables, where nearly every character goes
    through the loop that makes lines anyway."""
    # Loose boxes span the glyph's advance and the font's ascent/descent:
    # an opening quote then starts at the margin like any other character,
    # and every line of one font has the same height.
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    # a second glyph of the same character at the same spot is fake bold (or a shadow)
    double = _Kept().double
    out = _Lines(tp, raw, count, rotation)
    chars, geo, pieces, placed = out.chars, out.geo, out.pieces, out.placed

    char_box = _char_box
    unpack_rect = _RECT.unpack_from
    # per table: its box, then what placing a character in a cell needs
    # (what _Table.put does, inlined: it runs for most characters of a table page)
    # each table's box, and the characters inside it, in text order
    table_boxes: list[tuple[float, float, float, float, list[tuple[float, float, str, float]]]] = [
        (*t.bbox, []) for t in tables]
    open_below = [t.open_below for t in tables]  # (see _grid)
    for k, ch in enumerate(raw):
        if ch in _CONTROL:
            out.control(ch, k)
            continue
        if not char_box(tp, k, rect_ref):
            continue
        x0, y1, x1, y0 = unpack_rect(rect)  # FS_RECTF: left, top, right, bottom
        if rotation:
            x0, x1, y0, y1 = _turn((x0, x1, y0, y1), rotation)
        w = x1 - x0 if x1 - x0 > 1.0 else 1.0
        h = y1 - y0 if y1 - y0 > 1.0 else 1.0
        if double(ch, x0, y0, w, h):  # fake bold (or a shadow): dropped
            continue
        if table_boxes:
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            for (tx0, ty0, tx1, ty1, inside), opened in zip(table_boxes, open_below, strict=True):
                if tx0 <= cx <= tx1 and ty0 <= cy <= ty1 or opened and cy < ty0 <= cy + h and any(
                        a <= cx <= b for a, b in opened):
                    inside.append((cy, cx, ch, h))  # into its cell after the loop
                    break
            else:
                cx = None
            if cx is not None:
                continue
        if not out.size:
            out.size = pdfium_c.FPDFText_GetFontSize(tp, k) or h
        if placed is not None:
            placed.append((ch, x0, x1, y0, y1, out.size))
        else:
            chars.append(ch)
            geo.append((x0, x1, y0, y1))
            pieces.append(ch)
    out.flush()
    for t, (*_, inside) in zip(tables, table_boxes, strict=True):
        t.put_all(inside)
    return out.lines, placed


def _text_lines(textpage: pypdfium2.PdfTextPage, raw: str, tables: list[_Table], rotation: int = 0,
                page_no: int | None = None, found: list[RawTable] | None = None) -> list[_Line]:
    """Lines of a page's text layer with geometry; duplicates dropped, table text rendered per row.

    Tables (ruled ones, then those aligned without ruling lines) are added
    to `found` in page order, each with its rendered lines."""
    tp = textpage.raw
    count = pdfium_c.FPDFText_CountChars(tp)
    if len(raw) != count:  # characters outside the BMP: read one by one
        raw = "".join(chr(pdfium_c.FPDFText_GetUnicode(tp, k)) for k in range(count))
    if len(tables) >= _ARRAYS_FROM_TABLES:
        lines, placed = _chars_by_arrays(tp, raw, count, tables, rotation)
    else:
        lines, placed = _chars_one_by_one(tp, raw, count, tables, rotation)
    lines = _lines_from_chars(placed) if placed is not None else _merge_visual_lines(lines)
    boxes: list[tuple[Box, RawTable]] = [(t.bbox, raw_table(t.grid(), t.kind, page_no, t.merged(), t.xs)) for t in tables]
    lines, aligned = _aligned_tables(lines, page_no)
    boxes.extend(aligned)
    for (x0, y0, x1, y1), table in boxes:
        rendered = table.lines
        for n, row in enumerate(rendered):
            # Spread the rows over the table's height so that sorting keeps them in order.
            row_top = y1 - (y1 - y0) * n / max(len(rendered), 1)
            lines.append(_Line(row, x0, x1, row_top, row_top - 1, 0.0, table=True))
    if found is not None:
        found.extend(t for _, t in sorted(boxes, key=lambda b: -b[0][3]) if t.lines)
    lines.sort(key=lambda ln: -ln.top)
    return lines


_SPECIAL = np.zeros(0x10000, dtype=bool)  # by code point (those past U+FFFF looked up as U+FFFF: not one)
_SPECIAL[[ord(c) for c in "\r\n \u3000\x02\ufffe\x00"]] = True  # the characters the loop handles itself
_KEEP_BUFFER = 1 << 16  # elements: larger buffers are made for their page only
_buffers = threading.local()  # per thread and use: an array of a ctypes structure and a pointer to each element


def _buffer(name: str, kind, count: int) -> tuple[ctypes.Array, list]:
    """An array of at least `count` `kind` structures, and a pointer to each
    of them, kept for the next page (one per thread): PDFium writes into
    them from mapped calls, and numpy reads them in one piece."""
    held = getattr(_buffers, name, None)
    if held is None or len(held[1]) < count:
        size = max(count, 2 * len(held[1]) if held is not None else 2048)
        array = (kind * size)()
        step = ctypes.sizeof(kind)
        held = (array, [ctypes.byref(array, step * k) for k in range(size)])
        if size <= _KEEP_BUFFER:  # a huge page's buffer is not kept for the pages after it
            setattr(_buffers, name, held)
    return held


def _char_boxes(tp, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Every character's loose box, (count, 4) float64 columns left, top,
    right, bottom; and whether PDFium gave one (bool). One PDFium call per
    character into a preallocated buffer, read as one array."""
    buffer, refs = _buffer("boxes", pdfium_c.FS_RECTF, count)
    ok = np.fromiter(map(_char_box, itertools.repeat(tp, count), range(count), refs[:count]), dtype=np.int32,
                     count=count)
    boxes = np.frombuffer(buffer, dtype=np.float32, count=4 * count).reshape(count, 4).astype(np.float64)
    return boxes, ok != 0


def _double_suspects(codes: np.ndarray, x0: np.ndarray, y0: np.ndarray, w: np.ndarray,
                     h: np.ndarray) -> np.ndarray | None:
    """The characters (code points) with a glyph less than 0.3 of its width
    and height away from an earlier glyph of the same character (kept or
    not), or None when there is none: only these characters can have a
    fake-bold double. Glyphs sorted by character and x; each glyph's
    neighbours within its window in x are found by bisecting (with a point
    of margin against rounding), then tested in x and y."""
    n = len(codes)
    if n < 2:
        return None
    tw, th = 0.3 * w, 0.3 * h
    if not float(np.abs(x0).max()) + float(tw.max()) < 1e5:  # the keys below would lose x: check all
        return np.unique(codes)
    keys = codes.astype(np.float64) * 4e5 + x0
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    lo = np.searchsorted(ordered, keys - tw - 1.0, side="left")
    hi = np.searchsorted(ordered, keys + tw + 1.0, side="right")
    reach = hi - lo  # the glyphs in each glyph's window (and margin), itself included
    many = np.flatnonzero(reach > 1)
    if not len(many):
        return None
    reach = reach[many]
    total = int(reach.sum())
    if total > 200_000:  # too many pairs to list: check these characters one by one
        return np.unique(codes[many])
    later = np.repeat(many, reach)  # each glyph with a neighbour, against every glyph of its window
    offset = np.arange(total) - np.repeat(np.cumsum(reach) - reach, reach)
    earlier = order[np.repeat(lo[many], reach) + offset]
    near = (earlier < later) & (codes[earlier] == codes[later]) \
        & (np.abs(x0[earlier] - x0[later]) < tw[later]) & (np.abs(y0[earlier] - y0[later]) < th[later])
    if not near.any():
        return None
    return np.unique(codes[later[near]])


# PDFium's line breaks, spaces, and its markers for hyphenation and unknowns
_CONTROL = frozenset("\r\n \u3000\x02\ufffe\x00")


class _Lines:
    """A page's lines as its characters come (both character loops fill
    one): `chars`, `geo` (x0, x1, y0, y1 of each character but the spaces)
    and `pieces` hold the line being made, which `flush` ends; on a turned
    page PDFium breaks lines as on the unturned one, so the characters are
    kept in `placed` and grouped by position instead."""

    __slots__ = ("tp", "raw", "count", "lines", "chars", "geo", "pieces", "size", "placed")

    def __init__(self, tp, raw: str, count: int, rotation: int) -> None:
        self.tp, self.raw, self.count = tp, raw, count
        self.lines: list[_Line] = []
        self.chars: list[str] = []
        self.geo: list = []
        self.pieces: list[str] = []  # the characters of `geo`, one by one
        self.size = 0.0
        self.placed: list[tuple[str, float, float, float, float, float]] | None = [] if rotation else None

    def control(self, ch: str, k: int) -> None:
        """A character of `_CONTROL`: a line break ends the line, a space is
        kept once, PDFium's markers are dropped."""
        if ch == "\r" or ch == "\n":
            self.flush()
        elif ch == " " or ch == "\u3000":
            chars = self.chars
            # Generated spaces between digits come from spread-out glyphs,
            # not from the text: "1 8" is 18.
            if chars and chars[-1].isdigit() and k + 1 < self.count and self.raw[k + 1].isdigit() \
                    and pdfium_c.FPDFText_IsGenerated(self.tp, k) == 1:
                return
            if chars and chars[-1] != " ":
                chars.append(" ")

    def flush(self) -> None:
        """End the line being made (the lists are emptied in place: the loops hold them)."""
        geo = self.geo
        if geo:
            lefts, rights, bottoms, tops = zip(*geo)
            joined = "".join(self.chars)
            if any(b < a for a, b in zip(lefts, lefts[1:])) and max(bottoms) < min(tops):
                joined = _in_x_order(self.pieces, geo)
            text = drop_cjk_spaces(joined).strip()
            if text:
                self.lines.append(_Line(text, min(lefts), max(rights), max(tops), min(bottoms), self.size,
                                        chunks=_chunks(self.pieces, geo)))
        self.chars.clear()
        geo.clear()
        self.pieces.clear()
        self.size = 0.0


def _in_x_order(pieces: list[str], geo: list[tuple[float, float, float, float]]) -> str:
    """A line's characters left to right, where the text layer has them in
    another order: office suites write a line's runs font by font, so the
    quotes of 紧抓“关键少数”, set in a Latin font, come after the Chinese
    characters around them. Only for one visual line (every glyph overlaps
    the others in height), so two lines are never interleaved. A gap wider
    than a quarter of the line height is a space (dropped next to Chinese).

    >>> _in_x_order(["紧", "抓", "关", "键", "“", "”"], [(0, 10, 0, 10), (10, 20, 0, 10), (25, 35, 0, 10),
    ...             (35, 45, 0, 10), (20, 25, 0, 10), (45, 50, 0, 10)])
    '紧抓“关键”'
    """
    order = sorted(range(len(pieces)), key=lambda k: geo[k][0])
    out: list[str] = []
    last = None
    for k in order:
        x0, x1, y0, y1 = geo[k]
        if last is not None and x0 - last > 0.25 * max(y1 - y0, 1.0):
            out.append(" ")
        out.append(pieces[k])
        last = x1 if last is None else max(last, x1)
    return "".join(out)


def _doubles(chs: list[str], xs: list[float], ys: list[float], ws: list[float], hs: list[float]) -> list[int]:
    """Which of the glyphs (character, x0, y0, width and height clamped to
    1 pt at least), in text order, are doubles of an earlier kept glyph of
    the same character (`_Kept.double`)."""
    double = _Kept().double
    return [n for n, ch in enumerate(chs) if double(ch, xs[n], ys[n], ws[n], hs[n])]


class _Kept:
    """The glyphs kept so far, by character, for the fake-bold check: a
    glyph less than 0.3 of its width and height away from a kept glyph of
    the same character is a double (fake bold, a shadow). A character's
    glyphs are a list while they are few, then filed in _BUCKET-point
    buckets: only the buckets that reach that near can hold one (one
    bucket, mostly; the 3 x 3 around it at most)."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen: dict[str, list[tuple[float, float]] | dict[tuple[int, int], list[tuple[float, float]]]] = {}

    def double(self, ch: str, x0: float, y0: float, w: float, h: float) -> bool:
        """Whether this glyph is a double of a kept one; if it is not, it is kept."""
        seen = self.seen
        bucket = _BUCKET
        near = seen.get(ch)
        if near is None:
            seen[ch] = [(x0, y0)]
            return False
        tw, th = 0.3 * w, 0.3 * h
        if near.__class__ is list and tw <= bucket and th <= bucket:
            # Few glyphs of this character yet: test them all. With the window
            # no wider than a bucket, the buckets below would hold the same ones.
            for px, py in near:
                if -tw < px - x0 < tw and -th < py - y0 < th:
                    return True
            near.append((x0, y0))
            if len(near) > _FEW_GLYPHS:
                seen[ch] = _buckets(near)
            return False
        if near.__class__ is list:
            near = seen[ch] = _buckets(near)
        bx, by = int(x0 // bucket), int(y0 // bucket)
        edge_x, edge_y = x0 - bx * bucket, y0 - by * bucket
        cols = (bx - 1, bx, bx + 1) if edge_x < tw and bucket - edge_x < tw else (
            (bx - 1, bx) if edge_x < tw else (bx, bx + 1) if bucket - edge_x < tw else (bx,))
        rows = (by - 1, by, by + 1) if edge_y < th and bucket - edge_y < th else (
            (by - 1, by) if edge_y < th else (by, by + 1) if bucket - edge_y < th else (by,))
        for i in cols:
            for j in rows:
                for px, py in near.get((i, j), ()):
                    if -tw < px - x0 < tw and -th < py - y0 < th:
                        return True
        near.setdefault((bx, by), []).append((x0, y0))
        return False


def _buckets(glyphs: list[tuple[float, float]]) -> dict[tuple[int, int], list[tuple[float, float]]]:
    """(x0, y0) of kept glyphs filed by _BUCKET-point buckets, for the fake-bold check."""
    out: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for x0, y0 in glyphs:
        out.setdefault((int(x0 // _BUCKET), int(y0 // _BUCKET)), []).append((x0, y0))
    return out


def _chunks(pieces: list[str], geo: list[tuple[float, float, float, float]]) -> tuple[tuple[str, float, float], ...]:
    """The line's characters cut where the gap between two is wider than a
    character: the cells of a table drawn without lines."""
    # PDFium gives a line's characters left to right, mostly: then one pass
    # joins them (as _join_close does after its sort, which keeps that order)
    out: list[list] = []
    last = -math.inf
    for ch, (x0, x1, y0, y1) in zip(pieces, geo, strict=True):
        if x0 < last:
            return _join_close((c, g[0], g[1], max(g[3] - g[2], 1.0)) for c, g in zip(pieces, geo, strict=True))
        last = x0
        em = y1 - y0 if y1 - y0 > 1.0 else 1.0
        if out and x0 - out[-1][2] <= 0.9 * em:
            piece = out[-1]
            piece[0].append(ch)
            if x1 > piece[2]:
                piece[2] = x1
        else:
            out.append([[ch], x0, x1])
    return tuple(("".join(t), a, b) for t, a, b in out)


def _join_close(items: Iterable[tuple[str, float, float, float]]) -> tuple[tuple[str, float, float], ...]:
    """(text, x0, x1, em) pieces left to right, joined where the gap to the
    previous piece is at most 0.9 em (one cell), cut where it is wider."""
    out: list[list] = []
    for text, x0, x1, em in sorted(items, key=lambda p: p[1]):
        if out and x0 - out[-1][2] <= 0.9 * em:
            out[-1][0] += text
            out[-1][2] = max(out[-1][2], x1)
        else:
            out.append([text, x0, x1])
    return tuple((t, a, b) for t, a, b in out)


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
                    ocr=a.ocr, chunks=_merge_chunks(a.chunks, b.chunks, max(a.size, b.size, 1.0)),
                )
                continue
        merged.append(line)
    return merged


def _merge_chunks(a, b, em: float) -> tuple[tuple[str, float, float], ...]:
    return _join_close((text, x0, x1, em) for text, x0, x1 in a + b)


def _join(a: str, b: str, space_ok: bool = False) -> str:
    """Join two pieces of one paragraph or line.

    A space goes only between two Latin letters (an English word wrapped or
    spread apart); digits never get one, since "2\n025" wrapped is 2025.
    """
    if a and b and space_ok and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return a + " " + b
    return a + b


# ------------------------------------------------------------ tables

# points: lines this close are one line (double borders, rounding, and the
# boxes of a browser's table with cellspacing: <table border="1"> of an old
# portal, not collapsed, draws each cell's box 2.25 pt from its neighbours')
_SNAP = 3.0


def _find_tables(segments: list[Segment], top_y: float = 0.0) -> list[_Table]:
    """Ruled tables from the page's ruling lines, by their grid.

    Why not pdfplumber's table finder: it builds every cell from line
    intersections in pure Python, which made a table-heavy page ~10x slower
    than reading its text. A ruled table is a grid: the distinct x of its
    vertical lines and y of its horizontal lines, and a slot is merged with
    its neighbour where the border between them is not drawn. Lines are
    matched by sorted sweeps (bisect over positions), never pairwise.
    """
    segments = list(dict.fromkeys(segments))  # a border shared by two cells is often drawn twice
    horizontal = _merge_collinear([(s[1], s[0], s[2]) for s in segments if s[3] - s[1] < 1.0])
    vertical = _merge_collinear([(s[0], s[1], s[3]) for s in segments if s[2] - s[0] < 1.0])
    if len(horizontal) < 2 or len(vertical) < 2:
        return []
    # connected groups of lines: each group that crosses is one table. The
    # vertical lines come sorted by x, so those a horizontal line can cross
    # are one slice of them.
    n_h = len(horizontal)
    parent = list(range(n_h + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    v_pos = [v[0] for v in vertical]
    for i, (hy, hx0, hx1) in enumerate(horizontal):
        lo = bisect.bisect_left(v_pos, hx0 - _SNAP)
        hi = bisect.bisect_right(v_pos, hx1 + _SNAP, lo)
        root = -1
        for j in range(lo, hi):
            _, vy0, vy1 = vertical[j]
            if vy0 - _SNAP <= hy <= vy1 + _SNAP:
                if root < 0:
                    root = find(i)
                other = find(n_h + j)
                if other != root:
                    parent[root] = other
                    root = other
    groups: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(find(n_h + j), ([], []))[1].append(v)
    found = []
    for hs, vs in groups.values():
        table = _grid(hs, vs)
        if table is not None:
            found.append(table)
    found.sort(key=lambda t: -t.ys[0])
    return found


def _merge_collinear(items: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """(position, start, end) lines: those on one position that touch or overlap become one.
    The result is sorted by position."""
    items.sort()
    out: list[list[float]] = []
    for pos, a, b in items:
        # the lines within _SNAP before this one, the last first: it joins the first it touches
        k = len(out) - 1
        while k >= 0:
            line = out[k]
            if pos - line[0] > _SNAP:
                k = -1
                break
            if a <= line[2] + _SNAP and b >= line[1] - _SNAP:
                if a < line[1]:
                    line[1] = a
                if b > line[2]:
                    line[2] = b
                break
            k -= 1
        if k < 0:
            out.append([pos, a, b])
    return [(p, a, b) for p, a, b in out]


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= _SNAP:
            continue
        out.append(v)
    return out


def _near(lines: list[tuple[float, float, float]], pos: list[float], at: float) -> list[tuple[float, float]]:
    """The (start, end) of the lines within _SNAP of position `at`; `pos` is
    the lines' positions, sorted."""
    lo = bisect.bisect_left(pos, at - _SNAP - 0.5)  # a margin: the test below decides
    hi = bisect.bisect_right(pos, at + _SNAP + 0.5, lo)
    return [(a, b) for p, a, b in lines[lo:hi] if abs(p - at) <= _SNAP]


def _covered(bounds: Iterable[tuple[float, float]], at: list[float]) -> bytearray:
    """For each of the ascending points `at`, 1 when it lies within one of
    the (low, high) bounds, ends included."""
    out = bytearray(len(at))
    for low, high in bounds:
        lo = bisect.bisect_left(at, low)
        hi = bisect.bisect_right(at, high, lo)
        if hi > lo:
            out[lo:hi] = b"\x01" * (hi - lo)
    return out


def _open_ends(ys: list[float], vs: list[tuple[float, float, float]], xs: list[float]) -> None:
    """A table cut by the page's end without a border there (a browser's
    print): its outer vertical lines go on past the last horizontal line
    to where the page cut them. That end is the table's edge (added to
    `ys`, descending), so the text between, often the rest of a merged
    label ("三、本年度办" | "理结果"), stays in its cell. The same at the top
    of the page where such a table goes on. The outer lines must reach
    layout.yaml's `open_end` past the border (a line's own overhang is less)."""
    left = [v for v in vs if abs(v[0] - xs[0]) <= _SNAP]
    right = [v for v in vs if abs(v[0] - xs[-1]) <= _SNAP]
    if not left or not right:
        return
    low = max(min(v[1] for v in left), min(v[1] for v in right))  # both outer lines reach it
    high = min(max(v[2] for v in left), max(v[2] for v in right))
    reach = float(_rules.setting("pdf", "open_end"))  # points (rules/layout.yaml)
    if ys[-1] - low > reach:
        ys.append(low)
    if high - ys[0] > reach:
        ys.insert(0, high)


def _grid(hs: list[tuple[float, float, float]], vs: list[tuple[float, float, float]]) -> _Table | None:
    """The table of one group of crossing lines (hs and vs sorted by position),
    or None when it is no table."""
    xs = _cluster([v[0] for v in vs])
    ys = sorted(_cluster([h[0] for h in hs]), reverse=True)
    if len(xs) >= 3 and len(ys) >= 2:
        _open_ends(ys, vs, xs)
    # not even 2 x 2 slots: a frame or a rule, not a table; but one row of three cells or
    # more is a table's row alone on a page (its last row, printed over the page's end)
    if len(xs) < 3 or len(ys) < 2 or len(ys) == 2 and len(xs) < 4:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    v_pos, h_pos = [v[0] for v in vs], [h[0] for h in hs]
    # A border between two slots is drawn when a line near its position
    # reaches the middle of their common side, within _SNAP. Per border line,
    # the middles reached are found by bisecting the sorted middles.
    mid_xs = [(xs[c] + xs[c + 1]) / 2 for c in range(n_cols)]  # ascending
    neg_mid_ys = [-((ys[r] + ys[r + 1]) / 2) for r in range(n_rows)]  # ascending (y grows upwards)
    # slot r * n_cols + c; a merged cell's smallest slot is its first (top-left) one
    parent = list(range(n_rows * n_cols))

    def union(k: int, m: int) -> int:
        while parent[k] != k:
            k = parent[k]
        while parent[m] != m:
            m = parent[m]
        if k == m:
            return 0
        if k < m:
            parent[m] = k
        else:
            parent[k] = m
        return 1

    merges = 0
    for c in range(n_cols - 1):  # the border between columns c and c + 1
        # vy0 - SNAP <= mid <= vy1 + SNAP, on the negated middles
        drawn = _covered([(-(vy1 + _SNAP), -(vy0 - _SNAP)) for vy0, vy1 in _near(vs, v_pos, xs[c + 1])], neg_mid_ys)
        for r in range(n_rows):
            if not drawn[r]:
                merges += union(r * n_cols + c, r * n_cols + c + 1)
    for r in range(n_rows - 1):  # the border between rows r and r + 1
        drawn = _covered([(hx0 - _SNAP, hx1 + _SNAP) for hx0, hx1 in _near(hs, h_pos, ys[r + 1])], mid_xs)
        for c in range(n_cols):
            if not drawn[c]:
                merges += union(r * n_cols + c, (r + 1) * n_cols + c)
    if n_rows * n_cols - merges < 2:
        return None
    group = {}
    for k in range(n_rows * n_cols):
        root = k
        while parent[root] != root:
            root = parent[root]
        if root != k:
            group[(k // n_cols, k % n_cols)] = (root // n_cols, root % n_cols)
    # A browser cuts a table at the page's end inside a merged label cell
    # ("（三）不予公开" over eight rows): the cells beside it are closed by a line,
    # the label's cell is not, and its second line ("予公开") may be set just
    # under the table's last line. Such cells take the text there.
    closed = _covered([(hx0 - _SNAP, hx1 + _SNAP) for hx0, hx1 in _near(hs, h_pos, ys[-1])], mid_xs)
    open_below: tuple[tuple[float, float], ...] = ()
    if 0 < sum(closed) < n_cols:
        open_below = tuple((xs[c], xs[c + 1]) for c in range(n_cols) if not closed[c])
    return _Table(xs, ys, group, open_below=open_below)


# ------------------------------------------------------------ tables without lines

_VALUE = re.compile(rf"^{FIGURE_OR_NONE}$")  # a figure, or a "none" mark
_MAX_HEADER_LINES = 12


def _aligned_tables(lines: list[_Line], page_no: int | None) -> tuple[list[_Line], list[tuple[Box, RawTable]]]:
    """Tables drawn without ruling lines, found by the geometry of their characters.

    A row is a line whose pieces (cut at wide gaps) end in figures lined up
    under the same columns as its neighbours'. Between rows, text-only lines
    left of the figures continue wrapped row labels, and lines with pieces
    over the figure columns are sub-headers (表二 has one per article); the
    lines just above the first row are the header. Labels are read per label
    column (their left edges): the wrapped pieces of one column join into
    one label, which goes to the nearest row. The header is read per figure
    column, so a header set one word per line ("商业" over "企业") gives one
    label, and a header piece over several columns ("法人或其他组织") is
    spread over them.
    """
    body = [ln for ln in lines if not ln.table]
    is_row = [_value_row(ln) for ln in body]
    if not any(is_row):
        return lines, []
    out: list[tuple[Box, RawTable]] = []
    used: set[int] = set()
    i = 0
    while i < len(body):
        if not is_row[i]:
            i += 1
            continue
        value_x0 = _value_x0([body[i]])
        j, last = i + 1, i
        while j < len(body):
            gap = body[j - 1].bottom - body[j].top
            if gap > 3.5 * max(body[j].size, body[j - 1].size, 1.0):  # a tall row (wrapped label) leaves a gap
                break
            if is_row[j]:
                last = j
                value_x0 = min(value_x0, _value_x0([body[j]]))
            elif _heading_line(body[j]):
                break  # the report's next heading: the next table is another one
            elif body[j].x1 < value_x0 - 1.0:
                if _row_follows(body, is_row, j, within=6):  # a long label wraps over several lines
                    pass
                elif last == j - 1 and _page_end_after(body, j) and not ROW_MARKER.match(body[j].text) \
                        and not any(rx.search(_WS.sub("", body[j].text)) for rx in _rules.patterns("page_number_patterns")):
                    # the rest of the last row's label, where the table runs to the page's
                    # end: the table goes on on the next page (table_join)
                    last = j
                else:
                    break
            elif not _inside(body[j], value_x0) or not _row_follows(body, is_row, j):
                break
            j += 1
        rows = [k for k in range(i, last + 1) if is_row[k]]
        table = _build_aligned(body, i, last, is_row, page_no, used) if rows else None
        if table is not None:
            out.append(table)
        i = last + 1
    if not out:
        return lines, []
    return [ln for k, ln in enumerate(body) if k not in used] + [ln for ln in lines if ln.table], out


def _page_end_after(body: list[_Line], j: int) -> bool:
    """Whether nothing but the page's foot (a page number, after a gap of
    a few lines) comes after line j."""
    if j + 1 >= len(body):
        return True
    after = body[j + 1]
    return body[j].bottom - after.top > 3.5 * max(after.size, body[j].size, 1.0) and all(
        len(ln.text) <= 12 for ln in body[j + 1:])


def _spanned_run(c: int, mid: float, centres: list[float], step: float, own: set[int], lower: set[int],
                 wide: Sequence[float] = ()) -> list[int]:
    """The widest run of columns around column c that a header piece centred at `mid` heads:
    centred under it, free on the piece's own line, each labelled on a line below, and
    not past halfway to another wide piece of its line (the header of the next run)."""
    left = max((m + mid) / 2 for m in wide if m < mid) if any(m < mid for m in wide) else -math.inf
    right = min((m + mid) / 2 for m in wide if m > mid) if any(m > mid for m in wide) else math.inf
    best = [c]
    for a in range(c, -1, -1):
        if a != c and (a in own or a not in lower or centres[a] <= left):
            break
        for b in range(c, len(centres)):
            if b != c and (b in own or b not in lower or centres[b] >= right):
                break
            if b - a + 1 > len(best) and abs((centres[a] + centres[b]) / 2 - mid) <= 0.25 * step:
                best = list(range(a, b + 1))
    return best


def _value_x0(rows: list[_Line]) -> float:
    return min((c[1] for ln in rows for c in ln.chunks if _VALUE.match(c[0])), default=math.inf)


_TOP_MARKER = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING_MIN_CHARS = 14  # a group label of a table (三、本年度办理结果) is shorter


def _heading_line(line: _Line) -> bool:
    """A report's own heading between two tables ("四、政府信息公开行政复议、行政诉讼
    情况"), which a table without ruling lines must not take in as a header: a top
    marker, a long title, no figure."""
    text = line.text.strip()
    return bool(_TOP_MARKER.match(text)) and len(text) >= _HEADING_MIN_CHARS and not any(c.isdigit() for c in text)


def _inside(line: _Line, value_x0: float) -> bool:
    """A line that can be part of a table: short pieces, none a sentence running across the columns."""
    return all(len(t) <= 30 for t, _, _ in line.chunks) and not (
        len(line.chunks) == 1 and line.x0 < value_x0 - 20 and line.x1 > value_x0 + 60)


def _row_follows(body: list[_Line], is_row: list[bool], j: int, within: int = 4) -> bool:
    """A row of figures comes within `within` lines after line j (in the same block)."""
    for k in range(j + 1, min(len(body), j + 1 + within)):
        if body[k - 1].bottom - body[k].top > 3.5 * max(body[k].size, 1.0):
            return False
        if is_row[k]:
            return True
    return False


def _value_row(line: _Line) -> bool:
    """A line of label pieces then at least one figure piece, all figures after the first one."""
    chunks = line.chunks
    if not chunks or not _VALUE.match(chunks[-1][0]):
        return False
    k = 0
    while k < len(chunks) and not _VALUE.match(chunks[k][0]):
        k += 1
    values = len(chunks) - k
    # a lone figure is a row only beside a label ("行政许可  126"); a line of only figures needs several
    return k <= 3 and all(_VALUE.match(c[0]) for c in chunks[k:]) and (values >= 2 or k >= 1)


def _build_aligned(body: list[_Line], first: int, last: int, is_row: list[bool], page_no: int | None,
                   used: set[int]) -> tuple[Box, RawTable] | None:
    rows = [body[k] for k in range(first, last + 1) if is_row[k]]
    em = max(max(ln.size for ln in rows), 1.0)
    # figure columns: figure pieces that overlap (or nearly) are one column
    spans = sorted([x0, x1] for ln in rows for text, x0, x1 in ln.chunks if _VALUE.match(text))
    cols: list[list[float]] = []
    for x0, x1 in spans:
        if cols and x0 <= cols[-1][1] + 0.3 * em:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    centres = [(a + b) / 2 for a, b in cols]
    value_x0 = cols[0][0]

    def column_of(x0: float, x1: float) -> int:
        """The column whose centre is nearest (the left one on a tie): the
        centres ascend, so it is one of the two around the piece's middle."""
        mid = (x0 + x1) / 2
        c = bisect.bisect_left(centres, mid)
        if c == len(centres) or (c > 0 and abs(centres[c - 1] - mid) <= abs(centres[c] - mid)):
            return c - 1
        return c

    def covered(x0: float, x1: float) -> list[int]:
        return [c for c, m in enumerate(centres) if x0 - 2.0 <= m <= x1 + 2.0] or [column_of(x0, x1)]

    # header lines above the first row: close together, short pieces, the table's type size
    top = first
    while top > 0 and first - top < _MAX_HEADER_LINES:
        ln, below = body[top - 1], body[top]
        if is_row[top - 1] or ln.bottom - below.top > 2.6 * max(below.size, em) or ln.size > 1.3 * em \
                or not _inside(ln, value_x0):
            break
        if top < first and _TOP_MARKER.match(ln.text.strip()):
            # the report's heading over the table's header ("二、主动公开政府信息情况"); right
            # above the first row, such a line is the start of that row's wrapped label
            break
        top -= 1
    if first - top == 0 and len(rows) < 2:
        return None  # one line of figures without a header: not a table
    if len(rows) == 1 and len(cols) < 3:
        return None

    step = statistics.median([b - a for a, b in zip(centres, centres[1:], strict=False)]) if len(centres) > 1 else 0.0

    def header_rows(lines: list[_Line]) -> tuple[list[list[str]], str]:
        """Per figure column, the header pieces over it top down; the pieces left of the figures
        are the corner. A piece over one column continues the piece just above it in that
        column (a header set one word per line); a piece centred over a run of columns that
        the lines below label one by one is the header of the whole run (a merged cell)."""
        pieces = [[(t, x0, x1, covered(x0, x1)) for t, x0, x1 in ln.chunks if x1 > value_x0 - 0.3 * em]
                  for ln in lines]
        own = [{c for *_, over in line for c in over} for line in pieces]
        lower = [set().union(*own[n + 1:]) if n + 1 < len(own) else set() for n in range(len(own))]
        parts: list[list[str]] = [[] for _ in cols]
        joinable: list[bool] = [False] * len(cols)
        corner: list[str] = [t for ln in lines for t, x0, x1 in ln.chunks if x1 <= value_x0 - 0.3 * em]
        for n, line in enumerate(pieces):
            wide = [(a + b) / 2 for _, a, b, _ in line if b - a > 0.9 * step]
            for text, x0, x1, over in line:
                if len(over) == 1 and step:
                    others = [m for m in wide if abs(m - (x0 + x1) / 2) > 0.5]
                    run = _spanned_run(over[0], (x0 + x1) / 2, centres, step, own[n], lower[n], others)
                    if len(run) > 1:
                        over = run
                for c in over:
                    if len(over) == 1 and joinable[c] and parts[c]:
                        parts[c][-1] += text
                    else:
                        parts[c].append(text)
                    joinable[c] = len(over) == 1
        depth = max((len(p) for p in parts), default=0)
        grid_rows = []
        for level in range(depth):
            row = []
            for p in parts:
                pad = depth - len(p)  # innermost labels on the last header row
                row.append(p[level - pad] if level >= pad else (p[0] if p else ""))
            grid_rows.append(row)
        return grid_rows, "".join(corner)

    # label columns: the left edges of label pieces, within an em
    label_pieces: list[tuple[int, str, float, float]] = []  # (line index, text, x0, mid_y)
    header_lines: dict[int, _Line] = {}
    for k in range(first, last + 1):
        ln = body[k]
        if not is_row[k] and any(x1 > value_x0 - 0.3 * em for _, _, x1 in ln.chunks):
            header_lines[k] = ln  # a sub-header inside the table (表二's articles)
    for k in range(last, first - 1, -1):  # a text line right above a sub-header is part of it
        if not is_row[k] and k not in header_lines and k + 1 in header_lines:
            header_lines[k] = body[k]
    for k in range(first, last + 1):
        ln = body[k]
        if k in header_lines:
            continue
        for text, x0, x1 in ln.chunks:
            if not (_VALUE.match(text) and x1 > value_x0 - 0.3 * em):
                label_pieces.append((k, text, x0, ln.mid_y))
    edges: list[float] = []
    for _, _, x0, _ in sorted(label_pieces, key=lambda p: p[2]):
        if not edges or x0 - edges[-1] > em:
            edges.append(x0)
    n_label = len(edges)

    def label_col(x0: float) -> int:
        return max((c for c, e in enumerate(edges) if x0 >= e - em / 2), default=0)

    # the pieces of one label column join while they wrap (no list marker starts the next one)
    blocks: list[tuple[int, float, str]] = []  # (label column, mid y, text)
    piece_cols = [label_col(x0) for _, _, x0, _ in label_pieces]
    for col in range(n_label):
        mine = sorted(((k, t, y) for (k, t, _, y), c in zip(label_pieces, piece_cols, strict=True) if c == col),
                      key=lambda p: -p[2])
        cur: list[tuple[int, str, float]] = []
        for piece in mine:
            if cur and (ROW_MARKER.match(piece[1]) or cur[-1][2] - piece[2] > 1.8 * em
                        or piece[0] != cur[-1][0] and is_row[cur[-1][0]] and is_row[piece[0]]
                        or any(k in header_lines for k in range(cur[-1][0] + 1, piece[0]))):
                blocks.append((col, sum(p[2] for p in cur) / len(cur), "".join(p[1] for p in cur)))
                cur = []
            cur.append(piece)
        if cur:
            blocks.append((col, sum(p[2] for p in cur) / len(cur), "".join(p[1] for p in cur)))
    # each label block goes to the nearest row of figures (the upper one on a tie)
    data_rows = [k for k in range(first, last + 1) if is_row[k]]
    labels: dict[int, list[str]] = {k: [""] * n_label for k in data_rows}
    row_mids = [(r, body[r].mid_y) for r in data_rows]
    for col, y, text in blocks:
        k, best = -1, None
        for r, m in row_mids:  # the first row of the least (distance, -y)
            key = (abs(m - y), -m)
            if best is None or key < best:
                k, best = r, key
        labels[k][col] = (labels[k][col] + text) if labels[k][col] else text
    # the grid: header rows, then rows of figures, sub-headers where they stand
    grid: list[list[str]] = []
    head, corner = header_rows(body[top:first])
    for n, hrow in enumerate(head):
        grid.append(([corner if n == 0 else ""] + [""] * (n_label - 1) if n_label else []) + hrow)
    pending: list[_Line] = []
    for k in range(first, last + 1):
        if k in header_lines:
            pending.append(header_lines[k])
            continue
        if not is_row[k]:
            continue
        if pending:
            sub, sub_corner = header_rows(pending)
            for n, hrow in enumerate(sub):
                grid.append(([sub_corner if n == 0 else ""] + [""] * (n_label - 1) if n_label else []) + hrow)
            pending = []
        values = [""] * len(cols)
        for text, x0, x1 in body[k].chunks:
            if _VALUE.match(text) and x1 > value_x0 - 0.3 * em:
                values[column_of(x0, x1)] = text
        grid.append(labels[k] + values)
    used.update(range(top, last + 1))
    x0 = min(ln.x0 for ln in body[top:last + 1])
    x1 = max(ln.x1 for ln in body[top:last + 1])
    # column bounds, as a ruled table's lines: the label columns' left edges, then
    # halfway between the figure columns' centres (they line up the pieces of a
    # table that runs over pages: table_join)
    half = step / 2 if step else max(cols[0][1] - cols[0][0], em)
    bounds = [*edges, centres[0] - half, *((a + b) / 2 for a, b in zip(centres, centres[1:])), centres[-1] + half]
    return (x0, body[last].bottom, x1, body[top].top), raw_table(grid, "pdf-aligned", page_no, edges=bounds)


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
        # (a page of tables may keep two lines of text or fewer: both zones look at them)
        for zone, cands in (("top", body[:edge]), ("bottom", body[-edge:] if body else [])):
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

def _paragraphs(page: _Page, pages: list[_Page], following: _Page | None = None) -> str:
    """Join wrapped lines into paragraphs, one per output line.

    When the page's last paragraph visibly ends on the page (its last line
    stops short of the right margin, or is a table row, or the first line of
    the `following` page starts a paragraph: indented, a table row, another
    size) the page text ends with "\\n": a page break right after text means
    the paragraph goes on on the next page. Normalisation can use this where
    punctuation does not tell (a heading or a sentence cut at the page end).
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
    if prev is not None:
        first = following.lines[0] if following is not None and following.lines else None
        if prev.table or (_starts_paragraph(prev, first, left, right, 0.0) if first is not None
                           else _ended(prev, left, right)):
            text += "\n"
    return text


def _ended(line: _Line, left: float, right: float, following: _Line | None = None) -> bool:
    """Whether the paragraph of `line` ends with it, by where the line stops.

    A line that stops short of the right margin by more than a character
    ended its paragraph, unless it was wrapped early: office suites break a
    line before punctuation that may not start one (、。，” take the
    characters before them along: a line stops up to three characters short)
    and before a figure or Latin word, which is never split ("分别提高" |
    "20.9、36.2、54个百分点": several characters short). Such a line does not
    end a sentence and the `following` line does not start a numbered item
    ("（四）", "3."); wrapped before a figure, it is more than half as wide
    as the text and the following line starts with the figure. Without a
    following line, only three characters short. (The room and both
    patterns are rules/layout.yaml's, under pdf.)"""
    em = max(line.size, following.size if following is not None else 0.0, 1.0)
    short = right - line.x1
    if short <= 1.0 * em:
        return False
    layout = _rules.section("pdf")  # kinsoku_room, sentence_end, word_first: rules/layout.yaml
    if layout["sentence_end"].search(line.text) or (following is not None and ROW_MARKER.match(following.text)):
        return True
    if short <= float(layout["kinsoku_room"]) * em:
        return False
    unit = layout["word_first"].match(following.text) if following is not None else None
    if unit is None or line.x1 - left < 0.5 * (right - left):
        return True
    # about 0.6 em for each Latin letter or digit of what did not fit, an em for the rest
    return short > (sum(0.6 if c.isascii() else 1.0 for c in unit.group()) + 1.0) * em


def _starts_paragraph(prev: _Line, line: _Line, left: float, right: float, pitch: float) -> bool:
    if prev.table or line.table:
        return True
    em = max(line.size, prev.size, 1.0)
    size_tolerance = 0.4 * em if line.ocr else 1.0  # OCR boxes hug the ink, which varies by glyph
    if abs(line.size - prev.size) > size_tolerance:  # a title or a heading in another size
        return True
    # A numbered heading or item ("一、总体情况", "（二）", "3.") after a finished sentence
    # starts a paragraph even where that sentence filled its line to the margin: a
    # heading set flush left in the body's size has nothing else to show it.
    if ROW_MARKER.match(line.text) and _rules.section("pdf")["sentence_end"].search(prev.text):
        return True
    if _ended(prev, left, right, line):  # the previous line stops short: its paragraph ended
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
