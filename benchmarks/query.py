"""Time `govreport query` and `govreport compare` over the outputs of 10,000 documents.

The outputs are synthesised, not extracted: the bundled corpus is extracted
once, then its Parquet tables are replicated N times with pyarrow (vectorised,
no Python loop over rows), each copy with its own doc_id, one of 16 districts,
a year in 2019-2025, an agency, and its values scaled (by district and year,
plus a little per document), so every document differs. Then it times, each as a fresh `govreport` process (what a user
waits for) and in-process (the library call alone):

  1. query:   a GROUP BY over every indicator row;
  2. compare: court_appearances by region and year.

    python benchmarks/query.py [--docs 10000] [--folders 1] [--keep DIR]

Not a test: it prints figures, it asserts nothing.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DISTRICTS = ["和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区", "北辰区",
             "武清区", "宝坻区", "滨海新区", "宁河区", "静海区", "蓟州区"]
AGENCIES = ["人民政府", "人民政府办公室", "司法局", "教育局", "卫生健康委员会"]
YEARS = list(range(2019, 2026))
QUERY = ("SELECT region, year, count(DISTINCT doc_id) AS reports, count(*) AS indicators, sum(value) AS total "
         "FROM indicators WHERE modality = 'achieved' GROUP BY ALL ORDER BY total DESC LIMIT 10")


def replicate(base: Path, out_dirs: list[Path], n_docs: int) -> None:
    """Write reports/sections/indicators/errors.parquet for n_docs documents spread over out_dirs."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    doc_ids = pa.array([f"bench{i:011d}" for i in range(n_docs)])
    idx = np.arange(n_docs)
    region_i = idx % len(DISTRICTS)
    year = pa.array((np.array(YEARS)[(idx // len(DISTRICTS)) % len(YEARS)]).astype("int32"))
    agency_i = (idx // (len(DISTRICTS) * len(YEARS))) % len(AGENCIES)
    region = pa.array(DISTRICTS).take(pa.array(region_i))
    agency = pc.binary_join_element_wise(region, pa.array(AGENCIES).take(pa.array(agency_i)), "")
    full_name = pc.binary_join_element_wise(pa.scalar("天津市"), region, "")
    # 0.5 .. 1.49: a factor per district and year, plus a little per document, so the pivot has a shape
    scale = 0.5 + ((region_i * 37 + (idx // len(DISTRICTS)) % len(YEARS) * 11) % 90) / 100 + (idx % 10) / 100
    per_doc = {"doc_id": doc_ids, "year": year, "region": region, "agency": agency,
               "region_full_name": full_name, "source": pc.binary_join_element_wise(doc_ids, pa.scalar(".txt"), "")}

    shares = np.array_split(idx, len(out_dirs))
    for name in ("reports", "sections", "indicators"):
        table = pq.read_table(base / f"{name}.parquet")
        rows = table.num_rows
        doc_of_row = np.repeat(idx, rows)
        big = table.take(pa.array(np.tile(np.arange(rows), n_docs)))
        for col, values in per_doc.items():
            if col in big.column_names:
                i = big.column_names.index(col)
                big = big.set_column(i, big.schema.field(col), values.take(pa.array(doc_of_row)))
        # unique long text per row, as in a real archive (else Parquet's dictionaries make it unrealistically small)
        for col in ("sentence", "title"):
            if col in big.column_names:
                i = big.column_names.index(col)
                tagged = pc.binary_join_element_wise(big.column(col), big.column("doc_id"), "#")
                big = big.set_column(i, big.schema.field(col), tagged)
        if name == "indicators":
            i = big.column_names.index("value")
            raw = pc.cast(big.column("value"), pa.float64()).to_numpy(zero_copy_only=False)
            scaled = np.round(raw * scale[doc_of_row], 0)
            big = big.set_column(i, big.schema.field("value"),
                                 pc.cast(pa.array(scaled), big.schema.field("value").type))
        for out, share in zip(out_dirs, shares, strict=True):
            lo, hi = int(share[0]) * rows, (int(share[-1]) + 1) * rows
            pq.write_table(big.slice(lo, hi - lo), out / f"{name}.parquet", compression="zstd")
    for out in out_dirs:
        shutil.copyfile(base / "errors.parquet", out / "errors.parquet")


def timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000, help="documents to synthesise (default: 10000)")
    ap.add_argument("--folders", type=int, default=1, help="spread them over this many output folders")
    ap.add_argument("--keep", metavar="DIR", help="build the outputs in DIR and keep them")
    args = ap.parse_args(argv)

    from pipeline.batch import run_batch
    from pipeline.compare import compare
    from pipeline.query import query

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="govreport-bench-"))
    try:
        base = work / "base"
        run_batch([str(ROOT / "corpus" / "nankai-gov-office-2025.txt")], base, jobs=1, formats=("csv", "parquet"))
        outs = [work / f"out{k:02d}" for k in range(args.folders)]
        for o in outs:
            o.mkdir(parents=True, exist_ok=True)
        t_build, _ = timed(lambda: replicate(base, outs, args.docs))
        rows = query("SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM indicators), "
                     "(SELECT count(*) FROM sections)", outs).rows[0]
        size = sum(f.stat().st_size for o in outs for f in o.glob("*.parquet"))
        print(f"outputs: {rows[0]:,} documents, {rows[1]:,} indicator rows, {rows[2]:,} section rows "
              f"in {len(outs)} folder(s), {size / 1e6:.1f} MB Parquet (built in {t_build:.1f} s)")

        t_q, res = timed(lambda: query(QUERY, outs))
        t_c, piv = timed(lambda: compare(outs, "court_appearances", by="region", years=(2019, 2025)))
        print(f"in-process  query {t_q:.3f} s ({len(res.rows)} rows)   "
              f"compare {t_c:.3f} s ({len(piv.rows)} regions x {len(piv.years)} years, {piv.documents} reports)")

        exe = [sys.executable, "-m", "pipeline"]
        dirs = [str(o) for o in outs]
        t_qc, _ = timed(lambda: subprocess.run(exe + ["query", QUERY, *dirs], check=True, capture_output=True))
        t_cc, _ = timed(lambda: subprocess.run(exe + ["compare", *dirs, "--indicator", "court_appearances",
                                                      "--years", "2019-2025"], check=True, capture_output=True))
        t_nop, _ = timed(lambda: subprocess.run(exe + ["--version"], check=True, capture_output=True))
        print(f"command     query {t_qc:.3f} s   compare {t_cc:.3f} s   "
              f"(of which starting Python and govreport {t_nop:.3f} s)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
