"""Government work reports (政府工作报告): growth as change, weight units,
target qualifiers, period and modality of every figure, metadata.

The texts are written for these tests (tests/data/work_report_sample.txt and
the phrases below), with the phrasing and traps of real provincial reports;
no real report is needed. The accuracy on real reports is measured by
benchmarks/work_reports.py against tests/data/work_reports_gold/.
"""
import json
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import extract, extract_text
from pipeline.rules import load_rules

from conftest import SAMPLE_PLAN, SAMPLE_REPORT

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "work_report_sample.txt"
GOLD = ROOT / "tests" / "data" / "work_reports_gold"


@pytest.fixture(scope="module")
def sample():
    return extract(SAMPLE)


def _one(report, text):
    """The one indicator whose text is `text`, else the one whose text holds it."""
    found = [i for i in report.indicators if text == i.text] or [i for i in report.indicators if text in i.text]
    assert len(found) == 1, (text, [(i.text, i.indicator) for i in found])
    return found[0]


def test_metadata_of_a_work_report(sample):
    m = sample.meta
    assert (m.report_type, m.year, m.year_planned, m.published) == ("gov_work_report", 2025, 2026, "2026-01-20")
    assert (m.region.code, m.agency) == ("410000", "河南省人民政府")


def test_a_work_report_naming_no_region_in_its_title_is_placed_by_its_congress():
    text = ("2026年政府工作报告\n——2026年1月22日在湖北省第十四届人民代表大会第五次会议上\n各位代表：\n"
            "一、2025年工作回顾\n全省地区生产总值增长5.6%。\n")
    m = extract_text(text).meta
    assert (m.region.code, m.year, m.year_planned, m.published) == ("420000", 2025, 2026, "2026-01-22")


# (quote in the sample, id, value, unit, qualifier, measure, modality, period, actor)
FACTS = [
    ("地区生产总值达到6.41万亿元", "gdp", "6410000000000", "元", None, "level", "achieved", 2025, None),
    ("增长5.1%", "gdp", "5.1", "%", None, "change_pct", "achieved", 2025, None),  # 按可比价格计算增长
    ("4.3%", "general_budget_revenue", "4.3", "%", None, "change_pct", "achieved", 2025, None),  # 同口径增长
    ("居民消费价格下降0.2%", "cpi", "-0.2", "%", None, "change_pct", "achieved", 2025, None),
    ("城镇调查失业率平均为5.1%", "urban_unemployment_rate", "5.1", "%", None, "level", "achieved", 2025, None),
    ("城镇新增就业112万人", "urban_new_jobs", "1120000", "人", None, "level", "achieved", 2025, None),
    # a figure that names its own thing takes no id from the one before it
    ("农村劳动力转移就业36万人", "other", "360000", "人", None, "level", "achieved", 2025, None),
    ("城乡居民人均可支配收入分别增长4.5%", "urban_disposable_income", "4.5", "%", None, "change_pct", "achieved",
     2025, None),
    ("6.1%", "rural_disposable_income", "6.1", "%", None, "change_pct", "achieved", 2025, None),
    ("粮食总产量达到1342亿斤", "grain_output", "67100000", "吨", None, "level", "achieved", 2025, None),
    ("固定资产投资下降1.2%", "fixed_asset_investment", "-1.2", "%", None, "change_pct", "achieved", 2025, None),
    ("民间投资占比提高到48.5%", "other", "48.5", "%", None, "level", "achieved", 2025, None),
    ("提高1.1个百分点", "other", "1.1", "pp", None, "change_abs", "achieved", 2025, None),
    ("地区生产总值增长6%", "gdp", "6", "%", None, "change_pct", "achieved", 2025, "洛阳市"),
    ("地区生产总值年均增长5.3%", "gdp", "5.3", "%", None, "change_pct", "achieved", "2021-2025", None),
    ("城镇新增就业累计550万人", "urban_new_jobs", "5500000", "人", None, "level", "achieved", "2021-2025", None),
    ("一般公共预算收入增加近900亿元", "general_budget_revenue", "90000000000", "元", "nearly", "change_abs",
     "achieved", "2021-2025", None),
    ("地区生产总值增长5%左右", "gdp", "5", "%", "about", "change_pct", "target", 2026, None),
    ("城镇调查失业率5.5%以内", "urban_unemployment_rate", "5.5", "%", "within", "level", "target", 2026, None),
    ("城镇新增就业不少于100万人", "urban_new_jobs", "1000000", "人", "over", "level", "target", 2026, None),
    ("居民消费价格涨幅2%左右", "cpi", "2", "%", "about", "change_pct", "target", 2026, None),
    ("粮食产量稳定在1300亿斤以上", "grain_output", "65000000", "吨", "over", "level", "target", 2026, None),
    # among the tasks: a headline figure is a target, an action is planned
    ("社会消费品零售总额增长6%左右", "retail_sales", "6", "%", "about", "change_pct", "target", 2026, None),
    ("建设保障性住房3万套", "other", "30000", "套", None, "level", "planned", 2026, None),
]


@pytest.mark.parametrize("quote,ident,value,unit,qualifier,measure,modality,period,actor", FACTS,
                         ids=[f[0] for f in FACTS])
def test_fact_of_the_sample(sample, quote, ident, value, unit, qualifier, measure, modality, period, actor):
    ind = _one(sample, quote)
    got = (ind.indicator, ind.value, ind.unit, ind.qualifier, ind.measure, ind.modality, ind.period, ind.actor)
    assert got == (ident, Decimal(value), unit, qualifier, measure, modality, period, actor)


def test_unquantified_targets_are_not_figures(sample):
    # 居民收入增长与经济增长同步: no number, no figure
    assert not [i for i in sample.indicators if "同步" in i.text]


def test_every_figure_has_a_period(sample):
    assert all(i.period is not None for i in sample.indicators)
    assert all(i.to_dict()["period"] == i.period for i in sample.indicators)


