"""Tests of the `govreport` command: help, exit statuses, the output folder of
`extract` (docs/output contract), determinism, and bad inputs and rules.

Everything runs in-process through `pipeline.cli.main` except one subprocess
test per entry point (`govreport --help`, `python -m pipeline --help`).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline
from pipeline.cli import build_parser, main
from pipeline.rules import default_rules_dir, load_rules

from conftest import SAMPLE_PLAN, SAMPLE_REPORT, edit_yaml, rule_of

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "nankai-gov-office-2025.txt"
BOM = b"\xef\xbb\xbf"
TABLES = ("reports.csv", "sections.csv", "indicators.csv", "findings.csv", "tables.csv", "errors.csv")
PARQUET = ("reports.parquet", "sections.parquet", "indicators.parquet", "findings.parquet", "tables.parquet", "errors.parquet")


def outputs_in(out: Path) -> set[str]:
    """The output files of a run: not the run's own state folder (.govreport/)."""
    return {p.name for p in out.iterdir() if not p.name.startswith(".")}

SMALL_REPORT = SAMPLE_REPORT + SAMPLE_PLAN
OTHER_REPORT = "某县2025年度法治政府建设情况报告\n一、主要举措和成效\n全年办理行政复议案件9件，出庭应诉5次。\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in its own folder, so a default `outputs/` never lands in the repo."""
    monkeypatch.chdir(tmp_path)


