import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

# Tests never read or write the user's cache (~/.cache/govreport): a fresh
# cache folder per test session, inherited by the processes the tests start.
os.environ["GOVREPORT_CACHE_DIR"] = tempfile.mkdtemp(prefix="govreport-test-cache-")
atexit.register(shutil.rmtree, os.environ["GOVREPORT_CACHE_DIR"], True)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = CORPUS / "nankai-gov-office-2025.txt"
# The sample archive written for the project: 4 districts x 3 years (corpus/README.md)
SAMPLE_DISTRICTS = ("heping", "hexi", "nankai", "lixia")
SAMPLE_YEARS = (2022, 2023, 2024)


# A short made-up report (not from any real one): title, headings, an
# enumeration of counts, a rate, and a plan.
SAMPLE_REPORT = (
    "某区司法局2025年度法治政府建设情况报告\n"
    "一、2025年推进法治政府建设的主要举措和成效\n"
    "（一）深化政务公开。2025年，区司法局处理信息公开申请60件、行政复议12件，出庭应诉3次。\n"
    "（二）加强学法用法。全年组织集中学法8次，法治培训考试合格率100%。\n"
    "二、存在的不足和原因\n"
    "部分工作人员法治意识有待提高。\n"
)
SAMPLE_PLAN = "三、2026年工作安排\n力争开展法治宣传活动20场。\n"


def assert_no_negatives(report, phrases, fold=lambda phrase: phrase):
    """No extracted number lies inside any occurrence of a negative phrase.

    Every phrase must occur in the text (else the check proves nothing);
    `fold` maps a phrase written as in the source to the normalised text."""
    text = report.text
    for phrase in phrases:
        phrase = fold(phrase) if fold(phrase) in text else phrase
        start = text.find(phrase)
        assert start >= 0, f"negative {phrase!r} not in the text: the test would prove nothing"
        while start >= 0:
            end = start + len(phrase)
            for ind in report.indicators:
                q0, q1 = ind.quantity_span
                assert not (q0 < end and start < q1), f"{phrase!r} gave {ind.indicator} {ind.value}{ind.unit}"
            start = text.find(phrase, end)


def edit_yaml(folder: Path, name: str, change) -> None:
    """Load folder/name, let `change` edit the data in place, write it back."""
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def rule_of(data: dict, ident: str) -> dict:
    """The rule of indicator `ident` in loaded indicators.yaml data."""
    return next(item for item in data["indicators"] if item["id"] == ident)


@pytest.fixture(scope="session")
def rules():
    from pipeline.rules import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def seed_report(rules):
    from pipeline import extract

    return extract(SEED, rules)


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory):
    """The output folder of `govreport extract corpus/` (all 13 reports), made once per session.

    Tests must not write into it: copy it first."""
    from pipeline.batch import run_batch

    import os

    out = tmp_path_factory.mktemp("sample-archive") / "outputs"
    cwd = os.getcwd()
    os.chdir(ROOT)  # sources recorded as corpus/<file>, as `govreport extract corpus/` from a clone does
    try:
        result = run_batch(["corpus"], out, jobs=1, formats=("json", "csv", "parquet"))
    finally:
        os.chdir(cwd)
    assert not result.failed, result.failed
    return out


@pytest.fixture(scope="session", autouse=True)
def every_agency_is_a_name():
    """The agency of every report any test builds (in this process) obeys the agency
    grammar of rules/metadata.yaml: never a fragment (issue 14). Fails at the session's end."""
    import importlib

    from pipeline.metadata import agency_problem

    # the module, not the function pipeline.extract that shadows its name
    extract_module = importlib.import_module("pipeline.extract")

    built: list[tuple[str, object]] = []
    real = extract_module.build_report

    def recording(raw, rules):
        report = real(raw, rules)
        if report.meta.agency is not None:
            built.append((report.meta.agency, rules))
        return report

    extract_module.build_report = recording
    yield built
    extract_module.build_report = real
    bad = sorted({f"{agency}: {why}" for agency, rules in built
                  if (why := agency_problem(agency, rules.metadata))})
    assert not bad, bad
