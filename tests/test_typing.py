"""Typing by the number's own clause and head noun, and labels of `other` by the counted noun (issue 14).

Sentences made up for this test, in the shapes that mistyped on unseen reports.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

# (sentence, value, unit, indicator)
TYPES = [
    # a reach word counts the people of the activity its sentence names
    ("组织执法人员业务培训5期，覆盖320余人次。", 320, "人次", "legal_training_participants"),
    ("开展普法宣传活动22场，覆盖群众1.2万人次。", 12000, "人次", "legal_publicity_reach"),
    # …and with no activity named, only in a sentence about the law
    ("举办线上法律知识竞赛，参与人数达3.5万人次。", 35000, "人次", "legal_publicity_reach"),
    ("发放各类优抚资金860万元，惠及优抚对象1.2万人次。", 12000, "人次", "other"),
    # staff taking an exam or a training are examinees and trainees, not people reached
    ("全局56名干部职工参加全市学法考试。", 56, "名", "legal_training_participants"),
    ("对新入库企业的206名统计人员开展业务和法治培训。", 206, "名", "legal_training_participants"),
    ("举办年轻干部法治能力提升班2期。", 2, "期", "legal_training_sessions"),
    # the hearing attended, not the case inside its name
    ("组织干部旁听行政诉讼案件庭审1次。", 1, "次", "court_hearing_attendance"),
    # a report on duty at a meeting is no meeting held
    ("年底在区委全面依法治区委员会会议上述法1次。", 1, "次", "other"),
    # a press conference is no governance meeting (no_id_cues), a meeting after it is
    ("全年召开新闻发布会28场。", 28, "场", "other"),
    ("召开新闻发布会后，召开专题会议3次。", 3, "次", "meetings_held"),
    ("对重点涉法信访事项批示督办21件。", 21, "件", "other"),
    ("公开征求意见，收到意见建议153条。", 153, "条", "other"),
    # a part of the publicity events, though 讲座 alone could be a training
    ("开展法治宣传活动46场，其中以案释法巡回讲座6场。", 6, "场", "legal_publicity_events"),
    ("全镇仍有3个村未建成规范化人民调解室。", 3, "个", "other"),
    ("对审议事项和重大合同开展合法性审查112件。", 112, "件", "legality_reviews"),
    # 梳理 counts documents gone through in a clean-up, nothing else it goes through
    ("开展规范性文件集中清理，共梳理文件418件。", 418, "件", "normative_documents_cleaned"),
    ("全面梳理行政执法事项清单，共梳理事项356项。", 356, "项", "other"),
    ("调整企业行政执法检查监测点33家。", 33, "家", "other"),
    ("全年代理各类诉讼案件1980件。", 1980, "件", "other"),
    # a count of bodies that act is not typed by what they did
    ("县市场监管、生态环境等21个部门开展随机抽查427次。", 21, "个", "other"),
    ("仍有5个乡镇未配备专职法制审核人员。", 5, "个", "other"),
    ("将9项事项纳入市政府重大行政决策目录。", 9, "项", "major_decisions"),
    ("认真办理司法建议3件、检察建议5件。", 3, "件", "judicial_suggestions"),
    ("组织清理存量政策文件124件。", 124, "件", "normative_documents_cleaned"),
    ("会同公安等部门开展校园安全检查46次。", 46, "次", "enforcement_inspections"),
    ("全年开展青少年法治教育活动不少于300场。", 300, "场", "legal_publicity_events"),
    ("全年受理信访事项1200件，信访事项化解率92%。", 92, "%", "other"),
    ("备案审查规范性文件486件，备案审查纠错率3.5%。", 3.5, "%", "other"),
    ("新申领执法证件的146名人员全部参加执法资格考试。", 146, "名", "legal_training_participants"),
    ("新收行政复议案件1.37万件，同比增长21.4%；审结1.22万件。", 12200, "件", "admin_reconsideration_cases"),
    ("新建医疗纠纷等行业性专业性调解组织3个。", 3, "个", "other"),
    ("编印《疫情防控法律知识问答》5000份。", 5000, "份", "legal_publicity_materials"),
    ("带头讲授安全生产法治专题课1次。", 1, "次", "legal_training_sessions"),
    ("汛期依法启动防汛应急响应4次，提前转移安置受威胁群众1.2万人。", 12000, "人", "other"),
    ("开展法治宣传活动46场，其中巡回讲座6场，受教育群众达1.3万人次。", 13000, "人次", "legal_publicity_reach"),
    ("行政机关负责人出庭应诉率、行政诉讼败诉率分别为100%和4.8%。", 4.8, "%", "litigation_loss_rate"),
    ("行政机关负责人出庭应诉率、行政诉讼败诉率分别为100%和4.8%。", 100, "%", "court_appearance_rate"),
    ("对11家企业作出警告处罚。", 11, "家", "enforcement_cases"),
    # contracts among other things reviewed: a legality review
    ("对局发文件、合同协议开展合法性审查31件。", 31, "件", "legality_reviews"),
    ("对合同协议开展合法性审查39份。", 39, "份", "contracts_reviewed"),
    ("开展宪法宣传活动12场，惠及群众3000人次。", 3000, "人次", "legal_publicity_reach"),
    # the cases of a reconsideration paragraph are reconsideration cases
    ("全年收到行政复议申请和应诉案件共计46件。其中，行政复议案件共计31件，维持25件。", 31, "件",
     "admin_reconsideration_cases"),
    ("局领导班子组织集体学法活动9次。", 9, "次", "study_sessions"),
    # the number closes a noun of its own: the cue after it names something else
    ("重大行政决策事项5项全部履行公众参与、专家论证程序。", 5, "项", "major_decisions"),
    # a generic verb counts its object: only the objects its rule counts
    ("设立税费争议调解室172个。", 172, "个", "other"),
    ("修订村规民约23份。", 23, "份", "other"),
    ("依法发放排污许可证156张。", 156, "张", "other"),
    ("修订完善管理办法12件。", 12, "件", "normative_documents_cleaned"),
    ("发放普法宣传手册5000余册。", 5000, "册", "legal_publicity_materials"),
    ("调解矛盾纠纷386件。", 386, "件", "disputes_mediated"),
    # a campaign named after the law, in quotes, goes anywhere
    ("组织“法律进文化礼堂”活动42场。", 42, "场", "legal_publicity_events"),
    # a permit's review is no legality review (审核 alone is)
    ("其中防雷装置设计审核68件、竣工验收61件。", 68, "件", "other"),
    ("其中防雷装置设计审核68件、竣工验收61件。", 61, "件", "other"),
    ("审核各类文件15件。", 15, "件", "legality_reviews"),
    # bodies acted on, not bodies that act (object_openers)
    ("对情节轻微并及时改正的4家单位依法不予处罚。", 4, "家", "enforcement_cases"),
    ("4家单位开展自查自纠。", 4, "家", "other"),
    # …after a word of time or intent, but not in a word that only begins with it (object_openers_not)
    ("全年对全市126家机关、团体、企事业单位开展档案工作监督检查。", 126, "家", "enforcement_inspections"),
    ("全年对照全市126家机关、团体、企事业单位开展档案工作监督检查。", 126, "家", "other"),
    # people sent to do something are counted by what they did (organiser_openers)
    ("组织执法人员36名到区人民法院旁听庭审1次。", 36, "名", "court_hearing_attendance"),
    ("全局现有执法人员36名。", 36, "名", "enforcement_personnel"),
    # a head count in the clause after an activity: who took part in it
    ("组织行政执法人员旁听庭审4次，参与120余人次。", 120, "人次", "court_hearing_attendance"),
    ("召开常务会议12次，参会120人次。", 120, "人次", "other"),
    # a list after 其中 goes on past a cued item, and its generic items are of the total
    ("主动公开政府信息215条，其中政策文件12条、预警信息163条、其他40条。", 163, "条", "documents_published"),
    ("主动公开政府信息215条，其中政策文件12条、预警信息163条、其他40条。", 40, "条", "documents_published"),
    ("全年开展合法性审查57件，其中规范性文件2件、合同协议41份、其他文件13件。", 13, "件", "legality_reviews"),
    ("全年开展合法性审查57件，其中规范性文件2件、合同协议41份、其他文件13件。", 2, "件",
     "normative_documents_reviewed"),
    # parts in 场 of a total in 场次 (units.yaml alike)
    ("开展气象法律法规宣传活动26场次，其中进企业9场、进校园7场。", 9, "场", "legal_publicity_events"),
    # a 等 list the number counts, closed by the cue; not when the cue is no item's head
    ("发放法规解读、防雷安全宣传资料等1.35万份。", 13500, "份", "legal_publicity_materials"),
    ("为企业办理合同公证、证据保全公证等48件。", 48, "件", "other"),
    ("修订考勤、请假等制度20余个。", 20, "个", "other"),
    ("开展普法讲座58场。", 58, "场", "legal_publicity_events"),
    ("通过门户网站公开征求意见11次。", 11, "次", "public_participation_events"),
    ("公共法律服务平台接待群众咨询8652人次。", 8652, "人次", "legal_opinions_issued"),
    ("接待群众来访326人次。", 326, "人次", "petitions_handled"),
    # a qualification of some of the staff, enterprises' lawsuits: no id counts them
    ("16名持证人员中具有法学专业背景的仅2名。", 2, "名", "other"),
    ("指导区属企业依法办结涉企诉讼案件5件。", 5, "件", "other"),
    # a word no id counts makes the number other, and lends it no id of the one before…
    ("查处非法采砂案件53起，移送司法机关6起。", 6, "起", "other"),
    ("参与处理信访、诉讼等涉法事务17件。", 17, "件", "other"),
    ("对复议应诉等工作作出批示11件。", 11, "件", "other"),
    # …but after 其中 a part is of its total, whatever words describe it
    ("立案查处违法案件6起，其中未经设计审核擅自施工2起、违规升放气球1起。", 2, "起", "enforcement_cases"),
    # a kind of document is no act: the review before it types the part
    ("完成合法性审查162件，其中规范性文件和政策文件41件、合同协议76份。", 41, "件", "normative_documents_reviewed"),
    ("在局机关各楼层设置法治宣传栏5块。", 5, "块", "other"),
    ("检查出租车、网约车1.2万台次。", 12000, "台次", "other"),
    ("每名执法人员年度培训不少于60学时。", 60, "学时", "other"),
    # the topics of 2025 reports
    ("组织120名行政执法人员旁听庭审。", 120, "名", "court_hearing_attendance"),
    ("涉企行政检查次数同比压减10%以上。", -10, "%", "enforcement_inspections"),
    ("评查行政处罚案卷760件、行政许可案卷420件。", 420, "件", "case_files_reviewed"),
    ("行政机关负责人出庭应诉案件118件。", 118, "件", "court_appearances"),
    ("审结372件；直接纠错41件。", 41, "件", "admin_reconsideration_cases"),
    ("全市开展公平竞争审查1286件。", 1286, "件", "other"),
    ("开展行政执法监督检查16次。", 16, "次", "other"),
    ("办理案件3721件。其中，价格案件318件，依法移送司法机关涉嫌犯罪案件41件。", 41, "件", "other"),
    ("办理案件3721件。其中，价格案件318件，查办案值超百万元案件23件。", 23, "件", "enforcement_cases"),
    ("食品、工业产品监督抽检合格率分别为98.6%、95.7%。", 95.7, "%", "other"),
    ("二是依法查处科研失信案件5起。", 5, "起", "enforcement_cases"),
    ("严肃查处违规案件12起。", 12, "起", "enforcement_cases"),
    ("二是选派12名业务骨干参加省科技厅举办的科技领域执法业务培训。", 12, "名", "legal_training_participants"),
    ("抽查科技计划项目承担单位45家。", 45, "家", "enforcement_inspections"),
    ("办理技术合同认定登记1.86万项。", 18600, "项", "other"),
    ("印发年度重大行政决策事项目录，将调整最低工资标准等9项事项纳入目录管理。", 9, "项", "major_decisions"),
    ("将15项行政处罚事项纳入随机抽查事项目录。", 15, "项", "other"),
    ("计划制定、修订自治区政府规章6部左右。", 6, "部", "other"),
    ("全年共对146家企业开展节能监察。", 146, "家", "enforcement_inspections"),
    ("开展定期检查12次。", 12, "次", "enforcement_inspections"),
    ("全年开展海上巡航执法186航次。", 186, "航次", "enforcement_inspections"),
    ("会同29个街镇开展联合执法。", 29, "个", "other"),
    ("全区94个人民调解委员会全年排查调解矛盾纠纷4316件。", 94, "个", "other"),
    ("全区4个镇综合执法队平均仅有执法人员7名。", 7, "名", "other"),
    ("召开听证会2场，通过门户网站征求公众意见137条，采纳41条。", 137, "条", "other"),
    ("对重大行政决策草案征求公众意见137条。", 137, "条", "other"),
    ("依法清理取缔涉渔“三无”船舶138艘。", 138, "艘", "other"),
    ("其中年综合能耗5000吨标准煤以上的重点用能企业62家。", 62, "家", "other"),
]

# (sentence, value, unit, label)
LABELS = [
    ("组建6个工作专班，集中整治突出问题。", 6, "个", "工作专班"),
    ("梳理公布860个服务事项。", 860, "个", "服务事项"),
    ("辖区12个社区全部完成居民公约修订。", 12, "个", "社区"),
    ("学习重点内容18项。", 18, "项", "学习重点内容"),
]


def _indicator(sentence: str, value, unit: str):
    from pipeline import extract_text

    report = extract_text("某区司法局2024年法治政府建设情况报告\n一、主要工作\n" + sentence + "\n")
    found = [i for i in report.indicators if i.value == Decimal(str(value)) and i.unit == unit]
    assert len(found) == 1, [(i.value, i.unit, i.indicator) for i in report.indicators]
    return found[0]


@pytest.mark.parametrize("sentence, value, unit, indicator", TYPES, ids=[t[0][:14] for t in TYPES])
def test_type_by_own_clause_and_head_noun(sentence, value, unit, indicator):
    assert _indicator(sentence, value, unit).indicator == indicator


@pytest.mark.parametrize("sentence, value, unit, label", LABELS, ids=[t[0][:12] for t in LABELS])
def test_label_of_other_is_the_counted_noun(sentence, value, unit, label):
    ind = _indicator(sentence, value, unit)
    assert (ind.indicator, ind.label) == ("other", label)


def test_a_moot_court_is_no_plan():
    # 模拟法庭: the 拟 of 模拟 is no 拟 (to plan)
    assert _indicator("举办青少年法治教育讲座和模拟法庭等活动268场。", 268, "场").modality == "achieved"
