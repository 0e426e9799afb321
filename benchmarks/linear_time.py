"""Time per MB of the pipeline on adversarial and real text at 1, 2, 4 and 8 MB.

Each kind of input is generated at each size and run through the whole
per-document pipeline (normalise, sections, numbers + indicators, metadata,
audit: `pipeline.extract.build_report`). The pipeline is linear in text length
when the seconds per MB stay flat as the size doubles; the last column is the
ratio of the largest size's s/MB to the smallest's (about 1 is linear, about
8 would be quadratic).

    python benchmarks/linear_time.py [--sizes 1,2,4,8] [--kinds wan,real] [--stages]

`--stages` also prints each stage's seconds, to find which one grows.
Not a test: it prints figures, it asserts nothing. (tests/hostile/test_linear_time.py
checks the same kinds at a small size, without timing them.)
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1 << 20


def _real() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt")))


def _repeat(unit: str, size: int) -> str:
    """`unit` repeated to `size` bytes of UTF-8."""
    n = max(1, size // len(unit.encode("utf-8")))
    return unit * n


def _nested_brackets(size: int) -> str:
    half = _repeat("（", size // 2)
    return half + "1次" + "）" * len(half)


def _one_line(size: int) -> str:
    # the real report with every punctuation mark and line break removed
    import regex
    flat = regex.sub(r"[\p{P}\s]", "", _real())
    return _repeat(flat, size)


def _headings(size: int) -> str:
    block = "".join(
        f"{cn}、工作情况{cn}\n（一）加强组织领导\n1.完善制度。全年办理案件12件。\n（二）推进依法行政\n一是强化学习，二是开展培训3次。\n"
        for cn in "一二三四五六七八九十")
    return _repeat(block, size)


KINDS = {
    # the bundled quantity pattern once took 503 s on 48 KB of these
    "wan": lambda size: _repeat("1万", size),
    "brackets": _nested_brackets,
    "digits": lambda size: _repeat("1234567890", size),
    "cn_numerals": lambda size: _repeat("一二三四五六七八九十百千万亿", size),
    "quantities": lambda size: _repeat("受理案件3件，", size),
    "one_sentence": lambda size: _repeat("办理行政复议案件12件其中撤销3件同比增长5%培训干部30人次", size),
    "quotes": lambda size: _repeat("“两张清单《条例", size),
    "spaces": lambda size: "1 -" + " " * size + "2次",
    "one_line": _one_line,
    "headings": _headings,
    "real": lambda size: _repeat(_real() + "\n", size),
}


def run(text: str, rules, stages: bool) -> tuple[float, dict[str, float]]:
    """Seconds for the whole per-document pipeline, and per stage."""
    from pipeline.audit import audit_report
    from pipeline.indicators import extract_indicators
    from pipeline.metadata import read_metadata
    from pipeline.normalize import normalise
    from pipeline.sections import find_sections

    times: dict[str, float] = {}
    t0 = t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        times[name] = now - t
        t = now

    norm = normalise(text, rules)
    lap("normalise")
    sections = find_sections(norm.text, rules)
    lap("sections")
    indicators = extract_indicators(norm.text, sections, rules)
    lap("indicators")
    read_metadata(norm.text, rules, warnings=[])
    lap("metadata")
    audit_report(norm.text, indicators, sections, rules, doc_id="x")
    lap("audit")
    return time.perf_counter() - t0, times


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,2,4,8", help="sizes in MB (fractions allowed)")
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated, of: " + ", ".join(KINDS))
    ap.add_argument("--stages", action="store_true", help="print each stage's seconds too")
    args = ap.parse_args(argv)
    sizes = [float(s) for s in args.sizes.split(",")]

    from pipeline.rules import load_rules
    from pipeline.tokenize import tokenizer

    rules = load_rules()
    tokenizer(rules)  # jieba's dictionary loads once, outside the timings
    header = f"{'kind':<12}" + "".join(f"{f'{s:g} MB s/MB':>13}" for s in sizes) + f"{'growth':>8}"
    print(header)
    for kind in args.kinds.split(","):
        per_mb = []
        cells = []
        for size in sizes:
            text = KINDS[kind](int(size * MB))
            mb = len(text.encode("utf-8")) / MB
            total, times = run(text, rules, args.stages)
            per_mb.append(total / mb)
            cells.append(f"{total / mb:>13.3f}")
            if args.stages:
                print(f"  {kind} {mb:.2f} MB: total {total:.2f}s  "
                      + "  ".join(f"{k} {v:.2f}" for k, v in times.items()), file=sys.stderr)
        print(f"{kind:<12}" + "".join(cells) + f"{per_mb[-1] / per_mb[0]:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
