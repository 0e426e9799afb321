"""The sample archive of corpus/ (corpus/README.md): 4 districts x 3 years that
resolve to division codes, the required report parts, and exactly one planted
inconsistency that the audit finds."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPUS, SAMPLE_DISTRICTS, SAMPLE_YEARS

CODES = {"heping": ("120101", "天津市和平区"), "hexi": ("120103", "天津市河西区"),
         "nankai": ("120104", "天津市南开区"), "lixia": ("370102", "山东省济南市历下区")}
PARTS = {"achievements", "shortcomings", "leadership_duties", "next_year_plans"}
# the one planted inconsistency: 行政应诉案件88件, 负责人出庭应诉90件, 出庭应诉率102.3%
PLANTED = {("hexi-gov-2023", "impossible_value"), ("hexi-gov-2023", "subset_exceeds_superset")}

SAMPLES = [f"{d}-gov-{y}" for d in SAMPLE_DISTRICTS for y in SAMPLE_YEARS]


def _doc(outdir: Path, stem: str) -> dict:
    return json.loads((outdir / f"{stem}.json").read_text(encoding="utf-8"))


def test_the_archive_is_4_districts_by_3_years() -> None:
    stems = sorted(p.stem for p in CORPUS.glob("*-gov-20*.txt"))
    assert stems == sorted(SAMPLES)


@pytest.mark.parametrize("stem", SAMPLES)
def test_sample_metadata_and_parts(sample_archive: Path, stem: str) -> None:
    doc = _doc(sample_archive, stem)
    district, year = stem.split("-gov-")
    meta = doc["meta"]
    assert meta["year"] == int(year)
    assert (meta["region"]["code"], meta["region"]["full_name"]) == CODES[district]
    assert meta["agency_kind"] == "government" and meta["report_type"] == "rule_of_law_annual"
    assert PARTS <= {s["part"] for s in doc["sections"]}
    assert not doc["warnings"]
    levels = {i["indicator"] for i in doc["indicators"] if i["modality"] == "achieved"}
    assert {"court_appearances", "admin_litigation_cases", "admin_reconsideration_cases",
            "enforcement_cases"} <= levels


def test_only_the_planted_inconsistency_is_found(sample_archive: Path) -> None:
    found = {(stem, f["check"]) for stem in SAMPLES for f in _doc(sample_archive, stem)["findings"]}
    assert found == PLANTED
    from pipeline.audit import audit_folder

    assert audit_folder(sample_archive) == []  # nothing across reports: stated changes match the year before


def test_plain_pandas_reads_the_parquet_tables_sensibly(sample_archive: Path) -> None:
    """No govreport code, no types mapper: pandas.read_parquet alone gives exact decimals at the
    scale the values need and nullable int32 integers (issue 16, point 5)."""
    from decimal import Decimal

    import pandas as pd

    ind = pd.read_parquet(sample_archive / "indicators.parquet")
    assert str(ind["year"].dtype) == "Int32" and str(ind["page"].dtype) == "Int32"
    assert ind["page"].isna().all()  # text reports have no pages: missing integers, not float NaN
    assert all(isinstance(v, Decimal) for v in ind["value"])
    # the archive's values have at most one decimal (102.3, 14.3): one, not ten
    assert {len(str(v).partition(".")[2]) for v in ind["value"]} == {1}
    hexi = ind[(ind.indicator == "court_appearance_rate") & (ind.region == "河西区") & (ind.year == 2023)]
    assert hexi["value"].tolist() == [Decimal("102.3")]
