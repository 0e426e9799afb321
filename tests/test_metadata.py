"""Agencies as their official full names, government or department, and the year reported on.

Titles and sentences are written in the style of real reports; none is
copied from one.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.errors import RulesError
from pipeline.metadata import read_metadata
from pipeline.regions import load_divisions
from pipeline.rules import default_rules_dir, load_rules

AGENCIES = [
    # (opening of the report, agency, agency_kind)
    ("南开区政府办2024年度法治政府建设情况报告", "南开区人民政府办公室", "department"),
    ("南开区政府办公室2024年度法治政府建设情况报告", "南开区人民政府办公室", "department"),
    ("南开区人民政府办公室2024年度法治政府建设情况报告", "南开区人民政府办公室", "department"),
    ("浙江省政府办公厅2023年法治政府建设工作报告", "浙江省人民政府办公厅", "department"),
    ("南开区2024年法治政府建设年度报告", "南开区人民政府", "government"),
    ("南开区政府关于2024年法治政府建设情况的报告", "南开区人民政府", "government"),
    ("宜宾市卫健委2023年法治政府建设工作报告", "宜宾市卫生健康委员会", "department"),
    ("宜宾市卫生健康委员会2023年法治政府建设工作报告", "宜宾市卫生健康委员会", "department"),
    ("宜宾市发改委2023年法治政府建设工作报告", "宜宾市发展和改革委员会", "department"),
    ("义乌市市场监管局2023年法治政府建设年度报告", "义乌市市场监督管理局", "department"),
    ("义乌市人社局2023年法治政府建设年度报告", "义乌市人力资源和社会保障局", "department"),
    ("义乌市住建局2023年法治政府建设年度报告", "义乌市住房和城乡建设局", "department"),
    ("义乌市应急局2023年法治政府建设年度报告", "义乌市应急管理局", "department"),
    ("义乌市医保局2023年法治政府建设年度报告", "义乌市医疗保障局", "department"),
    ("义乌市退役军人局2023年法治政府建设年度报告", "义乌市退役军人事务局", "department"),
    ("义乌市司法局2023年法治政府建设年度报告", "义乌市司法局", "department"),
    ("武侯区玉林街道办2023年法治政府建设工作报告", "武侯区玉林街道办事处", "government"),
    ("玉林街道2023年法治政府建设工作报告", "玉林街道办事处", "government"),
    ("天荒坪镇2023年法治政府建设工作报告", "天荒坪镇人民政府", "government"),
    ("梅林乡人民政府关于2023年法治政府建设的情况报告", "梅林乡人民政府", "government"),
    # a department named by its level word only takes the region the text names
    ("县发改委2023年度法治政府建设工作报告\n2023年，县发改委在义乌市委、市政府和兴国县委、县政府的领导下，服务兴国县发展。",
     "兴国县发展和改革委员会", "department"),
    ("区卫健委2022年法治政府建设工作总结\n2022年，区卫健委紧扣南开区卫生健康事业发展目标。",
     "南开区卫生健康委员会", "department"),
    # named only in the signature over the date at the end
    ("关于2022年度法治建设工作情况的报告\n2022年，我局坚持依法审计。\n一、主要工作\n全年完成审计项目30个。\n"
     "成都市武侯区审计局\n2023年2月15日\n", "成都市武侯区审计局", "department"),
    # no title: the first sentence's subject
    ("2023年，宜宾市人社局坚持以习近平法治思想为指导，扎实推进依法行政。", "宜宾市人力资源和社会保障局", "department"),
    ("2023年，我县坚持以习近平法治思想为指导，兴国县各部门扎实推进依法行政。", "兴国县人民政府", "government"),
]


@pytest.mark.parametrize("text,agency,kind", AGENCIES, ids=[a[1] + "-" + str(i) for i, a in enumerate(AGENCIES)])
def test_agency_full_name_and_kind(text, agency, kind, rules):
    meta = read_metadata(text, rules)
    assert (meta.agency, meta.agency_kind) == (agency, kind)


# (title, region name, region code): the region of a body whose own name holds
# a region suffix (住房和城乡建设局: 城乡 is no 乡)
BODY_REGIONS = [
    ("株洲市住房和城乡建设局2024年度法治政府建设工作报告", "株洲市", "430200"),
    ("桐庐县住房城乡建设局2023年法治政府建设年度报告", "桐庐县", "330122"),
    ("临安区住房和城乡建设局关于2023年法治政府建设情况的报告", "临安区", "330112"),
    ("天荒坪镇2023年法治政府建设工作报告", "天荒坪镇", None),
]


@pytest.mark.parametrize("title,name,code", BODY_REGIONS, ids=[b[0][:8] for b in BODY_REGIONS])
def test_region_of_a_body_named_for_a_region_word(title, name, code, rules):
    meta = read_metadata(title + "\n一、主要工作\n全年审核文件3件。\n", rules)
    assert (meta.region.name, meta.region.code) == (name, code)


YEARS = [
    # (opening, published, year reported on)
    ("关于2023年法治政府建设工作情况的报告\n2023年，我区坚持依法行政。", "2024-03-18", 2023),
    ("南开区2023年度法治政府建设情况报告", "2024-01-05", 2023),
    ("南开区人民政府关于2023年法治政府建设工作情况和2024年工作安排的报告", "2024-02-01", 2023),
    ("关于法治政府建设的情况报告\n2023年，南开区坚持以习近平法治思想为指导。", "2024-03-18", 2023),
    ("关于法治政府建设的情况报告\n2023年以来，南开区坚持以习近平法治思想为指导。", None, 2023),
    # a plan's period and a document's title hold years that are not the year reported on
    ("法治政府建设工作报告\n根据《法治政府建设实施纲要（2021—2025年）》要求，现将我区2022年度工作情况报告如下：", None, 2022),
    ("法治政府建设工作报告\n按照法治政府建设实施纲要(2021-2025年)的部署，现将2022年工作情况报告如下：", None, 2022),
    ("法治政府建设工作报告\n为落实《南开区2024年法治政府建设工作要点》，2023年，全区扎实推进依法行政。", None, 2023),
    # a date alone on its line is when it was written, not the year reported on
    ("关于法治政府建设的情况报告\n2024年3月15日\n2023年，全区扎实推进依法行政。", None, 2023),
    # only 上一年度 in the title: the year before publication
    ("南开区人民政府关于上一年度法治政府建设情况的报告\n全区扎实推进依法行政。", "2024-03-18", 2023),
    ("南开区人民政府关于上一年度法治政府建设情况的报告\n发布时间：2025-02-20 09:30\n全区扎实推进依法行政。", None, 2024),
    ("南开区人民政府关于去年法治政府建设情况的报告\n全区扎实推进依法行政。", "2022年3月1日", 2021),
    ("南开区人民政府关于上一年度法治政府建设情况的报告\n全区扎实推进依法行政。", None, None),
    # the publication date never gives the year by itself
    ("南开区法治政府建设情况报告\n全区扎实推进依法行政。", "2024-03-18", None),
    # a year in Chinese digits (〇, or ○ as often typed)
    ("南开区统计局二〇二二年度法治政府建设情况报告\n全局扎实推进依法统计。", None, 2022),
    ("关于法治政府建设的情况报告\n二○二三年，全区扎实推进依法行政。", None, 2023),
    ("南开区司法局二0二二年度法治政府建设情况报告\n全局扎实推进依法行政。", None, 2022),
]


@pytest.mark.parametrize("text,published,year", YEARS, ids=[str(i) for i in range(len(YEARS))])
def test_year_reported_on(text, published, year, rules):
    assert read_metadata(text, rules, published=published).year == year


def test_previous_year_title_still_names_its_issuer(rules):
    meta = read_metadata("南开区人民政府关于上一年度法治政府建设情况的报告", rules, published="2024-03-18")
    assert (meta.agency, meta.region.name, meta.year) == ("南开区人民政府", "南开区", 2023)


def _copy_rules(tmp_path: Path) -> Path:
    dest = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), dest)
    return dest


def test_unknown_level_in_metadata_yaml_is_named(tmp_path):
    folder = _copy_rules(tmp_path)
    path = folder / "metadata.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["levels"]["镇"] = "town"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    assert "metadata.yaml" in str(err.value) and "levels.镇" in str(err.value)


def test_missing_new_key_is_named(tmp_path):
    folder = _copy_rules(tmp_path)
    path = folder / "metadata.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["government_suffixes"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulesError, match="government_suffixes"):
        load_rules(folder)


def test_broken_division_manifest_is_named(tmp_path):
    folder = _copy_rules(tmp_path)
    (folder / "divisions.yaml").write_text("file: divisions.csv.gz\ncolumns: [code, name]\n", encoding="utf-8")
    with pytest.raises(RulesError, match="divisions.yaml"):
        load_divisions(folder)


def test_rules_folder_without_a_table_uses_the_bundled_one(tmp_path):
    folder = _copy_rules(tmp_path)
    (folder / "divisions.yaml").unlink()
    (folder / "divisions.csv.gz").unlink()
    assert load_divisions(folder) is load_divisions()
