"""Golden tests: the bundled real reports, end to end, against hand-made expectations.

tests/golden/<id>.json has the format of the shared gold files: indicators
(id, value, unit), optional ones, sections (level, marker, title start, part),
meta, and negatives (phrases that must never give an indicator).
"""
import json
from pathlib import Path

import pytest

from pipeline import extract
from pipeline.evaluate import match

from conftest import assert_no_negatives

ROOT = Path(__file__).resolve().parent.parent

GOLDEN = sorted((ROOT / "tests" / "golden").glob("*.json"))


def _load(path):
    gold = json.loads(path.read_text(encoding="utf-8"))
    report = extract(ROOT / gold["file"])
    return gold, report


def _match(wanted, got, typed=True):
    """The gold facts not matched, and the indicators left over, with the matching of
    `govreport evaluate` (one definition: pipeline.evaluate.match)."""
    pairs = match(wanted, [dict(indicator=g.indicator, value=g.value, unit=g.unit) for g in got], typed=typed)
    matched_gold, matched_got = {gi for gi, _ in pairs}, {pi for _, pi in pairs}
    return ([w for i, w in enumerate(wanted) if i not in matched_gold],
            [g for i, g in enumerate(got) if i not in matched_got])


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_every_gold_indicator_and_nothing_else(path):
    gold, report = _load(path)
    missing, extra = _match(gold["indicators"], report.indicators)
    assert not missing, f"missed: {missing}"
    _, extra = _match(gold.get("optional", []), extra, typed=False)
    assert not extra, f"extracted but not in the gold: {[(e.indicator, e.value, e.unit, e.text) for e in extra]}"


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_sections_and_parts(path):
    gold, report = _load(path)
    for g in gold["sections"]:
        found = [s for s in report.sections
                 if s.level == g["level"] and s.marker == g["marker"] and s.title.startswith(g["title_starts"])]
        assert found, f"section not found: {g}"
        assert found[0].part == g["part"], (g, found[0])


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_meta(path):
    gold, report = _load(path)
    meta = gold["meta"]
    assert report.meta.year == meta["year"]
    assert report.meta.agency == meta["agency"]
    assert report.meta.report_type == meta["report_type"]
    if "title" in meta:
        assert report.meta.title == meta["title"]
    if meta.get("region", {}).get("name"):
        assert report.meta.region.name == meta["region"]["name"]


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_negatives_never_extracted(path):
    gold, report = _load(path)
    assert_no_negatives(report, gold["negatives"])


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_spans_are_exact(path):
    _, report = _load(path)
    for ind in report.indicators:
        assert report.text[ind.span[0]:ind.span[1]] == ind.text
        assert ind.text in ind.sentence
        assert report.text[ind.sentence_span[0]:ind.sentence_span[1]].strip() == ind.sentence
    ids = [s.id for s in report.sections]
    assert len(ids) == len(set(ids))
    for s in report.sections:
        assert 0 <= s.span[0] < s.span[1] <= len(report.text)


def test_seed_details(seed_report):
    """Fields the gold format does not carry: actor, modality, measure, title join."""
    by_text = {i.text: i for i in seed_report.indicators}
    three = next(i for i in seed_report.indicators if i.indicator == "court_appearances" and i.value == 3)
    assert three.actor == "区领导"
    seven = next(i for i in seed_report.indicators if i.indicator == "court_appearances" and i.value == 7)
    assert seven.actor == "区政府办主要负责人"
    assert all(i.modality == "achieved" and i.measure == "level" for i in seed_report.indicators)
    assert "\n" not in seed_report.meta.title
    assert seed_report.text.startswith("南开区政府办公室2025年度法治政府建设情况报告\n")
    assert len(by_text) == len(seed_report.indicators) > 20  # every indicator has its own, distinct quote