# (text, value, unit, unit_class, measure) — growth words and weight units in prose
PHRASES = [
    ("全年粮食产量达到840亿斤。", "42000000", "吨", "weight", "level"),
    ("年产钢材2000万吨。", "20000000", "吨", "weight", "level"),
    ("人均消费蔬菜120公斤。", "0.12", "吨", "weight", "level"),
    ("全区生产总值3.2万亿元。", "3200000000000", "元", "money", "level"),
    ("地区生产总值按可比价格计算增长4%。", "4", "%", "percent", "change_pct"),
    ("一般公共预算收入同口径增长5.5%。", "5.5", "%", "percent", "change_pct"),
    ("固定资产投资下降3%。", "-3", "%", "percent", "change_pct"),
    ("研发经费投入强度提高0.2个百分点。", "0.2", "pp", "points", "change_abs"),
    ("城镇化率提高到68%。", "68", "%", "percent", "level"),
    ("农民人均收入增加1207元。", "1207", "元", "money", "change_abs"),
    # US dollars stay dollars: no rate is guessed
    ("实际使用外资120亿美元。", "12000000000", "美元", "money", "level"),
]


@pytest.mark.parametrize("text,value,unit,unit_class,measure", PHRASES, ids=[p[0] for p in PHRASES])
def test_growth_and_units(text, value, unit, unit_class, measure):
    inds = extract_text(text).indicators
    assert len(inds) == 1
    i = inds[0]
    assert (i.value, i.unit, i.unit_class, i.measure) == (Decimal(value), unit, unit_class, measure)


def test_a_rule_of_law_report_plans_for_the_next_year():
    report = extract_text(SAMPLE_REPORT + SAMPLE_PLAN)
    assert report.meta.year == 2025 and report.meta.year_planned == 2026
    periods = {(i.text, i.modality, i.period) for i in report.indicators}
    assert ("出庭应诉3次", "achieved", 2025) in periods
    plan = [i for i in report.indicators if i.part == "next_year_plans"]
    assert plan and all(i.period == 2026 and i.modality == "planned" for i in plan)


# (figure, period, modality) under a heading of both the past term and the plans
RECALLED = [
    ("地区生产总值年均增长5.5%", "2021-2025", "achieved"),  # the sentence names the past five years
    ("地区生产总值年均增长5%左右", "2026-2030", "target"),  # the sentence names the next term
]


@pytest.mark.parametrize("figure,period,modality", RECALLED, ids=[r[0] for r in RECALLED])
def test_the_plans_recalling_a_past_result_keep_it_achieved(figure, period, modality):
    text = ("2026年某省政府工作报告\n——2026年1月20日在某省第十四届人民代表大会第五次会议上\n"
            "一、2025年工作回顾\n全省地区生产总值增长5.2%。\n"
            "二、“十四五”时期发展成就和“十五五”时期主要目标任务\n"
            "过去五年，全省地区生产总值年均增长5.5%，经济总量迈上新台阶。\n"
            "“十五五”时期的主要目标是：地区生产总值年均增长5%左右。\n")
    ind = _one(extract_text(text), figure)
    assert (ind.period, ind.modality) == (period, modality)


def test_a_year_inside_a_document_title_or_a_range_is_no_period():
    text = ("某区教育局2024年法治政府建设年度报告\n一、2024年主要工作\n"
            "将《某区学校布局规划（2024—2035年）》列入重大行政决策事项，开展听证会1场。\n")
    ind = _one(extract_text(text), "听证会1场")
    assert (ind.period, ind.modality) == (2024, "achieved")


def test_gold_files_hold_values_and_short_labels_only():
    """The benchmark's gold is the project's own: values and short labels, no sentences."""
    catalog = load_rules().for_type("gov_work_report").catalog
    files = sorted(GOLD.glob("*.json"))
    assert len(files) == 8
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        assert set(gold["meta"]) >= {"report_type", "year", "year_planned", "region_code", "published"}
        for fact in gold["facts"] + gold["optional"]:
            assert fact["indicator"] in catalog
            assert fact["modality"] in ("achieved", "target", "planned")
            assert len(fact["label"]) <= 60 and not any("\u4e00" <= ch <= "\u9fff" for ch in fact["label"])


UNMARKED = (
    "2026年某省政府工作报告\n"
    "“十四五”时期发展成就和2025年工作回顾\n"
    "过去五年，全省地区生产总值年均增长5.5%。刚刚过去的一年，全省地区生产总值增长5.2%。\n"
    "“十五五”时期主要目标和2026年重点工作\n"
    "今年经济社会发展的主要预期目标是：地区生产总值增长5%左右。\n"
    "一、加快建设现代化产业体系\n"
    "重点做好以下工作\n"
    "培育新兴产业，力争战略性新兴产业增加值增长8%。\n"
    "附件\n"
    "2026年省级民生实事\n"
    "1.城镇新增就业50万人以上。\n"
)

# (line, is a heading, level) — only short lines the rules name, over a longer body line
HEADING_LINES = [
    ("“十四五”时期发展成就和2025年工作回顾", True, 1),
    ("“十五五”时期主要目标和2026年重点工作", True, 1),
    ("附件", True, 1),
    ("2026年省级民生实事", True, 2),
    ("重点做好以下工作", False, None),  # short, but no rule names it
    ("过去五年，全省地区生产总值年均增长5.5%。刚刚过去的一年，全省地区生产总值增长5.2%。", False, None),
]


@pytest.mark.parametrize("line,is_heading,level", HEADING_LINES, ids=[h[0][:12] for h in HEADING_LINES])
def test_headings_without_markers(line, is_heading, level):
    sections = extract_text(UNMARKED).sections
    found = [s for s in sections if s.title == line]
    assert bool(found) == is_heading
    if found:
        assert (found[0].level, found[0].marker) == (level, "")


def test_unmarked_headings_set_periods_and_parts_follow():
    report = extract_text(UNMARKED)
    five = _one(report, "地区生产总值年均增长5.5%")
    assert five.period == "2021-2025"
    assert _one(report, "地区生产总值增长5.2%").period == 2025  # the next sentence names the past year
    target = _one(report, "地区生产总值增长5%左右")
    assert (target.period, target.modality) == (2026, "target")
    annex = _one(report, "城镇新增就业50万人以上")
    assert (annex.period, annex.modality) == (2026, "target")
    numbered = [s for s in report.sections if s.marker == "一、"][0]
    divider = [s for s in report.sections if s.title.endswith("重点工作")][0]
    assert numbered.part == divider.part


