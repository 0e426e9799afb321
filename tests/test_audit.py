"""Tests of pipeline.audit: numbers that do not add up, within a report and across reports.

Each within-report check is tested on the bundled nankai report with numbers
altered (or a sentence of our own inserted) to plant one inconsistency, and on
report-style sentences written for these tests (not taken from any real
report). The unaltered nankai report must give no error-level finding. The
cross-report checks run on small reports written here (same region and agency,
years N-1 and N; a government and a department of one region).
"""
from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pipeline import extract_text
from pipeline.audit import CHECKS, audit_folder, audit_report
from pipeline.output import json_bytes
from pipeline.batch import run_batch
from pipeline.cli import main
from pipeline.errors import RulesError, UsageError
from pipeline.records import Finding, Report
from pipeline.rules import default_rules_dir, load_rules

from conftest import write_reports

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "nankai-gov-office-2025.txt"
NANKAI = SEED.read_text(encoding="utf-8")
BOM = b"\xef\xbb\xbf"
HEAD = "某某区司法局2025年度法治政府建设情况报告\n一、2025年推进法治政府建设的主要举措和成效\n"


def report_of(body: str) -> Report:
    return extract_text(HEAD + body + "\n")


def of_check(report: Report, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check]


def assert_evidence_exact(report: Report, finding: Finding) -> None:
    """Every piece of evidence quotes the document exactly and names its indicator."""
    assert finding.check in CHECKS and finding.severity in ("error", "warning", "info")
    assert finding.message and finding.evidence
    assert [e["index"] for e in finding.evidence] == list(finding.indicators)
    assert finding.doc_ids == (report.doc_id,)
    for e in finding.evidence:
        ind = report.indicators[e["index"]]
        assert e["doc_id"] == report.doc_id
        assert e["text"] == report.text[e["span"][0]:e["span"][1]] == ind.text
        assert tuple(e["span"]) == ind.span and e["indicator"] == ind.indicator
        assert e["value"] == ind.value and e["unit"] == ind.unit and e["sentence"] == ind.sentence
    as_json = json.loads(json_bytes(finding.to_dict()))  # values exact: Decimals are not floats
    assert as_json["check"] == finding.check and len(as_json["evidence"]) == len(finding.evidence)
    assert all(isinstance(e["span"], list) for e in as_json["evidence"])


# --- the unaltered report --------------------------------------------------------------------

def test_unaltered_nankai_has_no_error(seed_report: Report) -> None:
    assert not [f.message for f in seed_report.findings if f.severity == "error"]


def test_audit_report_is_the_findings_of_extract(seed_report: Report, rules) -> None:
    again = audit_report(seed_report.text, seed_report.indicators, seed_report.sections, rules,
                         doc_id=seed_report.doc_id)
    assert again == seed_report.findings


# --- planted in the nankai report ------------------------------------------------------------

LITIGATION = "处理信息公开申请60件、行政复议12件、行政诉讼6件，为行政机关依法履职提供坚实保障。"

# (id, original text, altered text, check, severity, words the message must hold)
PLANTED_NANKAI = [
    ("parts-over-total", LITIGATION,
     "处理信息公开申请60件、行政复议12件，其中维持8件、撤销6件，行政诉讼6件，为行政机关依法履职提供坚实保障。",
     "parts_exceed_total", "error", ["14件", "12件", "维持8件"]),
    ("parts-listed-all", LITIGATION,
     "处理信息公开申请60件、行政复议12件，其中维持8件、撤销2件、其余1件，行政诉讼6件，为行政机关依法履职提供坚实保障。",
     "parts_exceed_total", "warning", ["11件", "12件"]),
    ("rate", LITIGATION,
     "处理信息公开申请60件、行政复议12件、行政诉讼6件，行政机关负责人出庭应诉5件，出庭应诉率100%，为行政机关依法履职提供坚实保障。",
     "rate_mismatch", "error", ["100%", "83.3%", "出庭应诉5件"]),
    ("rate-over-100", "习近平法治思想专题考试合格率100%", "习近平法治思想专题考试合格率105%",
     "impossible_value", "error", ["105%"]),
    ("subset-cases", LITIGATION,
     "处理信息公开申请60件、行政复议12件、行政诉讼6件，负责人出庭应诉8件，为行政机关依法履职提供坚实保障。",
     "subset_exceeds_superset", "error", ["8件", "6件"]),
    ("subset-hearings", LITIGATION,
     "处理信息公开申请60件、行政复议12件、行政诉讼6件，负责人出庭应诉8次，为行政机关依法履职提供坚实保障。",
     "subset_exceeds_superset", "warning", ["8次", "6件", "多次开庭"]),
    ("repeat", "二是立足责任紧抓落实。", "二是立足责任紧抓落实。全年办结建议提案270件。",
     "conflicting_repeat", "warning", ["274件", "270件"]),
]


