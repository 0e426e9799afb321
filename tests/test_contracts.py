"""Tables that must agree, checked against each other: each fact has one definition, and
where two tables describe the same thing from two sides, a disagreement fails here."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from pipeline.records import ADDITIVE_UNIT_CLASSES, SEVERITIES, UNIT_CLASSES
from pipeline.rules import default_rules_dir


def test_catalog_rules_and_units_agree(rules) -> None:
    """catalog.yaml (what each id means), indicators.yaml (how it is found) and units.yaml
    (the measure words) describe the same indicators."""
    raw = yaml.safe_load((default_rules_dir() / "catalog.yaml").read_text(encoding="utf-8"))
    assert "unit_classes" not in raw, "the measure words are units.yaml's; the catalog names a class per id"
    assert set(rules.units.values()) <= set(UNIT_CLASSES)
    assert set(ADDITIVE_UNIT_CLASSES) <= set(UNIT_CLASSES)
    for ident, rule in rules.indicators.by_id.items():
        catalog_class = rules.catalog[ident]["unit_class"]
        assert catalog_class == "any" or catalog_class in rule.unit_classes, (ident, catalog_class, rule.unit_classes)
        for unit in rule.units or ():
            assert unit in ("%", "pp") or rules.units[unit] in rule.unit_classes, (ident, unit)
        assert rule.name == rules.catalog[ident]["zh"]
    used = {u for r in rules.indicators.by_id.values() for u in r.units or ()}
    assert used - {"%", "pp"} <= set(rules.units)
    assert {cls for cls in (e["unit_class"] for e in rules.catalog.values())} <= set(UNIT_CLASSES) | {"any"}
    assert {part for part, _ in rules.sections.parts} <= set(rules.parts)


def test_severities_are_the_contracts(rules) -> None:
    severities = {r.severity for r in rules.audit.rates} | {s.severity for s in rules.audit.subsets} \
        | {rules.audit.yoy_severity, rules.audit.conflict_severity}
    assert severities <= set(SEVERITIES)
    from pipeline.cli import build_parser

    audit = build_parser()._subparsers._group_actions[0].choices["audit"]
    (fail_on,) = [a for a in audit._actions if "--fail-on" in a.option_strings]
    assert tuple(fail_on.choices) == SEVERITIES


def test_every_reader_suffix_is_walked_in_folders(tmp_path: Path) -> None:
    """A folder walk picks up every suffix a reader reads (.text and .shtml were once skipped)."""
    from pipeline.batch import READ_SUFFIXES, collect_inputs
    from pipeline.ingest import SUFFIX_FORMAT

    assert set(READ_SUFFIXES) == set(SUFFIX_FORMAT)
    for i, suffix in enumerate(SUFFIX_FORMAT):
        (tmp_path / f"report{i}{suffix}").write_bytes(b"x")
    (tmp_path / "notes.md").write_text("not a report", encoding="utf-8")
    found = {Path(p).suffix for p in collect_inputs([str(tmp_path)])}
    assert found == set(SUFFIX_FORMAT)


def test_batch_and_store_have_one_list_of_tables() -> None:
    from pipeline import batch, store

    assert dict(batch.TABLES) == {k: v for k, v in store.TABLES.items() if k != "errors"}


def _office(year: int, body: str) -> str:
    return (f"天津市河西区司法局{year}年度法治政府建设情况报告\n一、{year}年推进法治政府建设的主要举措和成效\n"
            f"{body}\n")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder with every table, within- and cross-report findings included."""
    from pipeline.cli import main

    base = tmp_path_factory.mktemp("contract")
    (base / "in").mkdir()
    (base / "in" / "a2024.txt").write_text(_office(2024, "全年办理行政复议案件100件。"), encoding="utf-8")
    (base / "in" / "b2025.txt").write_text(
        _office(2025, "全年办理行政复议案件120件，同比增长30%，其中维持80件、撤销50件。"), encoding="utf-8")
    (base / "in" / "broken.pdf").write_bytes(b"not a pdf")
    out = base / "out"
    assert main(["extract", str(base / "in"), "-o", str(out), "-q"]) == 1  # broken.pdf fails
    assert main(["audit", str(out)]) == 0
    return out


def test_every_table_written_has_the_contract_columns(written: Path) -> None:
    """Every writer (extract's tables, audit's findings_cross.csv) writes the contract's columns."""
    from pipeline import store
    from pipeline.output import FINDING_COLUMNS

    expected = dict(store.TABLES, findings_cross=FINDING_COLUMNS)
    written_tables = {p.stem for p in written.glob("*.csv")}
    assert written_tables == set(expected), written_tables
    for name in written_tables:
        assert store.csv_header(written / f"{name}.csv") == expected[name], name
    for path in written.glob("*.parquet"):
        assert store.table_columns(path) == expected[path.stem], path.name


def test_cross_findings_carry_the_document_columns(written: Path) -> None:
    """findings_cross.csv repeats the document columns like every other table (region_code was once dropped)."""
    from pipeline.output import DOCUMENT_COLUMNS

    with open(written / "findings_cross.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(written / "reports.csv", encoding="utf-8-sig", newline="") as fh:
        reports = {r["doc_id"]: r for r in csv.DictReader(fh)}
    assert [r["check"] for r in rows] == ["yoy_mismatch"]
    for row in rows:
        report = reports[row["doc_id"]]
        assert report["region_code"] == "120103"
        assert {k: row[k] for k in DOCUMENT_COLUMNS} == {k: report[k] for k in DOCUMENT_COLUMNS}


def test_pytest_config_keeps_known_failures_strict_and_runs_doctests() -> None:
    """A known failure that starts passing fails the run (no xfail can pass unnoticed), and the
    docstrings' examples are tests (README's quick start runs `pytest -q`, which reads this config)."""
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    options = config["tool"]["pytest"]["ini_options"]
    assert options["xfail_strict"] is True
    assert "--doctest-modules" in options["addopts"].split() and "pipeline" in options["testpaths"]


def test_extract_help_names_every_reader_suffix() -> None:
    """`govreport extract --help` names the suffixes without importing the readers (start-up time)."""
    from pipeline.cli import build_parser
    from pipeline.ingest import SUFFIX_FORMAT

    extract = build_parser()._subparsers._group_actions[0].choices["extract"]
    assert " ".join(SUFFIX_FORMAT) in extract.description