def run(argv: list[str]) -> int:
    """main(argv) as an exit status, argparse's SystemExit included."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def good_inputs(base: Path) -> list[Path]:
    """Two good reports in a folder (one in a subfolder)."""
    (base / "sub").mkdir(parents=True, exist_ok=True)
    a = base / "nankai.txt"
    shutil.copyfile(SEED, a)
    b = base / "sub" / "small.txt"
    b.write_text(SMALL_REPORT, encoding="gbk")
    return [a, b]


def all_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)}


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.strip() and " processed, " not in ln]


# --- help and parser -----------------------------------------------------------------------

def _parsers(parser: argparse.ArgumentParser, path: str = "govreport"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def _subcommands():
    """(parent path, the parent's pseudo-action for the command, the command's parser)."""
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {a.dest: a for a in action._choices_actions}
                for name, sub in action.choices.items():
                    yield pytest.param(helps.get(name), sub, id=f"{path} {name}")


def _arguments():
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue  # each command is checked by test_every_command_has_help
            name = "/".join(action.option_strings) or action.dest
            yield pytest.param(action, id=f"{path} {name}")


def test_top_level_parser_has_a_description() -> None:
    parser = build_parser()
    assert parser.prog == "govreport"
    assert parser.description and parser.description.strip()
    assert any(isinstance(a, argparse._SubParsersAction) and a.choices for a in parser._actions)


@pytest.mark.parametrize("pseudo, sub", list(_subcommands()))
def test_every_command_has_help(pseudo, sub: argparse.ArgumentParser) -> None:
    assert pseudo is not None and pseudo.help and pseudo.help.strip(), "no help= in add_parser()"
    assert sub.description and sub.description.strip(), "no description= in add_parser()"


@pytest.mark.parametrize("action", list(_arguments()))
def test_every_argument_has_help(action: argparse.Action) -> None:
    assert isinstance(action.help, str) and action.help.strip(), f"{action.option_strings or action.dest}: no help"


def test_every_command_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    for path, parser in _parsers(build_parser()):
        argv = path.split()[1:] + ["--help"]
        assert run(argv) == 0
        out = capsys.readouterr().out
        assert out.startswith("usage: govreport")
        assert parser.description.split()[0] in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"govreport {pipeline.__version__}"


def test_govreport_script_help() -> None:
    script = Path(sys.executable).with_name("govreport")
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: govreport") and "extract" in proc.stdout


def test_python_m_pipeline_help(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: govreport") and "extract" in proc.stdout


# --- usage errors ----------------------------------------------------------------------------

USAGE = [
    pytest.param([], id="no-command"),
    pytest.param(["frobnicate"], id="unknown-command"),
    pytest.param(["extract"], id="extract-without-input"),
    pytest.param(["extract", "{seed}", "--jobs", "0"], id="jobs-0"),
    pytest.param(["extract", "{seed}", "--jobs", "-3"], id="jobs-negative"),
    pytest.param(["extract", "{seed}", "--jobs", "many"], id="jobs-not-a-number"),
    pytest.param(["extract", "{seed}", "--format", "xml"], id="unknown-format"),
    pytest.param(["extract", "{seed}", "--format", "json,excel"], id="one-unknown-format"),
    pytest.param(["extract", "{seed}", "--format", ","], id="no-format"),
    pytest.param(["extract", "{seed}", "--bogus"], id="unknown-option"),
    pytest.param(["extract", "--stdout", "{seed}", "{small}"], id="stdout-two-files"),
    pytest.param(["extract", "--rules", "{tmp}/no-such-rules", "{seed}"], id="rules-folder-missing"),
]


@pytest.mark.parametrize("argv", USAGE)
def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    small = tmp_path / "small.txt"
    small.write_text(SMALL_REPORT, encoding="utf-8")
    argv = [a.format(seed=SEED, small=small, tmp=tmp_path) for a in argv] + ["-o", str(tmp_path / "out")] \
        if argv and argv[0] == "extract" and len(argv) > 1 else argv
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.strip()
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing written on a usage error


# --- a batch with good and bad inputs -----------------------------------------------------------

@pytest.fixture
def mixed(tmp_path: Path):
    """A folder with two good reports and bad files, plus bad files given explicitly."""
    src = tmp_path / "in"
    good = good_inputs(src)
    (src / "empty.txt").write_bytes(b"")
    (src / "junk.txt").write_bytes(random.Random(0).randbytes(3000) + b"\x00\x00")
    (src / "notes.xyz").write_text("不是报告", encoding="utf-8")  # not collected from a folder
    explicit_bad = [tmp_path / "missing.txt", tmp_path / "given.xyz"]
    explicit_bad[1].write_text("不是报告", encoding="utf-8")
    bad = [src / "empty.txt", src / "junk.txt"] + explicit_bad
    argv = ["extract", str(src), str(explicit_bad[0]), str(explicit_bad[1])]
    return argv, good, bad


def test_batch_with_bad_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str], mixed) -> None:
    argv, good, bad = mixed
    out = tmp_path / "out"
    assert run(argv + ["-o", str(out), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err

    # stderr: one line per bad file, naming it and the reason
    lines = error_lines(err)
    assert len(lines) == len(bad), err
    for path in bad:
        mine = [ln for ln in lines if str(path) in ln]
        assert len(mine) == 1, (path, err)
        assert " E0" in mine[0]
    assert "2 processed, 0 skipped, 4 failed" in err

    # errors.csv: one row per bad file
    errors = read_csv(out / "errors.csv")
    assert sorted(r["source"] for r in errors) == sorted(map(str, bad))
    codes = {Path(r["source"]).name: r["code"] for r in errors}
    assert codes == {"empty.txt": "E003", "junk.txt": "E004", "missing.txt": "E002", "given.xyz": "E005"}
    assert all(r["reason"] for r in errors)

    # the good reports: one JSON each, and rows in every table for them only
    assert sorted(p.name for p in out.glob("*.json")) == sorted(f"{p.stem}.json" for p in good)
    good_sources = {str(p) for p in good}
    for table in TABLES:
        assert (out / table).read_bytes().startswith(BOM), table
    reports = read_csv(out / "reports.csv")
    assert {r["source"] for r in reports} == good_sources and len(reports) == 2
    sections = read_csv(out / "sections.csv")
    indicators = read_csv(out / "indicators.csv")
    assert {r["source"] for r in sections} == good_sources
    assert {r["source"] for r in indicators} == good_sources
    for r in reports:
        doc = json.loads((out / f"{Path(r['source']).stem}.json").read_text(encoding="utf-8"))
        assert r["doc_id"] == doc["doc_id"]
        assert int(r["n_sections"]) == len(doc["sections"]) == sum(s["doc_id"] == r["doc_id"] for s in sections)
        assert int(r["n_indicators"]) == len(doc["indicators"]) == sum(i["doc_id"] == r["doc_id"]
                                                                        for i in indicators)
    assert not list(out.rglob("*.tmp")) and [p.name for p in out.glob(".*")] == [".govreport"]


def test_all_good_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = good_inputs(tmp_path / "in")
    out = tmp_path / "out"
    assert run(["extract", str(tmp_path / "in"), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "2 processed, 0 skipped, 0 failed" in err and "Traceback" not in err
    assert read_csv(out / "errors.csv") == []
    assert (out / "errors.csv").read_bytes().startswith(BOM)
    assert outputs_in(out) == {f"{p.stem}.json" for p in good} | set(TABLES) | set(PARQUET)


def test_quiet_prints_only_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good_inputs(tmp_path / "in")
    assert run(["extract", str(tmp_path / "in"), "-q", "-o", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    assert run(["extract", str(tmp_path / "missing.txt"), "-q", "-o", str(tmp_path / "out2")]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "missing.txt" in err and "E002" in err


def test_default_outdir_is_outputs(tmp_path: Path) -> None:
    src = tmp_path / "one.txt"
    src.write_text(SMALL_REPORT, encoding="utf-8")
    assert run(["extract", str(src), "-q"]) == 0
    assert (tmp_path / "outputs" / "one.json").is_file()  # cwd is tmp_path


# --- --stdout ------------------------------------------------------------------------------------

def test_stdout_prints_one_json(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    out = tmp_path / "out"
    assert run(["extract", "--stdout", str(SEED), "-o", str(out)]) == 0
    captured = capsysbinary.readouterr()
    doc = json.loads(captured.out.decode("utf-8"))
    assert doc["indicators"]
    assert doc["source"]["path"] == str(SEED)
    assert not out.exists()
    assert not (tmp_path / "outputs").exists()
    assert b"Traceback" not in captured.err


def test_stdout_bad_file_exits_1(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    assert run(["extract", "--stdout", str(tmp_path / "empty.txt")]) == 1
    captured = capsysbinary.readouterr()
    assert captured.out == b""
    err = captured.err.decode("utf-8")
    assert len(err.splitlines()) == 1 and "empty.txt" in err and "E003" in err


# --- determinism and names ----------------------------------------------------------------------

def test_reruns_are_byte_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str], mixed) -> None:
    argv, _, _ = mixed
    runs = [("1", tmp_path / "out-a"), ("2", tmp_path / "out-b"), ("1", tmp_path / "out-c")]
    for jobs, out in runs:
        assert run(argv + ["-o", str(out), "--jobs", jobs, "-q"]) == 1
    capsys.readouterr()
    first = all_files(runs[0][1])
    assert set(first) >= set(TABLES) and len(first) == len(TABLES) + len(PARQUET) + 2
    for _, out in runs[1:]:
        files = all_files(out)
        assert sorted(files) == sorted(first)
        for name in first:
            assert files[name] == first[name], f"{name} differs between {runs[0][1].name} and {out.name}"


def test_same_stem_in_two_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a" / "report.txt"
    b = tmp_path / "b" / "report.txt"
    for p, text in ((a, SMALL_REPORT), (b, OTHER_REPORT)):
        p.parent.mkdir()
        p.write_text(text, encoding="utf-8")
    names = []
    for out in (tmp_path / "out1", tmp_path / "out2"):
        assert run(["extract", str(b), str(a), "-o", str(out), "-q"]) == 0
        jsons = sorted(out.glob("*.json"))
        assert len(jsons) == 2
        docs = [json.loads(p.read_text(encoding="utf-8")) for p in jsons]
        assert {d["source"]["path"] for d in docs} == {str(a), str(b)}
        assert "report.json" in {p.name for p in jsons}
        names.append([p.name for p in jsons])
    assert names[0] == names[1]  # the suffix is stable
    capsys.readouterr()


def test_same_file_given_twice_still_writes_stem_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "report.txt"
    src.write_text(SMALL_REPORT, encoding="utf-8")
    out = tmp_path / "out"
    run(["extract", str(src), str(src), "-o", str(out), "-q"])
    assert (out / "report.json").is_file()


def test_no_tmp_files_left(tmp_path: Path, capsys: pytest.CaptureFixture[str], mixed) -> None:
    argv, _, _ = mixed
    out = tmp_path / "out"
    run(argv + ["-o", str(out), "--jobs", "2", "-q"])
    capsys.readouterr()
    # the run's state folder (.govreport/) stays; no temporary file anywhere
    left = [p.name for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert left == []
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".govreport"]


def test_output_files_respect_umask(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "report.txt"
    src.write_text(SMALL_REPORT, encoding="utf-8")
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        assert run(["extract", str(src), "-o", str(out), "-q"]) == 0
    finally:
        os.umask(old)
    for p in out.rglob("*"):
        if p.is_file():
            assert p.stat().st_mode & 0o777 == 0o644, p.name


def test_outdir_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "report.txt"
    src.write_text(SMALL_REPORT, encoding="utf-8")
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    assert run(["extract", str(src), "-o", str(tmp_path / "taken")]) == 2
    assert "Traceback" not in capsys.readouterr().err


FORMATS = [
    # --format, files expected in OUTDIR besides errors.csv
    pytest.param("json,csv", {"report.json", "reports.csv", "sections.csv", "indicators.csv", "findings.csv", "tables.csv"},
                 id="json,csv"),
    pytest.param("csv", {"reports.csv", "sections.csv", "indicators.csv", "findings.csv", "tables.csv"}, id="csv"),
    pytest.param("json", {"report.json"}, id="json"),
    pytest.param(" csv , json ", {"report.json", "reports.csv", "sections.csv", "indicators.csv", "findings.csv", "tables.csv"},
                 id="spaces"),
]


@pytest.mark.parametrize("formats, expected", FORMATS)
def test_format_selects_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str], formats: str,
                                expected: set[str]) -> None:
    src = tmp_path / "report.txt"
    src.write_text(SMALL_REPORT, encoding="utf-8")
    out = tmp_path / "out"
    assert run(["extract", str(src), "-o", str(out), "--format", formats, "-q"]) == 0
    assert outputs_in(out) == expected | {"errors.csv"}


def test_format_parquet_is_written_or_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The contract lists parquet: either it is written, or it is a usage error; never a silent no-op.
    src = tmp_path / "report.txt"
    src.write_text(SMALL_REPORT, encoding="utf-8")
    out = tmp_path / "out"
    status = run(["extract", str(src), "-o", str(out), "--format", "parquet", "-q"])
    assert "Traceback" not in capsys.readouterr().err
    if status == 0:
        assert list(out.glob("*.parquet"))
    else:
        assert status == 2


# --- --rules ------------------------------------------------------------------------------------

def test_rules_copy_gives_the_same_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good_inputs(tmp_path / "in")
    rules = tmp_path / "myrules"
    shutil.copytree(default_rules_dir(), rules)
    assert run(["extract", str(tmp_path / "in"), "-o", str(tmp_path / "o1"), "-q"]) == 0
    assert run(["extract", str(tmp_path / "in"), "-o", str(tmp_path / "o2"), "-q", "--rules", str(rules)]) == 0
    assert all_files(tmp_path / "o1") == all_files(tmp_path / "o2")
    assert read_csv(tmp_path / "o2" / "indicators.csv")


def _furlongs(d: Path) -> None:
    edit_yaml(d, "indicators.yaml", lambda x: rule_of(x, "court_appearances").update(unit_classes=["furlongs"]))


def _bad_yaml(d: Path) -> None:
    (d / "units.yaml").write_text("units:\n  count: [次, 件\n  people: [人]\n", encoding="utf-8")


def _max_chars_text(d: Path) -> None:
    edit_yaml(d, "indicators.yaml", lambda x: x["label"].update(max_chars="twelve"))


BROKEN_RULES = [
    pytest.param(_furlongs, ["indicators.yaml", "court_appearances", "furlongs"], id="unknown-unit-class"),
    pytest.param(_bad_yaml, ["units.yaml", "YAML"], id="invalid-yaml"),
    pytest.param(_max_chars_text, ["indicators.yaml", "max_chars"], id="label-max-chars-not-int"),
]


@pytest.mark.parametrize("breaks, words", BROKEN_RULES)
def test_broken_rules_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], breaks,
                                           words: list[str]) -> None:
    src = tmp_path / "report.txt"
    src.write_text(SMALL_REPORT, encoding="utf-8")
    rules = tmp_path / "broken-rules"
    shutil.copytree(default_rules_dir(), rules)
    breaks(rules)
    out = tmp_path / "out"
    assert run(["extract", str(src), "-o", str(out), "--rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0]
    assert "E101" in lines[0]
    assert not out.exists()  # rules fail before any work


# --- the contract on the seed report's JSON ------------------------------------------------------

@pytest.fixture(scope="module")
def seed_docs(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The bundled report's JSON from two runs, the second on a copy elsewhere."""
    base = tmp_path_factory.mktemp("seed")
    copy = base / "elsewhere" / SEED.name
    copy.parent.mkdir()
    shutil.copyfile(SEED, copy)
    docs = []
    for i, src in enumerate((SEED, copy)):
        out = base / f"out{i}"
        assert main(["extract", str(src), "-o", str(out), "-q", "--jobs", "1"]) == 0
        docs.append(json.loads((out / f"{SEED.stem}.json").read_text(encoding="utf-8")))
    return docs


