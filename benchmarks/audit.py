"""Time of the cross-report audit (`audit_folder`) over the outputs of many documents.

Synthesises the output folder of N documents from one real extract (the
bundled nankai report, with a year-on-year change added to one of its
sentences so that yoy_mismatch has work to do): every document gets its own
doc id, one of N/6 regions, and is that region's government report for one of
five years or a department's report (so cross_report_conflict has work too),
with its counts scaled by a random factor. Then it times `audit_folder` and prints
the seconds, documents/s and the findings per check.

    python benchmarks/audit.py [--docs 10000] [--from csv|json] [--keep DIR]

--from csv (default) writes reports.csv and indicators.csv, as extract does;
--from json writes one <stem>.json per document (no tables), the slower path.
Not a test: it prints figures, it asserts nothing.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEARS = (2021, 2022, 2023, 2024, 2025)


def base_document() -> dict:
    from pipeline import extract_text

    text = (ROOT / "corpus" / "nankai-gov-office-2025.txt").read_text(encoding="utf-8")
    # one change per report, so that the yoy check compares levels across years
    text = text.replace("行政复议12件、行政诉讼6件", "行政复议12件，同比增长20%，行政诉讼6件", 1)
    return extract_text(text).to_dict()


def synthesise(base: dict, n: int, seed: int = 11):
    """(doc dict) for n documents: varied doc id, region, agency, year and values."""
    rng = random.Random(seed)
    regions = max(1, n // (len(YEARS) + 1))
    for i in range(n):
        # a government report per region and year, then one department report per region
        r, k = i % regions, i // regions
        year, department = YEARS[k % len(YEARS)], k >= len(YEARS)
        name = f"测试{r:05d}区"
        doc = dict(base)
        doc["doc_id"] = f"{i:016x}"
        doc["source"] = dict(base["source"], path=f"synthetic/{i:05d}.txt")
        doc["meta"] = dict(base["meta"], year=year, agency=f"{name}{'司法局' if department else '人民政府办公室'}",
                           region={"name": name, "full_name": f"测试市{name}", "code": None, "level": "district"})
        factor = Decimal(rng.randint(80, 125)) / 100
        inds = []
        for ind in base["indicators"]:
            ind = dict(ind)
            if ind["measure"] == "level" and ind["unit_class"] in ("count", "people"):
                ind["value"] = int((Decimal(ind["value"]) * factor).to_integral_value())
            elif ind["measure"] == "change_pct":
                ind["value"] = rng.randint(-30, 40)
            inds.append(ind)
        doc["indicators"] = inds
        yield doc


def write_outputs(base: dict, n: int, folder: Path, how: str) -> None:
    from pipeline.output import INDICATOR_COLUMNS, REPORT_COLUMNS, CsvTable, report_json, rows_for

    if how == "json":
        for doc in synthesise(base, n):
            (folder / f"{doc['doc_id']}.json").write_bytes(report_json(doc))
        return
    reports = CsvTable(folder / "reports.csv", REPORT_COLUMNS)
    indicators = CsvTable(folder / "indicators.csv", INDICATOR_COLUMNS)
    for doc in synthesise(base, n):
        report_row, _, indicator_rows = rows_for(doc)
        reports.write(report_row)
        indicators.write_many(indicator_rows)
    reports.close()
    indicators.close()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000, help="documents to synthesise (default: 10000)")
    ap.add_argument("--from", dest="how", choices=["csv", "json"], default="csv",
                    help="what the folder holds: the combined CSV tables (default) or per-document JSON")
    ap.add_argument("--keep", metavar="DIR", help="write the synthetic folder here and keep it")
    args = ap.parse_args(argv)

    from pipeline.audit import audit_folder
    from pipeline.rules import load_rules

    rules = load_rules()
    base = base_document()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="govreport-audit-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        write_outputs(base, args.docs, folder, args.how)
        t1 = time.perf_counter()
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"synthesised {args.docs} documents x {len(base['indicators'])} indicators "
              f"({size / 1e6:.0f} MB of {args.how}) in {t1 - t0:.1f} s")
        stats: dict = {}
        t2 = time.perf_counter()
        findings = audit_folder(folder, rules, stats=stats)
        seconds = time.perf_counter() - t2
        by = Counter((f.check, f.severity) for f in findings)
        print(f"audit_folder: {stats['documents']} documents from {stats['read_from']} in {seconds:.2f} s "
              f"({stats['documents'] / seconds:,.0f} documents/s)")
        for (check, severity), count in sorted(by.items()):
            print(f"  {check:24} {severity:8} {count}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