def test_a_body_line_is_never_an_unmarked_heading():
    text = "2026年某区政府工作报告\n附件\n短\n全区深入推进依法行政工作回顾\n"
    # 附件 over a shorter line is no heading; a line that ends the text has no body
    assert not [s for s in extract_text(text).sections if s.marker == ""]


# --- research use: compare targets, and targets beside results ----------------------------

def _work_report(year: int, review: str, targets: str) -> str:
    """A short made-up work report of 某 province given early in `year`."""
    return (f"{year}年湖南省政府工作报告\n——{year}年1月18日在湖南省第十四届人民代表大会会议上\n各位代表：\n"
            f"一、{year - 1}年工作回顾\n{review}\n二、{year}年工作安排\n{targets}\n")


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """Outputs of the 2025 and 2026 reports of one province: 2025's targets and results."""
    from pipeline.batch import run_batch

    src = tmp_path_factory.mktemp("work-reports")
    (src / "hn-2025.txt").write_text(_work_report(
        2025, "全省地区生产总值增长5.3%，城镇调查失业率平均为5.2%。",
        "今年经济社会发展的主要预期目标是：地区生产总值增长5.5%左右，城镇调查失业率5.5%以内，"
        "城镇新增就业70万人以上。"), encoding="utf-8")
    (src / "hn-2026.txt").write_text(_work_report(
        2026, "全省地区生产总值增长5.1%，城镇调查失业率平均为5.1%，城镇新增就业72万人。"
              "其中，长沙市地区生产总值增长5.8%。",
        "今年经济社会发展的主要预期目标是：地区生产总值增长5%左右，城镇调查失业率5.5%左右。"), encoding="utf-8")
    out = src.parent / "out"
    run_batch([str(src)], out, jobs=1, formats=("json", "csv", "parquet"))
    return out


# (indicator, measure, year, target, achieved, status)
TARGETS = [
    ("gdp", "change_pct", 2025, "5.5", "5.1", "missed"),  # the lower region's 5.8% is not the province's
    ("urban_unemployment_rate", "level", 2025, "5.5", "5.1", "met"),  # a ceiling
    ("urban_new_jobs", "level", 2025, "700000", "720000", "met"),
    ("gdp", "change_pct", 2026, "5", None, ""),  # no result yet
    ("gdp", "change_pct", 2024, None, "5.3", ""),  # no earlier report
]


@pytest.mark.parametrize("ident,measure,year,target,achieved,status", TARGETS,
                         ids=[f"{t[0]}-{t[2]}" for t in TARGETS])
def test_targets_beside_results(two_years, ident, measure, year, target, achieved, status):
    from pipeline.targets import targets

    rows = [r for r in targets([two_years], indicator=ident, measure=measure) if r.year == year]
    assert len(rows) == 1
    r = rows[0]
    dec = lambda v: Decimal(v) if v is not None else None  # noqa: E731
    assert (r.target, r.achieved, r.status, r.region_code) == (dec(target), dec(achieved), status, "430000")


def test_compare_targets_by_the_year_they_are_for(two_years):
    from pipeline.compare import compare

    pivot = compare([two_years], "gdp", measure="change_pct", modality="target", years=(2025, 2026))
    assert pivot.rows == ("湖南省",) and pivot.years == (2025, 2026)
    assert pivot.cells == ((Decimal("5.5"), Decimal("5")),)
    achieved = compare([two_years], "gdp", measure="change_pct", years=(2024, 2025))
    assert achieved.cells == ((Decimal("5.3"), Decimal("5.1")),)


def test_targets_command_prints_and_writes(two_years, tmp_path, capsys):
    from pipeline.cli import main

    out = tmp_path / "targets.csv"
    assert main(["targets", str(two_years), "--missed", "-o", str(out)]) == 0
    printed = capsys.readouterr()
    assert "missed" in printed.out and "1 missed" in printed.err
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("region,region_code,indicator") and len(lines) == 2 and lines[1].endswith("missed")


# (sentence of a work report, the id of its first money figure): 支出 alone is
# the budget's expenditure only where no other spending is named
EXPENDITURE = [
    ("全省一般公共预算支出8200亿元。", "general_budget_expenditure"),
    ("地方一般公共预算收入增长2.3%、支出首次超过7000亿元。", "general_budget_expenditure"),
    ("继续压减非刚性一般性支出18亿元。", "other"),
    ("急难型、支出型临时救助标准分别提高100元、150元。", "other"),
]


@pytest.mark.parametrize(("sentence", "ident"), EXPENDITURE, ids=[e[0][:14] for e in EXPENDITURE])
def test_spending_that_is_not_the_budgets(sentence, ident):
    report = extract_text("某省2026年政府工作报告\n一、2025年工作回顾\n" + sentence + "\n")
    assert report.meta.report_type == "gov_work_report"
    money = [i for i in report.indicators if i.unit_class == "money"]
    assert money and money[0].indicator == ident, [(i.text, i.indicator) for i in report.indicators]


# (sentence of a work report's targets, the figure, its id): a 其中 speaks of
# the figures right after it, not of every figure to the sentence's end
PARTS = [
    ("主要预期目标是：全省生产总值增长5%左右，其中服务业增加值占比52%左右，城镇调查失业率控制在5.5%以内，"
     "全社会研发投入增长8%以上。", "8%", "other"),
    ("主要预期目标是：全省生产总值增长5%左右，其中服务业增加值占比52%左右，城镇调查失业率控制在5.5%以内。",
     "5.5%", "urban_unemployment_rate"),
]


