"""Indicators: typing by cue, enumerations, non-indicators, measure, modality, actor.

Each case is (sentence, expected) with our own sentences written in the style
of real reports. Known failures stay visible as xfail.
"""
from decimal import Decimal

import pytest

from pipeline import extract_text


def run(text):
    return extract_text(text)


def triples(report):
    return [(i.indicator, i.value, i.unit) for i in report.indicators]


D = Decimal

TYPED = [
    ("区长出庭应诉4次。", [("court_appearances", D(4), "次")]),
    ("全年处理信息公开申请35件、行政复议9件、行政诉讼3件。",
     [("info_disclosure_requests", D(35), "件"), ("admin_reconsideration_cases", D(9), "件"),
      ("admin_litigation_cases", D(3), "件")]),
    ("严格把关4项重大行政决策事项。", [("major_decisions", D(4), "项")]),
    ("行政机关负责人出庭应诉率达到100%。", [("court_appearance_rate", D(100), "%")]),
    ("法律知识考试合格率为百分之百。", [("law_exam_pass_rate", D(100), "%")]),
    ("办理人大代表建议和政协提案1.2万件。", [("proposals_handled", D(12000), "件")]),
    ("收缴罚没款3.5亿元。", [("enforcement_fines", D(350000000), "元")]),
    ("罚款120万元。", [("enforcement_fines", D(1200000), "元")]),
    ("全县86名执法人员全部持证上岗。", [("enforcement_personnel", D(86), "名")]),
    ("发放宣传资料3000余份，受众1.5万人次。",
     [("legal_publicity_materials", D(3000), "份"), ("legal_publicity_reach", D(15000), "人次")]),
    ("审查规范性文件十四件。", [("normative_documents_reviewed", D(14), "件")]),
    ("组织旁听庭审两次。", [("court_hearing_attendance", D(2), "次")]),
    # the numbers after a total take its id: parts of the same cases
    ("收到行政复议申请20件，维持14件，撤销2件。",
     [("admin_reconsideration_cases", D(20), "件"), ("admin_reconsideration_cases", D(14), "件"),
      ("admin_reconsideration_cases", D(2), "件")]),
    # no cue: other, labelled with the noun phrase
    ("梳理权责清单事项1280项。", [("other", D(1280), "项")]),
    # a specific cue beats a generic one next to the number
    ("邀请群众代表列席常务会议2次。", [("public_participation_events", D(2), "次")]),
    # two measures of one thing written together share its id
    ("全年接待群众来访210批次830人次。",
     [("petitions_handled", D(210), "批次"), ("petitions_handled", D(830), "人次")]),
    # a rate named in its own words is its own fact, not a part of the count before it
    ("受理信访事项300件，办结率97%。", [("petitions_handled", D(300), "件"), ("other", D(97), "%")]),
    ("评查行政执法案卷150卷。", [("case_files_reviewed", D(150), "卷")]),
    # a bare 合格率 after case files is their pass rate, not an exam's
    ("评查行政执法案卷80卷，合格率97%。", [("case_files_reviewed", D(80), "卷"), ("other", D(97), "%")]),
    ("组织学法用法考试，参考人员300人，合格率99%。",
     [("legal_training_participants", D(300), "人"), ("law_exam_pass_rate", D(99), "%")]),
    # a cue inside a document's name is not what is counted
    ("组织学习《信访工作条例》等法规6次。", [("study_sessions", D(6), "次")]),
    # enforcement vocabulary beyond 行政处罚: public-order cases, non-penalty decisions
    ("受理治安案件860起，查处702起。",
     [("enforcement_cases", D(860), "起"), ("enforcement_cases", D(702), "起")]),
    ("对轻微违法行为依法不予处罚15件。", [("enforcement_cases", D(15), "件")]),
    # a verb and its object together name more than either word alone
    ("培训执法人员320人次。", [("legal_training_participants", D(320), "人次")]),
    ("组织45名干部参加法治专题培训。", [("legal_training_participants", D(45), "名")]),
    ("对拟出台的规范性文件进行合法性审核5件。", [("normative_documents_reviewed", D(5), "件")]),
    ("清理交通运输领域规范性文件12件。", [("normative_documents_cleaned", D(12), "件")]),
    ("处理合同、协议的起草、审核工作13件。", [("contracts_reviewed", D(13), "件")]),
    # the measure word says what is counted: files (卷), certificates (张), documents (份)
    ("抽查案卷60卷。", [("case_files_reviewed", D(60), "卷")]),
    ("注销执法证件12张。", [("enforcement_personnel", D(12), "张")]),
    ("公开行政处罚决定书300份。", [("documents_published", D(300), "份")]),
    ("提出行政复议意见书4份。", [("other", D(4), "份")]),
    ("组织矛盾纠纷集中排查12轮。", [("other", D(12), "轮")]),
    # dispute kinds jieba keeps whole, 接访, the 进 campaigns of 普法
    ("调解医疗纠纷56件。", [("disputes_mediated", D(56), "件")]),
    ("带头接访群众18批次。", [("petitions_handled", D(18), "批次")]),
    ("开展“法律进社区”活动20场。", [("legal_publicity_events", D(20), "场")]),
    # generic words that name no indicator of the catalog on their own
    ("指导企业申请注册商标300件。", [("other", D(300), "件")]),
    ("接听群众咨询1.2万个。", [("other", D(12000), "个")]),
    ("解答群众咨询100余人次。", [("legal_opinions_issued", D(100), "人次")]),
    # a generic cue in the number's own clause beats a specific one in an earlier clause
    ("将习近平法治思想作为党工委会议“第一议题”，全年学习12次。", [("study_sessions", D(12), "次")]),
    # a share or rate named in its own words is not the rate before it
    ("参加执法资格考试，通过率96%；持证民警占比98%。",
     [("law_exam_pass_rate", D(96), "%"), ("other", D(98), "%")]),
    # a cue inside a slogan names the slogan
    ("推行“四议两公开”工作法，村级决策事项30项。", [("other", D(30), "项")]),
    # parts after a total take its id across a change, and after 其中 across other measures
    ("收到行政复议申请50件，同比增长10%，审结45件。",
     [("admin_reconsideration_cases", D(50), "件"), ("admin_reconsideration_cases", D(10), "%"),
      ("admin_reconsideration_cases", D(45), "件")]),
    ("办理行政处罚案件200件，罚没款300万元。其中，食品安全案件80件、药品案件20件。",
     [("enforcement_cases", D(200), "件"), ("enforcement_fines", D(3000000), "元"),
      ("enforcement_cases", D(80), "件"), ("enforcement_cases", D(20), "件")]),
    ("受理行政复议申请40件，审结36件。审结案件中，维持30件，撤销4件。",
     [("admin_reconsideration_cases", D(40), "件"), ("admin_reconsideration_cases", D(36), "件"),
      ("admin_reconsideration_cases", D(30), "件"), ("admin_reconsideration_cases", D(4), "件")]),
    ("受理信息公开申请30件，其中予以公开20件、不予公开4件。",
     [("info_disclosure_requests", D(30), "件"), ("info_disclosure_requests", D(20), "件"),
      ("info_disclosure_requests", D(4), "件")]),
    # …but not across ；, where a new statement begins
    ("调解纠纷41件；指导企业申请商标1260件。",
     [("disputes_mediated", D(41), "件"), ("other", D(1260), "件")]),
    # one noun naming two indicators, then 分别: one id per number, in order
    ("行政复议、行政诉讼案件分别为8件、3件。",
     [("admin_reconsideration_cases", D(8), "件"), ("admin_litigation_cases", D(3), "件")]),
    ("收到行政诉讼和复议案件分别为5件、9件。",
     [("admin_litigation_cases", D(5), "件"), ("admin_reconsideration_cases", D(9), "件")]),
    ("行政机关负责人出庭应诉率、败诉率分别为100%、2.5%。",
     [("court_appearance_rate", D(100), "%"), ("litigation_loss_rate", D("2.5"), "%")]),
]


