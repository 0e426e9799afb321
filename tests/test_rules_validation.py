"""Tests of loading and validating rules/*.yaml (pipeline.rules).

Each broken case copies the bundled rules folder to tmp_path, breaks one thing,
and expects `RulesError` naming the file, the rule and the problem (E101).
"""
from __future__ import annotations

import gzip
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest

import pipeline
from pipeline.errors import GovreportError, RulesError
from pipeline.rules import FILES, RULE_FILES, Rules, _load_rules_cached, default_rules_dir, load_rules

from conftest import edit_yaml, rule_of


def copy_rules(tmp_path: Path) -> Path:
    dest = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), dest)
    return dest


def in_yaml(name: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    return lambda folder: edit_yaml(folder, name, change)


def write_text(name: str, text: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text(text, encoding="utf-8")


def delete(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


# --- the bundled rules -------------------------------------------------------------------

def test_bundled_rules_load() -> None:
    rules = load_rules()
    assert isinstance(rules, Rules)
    assert Path(rules.directory) == default_rules_dir().resolve()
    for spec in FILES:  # a report type's optional files (tables.yaml) are in its pack, rules/types/<type>/
        assert (default_rules_dir() / spec.name).is_file() or spec.optional
    assert "other" in rules.catalog
    assert rules.indicators.by_id
    assert set(rules.indicators.by_id) <= set(rules.catalog) - {"other"}
    assert rules.units["件"] == "count" and rules.units["人次"] == "people"
    assert rules.sections.levels and rules.sections.parts
    assert len(rules.version) == 12


def test_rules_are_cached() -> None:
    first = load_rules()
    assert load_rules() is first
    assert load_rules(default_rules_dir()) is first
    assert load_rules(str(default_rules_dir())) is first
    assert load_rules(default_rules_dir() / "." ) is first


def test_rules_compile_once_per_folder(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    before = _load_rules_cached.cache_info()
    a = load_rules(folder)
    b = load_rules(str(folder))
    after = _load_rules_cached.cache_info()
    assert a is b
    assert after.misses == before.misses + 1
    assert a is not load_rules()  # another folder, another Rules
    assert a.version == load_rules().version  # same content, same version


def test_rules_folder_missing(tmp_path: Path) -> None:
    with pytest.raises(RulesError) as info:
        load_rules(tmp_path / "nowhere")
    assert info.value.file.endswith("nowhere")
    assert "does not exist" in info.value.problem


# --- broken rules ------------------------------------------------------------------------

BROKEN = [
    # id: how to break the copy, the file, the rule named, words of the problem
    pytest.param(in_yaml("indicators.yaml", lambda d: d["no_id_cues"].append("出庭应诉")),
        "indicators.yaml", "no_id_cues", ["出庭应诉", "court_appearances", "cannot also name nothing"],
        id="no-id-cue-that-is-a-cue"),
    pytest.param(in_yaml("indicators.yaml", lambda d: d["indicators"].append(
        {"id": "not_in_catalog", "unit_classes": ["count"], "cues": ["某项工作"]})),
        "indicators.yaml", "not_in_catalog", ["catalog"], id="unknown-indicator-id"),
    pytest.param(in_yaml("indicators.yaml", lambda d: d["indicators"].append(
        {"id": "other", "unit_classes": ["count"], "cues": ["某项工作"]})),
        "indicators.yaml", "other", ["catalog"], id="rule-for-other"),
    pytest.param(in_yaml("indicators.yaml", lambda d: rule_of(d, "court_appearances").update(
        unit_classes=["furlongs"])),
        "indicators.yaml", "court_appearances", ["unit class", "furlongs"], id="unknown-unit-class"),
    pytest.param(in_yaml("indicators.yaml", lambda d: rule_of(d, "court_appearances").update(units=["次", "斗"])),
        "indicators.yaml", "court_appearances", ["斗", "units.yaml"], id="unit-not-in-units-yaml"),
    pytest.param(in_yaml("indicators.yaml", lambda d: rule_of(d, "court_appearances").update(
        cues=["出庭应诉", "出庭应诉"])),
        "indicators.yaml", "court_appearances", ["出庭应诉", "twice"], id="cue-listed-twice"),
    pytest.param(in_yaml("indicators.yaml", lambda d: rule_of(d, "court_appearances").update(shape="round")),
        "indicators.yaml", "court_appearances", ["shape"], id="unknown-key"),
    pytest.param(in_yaml("indicators.yaml", lambda d: rule_of(d, "court_appearances").pop("cues")),
        "indicators.yaml", "court_appearances", ["cues"], id="missing-cues"),
    pytest.param(in_yaml("indicators.yaml", lambda d: rule_of(d, "court_appearances").update(patterns=["出庭(应诉"])),
        "indicators.yaml", "court_appearances.patterns[0]", ["regex"], id="bad-indicator-pattern"),
    pytest.param(in_yaml("indicators.yaml", lambda d: d["weak_cues"].append("不是线索")),
        "indicators.yaml", "weak_cues", ["不是线索", "cue"], id="weak-cue-is-no-cue"),
    pytest.param(in_yaml("sections.yaml", lambda d: d["levels"][0]["markers"].__setitem__(
        0, "(?P<marker>(?P<num>[一二三四五六七八九十]{1,3})[、，")),
        "sections.yaml", "levels[0].markers[0]", ["regex"], id="bad-marker-regex"),
    pytest.param(in_yaml("sections.yaml", lambda d: d["levels"][1]["markers"].append(
        "(?P<marker>第[一二三四五六七八九十]{1,3}章)")),
        "sections.yaml", "levels[1].markers[1]", ["num"], id="marker-without-num-group"),
    pytest.param(in_yaml("sections.yaml", lambda d: d["levels"][0].update(level=5)),
        "sections.yaml", "levels[0]", ["level"], id="level-out-of-range"),
    pytest.param(in_yaml("sections.yaml", lambda d: d["parts"][1].update(part="problems")),
        "sections.yaml", "parts[1]", ["problems", "part"], id="unknown-part"),
    pytest.param(in_yaml("sections.yaml", lambda d: d["parts"][0]["patterns"].append("第一(责任")),
        "sections.yaml", "parts[0].patterns", ["regex"], id="bad-part-pattern"),
    pytest.param(in_yaml("units.yaml", lambda d: d["units"]["people"].append("件")),
        "units.yaml", "units.people", ["件", "count"], id="measure-word-in-two-classes"),
    pytest.param(in_yaml("units.yaml", lambda d: d["units"].update(volume=["升"])),
        "units.yaml", "units.volume", ["unit class"], id="unknown-class-in-units-yaml"),
    pytest.param(in_yaml("catalog.yaml", lambda d: d["indicators"].append(dict(d["indicators"][0]))),
        "catalog.yaml", "study_sessions", ["duplicate"], id="duplicate-catalog-id"),
    pytest.param(in_yaml("catalog.yaml", lambda d: d.update(indicators=[i for i in d["indicators"]
                                                                         if i["id"] != "other"])),
        "catalog.yaml", "indicators", ["other"], id="catalog-without-other"),
    pytest.param(in_yaml("context.yaml", lambda d: d["modality"]["planned"].append("(力争")),
        "context.yaml", "modality.planned", ["regex"], id="bad-context-regex"),
    pytest.param(in_yaml("context.yaml", lambda d: d["actor"]["patterns"].append("(?:领导)带头")),
        "context.yaml", "actor.patterns[", ["actor"], id="actor-pattern-without-group"),
    pytest.param(in_yaml("stopwords.yaml", lambda d: d["patterns"].append("(?:周[一二三")),
        "stopwords.yaml", "patterns[", ["regex"], id="bad-stop-pattern"),
    pytest.param(write_text("units.yaml", "units:\n  count: [次, 件\n  people: [人]\n"),
        "units.yaml", None, ["YAML"], id="invalid-yaml-syntax"),
    pytest.param(write_text("sections.yaml", "- just\n- a list\n"),
        "sections.yaml", None, ["mapping"], id="yaml-not-a-mapping"),
    pytest.param(delete("stopwords.yaml"), "stopwords.yaml", None, ["missing"], id="missing-rules-file"),
    pytest.param(in_yaml("units.yaml", lambda d: d["convert"].update({"斤": {"to": "次", "factor": "0.5"}})),
        "units.yaml", "convert.斤", ["one class"], id="conversion-across-classes"),
    pytest.param(in_yaml("units.yaml", lambda d: d["alike"].append(["场", "人次"])),
        "units.yaml", "alike[4]", ["one class"], id="alike-across-classes"),
    pytest.param(in_yaml("units.yaml", lambda d: d["alike"].append(["场", "次"])),
        "units.yaml", "alike[4]", ["two groups"], id="alike-twice"),
    pytest.param(in_yaml("indicators.yaml", lambda d: d.update(
        paired_cues=[{"pattern": "出庭应诉", "ids": ["court_appearances", "furlongs"]}])),
        "indicators.yaml", "paired_cues[0]", ["furlongs"], id="paired-cue-unknown-id"),
    pytest.param(in_yaml("context.yaml", lambda d: d["period"].update(year="(20\\d\\d)年")),
        "context.yaml", "period.year", ["year"], id="period-year-without-group"),
    pytest.param(in_yaml("context.yaml", lambda d: d["period"]["words"].append({"pattern": "十六五", "years": "2035"})),
        "context.yaml", "period.words[", ["span"], id="period-span-malformed"),
    # Malformed rules that were once let through (each was a bug).
    pytest.param(in_yaml("indicators.yaml", lambda d: rule_of(d, "court_appearances").update(
        cue_units={"出庭": ["斗"]})),
        "indicators.yaml", "court_appearances", ["斗"], id="cue-units-unit-not-in-units-yaml"),
    pytest.param(in_yaml("indicators.yaml", lambda d: d["label"].update(max_chars="twelve")),
        "indicators.yaml", "label", ["max_chars"], id="label-max-chars-not-int"),
    pytest.param(in_yaml("indicators.yaml", lambda d: d.update(indicators=5)),
        "indicators.yaml", "indicators", ["list"], id="indicators-not-a-list"),
    pytest.param(in_yaml("sections.yaml", lambda d: d.update(levels=3)),
        "sections.yaml", "levels", ["list"], id="levels-not-a-list"),
]


@pytest.mark.parametrize("breaks, file, rule, words", BROKEN)
def test_broken_rules_raise_rules_error(tmp_path: Path, breaks: Callable[[Path], None], file: str,
                                        rule: str | None, words: list[str]) -> None:
    folder = copy_rules(tmp_path)
    breaks(folder)
    with pytest.raises(RulesError) as info:
        load_rules(folder)
    exc = info.value
    assert isinstance(exc, GovreportError) and exc.code == "E101"
    assert exc.file.endswith(file), exc.file
    assert Path(exc.file).parent == folder.resolve() or Path(exc.file).parent == folder
    if rule is None:
        assert exc.rule is None, exc.rule
    else:
        assert exc.rule is not None and exc.rule.startswith(rule), exc.rule
    for word in words:
        assert word in exc.problem, exc.problem
    assert file in str(exc) and "E101" in str(exc) and exc.problem.splitlines()[0] in str(exc)
    if (folder / file).is_file():  # every problem in a file names its line
        assert exc.line is not None and f"{file}:{exc.line}" in str(exc), str(exc)
    # a failed load is not cached: the fixed folder loads
    shutil.rmtree(folder)
    shutil.copytree(default_rules_dir(), folder)
    assert load_rules(folder).version == load_rules().version


# --- adding an indicator needs no code ------------------------------------------------------

def test_new_indicator_from_rules_alone(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    edit_yaml(folder, "catalog.yaml", lambda d: d["indicators"].append(
        {"id": "notarizations", "zh": "公证", "unit_class": "count", "cues": ["公证"]}))
    edit_yaml(folder, "indicators.yaml", lambda d: d["indicators"].append(
        {"id": "notarizations", "unit_classes": ["count"], "cues": ["公证"]}))
    text = "2025年，区司法局办理公证45件，出庭应诉3次。\n"

    report = pipeline.extract_text(text, rules=folder)
    found = {(i.indicator, i.value) for i in report.indicators}
    assert ("notarizations", Decimal(45)) in found
    assert ("court_appearances", Decimal(3)) in found  # the old rules still work
    new = next(i for i in report.indicators if i.indicator == "notarizations")
    assert new.label == "公证"
    assert new.unit == "件" and new.unit_class == "count"
    assert report.text[new.span[0]:new.span[1]] == new.text and "公证" in new.text
    assert "notarizations" in load_rules(folder).catalog

    # the bundled rules do not know it
    assert "notarizations" not in {i.indicator for i in pipeline.extract_text(text).indicators}


# --- errors name the line; every rules file is owned by Rules --------------------------------

LINE_CASES = [
    # file, text with one mistake, the line of the mistake, the rule named
    ("units.yaml", "version: 1\nunits:\n  count: [次, 件]\n  people: [人, 件]\n", 4, "units.people[1]"),
    ("units.yaml", "version: 1\nunits:\n  count: [次]\nnot_before: [性]\ncolor: red\n", 5, None),
    ("sections.yaml", "version: 1\nlevels:\n  - level: 1\n    markers:\n      - '(?P<num>一)、'\n"
                      "  - level: 9\n    markers: ['(?P<num>1)']\nparts: []\n", 6, "levels[1].level"),
    ("layout.yaml", None, None, "pdf.ocr_dpi"),  # filled below: the bundled file with one value broken
]


@pytest.mark.parametrize("file, text, line, rule", LINE_CASES, ids=[c[0] + str(i) for i, c in enumerate(LINE_CASES)])
def test_errors_name_file_rule_and_line(tmp_path: Path, file: str, text: str | None, line: int | None,
                                        rule: str | None) -> None:
    folder = copy_rules(tmp_path)
    if text is None:  # layout.yaml: a string where a number belongs, on the line that says ocr_dpi
        original = (folder / file).read_text(encoding="utf-8").splitlines(keepends=True)
        line = next(i for i, ln in enumerate(original, 1) if ln.strip().startswith("ocr_dpi:"))
        original[line - 1] = "  ocr_dpi: high\n"
        (folder / file).write_text("".join(original), encoding="utf-8")
    else:
        (folder / file).write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(folder)
    assert info.value.file.endswith(file) and info.value.line == line, (info.value.file, info.value.line)
    assert info.value.rule == rule
    assert str(info.value).startswith(f"E101 {folder.resolve() / file}:{line}: ")


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    with (folder / "units.yaml").open("a", encoding="utf-8") as f:
        f.write("not_before: [性]\n")
    with pytest.raises(RulesError, match="duplicate key 'not_before'"):
        load_rules(folder)


def test_every_rules_file_is_owned_and_versioned(tmp_path: Path) -> None:
    """Each file of rules/ is read by load_rules from the folder given, and any change is a new version."""
    bundled = default_rules_dir()
    assert {p.name for p in bundled.iterdir() if p.suffix == ".yaml"} == {f.name for f in FILES if not f.optional}
    folder = copy_rules(tmp_path)
    base = load_rules(folder)
    assert Path(base.layout.setting("pdf", "ocr_lang")) and base.divisions.source
    seen = {base.version}
    # the report types' packs (rules/types/<type>/*.yaml) are rules files too
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".yaml":
            path.write_bytes(data + b"\n# edited\n")
        else:  # the division table: one line ending changed
            path.write_bytes(gzip.compress(gzip.decompress(data).replace(b"\n", b"\r\n", 1)))
        version = load_rules(folder).version
        assert version not in seen, f"editing {path.name} did not change the rules version"
        seen.add(version)
        path.write_bytes(data)


def test_layout_rules_follow_the_rules_folder(tmp_path: Path) -> None:
    """--rules DIR replaces layout.yaml too: the readers use the folder's page-number patterns."""
    from pipeline.readers import _rules

    folder = copy_rules(tmp_path)
    edit_yaml(folder, "layout.yaml", lambda d: d.update(page_number_patterns=["^页码\\d+$"]))
    custom = load_rules(folder)
    with _rules.using(custom.layout):
        assert [p.pattern for p in _rules.patterns("page_number_patterns")] == ["^页码\\d+$"]
    assert "^页码\\d+$" not in [p.pattern for p in _rules.patterns("page_number_patterns")]


def test_program_version_covers_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rerun after an upgrade reprocesses: the version hashes the package's code, not a constant."""
    from pipeline import rules as rules_module

    first = rules_module.program_version()
    assert first.startswith(pipeline.__version__ + "+") and len(first) > len(pipeline.__version__) + 8
    fake = tmp_path / "pipeline"
    shutil.copytree(Path(rules_module.__file__).parent, fake, ignore=shutil.ignore_patterns("__pycache__", "rules"))
    monkeypatch.setattr(rules_module, "__file__", str(fake / "rules.py"))
    rules_module.program_version.cache_clear()
    try:
        assert rules_module.program_version() == first  # same code, same version
        (fake / "numbers.py").write_text((fake / "numbers.py").read_text(encoding="utf-8") + "\n# changed\n",
                                         encoding="utf-8")
        rules_module.program_version.cache_clear()
        assert rules_module.program_version() != first
    finally:
        rules_module.program_version.cache_clear()