# …nor of a figure before a ；
PARTS.append(("第一产业增加值4500亿元、增长3.6%；规模以上工业增加值增长7.1%，其中高技术制造业增长12%。", "12%", "other"))
# …and a part that names its own measure (context.yaml own_measures) is no trade total
PARTS.append(("货物进出口总额达到402亿元，其中出口258亿元。", "258亿元", "other"))
PARTS.append(("外贸进出口总额4.5万亿元、增长5.6%，其中出口增长10.8%。", "10.8%", "other"))
# …nor is a branch's investment a change of the total investment
PARTS.append(("力争全年固定资产投资突破300亿元，其中制造业投资增长10%以上。", "10%", "other"))


@pytest.mark.parametrize(("sentence", "figure", "ident"), PARTS, ids=[p[1] + "-" + p[2] for p in PARTS])
def test_a_part_after_qizhong_is_only_the_figures_right_after_it(sentence, figure, ident):
    report = extract_text("某省2026年政府工作报告\n二、2026年工作安排\n" + sentence + "\n")
    got = [i.indicator for i in report.indicators if figure in i.text]
    assert got == [ident], [(i.text, i.indicator) for i in report.indicators]


# (sentence of a year's results, [(figure, id, measure)]): the numbers after
# 分别 go one to each noun listed before it, in order
RESPECTIVELY = [
    ("规模以上工业增加值、全社会固定资产投资分别增长6.5%和7.2%。",
     [("6.5%", "industrial_value_added"), ("7.2%", "fixed_asset_investment")]),
    ("规模以上工业增加值、固定资产投资、社会消费品零售总额分别增长10.3%、10.8%和9.7%。",
     [("10.3%", "industrial_value_added"), ("10.8%", "fixed_asset_investment"), ("9.7%", "retail_sales")]),
    ("地区生产总值和一般公共预算收入较上年分别增长5%和6%。",
     [("5%", "gdp"), ("6%", "general_budget_revenue")]),
    ("城乡常住居民人均可支配收入分别增长6.5%和8%。",
     [("6.5%", "urban_disposable_income"), ("8%", "rural_disposable_income")]),
    ("城镇常住居民和农村常住居民人均可支配收入分别达到41200元、17300元，分别增长5.1%、7.4%。",
     [("41200元", "urban_disposable_income"), ("17300元", "rural_disposable_income"),
      ("5.1%", "urban_disposable_income"), ("7.4%", "rural_disposable_income")]),
    # the first of the changes is of a figure no catalog id names
    ("财政总收入412.6亿元，一般公共预算收入230.4亿元，同口径分别增长4.2%和3.5%。",
     [("4.2%", "other"), ("3.5%", "general_budget_revenue")]),
    # …or of a listed noun no catalog id names
    ("全年财政总收入和一般公共预算收入分别增长4.6%和3.2%。", [("4.6%", "other"), ("3.2%", "general_budget_revenue")]),
    # a second list right after the 分别 list, in the same order
    ("城镇和农村居民人均可支配收入分别增长6.1%和7.9%，达到45210元、21480元。",
     [("6.1%", "urban_disposable_income"), ("7.9%", "rural_disposable_income"),
      ("45210元", "urban_disposable_income"), ("21480元", "rural_disposable_income")]),
]
RD_SHARE = ["R&D经费支出占地区生产总值比重达到3.9%。", "R&D经费投入强度达到4.1%。",
            "研究与试验发展经费投入占GDP比重提高到2.2%。", "研发经费支出相当于全市生产总值的比例为3.1%。"]


@pytest.mark.parametrize(("sentence", "want"), RESPECTIVELY, ids=[r[0][:12] for r in RESPECTIVELY])
def test_numbers_after_fenbie_go_to_the_listed_nouns_in_order(sentence, want):
    report = extract_text("某市2024年政府工作报告\n一、2023年工作回顾\n" + sentence + "\n")
    got = [(i.text.split("分别")[-1].lstrip("达到增长"), i.indicator) for i in report.indicators
           if any(f in i.text for f, _ in want)]
    assert [ident for _, ident in got] == [ident for _, ident in want], got
    for i in report.indicators:
        assert report.text[i.span[0]:i.span[1]] == i.text
        # a figure's text never reaches over another figure of the list
        assert sum(i.text.count(f) for f, _ in want) <= 1, i.text


@pytest.mark.parametrize("sentence", RD_SHARE, ids=lambda s: s[:10])
def test_rd_spending_as_a_share_of_gdp_is_rd_intensity(sentence):
    report = extract_text("某市2024年政府工作报告\n一、2023年工作回顾\n" + sentence + "\n")
    assert [i.indicator for i in report.indicators] == ["rd_intensity"]