@pytest.mark.parametrize("old, new, check, severity, words",
                         [pytest.param(*case[1:], id=case[0]) for case in PLANTED_NANKAI])
def test_planted_in_nankai(old: str, new: str, check: str, severity: str, words: list[str]) -> None:
    assert NANKAI.count(old) == 1
    report = extract_text(NANKAI.replace(old, new))
    found = of_check(report, check)
    assert [f.severity for f in found] == [severity], [f.message for f in report.findings]
    for word in words:
        assert word in found[0].message, found[0].message
    assert_evidence_exact(report, found[0])
    # the planted one is the only error
    others = [f.message for f in report.findings if f.severity == "error" and f is not found[0]]
    assert not others


# --- report-style sentences written for these tests -------------------------------------------

# (id, body, expected (check, severity) pairs in order; [] for a consistent text)
SENTENCES = [
    # parts_exceed_total
    ("parts-over", "全年共受理行政复议案件120件，其中维持80件、撤销30件、驳回20件。",
     [("parts_exceed_total", "error")]),
    ("parts-under-not-exhaustive", "全年共受理行政复议案件120件，其中维持80件、撤销30件。", []),
    ("parts-equal", "全年共受理行政复议案件120件，其中维持80件、撤销30件、驳回10件。", []),
    ("parts-respectively", "全年共受理行政复议案件120件，其中维持、撤销、驳回的分别为80件、30件、5件。",
     [("parts_exceed_total", "warning")]),
    ("parts-respectively-equal", "全年共受理行政复议案件120件，维持、撤销、驳回分别为80件、30件、10件。", []),
    ("respectively-no-total", "处理信息公开申请60件，行政复议、行政诉讼分别为12件、6件。", []),
    ("parts-implicit-over", "本年度发生行政复议案件5件，撤销3件，维持3件。", [("parts_exceed_total", "error")]),
    ("parts-implicit-rest", "本年度发生行政诉讼案件4件，维持1件，另2件尚在审理。", [("parts_exceed_total", "warning")]),
    ("parts-implicit-consistent", "本年度发生行政复议案件5件，撤销2件，维持3件；行政诉讼案件4件，维持1件，另3件尚在审理。", []),
    ("parts-roleless", "共梳理事项4400项，其中基本履行职责事项1300项、配合履行职责事项1300项、上级部门收回事项1800项。", []),
    ("parts-nested", "审结行政复议案件100件，其中维持70件，纠错20件（撤销15件、变更5件），驳回10件，纠错率20%。", []),
    ("parts-other-ids", "共办理各类案件200件，其中行政复议案件120件、行政诉讼90件。", [("parts_exceed_total", "error")]),
    ("parts-next-sentence", "全区共受理行政复议案件120件。其中，维持80件，撤销30件，驳回20件。",
     [("parts_exceed_total", "error")]),
    ("parts-total-before-brackets", "全年共收到行政复议申请56件，受理52件，审结50件（含上年结转3件），其中维持38件，"
                                    "撤销4件，确认违法2件，驳回申请3件，终止审理3件，直接纠错率12%。", []),
    ("parts-total-before-brackets-over", "审结行政复议案件50件（含上年结转3件），其中维持40件，撤销4件，确认违法2件，"
                                         "驳回申请3件，终止审理3件。", [("parts_exceed_total", "error")]),
    ("no-marker-no-total", "现保留政务服务事项515项，行政许可事项218项，其他事项297项。", []),
    # rate_mismatch
    ("appearance-rate-ok", "全年发生行政诉讼案件50件，行政机关负责人出庭应诉48件，出庭应诉率96%。", []),
    ("appearance-rate-off", "全年发生行政诉讼案件50件，行政机关负责人出庭应诉45件，出庭应诉率96%。",
     [("rate_mismatch", "error")]),
    ("appearance-rate-hearings", "全年发生行政诉讼案件50件，行政机关负责人出庭应诉40次，出庭应诉率100%。",
     [("rate_mismatch", "error")]),
    ("resolution-rate-ok", "受理信访事项200件，办结190件，办结率95%。", []),
    ("resolution-rate-off", "受理信访事项200件，办结180件，办结率95%。", [("rate_mismatch", "error")]),
    ("resolution-rate-last-digit", "受理信访事项300件，办结289件，办结率96.4%。", [("rate_mismatch", "warning")]),
    ("resolution-rate-rounded", "受理信访事项300件，办结289件，办结率96.3%。", []),
    ("correction-rate-off", "审结行政复议案件100件，其中维持70件，纠错20件，驳回10件，纠错率25%。",
     [("rate_mismatch", "error")]),
    ("correction-rate-sum", "审结行政复议案件80件，撤销6件、变更2件，纠错率10%。", []),
    ("correction-rate-sum-off", "审结行政复议案件50件，其中维持38件，撤销4件，确认违法2件，驳回3件，终止3件，直接纠错率15%。",
     [("rate_mismatch", "error")]),
    ("scheduled-resolution-rate", "全年收到信访件1200件，按期办结1180件，按期办结率98.3%。", []),
    ("loss-rate-ok", "全年审结行政诉讼案件40件，败诉2件，败诉率5%。", []),
    ("loss-rate-off", "全年审结行政诉讼案件40件，败诉4件，败诉率5%。", [("rate_mismatch", "error")]),
    # impossible_value
    ("pass-rate-over-100", "法律知识考试合格率达102%。", [("impossible_value", "error")]),
    ("satisfaction-over-100", "群众满意率为101.5%。", [("impossible_value", "error")]),
    ("completion-may-exceed", "群众满意率达100%，年度任务完成率105%。", []),
    ("count-fell-over-100", "全年办理行政复议案件12件，同比下降120%。", [("impossible_value", "error")]),
    # subset_exceeds_superset
    ("accepted-over-received", "全年共收到行政复议申请100件，受理120件。", [("subset_exceeds_superset", "error")]),
    ("resolved-over-accepted", "受理信访事项200件，办结210件。", [("subset_exceeds_superset", "error")]),
    ("resolved-with-carryover", "受理信访事项200件，办结210件（含上年结转15件）。", []),
    ("appearances-over-cases", "全年发生行政诉讼案件50件，行政机关负责人出庭应诉60次。",
     [("subset_exceeds_superset", "warning")]),
    ("appearance-cases-over-cases", "全年发生行政诉讼案件50件，行政机关负责人出庭应诉55件。",
     [("subset_exceeds_superset", "error")]),
    ("lost-over-cases", "全年审结行政诉讼案件3件，败诉4件。", [("subset_exceeds_superset", "error")]),
    ("appearances-other-sentence", "全年发生行政诉讼案件50件。行政机关负责人出庭应诉60次。", []),
    # conflicting_repeat
    ("repeat", "全年组织专题学法12次。\n二、2025年推进法治政府建设存在的不足和原因\n全年组织专题学法14次，仍显不足。",
     [("conflicting_repeat", "warning")]),
    ("repeat-same-value", "全年组织专题学法12次。\n（二）加强学习\n全年组织专题学法12次。", []),
    ("repeat-breakdown", "全区面对面宣讲900场、网络宣讲300场。", []),
    ("repeat-other-actor", "区长出庭应诉3次。\n（二）应诉\n分管领导作为负责人出庭应诉5次。", []),
    ("repeat-plan", "全年组织专题学法12次。\n三、2026年工作安排\n力争组织专题学法15次。", []),
]


