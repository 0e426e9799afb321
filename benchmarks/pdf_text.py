"""PDF text speed: pdfplumber vs pypdfium2 (raw and through the reader).

Not a test. Generates PDFs from the bundled report (tests/fixtures), then
prints pages per second for
  - pdfplumber   page.dedupe_chars().extract_text()  (dedupe: the PDFs use fake bold)
  - pdfium-raw   pypdfium2 textpage.get_text_range()
  - reader       pipeline.readers.pdf.read (PDFium plus de-duplication, layout,
                 header/footer removal, tables): the path the pipeline uses
(the fastest run in CPU seconds of this process, over N rounds that each
time all three one after the other, so that other work on the machine
skews the ratios less) and whether the text is identical once whitespace is removed, on a PDF
without running headers, page numbers or tables (which the reader removes
or rewrites on purpose). "reader = plumber" is the check that matters;
raw PDFium keeps part of the fake-bold duplicates, which the reader drops.

Table-heavy PDFs too: the made-up 政府信息公开 reports of
tests/fixtures/disclosure.py, their three mandated tables ruled (each cell a
stroked rectangle; and each cell's borders four filled bars, "ruled as
bars"), and drawn without ruling lines (header one word per line): the
reader, tables included, is meant to run at 20x pdfplumber's extract_text
or more. And the PDFs of tests/data/disclosure_files, made by an office
suite (LibreOffice) from Word files as most portals' PDFs are (ruled
tables, bars) or drawn with reportlab (no lines; horizontal rules only). The column "raw/plumber" is the ceiling of any
reader built on PDFium: PDFium's own page loading and text, with nothing
done to them, against pdfplumber; where it is near 20x, a reader at 20x
would have no time left for lines, tables or layout.

    .venv/bin/python benchmarks/pdf_text.py [--repeat N]
"""
from __future__ import annotations

import argparse
import io
import math
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pdfplumber  # noqa: E402
import pypdfium2  # noqa: E402

from fixtures import disclosure as dx  # noqa: E402
from fixtures import make_fixtures as mf  # noqa: E402
from pipeline.readers import _rules  # noqa: E402
from pipeline.readers import pdf as pdf_reader  # noqa: E402
from pipeline.rules import load_rules  # noqa: E402

LAYOUT = load_rules().layout

_WS = re.compile(r"\s+")


def write_bars_pdf(report, out: Path) -> Path:
    """The report's PDF with ruled tables whose borders are filled bars, four
    per cell (0.5 pt thick), as office suites often export them: many more
    path objects than one stroked rectangle per cell."""
    from reportlab.pdfgen import canvas

    stroked = canvas.Canvas.rect

    def bars(self, x, y, width, height, stroke=1, fill=0):
        if not stroke or fill:
            return stroked(self, x, y, width, height, stroke=stroke, fill=fill)
        t = 0.5
        for bx, by, bw, bh in ((x, y, width, t), (x, y + height - t, width, t), (x, y, t, height),
                               (x + width - t, y, t, height)):
            stroked(self, bx, by, bw, bh, stroke=0, fill=1)
        return None

    canvas.Canvas.rect = bars
    try:
        path = dx.write_pdf(report, out, ruled=True)
    finally:
        canvas.Canvas.rect = stroked
    return path.rename(path.with_name(path.stem + "-bars.pdf"))


def plumber_text(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return [page.dedupe_chars().extract_text() or "" for page in doc.pages]


def pdfium_text(data: bytes) -> list[str]:
    doc = pypdfium2.PdfDocument(data)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


def reader_text(data: bytes) -> list[str]:
    # with the layout rules set for the read, as ingest.read_document sets them
    with _rules.using(LAYOUT):
        return pdf_reader.read("bench.pdf", data).text.split("\f")


RUNS = {"pdfplumber": 1, "pdfium-raw": 5, "reader": 3}  # runs per round (the fast ones more)


def rates(fns: dict, data: bytes, pages: int, repeat: int) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Pages per second of each function on one PDF: its fastest run, in CPU
    time of this process, over `repeat` rounds that each run every function
    (RUNS times) one after the other, so that all of them are timed under
    the same load: the ratios hold on a machine busy with other work."""
    outs = {name: fn(data) for name, fn in fns.items()}  # warm up (imports, font caches)
    best = dict.fromkeys(fns, math.inf)
    for _ in range(repeat):
        for name, fn in fns.items():
            for _ in range(RUNS.get(name, 1)):
                start = time.process_time()
                outs[name] = fn(data)
                best[name] = min(best[name], time.process_time() - start)
    return {name: pages / t for name, t in best.items()}, outs


def flat(pages: list[str]) -> str:
    return _WS.sub("", "".join(pages))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds per PDF (default 7)")
    args = parser.parse_args()
    five = mf.blocks() * 5
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        files = {
            "plain (fake bold, no header/footer/table)": mf.write_pdf(out, "plain.pdf", blocks_=five, running=False),
            "full (header, footer, page numbers, table)": mf.write_pdf(out, "full.pdf", blocks_=mf.blocks(True) * 5),
        }
        for rep in dx.reports()[:2]:
            files[f"tables, ruled as bars ({rep.name})"] = write_bars_pdf(rep, out)
            files[f"tables, ruled ({rep.name})"] = dx.write_pdf(rep, out, ruled=True)
            files[f"tables, no lines ({rep.name})"] = dx.write_pdf(rep, out, ruled=False)
        for path in sorted((ROOT / "tests" / "data" / "disclosure_files").glob("*.pdf")):
            files[f"disclosure_files ({path.stem})"] = path
        print(f"{'PDF':46} {'pages':>5} {'pdfplumber':>11} {'pdfium-raw':>11} {'reader':>9} {'reader/plumber':>15} "
              f"{'raw/plumber':>12}  identical text")
        for label, path in files.items():
            data = path.read_bytes()
            pages = len(pypdfium2.PdfDocument(data))
            fns = {"pdfplumber": plumber_text, "pdfium-raw": pdfium_text, "reader": reader_text}
            got, outs = rates(fns, data, pages, args.repeat)
            plumber_rate, raw_rate, reader_rate = got["pdfplumber"], got["pdfium-raw"], got["reader"]
            plumber, raw, reader = outs["pdfplumber"], outs["pdfium-raw"], outs["reader"]
            if "plain" in label:
                same = f"reader = plumber: {'yes' if flat(reader) == flat(plumber) else 'NO'}; " \
                       f"pdfium-raw = plumber: {'yes' if flat(raw) == flat(plumber) else 'no'}"
            else:
                same = "n/a (reader drops headers, renders tables)"
            print(f"{label:46} {pages:5d} {plumber_rate:11.1f} {raw_rate:11.1f} {reader_rate:9.1f} "
                  f"{reader_rate / plumber_rate:14.1f}x {raw_rate / plumber_rate:11.1f}x  {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