OWN = ROOT / "tests" / "data" / "work_reports_own"
# Made-up excerpts of five work reports unlike the eight the rules were written
# on (a 地级市 in 2023, a 县 with its 十三五 review in 2021, a 市辖区 in 2025, an
# 自治州 in 2024, a province in 2020), coded by hand before the extractor first
# ran on them: recall 0.882, precision 0.916 then. The rules then learnt what
# they showed (分别 after listed cue words, 常住 incomes, R&D shares of GDP, the
# changes after 分别 of figures no id names, a second list after a 分别 list, a
# first listed noun that names no indicator). Floors from the figures after:
# recall 0.988, precision 0.975, every document's metadata right. (Two plan
# goals, 到2025年…突破550亿元, were first coded with the plan's span 2021-2025;
# they are levels of the year 2025, the catalog's period, and are coded so.)
# Four more (h06-h09: a county-level city 2024, a prefecture 2019, a district
# 2022 at the start of 十四五, a 盟's 行政公署工作报告 2023), coded the same way:
# recall 0.722, precision 0.932 at first (the 盟's report was not taken for a
# work report at all; 涨幅控制在3%左右 was a level; a project-size threshold and
# 肉类总产量 were figures), then 0.970 / 0.956. All nine: 0.980 / 0.966, and
# 0.980 / 0.973 once 全市 in a district's report names the city as actor, and
# 0.983 / 0.980 with 研发投入占比 and a town's own figures (双浦镇…) as context,
# 0.983 / 0.986 once 其中出口 is no trade total.
# Three more (h10-h12: a western 地级市 2024, a municipality's district 2022
# with its five-year review, an 自治县 2025 with 十四五 and 十五五), coded the
# same way: 96 of 106 facts matched at first (recall 0.906; 按不变价格计算 was
# no change qualifier, 增长4.9%、达到41267元 lost the level's id, the five years
# of 从2017年…增加到2022年的… ended at 2022 for all later figures, and a list of
# counties before 分别 typed the second number as GDP). All twelve then:
# recall 0.983, precision 0.987.
# Three provinces' excerpts more (h13-h15: a province 2023, a municipality 2024 with
# figures of its districts, an autonomous region 2021), coded the same way: 107 of
# 110 facts at first (第一、二、三产业增加值分别… with 第 written once was no list;
# 芜湖市、滁州市… lower-region figures had no actor; 其中网上商店零售额 was retail).
# All fifteen then: recall 0.986, precision 0.988; and 0.994 / 0.992 once a goal
# whose subject is left out (…年均增长6%左右，到2030年突破130亿元) is the level of
# the change before it, and a 年均增长 takes the span of its sentence's period
# word past a deadline's year (“十四五”期间，…到2025年…；…年均增长6%: 2021-2025).
# Three more (h16-h18: a north-eastern 地级市 2022 in the older plain style, a
# 县级市 2025 with its 十四五 review and 十五五 goals, a provincial capital's
# district 2024 with two 街道 in 分别 lists), coded the same way: 119 of 122
# facts and 6 false ones at first (全省 in a city's report, 万元GDP能耗 read as a
# region named 万元, a county's grain, the 街道's growth after their levels,
# 扣除留抵退税因素后同口径增长, …年均增长4.7%，五年累计完成528.4亿元). All eighteen
# then: recall 0.997, precision 0.997.
# Two more (h19-h20: a 地级市 2025 with its 十四五 review so far, a 县级市 2024
# with its towns' and parks' figures), coded the same way: 70 of 76 facts and 9
# false ones at first (2021年至2024年 read as 2021, 经开区规上工业增加值 as the
# city's, 先后跨越4000亿元、4500亿元两个台阶 as GDP levels), then all 76 and none.
# Two more (h21-h22: a province 2024, a district 2026 reviewing 十四五 and setting
# 十五五 goals), coded the same way: 86 of 88 facts and 5 false ones at first (the
# goals after 今后五年 and a deadline's ；-part took the deadline's year; the
# streets' figures in the clause after the street's name were the district's).
# The rules then learnt 今后五年, that a deadline's year (到2030年) names its own
# ；-part only, and that a rate over a span is the rate the span ends at unless it
# is a ceiling (which also passes h02's and h11's urbanisation at the end of a
# term, known misses until then). All 22 then: recall 1.000, precision 0.996 (the
# three street figures stay the district's: a street's name opening a part of a
# sentence was tried as the actor, but verbs before 镇/乡/街道 (通过镇…, 组建县乡…)
# made false actors in rule-of-law reports).
# Two more (h23-h24: a 地级市 2023 after a hard year, a county 2025 packed with
# 分别 lists), coded the same way: 75 of 86 facts and 17 false ones at first
# (“十四五”以来 read as the whole plan, 全体居民、城镇居民、农村居民…分别 as rural
# incomes, 负增长4.7% as growth, 户籍人口 as the population, a 开发区 with its
# other name in brackets as the county). The rules then learnt “十四五”以来 (from
# the plan's first year to the year reviewed), that list of three incomes, 负增长,
# gaps to other regions (高于全省0.3个百分点: other, signed), 户籍人口 and the
# bracketed name. All 24 then: recall 1.000, precision 0.994 (the 开发区's figures
# in the clauses after its first stay the county's: carrying an actor on to the
# next clauses was tried and dropped, it mislabelled a county's figures after 其中).
# Two more (h25-h26: a province and a great city's 2026 reports, each closing 十四五
# and opening 十五五), coded the same way: 106 of 109 facts and 5 false ones at
# first (由5.5万元提高到7.9万元 and 突破10万元 over a span took the span, a goal after a
# deadline's ；-part took its year, 海洋生产总值 was GDP, a port zone's trade was the
# province's). The rules then learnt that a level reached (突破, 提高到…) over a span is
# the span's last year unless summed (累计), a deadline of an earlier ；-part even when
# alone, 海洋生产总值 as no id, 货物进出口 of a lower region. All 26: recall 1.000,
# precision 0.994.
# Two more (h27-h28: an agricultural city 2024, a rich district 2025), coded the same
# way: 49 of 51 facts and 2 false ones at first (the district's own name before its
# GDP was read as another region's, an actor began with the verb before it (推动孝丰镇…),
# 其中对俄贸易 was the trade total's). All 28: recall 1.000, precision 0.994.
# Two more (h29-h30: an autonomous prefecture 2023, a municipality's district 2024),
# coded the same way: 63 of 68 facts and 7 false ones at first, five of the misses the
# task list's aims, which the rules read as targets of the headline figures (as the
# earlier excerpts, they are optional now). The rules then learnt 比全省高/比全国低 as a
# gap (signed) and 跨上 as a level reached. All 30: recall 1.000, precision 0.995.
# Three more (h31-h33: a western 地级市 2024, a county 2023, a 县级市 2021 with its 十三五
# review and 十四五 goals), coded the same way: 118 of 121 facts and 5 false ones at first
# (民生支出…亿元 read as the budget's spending, 过去两年…年均增长 as the year reviewed's, a
# 年末常住人口 after the five years' review as a sum over them). The rules then learnt 民生支出
# and other parts of the spending as no id, 过去两年/三年来 as periods, and a stock at a year's
# end (年末, 年底) as the level the span ends at. All 33: recall 1.000, precision 0.995.
# Seven more (h34-h40: a 地级市 2025 reviewing in 一是…八是 paragraphs, a county 2026
# closing 十四五 and setting 十五五 goals with 到2027年 milestones, a 国家级新区's 管委会
# report to its 工作会议, a district 2025 whose targets are one long 、/；sentence, a
# 县级市 2024 dense with 比上年/个百分点/分别/其中, a province 2023 with its 过去五年
# review, a 地级市 2025 full of its counties', an enterprise's, the province's and the
# country's figures), coded the same way: 220 of 249 facts and 4 false ones at first
# (the 管委会's report was read as no work report at all, 28 misses; 由…增长到6681.9亿元
# took the five years; 市场成交额 and 其中制造业投资 took the total's id; a project's
# 新增工业增加值 was the city's). The rules then learnt the 管委会's 工作报告, 增长到 as a
# level reached, 成交额 and 投资 as measures of their own, 新增工业增加值 as no id, and
# a 新城 and an aim's 推动/力争/支持 before a lower region (once h36 was read, its five
# 新城' figures were eight false facts more). All 40: recall 1.000, precision 0.996.
# Three more (h41-h43: a county 2026 closing 十四五 with ——这五年 paragraphs, a 广西 地级市
# 2022 whose 全区 is the autonomous region, a 高新区 管委会's 2025 report), coded the same
# way: 71 of 107 facts at first (襄阳高新区管委会2025年工作报告 was no work report, its year
# splitting the type's name: 30 misses; 由2020年的…增加到 gave its five-year figures the
# year 2020; 第一产业、第二产业、第三产业增加值分别… was no list; one false fact, a town's
# 农村常住居民 income). The rules then learnt type names with a year inside, 由 before a
# start year, the list with 产业 written each time, 常住 incomes and one-character counties
# (容县) as lower regions. All 43: recall 1.000, precision 0.996.
OWN_RECALL, OWN_PRECISION = 0.99, 0.99
# what no general rule gets yet, one row per gold fact (document, label)
OWN_MISSES: list[tuple[str, str, str]] = []