@pytest.fixture(scope="module")
def seed(seed_docs: list[dict]) -> dict:
    return seed_docs[0]


def test_seed_schema_and_source(seed: dict) -> None:
    assert seed["schema_version"] == "2"
    for key in ("doc_id", "source", "meta", "text", "sections", "indicators", "findings"):
        assert key in seed
    src = seed["source"]
    assert src["path"] == str(SEED)
    assert src["format"] == "txt"
    assert src["encoding"] == "utf-8"
    assert src["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert "pages" in src
    assert seed["meta"]["year"] == 2025
    assert seed["meta"]["report_type"] == "rule_of_law_annual"


def test_seed_doc_id_is_stable(seed_docs: list[dict]) -> None:
    first, moved = seed_docs
    assert first["doc_id"] and first["doc_id"] == moved["doc_id"]
    assert first["source"]["path"] != moved["source"]["path"]
    assert first["doc_id"] == pipeline.extract(SEED).doc_id


def test_seed_indicator_spans(seed: dict) -> None:
    text = seed["text"]
    assert seed["indicators"]
    for ind in seed["indicators"]:
        start, end = ind["span"]
        assert 0 <= start < end <= len(text)
        assert text[start:end] == ind["text"], ind
        assert ind["text"] in ind["sentence"], ind


def test_seed_sections(seed: dict) -> None:
    text = seed["text"]
    assert seed["sections"]
    ids = [s["id"] for s in seed["sections"]]
    assert len(ids) == len(set(ids))
    for s in seed["sections"]:
        start, end = s["span"]
        assert 0 <= start <= end <= len(text), s
    for ind in seed["indicators"]:
        assert ind["section_id"] is None or ind["section_id"] in ids


def test_seed_indicator_ids_are_in_the_catalog(seed: dict) -> None:
    catalog = load_rules().catalog
    for ind in seed["indicators"]:
        assert ind["indicator"] in catalog, ind["indicator"]
        assert ind["label"]


def test_seed_integral_values_are_json_ints(seed: dict) -> None:
    for ind in seed["indicators"]:
        for key in ("value", "value_high"):
            v = ind.get(key)
            assert v is None or isinstance(v, (int, float)) and not isinstance(v, bool)
            if isinstance(v, float):
                assert not v.is_integer(), f"{key} {v} should be written as a JSON int"
        assert isinstance(ind["value"], int)  # every value in this report is a whole number


def test_every_command_and_option_has_help() -> None:
    """`govreport COMMAND --help` explains every command and every option (argparse shows no
    help for an option defined without one, silently)."""
    import argparse

    from pipeline.cli import build_parser

    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    helped = {a.dest: a.help for a in sub._choices_actions}
    assert set(helped) == set(sub.choices) and all(helped.values()), helped
    for name, command in sub.choices.items():
        assert command.description, f"{name} has no description"
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, f"{name} {action.option_strings or action.dest}"


# The command's own exit (pipeline.cli.run): main's status, library clean-ups
# (atexit) run, every byte of stdout there, nothing torn down after.
RUN = ("import atexit, sys; atexit.register(lambda: print('clean-up ran')); "
       "sys.argv = ['govreport'] + sys.argv[1:]; from pipeline.cli import run; run()")


@pytest.mark.parametrize(("args", "status", "out"), [
    (["--version"], 0, pipeline.__version__),
    (["extract", "no-such-file.txt", "-o", "{tmp}/out"], 1, ""),
    (["extract", "{tmp}/report.txt", "--stdout"], 0, '"indicators"'),
])
def test_the_command_exits_as_main_says_with_its_output_whole(tmp_path, args, status, out):
    (tmp_path / "report.txt").write_text(SAMPLE_REPORT, encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) if isinstance(a, str) else str(a) for a in args]
    got = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(Path(pipeline.__file__).parent.parent)})
    assert got.returncode == status, got.stderr
    assert out in got.stdout and got.stdout.rstrip().endswith("clean-up ran")
    if "--stdout" in args:  # the whole JSON came through before the exit
        assert json.loads(got.stdout[:got.stdout.rindex("clean-up ran")])["indicators"]
