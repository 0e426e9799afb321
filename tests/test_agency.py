"""The comparison keys on reports no rule was written for: agency, region, year right or null, never garbage.

The agency grammar (rules/metadata.yaml: vertical prefix + regions + body +
suffix, with the words no agency name holds) rejects fragments; the shapes of
titles, issuer lines and opening sentences below are made up for this test in
the styles of real reports. tests/conftest.py also runs the grammar over
every agency any test of the session produces.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.metadata import agency_problem, read_metadata

ROOT = Path(__file__).resolve().parent.parent

# Fragments seen where a title was absent or unusual (made-up ones of the same shapes).
FRAGMENTS = [
    "2.加强督查。贯彻落实《",  # a heading with its marker
    "2.推进",
    "按照市司法局",  # a verb phrase
    "关于印发部发布",
    "人民政府和市委",  # two bodies, one a party organ
    "南开区人民政府和区委",
    "中共城关镇委员会",  # a party committee is no government agency
    "一、南开区司法局",
    "南开区司法局（盖章）",
    "局",  # a suffix alone
    "南开区教育局" * 6,  # too long to be one name
    "南开区推进法治",  # no agency suffix
]

NAMES = [
    "南开区人民政府办公室", "南开区人民政府", "南开区市场监督管理局", "国家税务总局河北省税务局",
    "国家税务总局苏州市吴中区税务局", "延边朝鲜族自治州人民政府", "鄂托克旗人民政府", "新市镇人民政府",
    "金桥街道办事处", "北山县人力资源和社会保障局", "杭州市规划和自然资源局", "宜宾市发展和改革委员会",
    "两江新区管理委员会", "长阳土家族自治县司法局", "浙江省人民政府办公厅", "重庆市长寿区卫生健康委员会",
    "安平县应急管理局", "江岸区城市管理执法局",
]


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_fragments_are_not_agencies(fragment, rules):
    assert agency_problem(fragment, rules.metadata) is not None


@pytest.mark.parametrize("name", NAMES)
def test_agency_names_pass_the_grammar(name, rules):
    assert agency_problem(name, rules.metadata) is None


# (id, opening of a report, year, region code (None: no code), agency, a substring of a warning or None)
SHAPES = [
    ("district-department-market", "南开区市场监督管理局2024年法治政府建设工作情况报告\n2024年，区市场监管局依法履职。",
     2024, "120104", "南开区市场监督管理局", None),
    ("district-department-municipal", "南开区市政管理局2023年法治政府建设情况报告",
     2023, "120104", "南开区市政管理局", None),
    ("provincial-tax-bureau", "国家税务总局河北省税务局2023年度法治政府建设情况报告",
     2023, "130000", "国家税务总局河北省税务局", None),
    ("county-tax-bureau-issuer-line", "国家税务总局苏州市吴中区税务局\n关于2023年法治政府建设情况的报告\n2023年，我局依法治税。",
     2023, "320506", "国家税务总局苏州市吴中区税务局", None),
    ("autonomous-prefecture-no-title", "2022年，阿坝藏族羌族自治州人民政府深入推进依法行政。",
     2022, "513200", "阿坝藏族羌族自治州人民政府", None),
    ("banner-in-city", "鄂尔多斯市鄂托克前旗人民政府关于2022年法治政府建设情况的报告",
     2022, "150623", "鄂尔多斯市鄂托克前旗人民政府", None),
    ("issuer-line-after-title", "关于2024年度法治政府建设情况的报告\n杭州市临安区人民政府\n2024年，临安区坚持依法行政。",
     2024, "330112", "杭州市临安区人民政府", None),
    ("township-addressee-first", "各位领导：\n现将我镇2023年法治政府建设情况报告如下。我镇地处德清县东部，新市镇党委高度重视。",
     2023, None, "新市镇人民政府", "新市镇 is a township"),
    ("township-not-its-district", "2023年，中共城关镇委员会、城关镇人民政府在榆中县委领导下坚持依法行政。",
     2023, None, "城关镇人民政府", "城关镇 is a township"),
    ("bare-city-prefix-resolved", "2024年，市司法局在市委、市政府领导下，统筹推进绍兴市法治政府建设，绍兴市各区县协同推进。",
     2024, "330600", "绍兴市司法局", None),
    ("bare-city-prefix-unresolved", "市市场监管局2024年法治政府建设工作报告\n2024年，市市场监管局坚持依法行政。",
     2024, None, None, "level word 市 only"),
    ("verb-phrase-never-an-agency", "2.加强督查。贯彻落实《法治政府建设实施纲要》，按照市司法局要求推进工作。\n2023年工作成效明显。",
     2023, None, None, "holds '按照'"),
    ("development-zone", "苏州工业园区管理委员会2023年法治政府建设情况报告",
     2023, None, "苏州工业园区管理委员会", None),
    ("subdistrict-of-a-district", "武侯区玉林街道办2023年法治政府建设工作报告",
     2023, None, "武侯区玉林街道办事处", "玉林街道 is a township"),
    ("year-from-heading", "法治政府建设情况报告\n一、2023年推进法治政府建设的主要举措\n全区扎实推进。",
     2023, None, None, None),
    ("year-from-plan-heading", "法治政府建设情况报告\n全区扎实推进。\n一、主要举措\n二、2025年工作计划\n力争开展培训。",
     2024, None, None, None),
    ("year-from-period", "法治政府建设情况报告\n报告期为2022年1月至12月。全区扎实推进依法行政。",
     2022, None, None, None),
    ("year-none", "法治政府建设情况报告\n全区扎实推进依法行政。", None, None, None, "year: no year"),
    # a clause that opens with 主动公开政府信息 names no government: a government names its region
    ("no-region-government", "#某局2023年政府信息公开工作年度报告\n全文包括总体情况、主动公开政府信息情况等六部分。",
     2023, None, None, "agency"),
]


@pytest.mark.parametrize("case", SHAPES, ids=[c[0] for c in SHAPES])
def test_metadata_shapes(case, rules):
    _, text, year, code, agency, warning = case
    warnings: list[str] = []
    meta = read_metadata(text, rules, warnings=warnings)
    assert meta.year == year
    assert (meta.region.code if meta.region else None) == code
    assert meta.agency == agency
    if agency is None and code is None:
        assert meta.region is None or meta.region.code is None
    if warning is not None:
        assert any(warning in w for w in warnings), warnings
    if agency is None:
        assert any(w.startswith("agency") for w in warnings), "a null agency must say why"


def _data_texts() -> list[Path]:
    return sorted((ROOT / "tests" / "data").rglob("*.txt")) + sorted((ROOT / "corpus").glob("*.txt"))


@pytest.mark.parametrize("path", _data_texts(), ids=lambda p: p.stem)
def test_agency_of_every_test_text_is_a_name(path, rules):
    """Every report text the tests ship gives a grammatical agency or none, and its region is in it."""
    from pipeline import extract

    report = extract(path, rules)
    meta = report.meta
    if meta.agency is None:
        assert any(w.startswith("agency") for w in report.warnings)
        return
    assert agency_problem(meta.agency, rules.metadata) is None, meta.agency
    if meta.region is not None:
        assert meta.region.name in meta.agency