def _own_scores():
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from work_reports import score_report  # the benchmark's matching, one definition

    golds = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(OWN.glob("*.json"))}
    scored = {f["indicator"] for g in golds.values() for f in g["facts"]}
    return {k: score_report(g, extract(OWN / f"{k}.txt").to_dict(), scored) for k, g in golds.items()}


@pytest.fixture(scope="module")
def own_scores():
    return _own_scores()


def test_own_work_report_excerpts_floors(own_scores):
    matched = sum(s["matched"] for s in own_scores.values())
    assert matched / sum(s["gold"] for s in own_scores.values()) >= OWN_RECALL
    assert matched / sum(s["predicted"] for s in own_scores.values()) >= OWN_PRECISION
    assert all(all(s["meta_ok"].values()) for s in own_scores.values()), {k: s["meta_got"] for k, s in own_scores.items()}
    missed = {(k, f["label"]) for k, s in own_scores.items() for f in s["missed"]}
    assert missed <= {(d, label) for d, label, _ in OWN_MISSES}, missed - {(d, label) for d, label, _ in OWN_MISSES}


@pytest.mark.parametrize(("doc", "label", "why"), [
    pytest.param(d, label, why, marks=pytest.mark.xfail(strict=True, reason=why), id=f"{d}:{label}")
    for d, label, why in OWN_MISSES])
def test_own_work_report_known_misses(own_scores, doc, label, why):
    assert label not in {f["label"] for f in own_scores[doc]["missed"]}


# (sentence of a year's targets or results, the figure, id, measure)
MORE_PHRASINGS = [
    ("今年主要预期目标是：居民消费价格涨幅控制在3%左右。", "3%", "cpi", "change_pct"),
    ("农牧民人均可支配收入增长7%。", "7%", "rural_disposable_income", "change_pct"),
    ("农牧区常住居民人均可支配收入27915元。", "27915元", "rural_disposable_income", "level"),
    # another product's output after the grain's is no grain (产量 names its own measure)
    ("粮食总产量稳定在2.1亿斤，肉类总产量4.2万吨。", "4.2万吨", "other", "level"),
    ("全市地区生产总值实现668.4亿元，按不变价格计算增长6.2%。", "6.2%", "gdp", "change_pct"),
    # the level a change reached, after it
    ("城镇居民人均可支配收入增长4.9%、达到41267元。", "41267元", "urban_disposable_income", "level"),
    # one measure of two counties, listed before 分别
    ("临泽县、高台县规模以上工业增加值分别增长14.2%和12.6%。", "12.6%", "industrial_value_added", "change_pct"),
    # the tax part of the budget revenue is no budget revenue
    ("一般公共预算收入完成42.37亿元，其中税收收入27.9亿元。", "27.9亿元", "other", "level"),
    ("第一、二、三产业增加值分别增长3.9%、7.2%和5.6%。", "5.6%", "tertiary_industry_value_added", "change_pct"),
    ("社会消费品零售总额17962.3亿元，其中网上商店零售额增长7.4%。", "7.4%", "other", "change_pct"),
    ("地方级一般公共预算收入完成38.62亿元，扣除留抵退税因素后同口径增长4.5%。", "4.5%", "general_budget_revenue",
     "change_pct"),
    ("一般公共预算收入年均增长4.7%，五年累计完成528.4亿元。", "528.4亿元", "general_budget_revenue", "level"),
    # a branch's value added after 其中 is no total's
    ("规模以上工业增加值增长6.4%，其中能源工业增加值增长5.2%。", "5.2%", "other", "change_pct"),
    ("规模以上工业增加值增长6.4%，其中能源工业增加值增长5.2%。", "6.4%", "industrial_value_added", "change_pct"),
    # a market's sales after the trade total are no trade
    ("力争货物进出口总额突破6000亿元，市场成交额增长8%以上。", "8%", "other", "change_pct"),
    # what a project adds once built is no region's value added
    ("煤炭深加工基地项目加快建设，预计建成后每年新增工业增加值150亿元以上。", "150亿元", "other", "level"),
    ("新投产项目达产后可新增规上工业增加值30亿元。", "30亿元", "other", "level"),
]


@pytest.mark.parametrize(("sentence", "figure", "ident", "measure"), MORE_PHRASINGS,
                         ids=[m[1] + "-" + m[2] for m in MORE_PHRASINGS])
def test_more_work_report_phrasings(sentence, figure, ident, measure):
    report = extract_text("某市2024年政府工作报告\n一、2023年工作回顾\n" + sentence + "\n")
    got = [(i.indicator, i.measure) for i in report.indicators if figure in i.text]
    assert got and got[-1] == (ident, measure), [(i.text, i.indicator, i.measure) for i in report.indicators]


