"""Fact accuracy and speed on government work reports (政府工作报告).

    python benchmarks/work_reports.py REPORTS_DIR [--gold tests/data/work_reports_gold] [--details]

REPORTS_DIR holds the reports as `<id>.txt` (or any supported format); the gold
folder holds one `<id>.json` per report, written by hand in the project's own
words: expected values and short labels, never the reports' sentences. The
reports themselves are not in the repository; point the script at your copy.

A gold fact is matched by one extracted indicator with the same `indicator`,
`value` (exact), `unit`, `measure`, `modality` and `period`, one to one.
Recall: matched gold facts / gold facts. Precision: matched / extracted
indicators whose id is one of the ids the gold scores (every id that occurs in
any gold file), with no `actor` (a figure of a lower region or of the whole
country names its actor and is context, not the report's own fact), leaving
out those that match an `optional` gold fact on id and value (borderline facts
cost nothing either way). Metadata: report_type, year, year_planned,
region code and published date, each right or wrong.

Speed: characters per second of the extraction of each work report, against
the bundled rule-of-law report(s) in corpus/, in the same run, best of 3.
Not a test: it prints figures, it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FACT_KEYS = ("indicator", "value", "unit", "measure", "modality", "period")
META_KEYS = ("report_type", "year", "year_planned", "region_code", "published")


def _dec(v) -> Decimal:
    return Decimal(str(v))


def _key(fact: dict) -> tuple:
    return (fact["indicator"], _dec(fact["value"]), fact["unit"], fact.get("measure", "level"),
            fact.get("modality", "achieved"), str(fact.get("period")))


def score_report(gold: dict, out: dict, scored_ids: set[str]) -> dict:
    """Matches of one report: counts and the lists of missed and extra facts."""
    extracted = [i for i in out.get("indicators", []) if i["indicator"] in scored_ids and not i.get("actor")]
    used = [False] * len(extracted)
    missed = []
    matched = 0
    for g in gold["facts"]:
        key = _key(g)
        for n, ind in enumerate(extracted):
            if not used[n] and _key(ind) == key:
                used[n] = True
                matched += 1
                break
        else:
            missed.append(g)
    optional = [(o["indicator"], _dec(o["value"])) for o in gold.get("optional", [])]
    extra = []
    for n, ind in enumerate(extracted):
        if used[n]:
            continue
        loose = (ind["indicator"], _dec(ind["value"]))
        if loose in optional:
            optional.remove(loose)
            continue
        extra.append(ind)
    meta = out.get("meta", {})
    region = meta.get("region") or {}
    got = {"report_type": meta.get("report_type"), "year": meta.get("year"),
           "year_planned": meta.get("year_planned"), "region_code": region.get("code"),
           "published": (meta.get("published") or "")[:10] or None}
    meta_ok = {k: got[k] == gold["meta"].get(k) for k in META_KEYS}
    return {"gold": len(gold["facts"]), "matched": matched, "predicted": matched + len(extra),
            "missed": missed, "extra": extra, "meta_ok": meta_ok, "meta_got": got}


def _fmt(f: dict) -> str:
    return (f"{f['indicator']} {f['value']}{f['unit']} {f.get('measure')} {f.get('modality')} "
            f"{f.get('period')} {f.get('label') if 'text' not in f else f['text']} | {f.get('sentence', '')[:80]}")


def _timed_extract(path, rules, repeat: int):
    """The report and its best time over `repeat` runs."""
    from pipeline import extract

    best = None
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        report = extract(path, rules)
        elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    return report, best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", type=Path, help="folder of work reports (<id>.txt …)")
    ap.add_argument("--gold", type=Path, default=ROOT / "tests" / "data" / "work_reports_gold")
    ap.add_argument("--details", action="store_true", help="list every missed and extra fact")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs per report (best is kept)")
    args = ap.parse_args(argv)

    from pipeline import extract
    from pipeline.rules import load_rules

    rules = load_rules()
    golds = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(args.gold.glob("*.json"))}
    scored_ids = {f["indicator"] for g in golds.values() for f in g["facts"]}
    files = {p.stem: p for p in sorted(args.reports.iterdir()) if p.is_file()}
    extract(next(iter((ROOT / "corpus").glob("*.txt"))), rules)  # warm up: jieba, rules

    tot = {"gold": 0, "matched": 0, "predicted": 0}
    meta_right = {k: 0 for k in META_KEYS}
    wr_chars = wr_time = 0.0
    print(f"{'report':8} {'chars':>6} {'gold':>4} {'found':>5} {'extra':>5} {'recall':>6} {'prec':>6}  meta")
    for ident, gold in golds.items():
        path = files.get(ident)
        if path is None:
            print(f"{ident:8} no report in {args.reports}")
            tot["gold"] += len(gold["facts"])
            continue
        report, best = _timed_extract(path, rules, args.repeat)
        out = report.to_dict()
        wr_chars += len(report.text)
        wr_time += best
        s = score_report(gold, out, scored_ids)
        for k in tot:
            tot[k] += s[k]
        for k, ok in s["meta_ok"].items():
            meta_right[k] += ok
        rec = s["matched"] / s["gold"] if s["gold"] else 1.0
        prec = s["matched"] / s["predicted"] if s["predicted"] else 1.0
        wrong = [f"{k}={s['meta_got'][k]}" for k, ok in s["meta_ok"].items() if not ok]
        print(f"{ident:8} {len(report.text):6d} {s['gold']:4d} {s['matched']:5d} {len(s['extra']):5d} "
              f"{rec:6.3f} {prec:6.3f}  {'ok' if not wrong else 'wrong: ' + ', '.join(wrong)}")
        if args.details:
            for f in s["missed"]:
                print(f"    missed  {_fmt(f)}")
            for f in s["extra"]:
                print(f"    extra   {_fmt(f)}")
    n = len(golds)
    recall = tot["matched"] / tot["gold"] if tot["gold"] else 1.0
    precision = tot["matched"] / tot["predicted"] if tot["predicted"] else 1.0
    print(f"facts: recall {recall:.3f} ({tot['matched']}/{tot['gold']}), "
          f"precision {precision:.3f} ({tot['matched']}/{tot['predicted']})")
    print("meta: " + ", ".join(f"{k} {meta_right[k]}/{n}" for k in META_KEYS))

    # the rule-of-law reference, timed the same way
    rol_chars = rol_time = 0.0
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        report, best = _timed_extract(path, rules, args.repeat)
        rol_chars += len(report.text)
        rol_time += best
    if wr_time and rol_time:
        wr_rate, rol_rate = wr_chars / wr_time, rol_chars / rol_time
        print(f"speed: work reports {wr_rate:,.0f} chars/s ({wr_chars:,.0f} chars), "
              f"rule-of-law corpus {rol_rate:,.0f} chars/s ({rol_chars:,.0f} chars), ratio {wr_rate / rol_rate:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
