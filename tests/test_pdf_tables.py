"""The PDF reader's fast paths give what the plain ones give.

- A path's points read in one piece (`_path_points`) are the points PDFium's
  per-segment accessors give, and the ruling lines are the same either way.
- The ruled-table finder's sorted sweeps give the tables of the pairwise
  line tests they replace (a reference written out here), on random grids
  with merged cells, double borders, broken and stray lines, and distances
  of exactly the snapping tolerance.
- Ruling lines found on arrays (`_path_lines`) are those found path by path,
  in the same order; characters handled on arrays (`_chars_by_arrays`: the
  fake-bold check, tables, lines) give what the loop over them gives.
"""
from __future__ import annotations

import ctypes
import io
import random

import numpy as np
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest

from pipeline.readers import pdf as P

SNAP = P._SNAP


# ---------------------------------------------------------------- path points

def _paths_pdf() -> bytes:
    """Pages of ruling lines drawn every way a PDF draws them: rectangles
    (stroked and filled), lines, a path with curves and a closed figure,
    under a transformation, and a page turned by /Rotate."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    for page in range(3):
        if page == 1:
            c.translate(20, -40)
            c.scale(0.8, 1.1)
        for r in range(6):
            c.rect(60, 700 - 20 * r, 300, 20)
        c.rect(60, 500, 300, 0.5, stroke=0, fill=1)
        c.line(60, 450, 360, 450)
        c.line(70, 440, 70, 300)
        p = c.beginPath()
        p.moveTo(100, 200)
        p.lineTo(300, 200)
        p.curveTo(320, 220, 330, 240, 300, 260)
        p.lineTo(100, 260)
        p.close()
        p.moveTo(400, 100)
        p.lineTo(420, 160)  # a diagonal: no ruling line
        c.drawPath(p)
        c.circle(450, 300, 30)
        if page == 2:
            c.setPageRotation(90)
        c.showPage()
    c.save()
    return buf.getvalue()


def test_bulk_path_points_are_pdfiums_own():
    assert P._bulk_points_work()  # the installed PDFium's layout is the one read
    doc = pypdfium2.PdfDocument(_paths_pdf())
    try:
        seen = 0
        for i in range(len(doc)):
            page = doc[i]
            for k in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
                obj = pdfium_c.FPDFPage_GetObject(page.raw, k)
                if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
                    continue
                x, y = ctypes.c_float(), ctypes.c_float()
                expected = []
                for s in range(pdfium_c.FPDFPath_CountSegments(obj)):
                    seg = pdfium_c.FPDFPath_GetPathSegment(obj, s)
                    assert pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
                    expected.append((x.value, y.value, pdfium_c.FPDFPathSegment_GetType(seg),
                                     bool(pdfium_c.FPDFPathSegment_GetClose(seg))))
                got = [(px, py, kind, bool(close)) for px, py, kind, close in P._path_points(obj)]
                assert got == expected
                seen += 1
            page.close()
        assert seen >= 30
    finally:
        doc.close()


def test_ruling_lines_are_the_same_read_in_bulk_or_per_segment(monkeypatch):
    doc = pypdfium2.PdfDocument(_paths_pdf())
    try:
        pages = [doc[i] for i in range(len(doc))]
        bulk = [P._page_objects(p, p.get_rotation()) for p in pages]
        monkeypatch.setattr(P, "_bulk_points_work", lambda: False)
        slow = [P._page_objects(p, p.get_rotation()) for p in pages]
        assert bulk == slow
        assert all(len(segments) >= 12 for segments, _ in bulk)
        for p in pages:
            p.close()
    finally:
        doc.close()


# ---------------------------------------------------------------- table finder

def _reference_merge(items):
    """Collinear pieces that touch or overlap joined: each piece, in sorted
    order, joins the last line within SNAP before it that it touches."""
    out = []
    for pos, a, b in sorted(items):
        for line in reversed(out):
            if pos - line[0] > SNAP:
                out.append([pos, a, b])
                break
            if a <= line[2] + SNAP and b >= line[1] - SNAP:
                line[1], line[2] = min(line[1], a), max(line[2], b)
                break
        else:
            out.append([pos, a, b])
    return [tuple(line) for line in out]


def _reference_tables(segments):
    """The ruled-table finder as pairwise tests: every horizontal line against
    every vertical one, every slot border against every line near it."""
    segments = list(dict.fromkeys(segments))
    horizontal = _reference_merge([(s[1], s[0], s[2]) for s in segments if s[3] - s[1] < 1.0])
    vertical = _reference_merge([(s[0], s[1], s[3]) for s in segments if s[2] - s[0] < 1.0])
    if len(horizontal) < 2 or len(vertical) < 2:
        return []
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i, (hy, hx0, hx1) in enumerate(horizontal):
        for j, (vx, vy0, vy1) in enumerate(vertical):
            if hx0 - SNAP <= vx <= hx1 + SNAP and vy0 - SNAP <= hy <= vy1 + SNAP:
                parent[find(i)] = find(len(horizontal) + j)
    groups = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + j), ([], []))[1].append(v)
    found = []
    for hs, vs in groups.values():
        xs = P._cluster([v[0] for v in vs])
        ys = sorted(P._cluster([h[0] for h in hs]), reverse=True)
        if len(xs) >= 3 and len(ys) >= 2:
            P._open_ends(ys, vs, xs)  # its own rule (tested below): the same here
        # 2 x 2 slots at least, or one row of three cells or more (a table's last row
        # alone on a page)
        if len(xs) < 3 or len(ys) < 2 or len(ys) == 2 and len(xs) < 4:
            continue
        slots = {(r, c): (r, c) for r in range(len(ys) - 1) for c in range(len(xs) - 1)}

        def root(k):
            while slots[k] != k:
                k = slots[k]
            return k

        for r in range(len(ys) - 1):
            mid_y = (ys[r] + ys[r + 1]) / 2
            for c in range(len(xs) - 1):
                mid_x = (xs[c] + xs[c + 1]) / 2
                if c + 2 < len(xs) and not any(abs(vx - xs[c + 1]) <= SNAP and a - SNAP <= mid_y <= b + SNAP
                                               for vx, a, b in vs):
                    a, b = root((r, c)), root((r, c + 1))
                    slots[max(a, b)] = min(a, b)
                if r + 2 < len(ys) and not any(abs(hy - ys[r + 1]) <= SNAP and a - SNAP <= mid_x <= b + SNAP
                                               for hy, a, b in hs):
                    a, b = root((r, c)), root((r + 1, c))
                    slots[max(a, b)] = min(a, b)
        merged = tuple(sorted((r, c, *root((r, c))) for r, c in slots if root((r, c)) != (r, c)))
        if len({root(k) for k in slots}) < 2:
            continue
        found.append((xs[0], ys[0], xs, ys, merged))
    found.sort(key=lambda t: -t[1])
    return [(xs, ys, merged) for _, _, xs, ys, merged in found]


def _random_page(rnd: random.Random) -> list[P.Segment]:
    """Ruling lines of up to three tables, on a half-point grid so that
    distances of exactly 2 pt (the snapping tolerance) come up."""
    segments: list[P.Segment] = []
    top = 800.0
    for _ in range(rnd.randint(1, 3)):
        xs = [rnd.randint(100, 200) / 2]
        for _ in range(rnd.randint(1, 8)):
            xs.append(xs[-1] + rnd.choice([4.0, 4.5, 20.0, 35.5, 60.0]))
        ys = [top]
        for _ in range(rnd.randint(1, 10)):
            ys.append(ys[-1] - rnd.choice([4.0, 12.0, 14.5, 30.0]))
        top = ys[-1] - rnd.choice([1.5, 2.0, 2.5, 40.0])
        style = rnd.choice(["cells", "lines", "pieces"])
        if style == "cells":  # each cell a rectangle, some spanning two columns
            for r in range(len(ys) - 1):
                c = 0
                while c < len(xs) - 1:
                    span = 2 if c + 2 < len(xs) and rnd.random() < 0.2 else 1
                    x0, x1, y1, y0 = xs[c], xs[c + span], ys[r], ys[r + 1]
                    segments += [(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)]
                    c += span
        else:
            for r, y in enumerate(ys):
                for c in range(len(xs) - 1):
                    if 0 < r < len(ys) - 1 and rnd.random() < 0.2:
                        continue  # a merged cell
                    a = xs[0] if style == "lines" else xs[c]
                    b = xs[-1] if style == "lines" else xs[c + 1]
                    jitter = rnd.choice([0.0, 0.0, 0.5, -0.5, 2.0])
                    segments.append((a, y + jitter, b + rnd.choice([0.0, -2.0, -2.5]), y + jitter))
                    if style == "lines":
                        break
            for c, x in enumerate(xs):
                for r in range(len(ys) - 1):
                    if 0 < c < len(xs) - 1 and rnd.random() < 0.2:
                        continue
                    segments.append((x, ys[r + 1], x, ys[r] + rnd.choice([0.0, 2.0, -2.0, -3.0])))
        if rnd.random() < 0.3:  # a double border
            segments.append((xs[0], ys[0] + 1.5, xs[-1], ys[0] + 1.5))
    for _ in range(rnd.randint(0, 4)):  # stray rules
        x, y = rnd.randint(50, 500) / 2, rnd.randint(100, 1600) / 2
        if rnd.random() < 0.5:
            segments.append((x, y, x + rnd.randint(6, 300), y))
        else:
            segments.append((x, y, x, y + rnd.randint(6, 300)))
    segments += rnd.sample(segments, k=len(segments) // 5)  # borders drawn twice
    rnd.shuffle(segments)
    return segments


@pytest.mark.parametrize("seed", range(300))
def test_table_finder_sweeps_give_the_pairwise_tables(seed):
    segments = _random_page(random.Random(seed))
    got = [(t.xs, t.ys, t.merged()) for t in P._find_tables(segments)]
    assert got == _reference_tables(segments)


def test_a_table_cut_by_the_page_end_without_a_border_keeps_its_last_row():
    """A browser's print: the outer lines run on past the last border to the
    page's end, where the table goes on on the next page. That end is one more
    row, so the rest of a merged label printed there stays in its cell."""
    xs = [0.0, 50.0, 100.0, 150.0]
    segments = [(0.0, y, 150.0, y) for y in (300.0, 280.0)]
    segments += [(50.0, 260.0, 150.0, 260.0)]  # the label column's cell goes on below it
    segments += [(x, 200.0, x, 300.0) for x in xs]  # down to the page's end at 200
    (table,) = P._find_tables(segments)
    assert table.ys == [300.0, 280.0, 260.0, 200.0]
    assert (2, 0, 1, 0) in table.merged()  # the label's cell runs into the open row
    closed = segments + [(0.0, 200.0, 150.0, 200.0)]
    assert P._find_tables(closed)[0].ys == table.ys  # the same as with a border drawn there
    short = [(0.0, y, 150.0, y) for y in (300.0, 280.0, 260.0)] + [(x, 258.5, x, 300.0) for x in xs]
    assert P._find_tables(short)[0].ys == [300.0, 280.0, 260.0]  # lines a little past the border: no row


def test_a_tables_last_row_alone_on_a_page_is_a_table_and_a_boxed_pair_is_not():
    """A browser printed table 四's row of figures on the next page by itself: one
    row of fifteen cells is a table (joined to its header's piece later). One row of
    two boxes (a frame split in two) is not."""
    xs = [0.0 + 30.0 * k for k in range(16)]
    row = [(0.0, y, 450.0, y) for y in (300.0, 285.0)] + [(x, 285.0, x, 300.0) for x in xs]
    (table,) = P._find_tables(row)
    assert (table.xs, table.ys) == (xs, [300.0, 285.0])
    pair = [(0.0, y, 100.0, y) for y in (300.0, 285.0)] + [(x, 285.0, x, 300.0) for x in (0.0, 50.0, 100.0)]
    assert P._find_tables(pair) == []


def test_table_finder_keeps_a_merged_cell_and_drops_frames():
    # 3 x 3 slots, the middle row's two right slots one cell (no border between them)
    xs, ys = [0.0, 50.0, 100.0, 150.0], [300.0, 280.0, 260.0, 240.0]
    segments = [(0.0, y, 150.0, y) for y in ys]
    segments += [(x, 240.0, x, 300.0) for x in (0.0, 50.0, 150.0)]
    segments += [(100.0, 280.0, 100.0, 300.0), (100.0, 240.0, 100.0, 260.0)]
    segments += [(400.0, 100.0, 500.0, 100.0), (400.0, 150.0, 500.0, 150.0),
                 (400.0, 100.0, 400.0, 150.0), (500.0, 100.0, 500.0, 150.0)]  # a frame: not a table
    (table,) = P._find_tables(segments)
    assert (table.xs, table.ys) == (xs, ys)
    assert table.merged() == ((1, 2, 1, 1),)


# ---------------------------------------------------------------- fake bold

def _doubles_pdf(seed: int) -> bytes:
    """Figures and letters, many drawn twice a little apart (fake bold, some
    doubles further than 0.3 of a glyph), in sizes up to 40 pt (glyphs wider
    than the 8-point buckets of the check)."""
    from reportlab.pdfgen import canvas

    rnd = random.Random(seed)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    y = 760.0
    while y > 120:
        size = rnd.choice([7, 9, 12, 16, 30, 40])
        # a letter at each end: no piece reads as a figure (a table without lines)
        text = "A" + "".join(rnd.choice("0123456789ABab") for _ in range(rnd.randint(1, 10))) + "b"
        x = rnd.uniform(60, 200)
        c.setFont("Helvetica", size)
        c.drawString(x, y, text)
        for _ in range(rnd.choice([0, 1, 1, 2])):
            dx = rnd.choice([0.2, 0.5, 1.0, 0.29 * size, 0.31 * size, 2.5, -0.4])
            dy = rnd.choice([0.0, 0.0, 0.3, -0.5, 0.29 * size])
            c.drawString(x + dx, y + dy, text)
        y -= size * 1.6 + rnd.choice([0, 2, 10])
    c.showPage()
    c.save()
    return buf.getvalue()


def _kept_by_buckets(data: bytes) -> list[str]:
    """The glyphs the fake-bold check keeps, by its definition: a glyph is a
    double of an earlier kept one of the same character less than 0.3 of its
    width and height away, looked for in the 8-point buckets that reach that near."""
    doc = pypdfium2.PdfDocument(data)
    page = doc[0]
    tp = page.get_textpage()
    kept, seen = [], {}
    rect = pdfium_c.FS_RECTF()
    for k in range(pdfium_c.FPDFText_CountChars(tp.raw)):
        ch = chr(pdfium_c.FPDFText_GetUnicode(tp.raw, k))
        if ch in "\r\n \u3000\x02\ufffe\x00" or not pdfium_c.FPDFText_GetLooseCharBox(tp.raw, k, ctypes.byref(rect)):
            continue
        x0, y0 = rect.left, rect.bottom
        w, h = max(rect.right - rect.left, 1.0), max(rect.top - rect.bottom, 1.0)
        bx, by = int(x0 // 8), int(y0 // 8)
        tw, th = 0.3 * w, 0.3 * h
        ex, ey = x0 - bx * 8, y0 - by * 8
        cols = [i for i, ok in ((bx - 1, ex < tw), (bx, True), (bx + 1, 8 - ex < tw)) if ok]
        rows = [j for j, ok in ((by - 1, ey < th), (by, True), (by + 1, 8 - ey < th)) if ok]
        near = seen.setdefault(ch, {})
        if any(-tw < px - x0 < tw and -th < py - y0 < th
               for i in cols for j in rows for px, py in near.get((i, j), [])):
            continue
        near.setdefault((bx, by), []).append((x0, y0))
        kept.append(ch)
    tp.close()
    page.close()
    doc.close()
    return kept


@pytest.mark.parametrize("seed", range(30))
def test_fake_bold_check_keeps_what_the_bucket_check_keeps(seed):
    from collections import Counter

    from pipeline.readers import _rules
    from pipeline.rules import load_rules

    data = _doubles_pdf(seed)
    expected = Counter(_kept_by_buckets(data))
    with _rules.using(load_rules().layout):
        text = P.read("doubles.pdf", data).text
    assert Counter(ch for ch in text if not ch.isspace()) == expected
    assert sum(expected.values()) > 100


@pytest.mark.parametrize("seed", range(20))
def test_characters_go_to_the_cells_put_gives_them(seed):
    """put_all (which reuses the slot of the character before) files each
    character where put does, on and near the borders too."""
    rnd = random.Random(seed)
    tables = []
    while not tables:
        tables = P._find_tables(_random_page(rnd))
    table = tables[0]
    x0, y0, x1, y1 = table.bbox
    points = sorted({rnd.choice(table.xs) for _ in range(5)} | {rnd.choice(table.ys) for _ in range(5)})
    chars = []
    for n in range(400):
        if n % 7 == 0:  # a run of characters in one place, as a cell's text comes
            cx, cy = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
        elif n % 3 == 0:  # exactly on a border
            cx = rnd.choice(table.xs + points) if rnd.random() < 0.5 else rnd.uniform(x0, x1)
            cy = rnd.choice(table.ys + points) if rnd.random() < 0.5 else rnd.uniform(y0, y1)
        else:
            cx, cy = cx + rnd.uniform(-1, 6), cy + rnd.uniform(-0.5, 0.5)
        cx, cy = min(max(cx, x0), x1), min(max(cy, y0), y1)
        chars.append((cy, cx, chr(0x4E00 + n), 9.0))
    one = P._Table(table.xs, table.ys, table.group)
    for cy, cx, ch, h in chars:
        one.put(ch, cx, cy, h)
    every = P._Table(table.xs, table.ys, table.group)
    every.put_all(chars)
    assert every.chars == one.chars
    arrays = P._Table(table.xs, table.ys, table.group)
    cy, cx, chs, h = zip(*chars, strict=True)
    arrays.put_arrays(np.array(cy), np.array(cx), list(chs), np.array(h))
    assert arrays.chars == one.chars
    assert arrays.grid() == one.grid()


# ---------------------------------------------------------------- garbled text

def _garbled_by_definition(text: str) -> float:
    """garbled_share character by character: "(cid:N)" placeholders,
    controls, Latin-1 and Latin Extended letters, U+FFFD and private-use
    code points are bad; whitespace does not count."""
    import re

    cids = re.findall(r"\(cid:\d+\)", text)
    rest = re.sub(r"\(cid:\d+\)", "", text)
    bad = total = len(cids)
    for ch in rest:
        if ch.isspace():
            continue
        total += 1
        o = ord(ch)
        bad += o < 32 or o == 0x7F or 0x80 <= o <= 0x24F or o == 0xFFFD or 0xE000 <= o <= 0xF8FF
    return bad / total if total else 0.0


def test_garbled_share_counts_each_character_as_its_definition():
    from pipeline.readers import garbled_share

    every = [chr(i) for i in range(0x10000) if not 0xD800 <= i <= 0xDFFF] + [chr(0x10000), chr(0xF0000)]
    for ch in every:
        assert garbled_share(ch) == _garbled_by_definition(ch), hex(ord(ch))
    rnd = random.Random(3)
    pool = list("中文 \t\n\x1c\x85\xa0\u3000a\x01\x7f\xe9\ufffd\ue001") + ["(cid:45)", "(cid:)", "(cid:7"]
    for _ in range(3000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 30)))
        assert garbled_share(text) == _garbled_by_definition(text), repr(text)


# ---------------------------------------------------------------- the array paths

def _random_paths_pdf(seed: int) -> bytes:
    """Pages of many paths of every kind: stroked and filled rectangles,
    lines, open and closed figures with curves, several subpaths, closes
    right after a moveto, zero-length and diagonal pieces, under
    transformations; one page turned by /Rotate."""
    from reportlab.pdfgen import canvas

    rnd = random.Random(seed)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    for page in range(3):
        c.saveState()
        if page == 1:
            c.translate(rnd.uniform(-30, 30), rnd.uniform(-30, 30))
            c.scale(rnd.choice([0.8, 1.0, 1.25]), rnd.choice([0.9, 1.1]))
        for _ in range(rnd.randint(20, 60)):
            x, y = rnd.randint(40, 1000) / 2, rnd.randint(40, 1600) / 2
            kind = rnd.random()
            if kind < 0.35:
                c.rect(x, y, rnd.choice([0.5, 2.0, 3.0, 40.0]), rnd.choice([0.5, 0.9, 3.0, 20.0]),
                       stroke=rnd.random() < 0.6, fill=rnd.random() < 0.4)
            elif kind < 0.5:
                c.line(x, y, x + rnd.choice([0, 0.5, 3, 80]), y + rnd.choice([0, 0.5, 2.9, 60]))
            else:
                p = c.beginPath()
                p.moveTo(x, y)
                for _ in range(rnd.randint(1, 6)):
                    step = rnd.random()
                    if step < 0.5:
                        x, y = x + rnd.choice([0, 0.3, 3, 50]), y + rnd.choice([0, 0.4, 3, 30])
                        p.lineTo(x, y)
                    elif step < 0.65:
                        p.curveTo(x + 5, y + 5, x + 10, y, x + 15, y + 20)
                        x, y = x + 15, y + 20
                    elif step < 0.8:
                        p.close()
                    else:
                        x, y = x + rnd.choice([-40, 0, 40]), y + rnd.choice([-20, 0, 25])
                        p.moveTo(x, y)
                c.drawPath(p, stroke=1, fill=rnd.random() < 0.3)
        c.restoreState()
        if page == 2:
            c.setPageRotation(rnd.choice([90, 180, 270]))
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("seed", range(12))
def test_ruling_lines_on_arrays_are_the_path_by_path_ones(seed, monkeypatch):
    doc = pypdfium2.PdfDocument(_random_paths_pdf(seed) if seed else _paths_pdf())
    try:
        pages = [doc[i] for i in range(len(doc))]
        monkeypatch.setattr(P, "_ARRAYS_FROM_PATHS", 0)
        arrays = [P._page_objects(p, p.get_rotation()) for p in pages]
        monkeypatch.setattr(P, "_ARRAYS_FROM_PATHS", 10 ** 9)
        one_by_one = [P._page_objects(p, p.get_rotation()) for p in pages]
        assert arrays == one_by_one
        assert sum(len(segments) for segments, _ in arrays) >= 10
        for p in pages:
            p.close()
    finally:
        doc.close()


def _table_doubles_pdf(seed: int) -> bytes:
    """Text with fake-bold doubles (as _doubles_pdf), a ruled grid drawn over
    part of it (characters inside, on and across its borders) and a few
    characters outside the Basic Multilingual Plane."""
    from reportlab.pdfgen import canvas

    rnd = random.Random(seed)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    y = 780.0
    while y > 100:
        size = rnd.choice([7, 9, 12, 16, 30])
        text = "A" + "".join(rnd.choice("0123456789ABab ") for _ in range(rnd.randint(1, 14))) + "b"
        x = rnd.uniform(60, 260)
        c.setFont("Helvetica", size)
        c.drawString(x, y, text)
        for _ in range(rnd.choice([0, 1, 1, 2])):
            c.drawString(x + rnd.choice([0.2, 0.5, 0.29 * size, 0.31 * size, -0.4]),
                         y + rnd.choice([0.0, 0.3, -0.5, 0.29 * size]), text)
        y -= size * 1.5 + rnd.choice([0, 2, 8])
    xs = sorted(rnd.sample(range(80, 500, 10), rnd.randint(3, 6)))
    ys = sorted(rnd.sample(range(150, 750, 12), rnd.randint(3, 8)))
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    c.showPage()
    c.save()
    return buf.getvalue()


def _read_with(data: bytes, monkeypatch, arrays: bool):
    from pipeline.readers import _rules
    from pipeline.rules import load_rules

    monkeypatch.setattr(P, "_ARRAYS_FROM_TABLES", 0 if arrays else 10 ** 9)
    monkeypatch.setattr(P, "_ARRAYS_FROM_PATHS", 0 if arrays else 10 ** 9)
    with _rules.using(load_rules().layout):
        doc = P.read("x.pdf", data)
    return doc.text, doc.tables, doc.warnings


@pytest.mark.parametrize("seed", range(16))
def test_characters_on_arrays_read_as_one_by_one(seed, monkeypatch):
    data = _table_doubles_pdf(seed) if seed % 2 else _doubles_pdf(seed)
    arrays = _read_with(data, monkeypatch, arrays=True)
    assert arrays == _read_with(data, monkeypatch, arrays=False)
    assert len(arrays[0]) > 100


def test_generated_reports_read_the_same_on_arrays(tmp_path, monkeypatch):
    """The report fixtures (ruled, ruled as bars, without lines, turned by
    /Rotate, fake bold, running lines) read the same on arrays."""
    from conftest import benchmark_module, pdf_font

    if pdf_font() is None:
        pytest.skip("no CJK font for the PDF fixtures")
    pdf_text = benchmark_module("pdf_text")
    from fixtures import disclosure as dx
    from fixtures import make_fixtures as mf

    report = dx.reports()[1]
    paths = [dx.write_pdf(report, tmp_path / "ruled", ruled=True), dx.write_pdf(report, tmp_path / "aligned", ruled=False),
             pdf_text.write_bars_pdf(report, tmp_path / "bars"), mf.write_pdf(tmp_path, "turned.pdf", rotate90=True),
             mf.write_pdf(tmp_path, "nankai.pdf")]
    for path in paths:
        data = path.read_bytes()
        assert _read_with(data, monkeypatch, arrays=True) == _read_with(data, monkeypatch, arrays=False), path.name
