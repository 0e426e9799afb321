"""Throughput of the pipeline against a bare jieba pass over the same text.

Builds a corpus of N reports from corpus/ (each bundled report repeated with
its numbers varied, so no two documents are identical), then in one run:
  1. jieba.lcut over every document's text (jieba's own dictionary, loaded first);
  2. the pipeline (govreport's extract: normalise, sections, indicators, metadata);
and prints documents/s, characters/s, the pipeline/jieba ratio and peak RSS.
Batches over processes (files in and out, scaling, reruns): benchmarks/batch.py.

    python benchmarks/throughput.py [--docs 1000]
Not a test: it prints figures, it asserts nothing.
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_corpus(n: int, seed: int = 7) -> list[str]:
    import regex

    # the one real report (the sample archive would change the mix the README measured)
    sources = [(ROOT / "corpus" / "nankai-gov-office-2025.txt").read_text(encoding="utf-8")]
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        base = sources[i % len(sources)]
        # vary the Arabic numbers so every document is distinct
        docs.append(regex.sub(r"(?<![\d.])\d{1,3}(?=[次件项个名%])", lambda m: str(rng.randint(1, 999)), base))
    return docs


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    args = ap.parse_args(argv)

    docs = build_corpus(args.docs)
    chars = sum(len(d) for d in docs)
    print(f"corpus: {len(docs)} documents, {chars:,} characters")

    import jieba

    from pipeline import extract_text
    from pipeline.rules import load_rules
    from pipeline.tokenize import tokenizer

    t = time.perf_counter()
    jieba.initialize()
    rules = load_rules()
    tokenizer(rules)
    print(f"start-up (jieba dictionaries + rules, once per process): {time.perf_counter() - t:.2f} s")

    t = time.perf_counter()
    for d in docs:
        jieba.lcut(d)
    jieba_s = time.perf_counter() - t

    t = time.perf_counter()
    n_ind = 0
    for d in docs:
        n_ind += len(extract_text(d, rules).indicators)
    pipe_s = time.perf_counter() - t

    print(f"jieba.lcut : {len(docs) / jieba_s:8.1f} docs/s {chars / jieba_s:12,.0f} chars/s")
    print(f"pipeline   : {len(docs) / pipe_s:8.1f} docs/s {chars / pipe_s:12,.0f} chars/s "
          f"({n_ind:,} indicators)")
    print(f"ratio pipeline/jieba: {jieba_s / pipe_s:.2f}  (target >= 0.5 on one core)")
    print(f"peak RSS (this process): {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