@pytest.mark.parametrize(("figure", "ident", "period"), [
    ("2200亿元", "gdp", 2025),  # the goal whose subject is left out, of the change before it
    ("年均增长6%", "general_budget_revenue", "2021-2025"),  # averaged: the span, past 到2025年
])
def test_a_five_year_plans_goals(figure, ident, period):
    report = extract_text("某区2021年政府工作报告\n二、2021年工作安排\n“十四五”期间，全区地区生产总值年均增长7.5%以上，"
                          "到2025年突破2200亿元；地方一般公共预算收入年均增长6%。\n")
    got = [i for i in report.indicators if figure in i.text]
    assert got and (got[-1].indicator, got[-1].period) == (ident, period), \
        [(i.text, i.indicator, i.period) for i in report.indicators]


def test_a_span_written_out_is_the_period_and_marks_passed_are_no_level():
    report = extract_text("某市2025年政府工作报告\n一、2024年工作回顾\n全市地区生产总值增长5.1%。"
                          "“十四五”以来，全市经济总量先后跨越4000亿元、4500亿元两个台阶。2021年至2024年，"
                          "全市地区生产总值年均增长6.1%。某某经开区规上工业增加值增长11.3%。"
                          "全区地区生产总值跨越5000亿元大关。\n")
    got = [(i.text, i.indicator, i.period, i.actor) for i in report.indicators]
    assert not [g for g in got if "4000亿元" in g[0] or "4500亿元" in g[0]], got
    assert _one(report, "年均增长6.1%").period == "2021-2024"
    assert _one(report, "11.3%").actor == "某某经开区"
    assert _one(report, "5000亿元").indicator == "gdp"  # one mark passed says the level is past it


def test_a_five_year_goals_periods_a_deadline_names_its_own_part_only():
    report = extract_text("某区2026年政府工作报告\n二、“十五五”时期主要目标\n今后五年，全区经济社会发展的主要目标是："
                          "地区生产总值年均增长6%左右，到2030年突破1900亿元；一般公共预算收入年均增长4.5%左右，"
                          "研发经费投入强度达到3.5%以上，城镇调查失业率控制在5.5%以内，城镇新增就业10万人以上。\n")
    got = {i.text: i.period for i in report.indicators}
    assert _one(report, "1900亿元").period == 2030  # the deadline's own part
    assert _one(report, "4.5%").period == "2026-2030"  # averaged over the five years, past the deadline's ；
    assert _one(report, "10万人").period == "2026-2030"  # a sum over them
    assert _one(report, "3.5%").period == 2030, got  # a rate: the one the span ends at
    assert _one(report, "5.5%").period == "2026-2030"  # a ceiling: all along


def test_since_a_plan_began_gaps_and_negative_growth():
    report = extract_text("某县2025年政府工作报告\n一、2024年工作回顾\n全县地区生产总值增长6.1%，高于全市0.4个百分点，"
                          "低于全省0.2个百分点。货物进出口总额38.6亿元，同比负增长4.7%。全体居民、城镇居民、农村居民"
                          "人均可支配收入分别达到68935元、83126元、53418元。年末常住人口60.1万人、户籍人口47.3万人。"
                          "安吉经济开发区（灵峰度假区）实现规上工业增加值128.6亿元。“十四五”以来，全县地区生产总值年均增长6.3%。\n")
    got = [(i.text, i.indicator, str(i.value), i.period, i.actor) for i in report.indicators]
    assert (_one(report, "高于全市").indicator, str(_one(report, "高于全市").value)) == ("other", "0.4"), got
    assert (_one(report, "低于全省").indicator, str(_one(report, "低于全省").value)) == ("other", "-0.2"), got
    assert str(_one(report, "负增长4.7%").value) == "-4.7"
    assert [_one(report, f).indicator for f in ("68935元", "83126元", "53418元")] == [
        "resident_disposable_income", "urban_disposable_income", "rural_disposable_income"]
    assert _one(report, "47.3万人").indicator == "other"  # registered, not resident population
    assert _one(report, "128.6亿元").actor == "安吉经济开发区"
    assert _one(report, "年均增长6.3%").period == "2021-2024"  # since the plan began, to the year reviewed


def test_levels_reached_over_a_span_are_its_last_years():
    report = extract_text("某省2026年政府工作报告\n一、“十四五”时期发展成就\n五年来，人均地区生产总值由5.5万元提高到7.9万元，"
                          "地方一般公共预算收入年均增长5.1%，五年累计达到4380亿元。\n二、“十五五”时期主要目标\n"
                          "今后五年，全体居民人均可支配收入突破10万元，推动海洋生产总值增长8%。\n")
    assert _one(report, "7.9万元").period == 2025
    assert _one(report, "4380亿元").period == "2021-2025"  # a sum
    assert _one(report, "10万元").period == 2030
    assert _one(report, "8%").indicator == "other"  # the ocean economy's output is no GDP


def test_a_level_grown_to_over_a_span_is_its_last_years():
    report = extract_text("某省2023年政府工作报告\n一、过去五年工作回顾\n五年来，外贸进出口总额由3148亿元增长到6681.9亿元，"
                          "年均增长16.3%；一般公共预算收入增长至2948.3亿元。\n")
    assert (_one(report, "6681.9亿元").indicator, _one(report, "6681.9亿元").period) == ("foreign_trade", 2022)
    assert _one(report, "16.3%").period == "2018-2022"  # the change stays the span's
    assert _one(report, "2948.3亿元").period == 2022


def test_a_gap_written_with_bi_is_signed_and_a_mark_stepped_on_is_reached():
    report = extract_text("某州2023年政府工作报告\n一、2022年工作回顾\n全州地区生产总值增长4.3%，增速比全省高0.3个百分点，"
                          "居民消费价格涨幅比全国低0.1个百分点。过去五年，经济总量跨上1600亿元台阶。\n")
    assert (_one(report, "0.3个百分点").indicator, str(_one(report, "0.3个百分点").value)) == ("other", "0.3")
    assert str(_one(report, "0.1个百分点").value) == "-0.1"
    assert _one(report, "1600亿元").period == 2022


