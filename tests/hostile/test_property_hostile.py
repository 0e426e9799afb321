"""Random numerals, digit runs, decimals and brackets through extract and every
writer, in a batch with a good file (issue 10 point 10): nothing raises, the
hostile document is processed or is its own E-coded row (never E999), every
table still reads back typed, and the good file's outputs are unaffected."""
from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import store
from pipeline.batch import run_batch

from conftest import SAMPLE_REPORT

FORMATS = ("json", "csv", "parquet")
digits = st.text("0123456789", min_size=1, max_size=70)
cn_numeral = st.text("零〇一二两三四五六七八九十百千万亿点壹贰叁拾佰仟", min_size=1, max_size=30)
decimal = st.builds(lambda a, b: f"{a}.{b}", digits, digits)
bracket = st.text("（）()【】《》〔〕[]", min_size=1, max_size=12)
unit = st.sampled_from(["件", "次", "项", "%", "个百分点", "元", "万元", "亿元", "人次", "件次", ""])
piece = st.one_of(digits, cn_numeral, decimal, bracket, unit, st.sampled_from(["，", "。", "约", "余", "至", "-", "~", "\n"]))
fragment = st.lists(piece, min_size=1, max_size=12).map("".join)

_reference: dict[str, bytes] = {}


def _table_rows(out: Path, name: str, source: str) -> list[dict]:
    text = (out / f"{name}.csv").read_text(encoding="utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(text)) if r["source"] == source]


def _good(out: Path, base: Path, good: Path) -> dict[str, bytes]:
    """The good file's JSON and indicator rows, with the temporary folder's name taken out."""
    return {"json": (out / "a-good.json").read_bytes().replace(str(base).encode(), b"BASE"),
            "rows": repr(_table_rows(out, "indicators", str(good))).replace(str(base), "BASE").encode()}


# a few examples per run (each is a whole batch); hypothesis varies them from run to run
@settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fragment, min_size=1, max_size=4))
def test_random_numbers_never_break_a_batch(fragments):
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        good = base / "in" / "a-good.txt"
        good.parent.mkdir()
        good.write_text(SAMPLE_REPORT, encoding="utf-8")
        if not _reference:
            ref = base / "ref"
            run_batch([str(good)], ref, formats=FORMATS, jobs=1, doc_timeout=None)
            _reference.update(_good(ref, base, good))
        hostile = base / "in" / "b-hostile.txt"
        lines = [f"全年办理行政复议案件{f}件，出庭应诉{f}次，合格率{f}%。" for f in fragments] + fragments
        hostile.write_text(SAMPLE_REPORT + "\n".join(lines) + "\n", encoding="utf-8")
        out = base / "out"
        res = run_batch([str(base / "in")], out, formats=FORMATS, jobs=1, doc_timeout=None)
        assert [f for f in res.failed if f[0] == str(good)] == []
        assert all(code not in ("E999", "E018") for _, code, _ in res.failed), res.failed
        assert _good(out, base, good) == _reference
        tables = store.load(out)  # every table reads back, typed
        assert set(tables) >= {"reports", "sections", "indicators", "errors"}
        assert len(tables["reports"]) == res.processed
