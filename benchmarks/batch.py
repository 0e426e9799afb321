"""Batch throughput, scaling, memory and the cost of a rerun with nothing changed.

Builds N documents from corpus/ (the bundled reports with their numbers varied),
then runs `govreport extract` over them
  1. with one worker (--jobs 1),
  2. with all cores (--jobs N),
  3. again with all cores into the same folder, nothing changed (all skipped),
each in a fresh process, and prints documents/s, the scaling efficiency
(speed-up / cores), peak RSS of the main process and of the largest worker,
and the rerun's time as a share of the first run's.

    python benchmarks/batch.py [--docs 10000] [--jobs 0 (= all cores)]
Not a test: it prints figures, it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(args: argparse.Namespace) -> None:
    """One run, in its own process, reporting its own and its workers' peak RSS."""
    sys.path.insert(0, str(ROOT))
    from pipeline.batch import run_batch

    t = time.perf_counter()
    res = run_batch([args.src], args.out, jobs=args.jobs)
    elapsed = time.perf_counter() - t
    print(json.dumps({
        "elapsed": elapsed, "processed": res.processed, "skipped": res.skipped, "failed": len(res.failed),
        "main_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))


def run(src: Path, out: Path, jobs: int) -> dict:
    cmd = [sys.executable, __file__, "--child", "--src", str(src), "--out", str(out), "--jobs", str(jobs)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=0, help="cores for the parallel run (default: all)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--src", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from throughput import build_corpus

    cores = args.jobs or os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="govreport-batch-"))
    try:
        src = work / "in"
        src.mkdir()
        docs = build_corpus(args.docs)
        for i, d in enumerate(docs):
            (src / f"doc{i:05d}.txt").write_text(d, encoding="utf-8")
        chars = sum(len(d) for d in docs)
        print(f"corpus: {len(docs)} documents, {chars:,} characters; {cores} cores")

        one = run(src, work / "out1", 1)
        many = run(src, work / "outN", cores)
        rerun = run(src, work / "outN", cores)

        for name, r in (("--jobs 1", one), (f"--jobs {cores}", many)):
            print(f"{name:10}: {r['processed'] / r['elapsed']:8.1f} docs/s {chars / r['elapsed']:12,.0f} chars/s "
                  f"({r['elapsed']:.1f} s); peak RSS main {r['main_rss_mb']:.0f} MB, "
                  f"largest worker {r['worker_rss_mb']:.0f} MB")
        speedup = one["elapsed"] / many["elapsed"]
        print(f"scaling: speed-up {speedup:.2f} on {cores} cores, efficiency {speedup / cores:.2f} (target >= 0.8)")
        print(f"rerun, nothing changed: {rerun['elapsed']:.2f} s, {rerun['skipped']} skipped, "
              f"{100 * rerun['elapsed'] / many['elapsed']:.1f}% of the first run (target < 5%)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