def test_the_reports_own_region_is_no_actor():
    report = extract_text("浦东新区2025年政府工作报告\n一、2024年工作回顾\n上海全市实现地区生产总值5.39万亿元；"
                          "浦东新区地区生产总值超过1.7万亿元，增长6.0%。推动经济开发区规上工业增加值增长12%以上。\n")
    assert _one(report, "1.7万亿元").actor is None and _one(report, "1.7万亿元").indicator == "gdp"
    assert _one(report, "12%").actor == "经济开发区"


def test_a_leagues_administrative_office_report_is_a_work_report():
    """A 盟 (and a 地区) is governed by a 行政公署, whose yearly report is its work report."""
    report = extract_text("阿拉善盟行政公署工作报告\n——2023年1月12日在阿拉善盟人大工委扩大会议上\n"
                          "一、2022年工作回顾\n全盟地区生产总值增长5.1%。\n二、2023年主要目标\n"
                          "地区生产总值增长6%左右。\n")
    m = report.meta
    assert (m.report_type, m.year, m.year_planned, m.region.code) == ("gov_work_report", 2022, 2023, "152900")
    assert [(i.indicator, i.modality) for i in report.indicators] == [("gdp", "achieved"), ("gdp", "target")]


@pytest.mark.parametrize("title", ["赣江新区管委会工作报告", "苏州工业园区管理委员会工作报告"])
def test_a_management_committees_report_to_its_work_conference_is_a_work_report(title):
    """A 开发区 or 新区 is run by a 管理委员会, whose yearly 工作报告, delivered to a
    工作会议 rather than a people's congress, reviews the year and sets the next one's targets."""
    report = extract_text(title + "\n——2025年1月21日在2025年全区工作会议上\n同志们：\n"
                          "一、2024年工作回顾\n全区地区生产总值增长7.6%。\n二、2025年工作安排\n"
                          "地区生产总值增长8%左右。\n")
    m = report.meta
    assert (m.report_type, m.year, m.year_planned, m.published) == ("gov_work_report", 2024, 2025, "2025-01-21")
    assert [(i.indicator, i.modality, i.period) for i in report.indicators] == [
        ("gdp", "achieved", 2024), ("gdp", "target", 2025)]


def test_a_city_report_names_its_province_and_its_streets_as_actors():
    report = extract_text("四平市2023年政府工作报告\n一、2022年工作回顾\n全市地区生产总值增长2.7%；全省地区生产总值下降1.9%。"
                          "万元GDP能耗下降3.6%。花园路街道、丰产路街道地区生产总值分别达到186.2亿元和142.7亿元，"
                          "分别增长6.4%和5.9%。\n")
    streets = "花园路街道、丰产路街道"
    assert [(i.indicator, str(i.value), i.actor) for i in report.indicators] == [
        ("gdp", "2.7", None), ("gdp", "-1.9", "吉林省"), ("energy_intensity", "-3.6", None),
        ("gdp", "18620000000", streets), ("gdp", "14270000000", streets),
        ("gdp", "6.4", streets), ("gdp", "5.9", streets)]


def test_a_new_areas_new_towns_are_actors_of_their_figures_and_aims():
    report = extract_text("某某新区管委会工作报告\n——2025年1月21日在某某新区2025年工作会议上\n一、2024年工作回顾\n"
                          "全区实现地区生产总值812.4亿元。空港新城实现地区生产总值185.6亿元，增长9.1%；沣东新城、沣西新城"
                          "一般公共预算收入分别增长10.2%和7.5%；泾河新城全年完成固定资产投资312亿元。\n二、2025年工作安排\n"
                          "力争空港新城地区生产总值突破200亿元，推动沣东新城、沣西新城地区生产总值分别增长9%和8%以上。\n")
    got = {i.text: i.actor for i in report.indicators}
    assert _one(report, "812.4亿元").actor is None, got
    assert [_one(report, f).actor for f in ("185.6亿元", "9.1%", "10.2%", "7.5%", "312亿元", "200亿元", "9%", "8%")] == [
        "空港新城", "空港新城", "沣东新城、沣西新城", "沣东新城、沣西新城", "泾河新城", "空港新城",
        "沣东新城、沣西新城", "沣东新城、沣西新城"], got


def test_an_aim_for_a_county_names_the_county_not_the_verb():
    report = extract_text("某某市2025年政府工作报告\n二、2025年工作安排\n（二）壮大县域经济。支持神木市地区生产总值突破2500亿元，"
                          "促进府谷县一般公共预算收入增长5%。\n")
    assert [(i.indicator, i.actor) for i in report.indicators] == [("gdp", "神木市"), ("general_budget_revenue", "府谷县")]


@pytest.mark.parametrize(("title", "actor"), [
    ("长沙市岳麓区2022年政府工作报告", "长沙市"),  # a district's 全市 is the city
    ("临江市2022年政府工作报告", None),  # a county-level city's 全市 is itself
])
def test_the_region_above_is_the_actor_of_its_figures(title, actor):
    report = extract_text(title + "\n一、2021年工作回顾\n全市地区生产总值增长7.5%，湘江新区实现地区生产总值4050亿元。\n")
    got = {i.text: i.actor for i in report.indicators}
    assert got["地区生产总值增长7.5%"] == actor, got
    assert got["地区生产总值4050亿元"] == "湘江新区"  # (not 湘江新区实现)


def test_a_towns_own_figures_name_the_town():
    report = extract_text("杭州市西湖区2025年政府工作报告\n一、2024年工作回顾\n全区居民人均可支配收入增长5.1%，"
                          "双浦镇农村居民人均可支配收入增长6.2%；城乡居民人均可支配收入分别增长4.4%、5.6%。\n")
    got = {i.text.split("收入")[-1]: i.actor for i in report.indicators}
    assert got == {"增长5.1%": None, "增长6.2%": "双浦镇", "分别增长4.4%": None, "5.6%": None}, got