@pytest.mark.parametrize("text, expected", TYPED, ids=[t for t, _ in TYPED])
def test_typed(text, expected):
    assert triples(run(text)) == expected


NOT_INDICATORS = [
    "2025年度，区政府对标“一规划两纲要”目标任务。",
    "坚持“三重一大”事项集体决策，落实“第一议题”制度。",
    "纳入“三会一课”学习内容，增强“四个意识”，做到“两个维护”。",
    "学习贯彻党的二十届四中全会精神。",
    "第37次常务会议审议通过，依据第二十条规定。",
    "印发《实施方案》（区政办发〔2023〕76号）。",
    "一是加强领导。二是完善机制。",
    "按时办结市、区两级交办事项。",
    "编制“十四五”法治政府建设规划。",
    "3月29日召开会议，2019年1月7日印发。",
    "形成了一批可复制的经验。",
    "坚持每周三组织集中学习。",
    "落实行政执法“三项制度”，推行“两张清单”。",
    "前三季度工作进展顺利，近三年持续推进。",
    # a money threshold qualifies the cases, it is not an amount
    "对罚没款超过50万元的案件实行集体讨论。",
    "标的额100万元以上的合同须经合法性审查。",
    "开通12345热线和110报警服务台，开展“4·15”全民国家安全教育日宣传。",
]


