"""Section headings: levels, run-in titles, sequence checks, parts."""
import pytest

from pipeline import extract_text

REPORT = """某某区司法局2025年法治政府建设年度报告
2025年，区司法局坚持依法行政。
一、2025年推进法治政府建设的主要举措和成效
（一）加强组织领导
1.健全工作机制。区司法局召开党组会12次，研究法治议题5项。
2.强化学法用法。组织专题学法4次。
5、6月份，组织开展执法检查3次。
（2）完善制度。制定制度3项。
(二)推进依法决策
一是严格决策程序。审查重大行政决策事项2项。二是加强合法性审查。审查合同15件。
（三）落实主要负责人履行推进法治建设第一责任人职责情况
主要负责人带头学法。
二、存在的不足和原因
一是学习不够深入。
三、2026年工作打算
力争开展普法活动20场。
四、其他需要报告的情况
无。
"""


@pytest.fixture(scope="module")
def report():
    return extract_text(REPORT)


def _find(report, marker):
    return [s for s in report.sections if s.marker == marker]


@pytest.mark.parametrize("marker, level, title, part", [
    ("一、", 1, "2025年推进法治政府建设的主要举措和成效", "achievements"),
    ("（一）", 2, "加强组织领导", "achievements"),
    ("1.", 3, "健全工作机制", "achievements"),              # run-in: titled up to 。
    ("2.", 3, "强化学法用法", "achievements"),
    ("(二)", 2, "推进依法决策", "achievements"),            # half-width brackets
    ("一是", 4, "严格决策程序", "achievements"),            # inline enumeration
    ("二是", 4, "加强合法性审查", "achievements"),
    ("（三）", 2, "落实主要负责人履行推进法治建设第一责任人职责情况", "leadership_duties"),  # own heading wins
    ("二、", 1, "存在的不足和原因", "shortcomings"),
    ("三、", 1, "2026年工作打算", "next_year_plans"),
    ("四、", 1, "其他需要报告的情况", "other"),
])
def test_headings(report, marker, level, title, part):
    found = [s for s in _find(report, marker) if s.title == title]
    assert found, [(s.marker, s.title) for s in report.sections]
    assert found[0].level == level
    assert found[0].part == part


def test_numbered_running_text_is_not_a_heading(report):
    # "5、6月份…" comes after heading 2. at level 3: 5 does not continue the sequence
    assert not _find(report, "5、")


def test_tree_ids_and_spans(report):
    ids = [s.id for s in report.sections]
    assert len(ids) == len(set(ids))
    one = _find(report, "一、")[0]
    for s in report.sections:
        assert 0 <= s.span[0] < s.span[1] <= len(report.text)
        if s.id.startswith(one.id + "."):
            assert one.span[0] <= s.span[0] and s.span[1] <= one.span[1]


def test_indicators_take_section_and_modality(report):
    plan = next(i for i in report.indicators if i.value == 20)
    assert plan.part == "next_year_plans" and plan.modality == "planned"
    meetings = next(i for i in report.indicators if i.value == 12)
    assert meetings.part == "achievements" and meetings.section_id.startswith("1.1")


def test_level1_heading_and_inline_level2_on_one_line():
    r = extract_text("报告\n一、主要举措和成效 （一）加强党的领导，健全机制。召开会议3次。\n（二）深化改革\n")
    assert [(s.level, s.marker) for s in r.sections if s.level < 4] == [(1, "一、"), (2, "（一）"), (2, "（二）")]


def test_first_part_heading():
    r = extract_text("第一部分 工作成效\n开展培训3次。\n第二部分 存在问题\n")
    assert [(s.level, s.part) for s in r.sections] == [(1, "achievements"), (1, "shortcomings")]


def test_eleven_and_beyond():
    from pipeline.sections import ordinal

    assert [ordinal(x) for x in ("十", "十一", "十九", "二十", "二十三", "12", "其三")] == [10, 11, 19, 20, 23, 12, 3]
    numerals = "一 二 三 四 五 六 七 八 九 十 十一 十二".split()
    text = "\n".join(f"{n}、第{n}项工作\n开展检查{i + 1}次。" for i, n in enumerate(numerals))
    r = extract_text("报告\n" + text)
    assert [s.marker for s in r.sections if s.level == 1] == [f"{n}、" for n in numerals]


# Titles of every kind: naming a part of some report type, or none.
PART_TITLES = ["2024年推进法治政府建设工作情况", "存在的不足和原因", "下一步工作打算", "主要负责人履行推进法治建设第一责任人职责情况",
               "其他需要报告的情况", "加强组织领导", "深化改革", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
               "2025年工作回顾", "2026年经济社会发展总体要求和主要预期目标", "重点工作", "政府自身建设", "健全依法决策机制",
               "明年工作安排", "一年来的工作", "其他事项", "", "成效显著"]


def test_one_search_over_every_part_pattern_agrees_with_each_pattern():
    # the fast path of _part_of: for every report type's rules, the joined
    # pattern finds a title exactly when one of the part patterns does
    from pipeline.rules import load_rules

    rules = load_rules()
    for srules in [rules.sections] + [pack.sections for pack in rules.packs.values()]:
        assert srules.any_part_re is not None
        for title in PART_TITLES:
            assert (srules.any_part_re.search(title) is not None) == any(p.search(title) for _, p in srules.parts), title


def test_a_numbered_heading_whose_title_starts_with_ri_is_no_date():
    from pipeline import extract_text

    r = extract_text("某县卫生健康局2024年法治政府建设情况报告\n一、主要举措和成效\n"
                     "1.日常监督检查。以公共场所为重点。\n2.案件查处。严厉打击非法行医。\n全年办结案件覆盖1、2月份。\n")
    assert [(s.marker, s.title) for s in r.sections][1:] == [("1.", "日常监督检查"), ("2.", "案件查处")]


def test_a_bracketed_list_inside_a_numbered_item_keeps_the_numbers_around_it():
    """（1）…（3） inside "1." count on their own: "2." after "（3）" is still a heading."""
    from pipeline import extract_text

    report = extract_text("某局2024年法治政府建设情况报告\n一、主要举措\n1.开展监督检查。全年检查12次。\n"
                          "（1）常态化检查。检查企业20家。\n（2）库存检查。检查3次。\n（3）依法查处。查处2起。\n"
                          "2.推进双随机监管。抽查9次。\n3.抓好安全生产。检查28次。\n")
    assert [s.marker for s in report.sections] == ["一、", "1.", "（1）", "（2）", "（3）", "2.", "3."]
