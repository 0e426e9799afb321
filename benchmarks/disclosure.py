"""Disclosure reports (政府信息公开工作年度报告): cell scores per format, and the audit.

Not a test. Writes the made-up reports of tests/fixtures/disclosure.py in
every format the project reads (text "label：v1，v2" and tab-separated, web
page with rowspan/colspan, Word with merged cells, PDF with ruled tables,
PDF without ruling lines and the header one word per line; both PDFs again
with table 三 running over two pages; the Word file printed to PDF by
LibreOffice, where the table runs over four; the web page printed to PDF
by the browser), extracts them,
and prints per format:
  - cells: precision, recall and F1 of the table cells (id + dims + value)
    against the model each report is written from, for the 2021 format and
    the 2019 trial format;
  - label figures: prose figures read inside a table (a row label such as
    5.属于三类 taken for a number): should be 0;
  - row headings: section headings inside a table: should be 0;
then the within-report findings of every report (its broken identities),
and the across-years findings of `govreport audit` over the good 2022 report
with each 2023 report.

    .venv/bin/python benchmarks/disclosure.py
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pipeline  # noqa: E402
from fixtures import disclosure as dx  # noqa: E402
from pipeline.audit import audit_folder  # noqa: E402
from pipeline.cli import main as cli  # noqa: E402

WRITERS = {
    "text (label：v1，v2)": lambda r, out: dx.write_txt(r, out, "colon"),
    "text (tabs)": lambda r, out: dx.write_txt(r, out, "tabs"),
    "text (Markdown table)": lambda r, out: dx.write_txt(r, out, "pipes"),
    "text (one space between cells)": lambda r, out: dx.write_txt(r, out, "spaced"),
    "text (one cell per line)": lambda r, out: dx.write_txt(r, out, "cells"),
    "HTML rowspan/colspan": dx.write_html,
    "DOCX merged cells": dx.write_docx,
    "PDF ruled": lambda r, out: dx.write_pdf(r, out, ruled=True),
    "PDF no lines, header 1 word/line": lambda r, out: dx.write_pdf(r, out, ruled=False),
    "PDF ruled, table over 2 pages": lambda r, out: dx.write_pdf(r, out, ruled=True, split_before="（三）不予公开"),
    "PDF no lines, table over 2 pages": lambda r, out: dx.write_pdf(r, out, ruled=False, split_before="（三）不予公开"),
    "PDF printed by LibreOffice": lambda r, out: _office_pdf(dx.write_docx(r, out / "docx")),
    "PDF printed by the browser": lambda r, out: _browser_pdf(dx.write_html(r, out / "html")),
}


def _browser_pdf(page: Path) -> Path:
    """The web page printed to PDF by Chromium (the sites' 打印本页): table 三
    runs onto the next page with no border where the page cuts it."""
    import subprocess

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise RuntimeError("needs Chromium (Debian chromium)")
    pdf = page.with_suffix(".pdf")
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={page.parent / 'profile'}",
                    f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()], check=True,
                   capture_output=True, timeout=120)
    return pdf


def _office_pdf(docx: Path) -> Path:
    """The Word file printed to PDF by LibreOffice, as office suites print
    reports: table 三 runs over several pages, a row's label over a page end."""
    import subprocess

    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise RuntimeError("needs LibreOffice (Debian libreoffice-writer)")
    pdfs = docx.parent.parent / "office"
    subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{docx.parent.parent / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(pdfs), str(docx)], check=True, capture_output=True,
                   timeout=300)
    return pdfs / (docx.stem + ".pdf")


def _cells(report: pipeline.Report) -> Counter:
    return Counter((i.indicator, tuple(sorted(i.dims)), i.value) for i in report.indicators if i.table)


def _inside(span: tuple[int, int], tables) -> bool:
    return any(t.span[0] <= span[0] and span[1] <= t.span[1] for t in tables)


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> int:
    reports = dx.reports()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        print(f"{'format':34} {'trial':>6} {'cells':>6} {'prec':>6} {'recall':>6} {'F1':>6}  label figures  row headings")
        findings: dict[str, dict[str, frozenset[str]]] = {}  # report -> format -> checks
        for fmt, write in WRITERS.items():
            counts = {"2019": [0, 0, 0], "2021": [0, 0, 0]}
            label_figures = row_headings = 0
            for rep in reports:
                try:
                    got = pipeline.extract(write(rep, out / fmt.split(",")[0].replace(" ", "-")))
                except Exception as exc:  # noqa: BLE001 - a format that cannot be written here (no CJK font)
                    print(f"{fmt:34} skipped: {exc}")
                    break
                want = Counter((i, tuple(sorted(d.items())), v) for i, d, v in rep.cells())
                have = _cells(got)
                c = counts["2019" if rep.year < 2021 else "2021"]
                c[0] += sum((want & have).values())
                c[1] += sum((have - want).values())
                c[2] += sum((want - have).values())
                label_figures += sum(1 for i in got.indicators if i.table is None and _inside(i.span, got.tables))
                row_headings += sum(1 for s in got.sections if _inside(s.heading_span, got.tables))
                findings.setdefault(rep.name, {})[fmt] = frozenset(
                    f"{f.check}:{f.message.split(':')[0]}" if f.check == "table_identity" else f.check
                    for f in got.findings)
            else:
                for trial, (tp, fp, fn) in counts.items():
                    p, r, f = _f1(tp, fp, fn)
                    print(f"{fmt:34} {trial:>6} {tp + fn:6d} {p:6.3f} {r:6.3f} {f:6.3f}  {label_figures:13d}  "
                          f"{row_headings:12d}")
        print("\nwithin-report findings:")
        for name, by_format in findings.items():
            kinds = set(by_format.values())
            same = f"the same in all {len(by_format)} formats" if len(kinds) == 1 else f"DIFFER: {by_format}"
            print(f"  {name:28} {', '.join(sorted(set().union(*kinds))) or '-'}  ({same})")
        print("\nacross_years (govreport audit over the 2022 report and a 2023 one):")
        for later in ("qingxi-civil-2023", "qingxi-civil-2023-across"):
            src, dst = out / f"in-{later}", out / f"out-{later}"
            for rep in reports:
                if rep.name in ("qingxi-civil-2022", later):
                    dx.write_html(rep, src)
            cli(["extract", str(src), "-o", str(dst), "-q", "--jobs", "1"])
            tables = [f.message for f in audit_folder(dst) if f.check == "across_years"]
            json_only = dst.with_name(dst.name + "-json")
            json_only.mkdir()
            for path in dst.glob("*.json"):
                shutil.copy(path, json_only)
            from_json = [f.message for f in audit_folder(json_only) if f.check == "across_years"]
            same = "same from the JSON files" if from_json == tables else f"JSON files differ: {from_json}"
            print(f"  2022 + {later}: {len(tables)} finding(s) ({same})")
            for message in tables:
                print(f"    {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
