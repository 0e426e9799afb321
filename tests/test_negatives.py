"""Numbers inside slogans, structure words and frequencies are not figures (rules/stopwords.yaml).

Each shape of rules/stopwords.yaml's `patterns` has rows of its own: sentences
(made up for this test) whose slogan number must not be extracted, and
near-misses — sentences of the same look whose number IS a figure and must be.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import assert_no_negatives

# (shape, sentence, the phrase no number may come from)
NEGATIVES = [
    ("parallel", "推行一窗受理、一网通办、一次办结，群众满意率提升。", "一窗受理、一网通办、一次办结"),
    ("parallel", "压实一线、一岗、一责，执法规范化水平提高。", "一线、一岗、一责"),
    ("parallel", "坚持一事一议、一企一策，帮扶企业渡过难关。", "一事一议、一企一策"),
    ("paired", "建立一村一法律顾问制度，覆盖全部行政村。", "一村一法律顾问"),
    ("paired", "落实一周一例会制度，及时研判风险。", "一周一例会"),
    ("leading_bodies", "全县三套班子成员带头述法。", "三套班子"),
    ("structure", "存在的问题主要体现在三个方面。", "三个方面"),
    ("structure", "从五个方面明确工作要求，推动责任落实。", "五个方面"),
    ("structure", "将年度工作分解为八项重点任务，逐项落实。", "八项重点任务"),
    ("structure", "围绕年度目标明确五个方面21项具体任务。", "五个方面"),
    ("structure", "全文包括总体情况、收到和处理政府信息公开申请情况等六个部分。", "六个部分"),
    ("structure", "本报告由总体情况等六部分组成。", "六部分"),
    ("next", "在新一轮机构改革中，执法队伍得到整合。", "新一轮"),
    ("n_in_one", "构建党委领导、政府负责、社会协同三位一体工作格局。", "三位一体"),
    ("n_in_one", "推动多规合一改革落地见效。", "多规合一"),
    ("fixed_one", "全县上下一盘棋，织密基层治理一张网。", "一盘棋"),
    ("fixed_one", "全县上下一盘棋，织密基层治理一张网。", "一张网"),
    ("fixed_one", "坚持一张蓝图绘到底，推动规划实施。", "一张蓝图"),
    ("ordinal", "党政主要负责人切实履行第一责任人职责。", "第一责任人"),
    ("ordinal", "引入第三方机构开展评估2次。", "第三方"),
    ("frequency", "坚持每月开展一次执法检查，规范市场秩序。", "每月开展一次"),
    ("frequency", "每季度至少召开一次法治工作分析会。", "每季度至少召开一次"),
    ("frequency", "每半年组织一次村干部轮训。", "每半年组织一次"),
    ("frequency", "每月编发一期法治工作简报。", "每月编发一期"),
    ("term_session", "认真贯彻十四届全国人大三次会议精神。", "三次会议"),
    ("term_session", "按照县委十五届六次、七次全会部署推进各项工作。", "六次、七次"),
    ("negated", "全年审核文件均按期办结，没有一件因审查不严被纠错。", "没有一件"),
    ("negated", "全年无一起行政诉讼败诉案件。", "无一起"),
    ("negated", "提出审查意见180余条，未发现一件违法文件出台。", "一件"),
    ("threshold", "全年未发生一次死亡3人以上的较大生产安全事故。", "3人"),
    ("threshold", "县级行政复议机构未达到3人以上的专职人员配备要求。", "3人"),
    ("threshold", "对拟作出50万元以上罚款等重大执法决定的，全部进行法制审核。", "50万元"),
    ("round_the_clock", "安排专人24小时值守，解答群众咨询。", "24小时"),
    ("cap", "对查证属实的举报给予奖励，举报奖励最高可达20万元。", "20万元"),
    ("phase", "地铁5号线二期建成通车，轨道交通运营里程达到120公里。", "二期"),
    ("phase", "加快建设城东污水处理厂三期工程，年内完成主体施工。", "三期"),
    ("phase", "推动高新区数据中心二期项目开工建设。", "二期"),
    ("phase", "新港区一期、二期码头全面投入运营。", "一期、二期"),
    ("phase", "支架产业园二期扩建完成，新增企业15家。", "二期"),
    ("threshold", "新引进总投资超亿美元外资项目28个。", "亿美元"),
    ("threshold", "开工建设10亿元以上重大产业项目47个。", "10亿元"),
]

# (shape it resembles, sentence, value, unit): a figure that must be extracted
FIGURES = [
    ("parallel", "两期法治培训分别参训一百二十人、一百零五人。", 120, "人"),
    ("paired", "组织全镇干部参加法治培训两期，参训一百一十人次。", 110, "人次"),
    ("structure", "全年排查问题12个，其中3个部分整改到位。", 3, "个"),
    ("parallel", "全年开展执法检查12次、约谈企业一家。", 12, "次"),
    ("round_the_clock", "防汛期间累计值守240小时。", 240, "小时"),
    ("structure", "组建6个工作专班，集中整治突出问题。", 6, "个"),
    ("structure", "全年完成重点任务12项，完成率100%。", 12, "项"),
    ("structure", "梳理服务事项860个，全部实现网上办理。", 860, "个"),
    # the items after N个方面 are counted by coders of real reports (7个方面58项具体措施)
    ("structure", "围绕年度目标明确五个方面21项具体任务。", 21, "项"),
    ("leading_bodies", "全年调整执法人员3名。", 3, "名"),
    ("next", "开展法治培训一轮，覆盖全体干部。", 1, "轮"),
    ("fixed_one", "发放普法宣传册3800册。", 3800, "册"),
    ("frequency", "全年开展执法检查12次，检查企业460家次。", 12, "次"),
    ("frequency", "每季度开展集中学法，全年共4次。", 4, "次"),
    ("frequency", "法律顾问坐班每月不少于2次。", 2, "次"),
    ("ordinal", "召开第一次全体会议后，又召开专题会议3次。", 3, "次"),
    ("paired", "走访困难群众一户，发放资料一份。", 1, "份"),
    ("n_in_one", "整合执法队伍3支，实现一体化运行。", 3, "支"),
    ("term_session", "换届后召开三次会议，研究部署法治建设。", 3, "次"),
    ("negated", "没有发生一起安全事故，审结案件一件。", 1, "件"),
    ("threshold", "开工建设10亿元以上重大产业项目47个。", 47, "个"),
    ("cap", "全年兑现举报奖励2万元。", 20000, "元"),
    ("term_session", "第十届区人大代表参加培训3次。", 3, "次"),
    ("phase", "组织执法人员参加业务培训三期，参训280人次。", 3, "期"),
    ("phase", "举办法治讲座两期，全县干部参加。", 2, "期"),
    ("phase", "全年编印法治简报十二期。", 12, "期"),
    ("phase", "开办领导干部专题研讨班四期。", 4, "期"),
    ("phase", "市场监管所组织食品安全培训二期，覆盖经营户300家。", 2, "期"),
]


def _report(sentence: str):
    from pipeline import extract_text

    return extract_text("某县司法局2024年法治政府建设情况报告\n一、主要工作\n" + sentence + "\n")


@pytest.mark.parametrize("shape, sentence, phrase", NEGATIVES, ids=[f"{r[0]}:{r[2]}" for r in NEGATIVES])
def test_slogan_numbers_are_not_figures(shape, sentence, phrase):
    assert_no_negatives(_report(sentence), [phrase])


@pytest.mark.parametrize("shape, sentence, value, unit", FIGURES, ids=[f"{r[0]}:{r[1][:12]}" for r in FIGURES])
def test_near_misses_are_figures(shape, sentence, value, unit):
    found = [(i.value, i.unit) for i in _report(sentence).indicators]
    assert (Decimal(value), unit) in found, found


def test_every_shape_has_a_negative_and_a_near_miss():
    """A shape tested only one way could be too broad or do nothing unnoticed."""
    assert {r[0] for r in NEGATIVES} == {r[0] for r in FIGURES}