@pytest.mark.parametrize("body, expected", [pytest.param(*case[1:], id=case[0]) for case in SENTENCES])
def test_sentences(body: str, expected: list[tuple[str, str]]) -> None:
    report = report_of(body)
    got = [(f.check, f.severity) for f in report.findings]
    assert got == expected, [f.message for f in report.findings]
    for f in report.findings:
        assert_evidence_exact(report, f)


def test_parts_message_has_the_numbers() -> None:
    report = report_of("全年共受理行政复议案件120件，其中维持80件、撤销30件、驳回20件。")
    (f,) = report.findings
    assert f.message.startswith("其中各项之和130件超过总数120件（行政复议案件数）")
    assert [report.indicators[i].value for i in f.indicators] == [Decimal(120), Decimal(80), Decimal(30),
                                                                  Decimal(20)]
    assert [e["role"] for e in f.evidence] == ["accepted", "upheld", "revoked", "rejected"]


def test_rate_message_shows_the_division() -> None:
    (f,) = report_of("全年发生行政诉讼案件50件，行政机关负责人出庭应诉45件，出庭应诉率96%。").findings
    assert "出庭应诉率96%与所列数字不符" in f.message and "÷" in f.message and "90.0%" in f.message


def test_findings_in_json_and_findings_csv(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(HEAD + "全年共受理行政复议案件120件，其中维持80件、撤销30件、驳回20件。\n", encoding="utf-8")
    (src / "b.txt").write_text(HEAD + "全年组织专题学法12次。\n", encoding="utf-8")
    out = tmp_path / "out"
    run_batch([str(src)], out, jobs=1, formats=("json", "csv"))
    doc = json.loads((out / "a.json").read_text(encoding="utf-8"))
    (f,) = doc["findings"]
    assert f["check"] == "parts_exceed_total" and f["severity"] == "error"
    for e in f["evidence"]:
        assert doc["text"][e["span"][0]:e["span"][1]] == e["text"]
    assert json.loads((out / "b.json").read_text(encoding="utf-8"))["findings"] == []
    raw = (out / "findings.csv").read_bytes()
    assert raw.startswith(BOM)
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    row = rows[0]
    assert row["doc_id"] == doc["doc_id"] and row["check"] == "parts_exceed_total" and row["year"] == "2025"
    assert row["indicators"] == "0;1;2;3" and row["values"] == "120件;80件;30件;20件"
    assert row["quotes"].split(" | ")[1:] == ["80件", "30件", "20件"]
    assert json.loads(row["evidence"])[0]["span"] == f["evidence"][0]["span"]


# --- across reports ----------------------------------------------------------------------------

def dept(year: int, body: str) -> str:
    return (f"河西区司法局{year}年度法治政府建设情况报告\n一、{year}年推进法治政府建设的主要举措和成效\n{body}\n")


def gov(year: int, body: str) -> str:
    return (f"河西区人民政府{year}年度法治政府建设情况报告\n一、{year}年推进法治政府建设的主要举措和成效\n{body}\n")


CROSS = {
    "dept2024": dept(2024, "全年办理行政复议案件100件，行政机关负责人出庭应诉20次。全年一审行政案件败诉率为5%。"),
    "dept2025": dept(2025, "全年办理行政复议案件120件，同比增长30%，出庭应诉25次，较上年增加5次。"
                           "全年一审行政案件败诉率为3%，同比下降2个百分点。"),
    "gov2025": gov(2025, "全区办理行政复议案件150件，出庭应诉25次。"),
}


@pytest.fixture(scope="module")
def cross_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("cross")
    src = write_reports(base / "in", CROSS)
    out = base / "out"
    run_batch([str(src)], out, jobs=1, formats=("json", "csv"))
    return out


def test_yoy_mismatch(cross_out: Path) -> None:
    found = [f for f in audit_folder(cross_out) if f.check == "yoy_mismatch"]
    assert len(found) == 1, [f.message for f in found]
    f = found[0]
    assert f.severity == "warning"
    assert "同比增长30%" in f.message and "100件" in f.message and "增长20.0%" in f.message
    change, level, prior = f.evidence
    assert (change["value"], change["measure"]) == (Decimal(30), "change_pct")
    assert (level["value"], level["year"], prior["value"], prior["year"]) == (Decimal(120), 2025, Decimal(100), 2024)
    assert f.doc_ids == (change["doc_id"], prior["doc_id"]) and change["doc_id"] != prior["doc_id"]
    for e in f.evidence:
        doc = json.loads((cross_out / f"{Path(e['source']).stem}.json").read_text(encoding="utf-8"))
        assert doc["doc_id"] == e["doc_id"]
        assert doc["text"][e["span"][0]:e["span"][1]] == e["text"] == doc["indicators"][e["index"]]["text"]


def test_cross_report_conflict(cross_out: Path) -> None:
    found = [f for f in audit_folder(cross_out) if f.check == "cross_report_conflict"]
    assert len(found) == 1, [f.message for f in found]
    f = found[0]
    assert f.severity == "info"
    assert "河西区2025年" in f.message and "河西区司法局报告120件" in f.message and "河西区人民政府报告150件" in f.message
    assert sorted(e["value"] for e in f.evidence) == [Decimal(120), Decimal(150)]
    assert len(set(f.doc_ids)) == 2  # 出庭应诉25次 agrees: no finding for it


def test_consistent_changes_give_no_finding(tmp_path: Path) -> None:
    src = write_reports(tmp_path / "in", {
        "dept2024": CROSS["dept2024"],
        "dept2025": dept(2025, "全年办理行政复议案件120件，同比增长20%，出庭应诉25次，较上年增加5次。"
                               "全年一审行政案件败诉率为3%，同比下降2个百分点。"),
    })
    run_batch([str(src)], tmp_path / "out", jobs=1, formats=("csv",))
    assert audit_folder(tmp_path / "out") == []


@pytest.mark.parametrize("body, words", [
    pytest.param("出庭应诉25次，较上年增加8次。", ["增加8次", "增加5次"], id="absolute"),
    pytest.param("全年一审行政案件败诉率为3%，同比下降4个百分点。", ["下降4个百分点", "下降2个百分点"], id="points"),
])
def test_yoy_absolute_and_points(tmp_path: Path, body: str, words: list[str]) -> None:
    src = write_reports(tmp_path / "in", {"dept2024": CROSS["dept2024"], "dept2025": dept(2025, body)})
    run_batch([str(src)], tmp_path / "out", jobs=1, formats=("csv",))
    (f,) = audit_folder(tmp_path / "out")
    assert f.check == "yoy_mismatch"
    for w in words:
        assert w in f.message, f.message


def test_yoy_named_base_year(tmp_path: Path) -> None:
    """较2023年 compares with the 2023 report, not the 2024 one."""
    src = write_reports(tmp_path / "in", {
        "dept2023": dept(2023, "全年办理行政复议案件80件。"),
        "dept2024": dept(2024, "全年办理行政复议案件100件。"),
        "dept2025": dept(2025, "全年办理行政复议案件120件，较2023年增长50%。"),
    })
    run_batch([str(src)], tmp_path / "out", jobs=1, formats=("csv",))
    assert audit_folder(tmp_path / "out") == []


def test_csv_json_and_parquet_outputs_give_the_same_findings(tmp_path: Path, cross_out: Path) -> None:
    with_csv = audit_folder(cross_out)
    json_only = tmp_path / "json"
    json_only.mkdir()
    for p in cross_out.glob("*.json"):
        shutil.copyfile(p, json_only / p.name)
    stats: dict = {}
    assert [f.to_dict() for f in audit_folder(json_only, stats=stats)] == [f.to_dict() for f in with_csv]
    assert stats == {"documents": 3, "read_from": "json"}
    pytest.importorskip("pyarrow")
    from pipeline.store import write_parquet

    parquet = tmp_path / "parquet"
    parquet.mkdir()
    for name in ("reports.csv", "indicators.csv"):
        shutil.copyfile(cross_out / name, parquet / name)
    write_parquet(parquet, keep_csv=False)
    stats = {}
    assert [f.to_dict() for f in audit_folder(parquet, stats=stats)] == [f.to_dict() for f in with_csv]
    assert stats["read_from"] == "parquet"


def test_same_document_twice_is_read_once(tmp_path: Path) -> None:
    src = write_reports(tmp_path / "in", {"gov2025": CROSS["gov2025"]})
    (src / "sub").mkdir()
    shutil.copyfile(src / "gov2025.txt", src / "sub" / "copy.txt")
    run_batch([str(src)], tmp_path / "out", jobs=1, formats=("json", "csv"))
    stats: dict = {}
    assert audit_folder(tmp_path / "out", stats=stats) == []
    assert stats["documents"] == 1


def test_grouping_scales_with_documents_not_pairs(tmp_path: Path) -> None:
    """300 regions x 2 years: one planted mismatch per region is found, and nothing else."""
    from pipeline.output import INDICATOR_COLUMNS, REPORT_COLUMNS, CsvTable

    reports = CsvTable(tmp_path / "reports.csv", REPORT_COLUMNS)
    indicators = CsvTable(tmp_path / "indicators.csv", INDICATOR_COLUMNS)
    sentence = "全年办理行政复议案件{v}件，同比增长{c}%。"
    for r in range(300):
        for year, value, change in ((2024, 100 + r, None), (2025, 2 * (100 + r), 50 if r % 3 == 0 else 100)):
            doc_id = f"{r:08d}{year}"
            meta = {"doc_id": doc_id, "source": f"{doc_id}.txt", "year": year, "region": f"测试{r}区",
                    "agency": f"测试{r}区司法局"}
            reports.write(meta)
            s = sentence.format(v=value, c=change)
            start = s.index("行政复议")
            indicators.write(dict(meta, indicator="admin_reconsideration_cases", label="行政复议案件数", value=value,
                                  unit="件", unit_class="count", measure="level", modality="achieved",
                                  start=start, end=s.index("，"), text=s[start:s.index("，")], sentence=s,
                                  rule="admin_reconsideration_cases/cue-before"))
            if change is not None:
                c0 = s.index(str(change) + "%")
                indicators.write(dict(meta, indicator="admin_reconsideration_cases", label="行政复议案件数",
                                      value=change, unit="%", unit_class="percent", measure="change_pct",
                                      modality="achieved", start=c0, end=c0 + len(str(change)) + 1,
                                      text=f"{change}%", sentence=s, rule="admin_reconsideration_cases/inherit"))
    reports.close()
    indicators.close()
    found = audit_folder(tmp_path)
    assert len(found) == 100 and {f.check for f in found} == {"yoy_mismatch"}


def test_not_an_output_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        audit_folder(tmp_path)
    with pytest.raises(UsageError):
        audit_folder(tmp_path / "missing")


# --- the audit command ---------------------------------------------------------------------------

def run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def test_audit_cli_summary(cross_out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", str(cross_out)]) == 0
    captured = capsys.readouterr()
    lines = {ln.split()[0]: ln.split()[1:] for ln in captured.out.splitlines() if ln and not ln.startswith("-")}
    assert lines["check"] == ["scope", "error", "warning", "info"]
    assert lines["yoy_mismatch"] == ["cross", "0", "1", "0"]
    assert lines["cross_report_conflict"] == ["cross", "0", "0", "1"]
    assert lines["parts_exceed_total"] == ["report", "0", "0", "0"]
    assert lines["total"] == ["0", "1", "1"]
    assert "audited 3 document(s)" in captured.err and "Traceback" not in captured.err
    raw = (cross_out / "findings_cross.csv").read_bytes()
    assert raw.startswith(BOM)
    with open(cross_out / "findings_cross.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["check"] for r in rows] == ["yoy_mismatch", "cross_report_conflict"]
    assert rows[0]["year"] == "2025" and rows[0]["agency"] == "河西区司法局" and len(rows[0]["doc_ids"].split(";")) == 2
    assert not list(cross_out.glob(".*.tmp"))


def test_audit_cli_json_and_fail_on(cross_out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", str(cross_out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"] == 3
    assert [f["check"] for f in data["cross_findings"]] == ["yoy_mismatch", "cross_report_conflict"]
    assert {r["check"]: r["warning"] for r in data["summary"]}["yoy_mismatch"] == 1
    assert run(["audit", str(cross_out), "--fail-on", "error", "--json"]) == 0
    assert run(["audit", str(cross_out), "--fail-on", "warning", "--json"]) == 1
    capsys.readouterr()


def test_audit_cli_counts_within_report_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_reports(tmp_path / "in", {"a": HEAD + "法律知识考试合格率达102%。"})
    assert run(["extract", str(src), "-o", str(tmp_path / "out"), "--format", "json,csv", "-q"]) == 0
    assert run(["audit", str(tmp_path / "out"), "--fail-on", "error"]) == 1
    out = capsys.readouterr().out
    assert any(ln.split()[:3] == ["impossible_value", "report", "1"] for ln in out.splitlines())


@pytest.mark.parametrize("argv", [["audit"], ["audit", "missing-folder"], ["audit", "."]])
def test_audit_cli_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


# --- rules/audit.yaml is validated ----------------------------------------------------------------

def _broken(tmp_path: Path, change) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    path = folder / "audit.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize("change, rule, words", [
    pytest.param(lambda d: d["roles"]["resolved"].append("受理"), "roles.resolved", ["受理", "accepted"],
                 id="word-in-two-roles"),
    pytest.param(lambda d: d["subsets"][0].update(severity="fatal"), "accepted_within_received", ["severity"],
                 id="bad-severity"),
    pytest.param(lambda d: d["rates"][0]["numerator"][0].update(indicators=["no_such_id"]),
                 "court_appearance_rate.numerator[0]", ["no_such_id", "catalog"], id="unknown-indicator"),
    pytest.param(lambda d: d["subsets"][1]["subset"].update(roles=["finished"]), "resolved_within_received.subset",
                 ["finished"], id="unknown-role"),
    pytest.param(lambda d: d["parts"].update(exhaustive_markers=["总计"]), "parts", ["总计"],
                 id="exhaustive-not-a-marker"),
    pytest.param(lambda d: d["tolerance"].update(rounding=-1), "tolerance.rounding", ["non-negative"],
                 id="negative-tolerance"),
    pytest.param(lambda d: d["cross"].update(base_year="较(\\d{4})年"), "cross", ["year"], id="base-year-group"),
    pytest.param(lambda d: d.update(extra=1), None, ["extra"], id="unknown-key"),
])
def test_broken_audit_rules(tmp_path: Path, change, rule: str | None, words: list[str]) -> None:
    folder = _broken(tmp_path, change)
    with pytest.raises(RulesError) as info:
        load_rules(folder)
    exc = info.value
    assert exc.file.endswith("audit.yaml")
    assert exc.rule == rule or (rule is not None and exc.rule and exc.rule.startswith(rule)), exc.rule
    for w in words:
        assert w in exc.problem, exc.problem


# --- year-on-year: like with like ----------------------------------------------------------------

def office(year: int, body: str) -> str:
    return f"河东区人民政府办公室{year}年度法治政府建设情况报告\n一、{year}年推进法治政府建设的主要举措和成效\n{body}\n"


OFFICE2024 = office(2024, "（一）深化政务公开。全年办理信息公开申请50件，均在法定期限内答复。\n"
                          "（二）规范答复工作。组织答复文书评查，对信息公开申请5件的答复文书作了修改。")

YOY_LIKE = [
    # the 2025 sentence, whether a finding is expected, words of its message
    pytest.param("（一）深化政务公开。全年办理信息公开申请60件（同比增长50%），均在法定期限内答复。", True,
                 ["同比增长50%", "2024年报告为50件", "全年办理信息公开申请50件", "增长20.0%"],
                 id="planted-mismatch-found-past-an-unrelated-5"),
    pytest.param("（一）深化政务公开。全年办理信息公开申请60件（同比增长20%），均在法定期限内答复。", False, [],
                 id="consistent-with-the-like-figure"),
]


@pytest.mark.parametrize("body, found, words", YOY_LIKE)
def test_yoy_compares_like_with_like(tmp_path: Path, body: str, found: bool, words: list[str]) -> None:
    """The earlier report also holds an unrelated 5件 of the same id: the change is read
    against the figure stated in the same words (50件), and the message quotes it."""
    src = write_reports(tmp_path / "in", {"office2024": OFFICE2024, "office2025": office(2025, body)})
    run_batch([str(src)], tmp_path / "out", jobs=1, formats=("json", "csv"))
    findings = [f for f in audit_folder(tmp_path / "out") if f.check == "yoy_mismatch"]
    assert len(findings) == int(found), [f.message for f in findings]
    if found:
        (f,) = findings
        for w in words:
            assert w in f.message, f.message
        assert [e["value"] for e in f.evidence] == [Decimal(50), Decimal(60), Decimal(50)]


def test_yoy_two_equally_like_figures_give_no_finding(tmp_path: Path) -> None:
    """Two earlier figures in the same words: no telling which one the change is against."""
    src = write_reports(tmp_path / "in", {
        "office2024": office(2024, "全年办理信息公开申请50件。全年办理信息公开申请5件。"),
        "office2025": office(2025, "全年办理信息公开申请60件（同比增长50%）。"),
    })
    run_batch([str(src)], tmp_path / "out", jobs=1, formats=("csv",))
    assert [f for f in audit_folder(tmp_path / "out") if f.check == "yoy_mismatch"] == []