@pytest.mark.parametrize("text", NOT_INDICATORS)
def test_not_indicators(text):
    assert run(text).indicators == ()


def test_whole_words_only():
    # 行政复议局 is an office: its name holds the cue but is not the cue
    r = run("行政复议局的地址变更，共接待来访群众30人次。")
    assert [i.indicator for i in r.indicators] == ["petitions_handled"]


@pytest.mark.parametrize("text, measure, value, unit", [
    ("行政复议案件同比增长20%。", "change_pct", D(20), "%"),
    ("行政诉讼案件较上年减少5件。", "change_abs", D(-5), "件"),
    ("败诉率为2.5%，同比下降3.2个百分点。", "change_abs", D("-3.2"), "pp"),
    ("受理行政复议案件比上年增加12件。", "change_abs", D(12), "件"),
])
def test_measure(text, measure, value, unit):
    changes = [i for i in run(text).indicators if i.measure != "level"]
    assert [(i.measure, i.value, i.unit) for i in changes] == [(measure, value, unit)]


def test_several_changes_of_one_level():
    r = run("受理行政复议案件120件，同比增长20%，较上年增加20件。")
    assert [(i.indicator, i.measure, i.value) for i in r.indicators] == [
        ("admin_reconsideration_cases", "level", D(120)),
        ("admin_reconsideration_cases", "change_pct", D(20)),
        ("admin_reconsideration_cases", "change_abs", D(20)),
    ]


def test_a_list_of_changes_after_fenbie_maps_in_order():
    r = run("办理案件120件，罚没款80万元，同比分别下降5%和3%。")
    assert [(i.indicator, i.measure, i.value) for i in r.indicators] == [
        ("enforcement_cases", "level", D(120)),
        ("enforcement_fines", "level", D(800000)),
        ("enforcement_cases", "change_pct", D(-5)),
        ("enforcement_fines", "change_pct", D(-3)),
    ]


def test_change_of_a_rate_keeps_the_rate_id():
    r = run("行政诉讼败诉率为2.5%，同比下降3.2个百分点。")
    assert [i.indicator for i in r.indicators] == ["litigation_loss_rate", "litigation_loss_rate"]


@pytest.mark.parametrize("text, modality", [
    ("力争全年开展普法活动50场。", "planned"),
    ("计划组织法治培训6期。", "planned"),
    ("全年开展普法活动50场。", "achieved"),
    ("拟于明年开展普法活动50场。", "planned"),
    # 拟定 (drafted) and 拟出台的 (a document named by its plan) are not plans
    ("对拟定的合同开展合法性审查39份。", "achieved"),
    ("对拟出台的规范性文件审查2件。", "achieved"),
])
def test_modality(text, modality):
    assert [i.modality for i in run(text).indicators] == [modality]


def test_actor():
    r = run("区委书记作为第一责任人带头学法。区长作为行政机关负责人出庭应诉2次，分管领导作为行政机关负责人出庭应诉5次。")
    assert [(i.actor, i.value) for i in r.indicators] == [(None, D(2)), ("分管领导", D(5))]


@pytest.mark.parametrize("text, qualifier, value, high", [
    ("开展普法活动30余场。", "over", D(30), None),
    ("开展普法活动约30场。", "about", D(30), None),
    ("开展普法活动近30场。", "nearly", D(30), None),
    ("开展普法活动3至5场。", None, D(3), D(5)),
])
def test_qualifiers_and_ranges(text, qualifier, value, high):
    [i] = run(text).indicators
    assert (i.qualifier, i.value, i.value_high) == (qualifier, value, high)


def test_other_label():
    [i] = run("梳理权责清单事项1280项。").indicators
    assert i.label == "梳理权责清单事项" or i.label.endswith("清单事项")


def test_other_label_starts_after_a_list_separator():
    r = run("召开听证会1场、专家论证会2次。")
    other = [i for i in r.indicators if i.indicator == "other"]
    assert [(i.label, i.text) for i in other] == [("专家论证会", "专家论证会2次")]


def test_head_noun_between_cue_and_number():
    # 监测点 is one of indicators.yaml's no_id_cues: points, not inspections
    assert triples(run("设立行政执法检查监测点33家。")) == [("other", D(33), "家")]


def test_spans_exact_on_every_case():
    for text, _ in TYPED:
        r = run(text)
        for i in r.indicators:
            assert r.text[i.span[0]:i.span[1]] == i.text
            assert r.text[i.quantity_span[0]:i.quantity_span[1]] in i.text
